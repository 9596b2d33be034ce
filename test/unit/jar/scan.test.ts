// The scan classifies names with bit tricks over 8-byte words; check it against a plain reference.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scanJar } from '../../../src/jar/scan.js';
import { zipBuffer } from '../../helpers/zip-writer.js';
import { openZipBuffer } from './open-zip.js';

function reference(names: string[]) {
  const seen = new Set<string>();
  let duplicates = 0;
  let unsafe = 0;
  const reasons = new Set<string>();
  for (const n of names) {
    if (seen.has(n)) duplicates++;
    seen.add(n);
    const parent = n.split(/[/\\]/).includes('..');
    const absolute = n.startsWith('/') || /^[A-Za-z]:/.test(n);
    const backslash = n.includes('\\');
    if (parent || absolute || backslash || n === '') unsafe++;
    if (parent) reasons.add('parent');
    if (absolute) reasons.add('absolute');
    if (backslash) reasons.add('backslash');
    if (n === '') reasons.add('empty');
  }
  return { duplicates, unsafe, reasons: [...reasons].sort() };
}

describe('scanJar name checks', () => {
  it('agrees with a plain reference on names full of dots, slashes and backslashes', async () => {
    const name = fc.string({ unit: fc.constantFrom('.', '.', '/', '\\', 'a', 'b', ':', 'é'), maxLength: 40 });
    await fc.assert(
      fc.asyncProperty(fc.array(name, { maxLength: 30 }), async (names) => {
        const scan = scanJar(await openZipBuffer(zipBuffer(names.map((n) => ({ name: n, data: '' })))));
        const ref = reference(names);
        expect(scan.entries).toBe(names.length);
        expect(scan.duplicates.count).toBe(ref.duplicates);
        expect(scan.unsafePaths.count).toBe(ref.unsafe);
        expect([...scan.unsafeReasons].sort()).toEqual(ref.reasons);
        expect(scan.badNames.count).toBe(0);
      }),
      { numRuns: 300, seed: 3 },
    );
  });

  it('finds ".." at every offset of a long name, and only as a segment', async () => {
    for (let at = 0; at < 40; at++) {
      const n = `p${'x'.repeat(at)}/../${'y'.repeat(40 - at)}`;
      const m = `p${'x'.repeat(at)}/..${'y'.repeat(40 - at)}`;
      const scan = scanJar(await openZipBuffer(zipBuffer([{ name: n }, { name: m }])));
      expect(scan.unsafePaths.names).toEqual([n]);
    }
  });

  it('counts classes and directories and flags names that are not UTF-8', async () => {
    const scan = scanJar(
      await openZipBuffer(
        zipBuffer([
          { name: 'a/' },
          { name: 'a/B.class' },
          { name: '.class' },
          { name: 'a/Bclass' },
          { name: Buffer.from([0x61, 0xff, 0x62]) },
          { name: 'ok-é' },
        ]),
      ),
    );
    expect(scan).toMatchObject({ entries: 6, directories: 1, classes: 1 });
    expect(scan.badNames.count).toBe(1);
  });
});
