// The reader must list exactly what Info-ZIP's unzip and the JDK's jar tool list, on random archives:
// entry counts past 65,535, UTF-8/long/nested names, stored and deflated data, zip64 records.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { scanJar } from '../../../src/jar/scan.js';
import { openZip } from '../../../src/jar/zip.js';
import { entryAt, listEntryNames } from '../../../src/jar/zip-entries.js';
import { readEntry } from '../../../src/jar/zip-read.js';
import { writeZip, type ZipEntryInput, type ZipWriteOptions } from '../../helpers/zip-writer.js';

const has = (cmd: string, args: string[]) => spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;
const hasUnzip = has('unzip', ['-v']);
const hasJar = has('jar', ['--version']);
if (process.env.CI && (!hasUnzip || !hasJar))
  throw new Error('zip oracle tests need unzip and jar (JDK) on PATH');

const dir = mkdtempSync(join(tmpdir(), 'zip-oracle-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const env = { ...process.env, LC_ALL: 'C.UTF-8', LANG: 'C.UTF-8' };

function unzipList(path: string): string[] {
  const out = execFileSync('unzip', ['-Z1', path], { env, maxBuffer: 1 << 28 }).toString('utf8');
  return out.split('\n').slice(0, -1);
}

function jarList(path: string): string[] {
  const out = execFileSync('jar', ['-J-Dsun.stdout.encoding=UTF-8', 'tf', path], { env, maxBuffer: 1 << 28 });
  return out.toString('utf8').split('\n').slice(0, -1);
}

async function readerList(path: string): Promise<string[]> {
  const fh = await open(path);
  try {
    return listEntryNames(await openZip(fh, (await fh.stat()).size));
  } finally {
    await fh.close();
  }
}

// Printable characters from several scripts; no '/', '\', controls or surrogates (the oracles print
// those differently, and the rules reject them anyway).
const char = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789$_-.+=~@'),
  },
  { weight: 1, arbitrary: fc.constantFrom(...'äöüßéèçñåøÆŁżő') },
  { weight: 1, arbitrary: fc.constantFrom(...'日本語中文한국어ДжЯλΩאב') },
  { weight: 1, arbitrary: fc.constantFrom('😀', '🚀', '𝔘', '🧪') },
);
const segment = fc.oneof(
  { weight: 9, arbitrary: fc.string({ unit: char, minLength: 1, maxLength: 24 }) },
  { weight: 1, arbitrary: fc.string({ unit: char, minLength: 100, maxLength: 250 }) },
);
const name = fc
  .tuple(fc.array(segment, { minLength: 1, maxLength: 6 }), fc.boolean())
  .map(([segs, dir]) => segs.join('/') + (dir ? '/' : ''))
  .filter((n) => !n.split('/').some((s) => s === '.' || s === '..') && Buffer.byteLength(n) < 4000);
const entry = fc.record({
  name,
  data: fc.uint8Array({ maxLength: 300 }),
  method: fc.constantFrom('stored' as const, 'deflated' as const),
  forceZip64: fc.integer({ min: 0, max: 9 }).map((x) => x === 0),
});
const archive = fc.record({
  entries: fc.uniqueArray(entry, { selector: (e) => e.name, maxLength: 120 }),
  zip64: fc.constantFrom<ZipWriteOptions['zip64']>('auto', 'auto', 'always'),
  comment: fc.oneof(
    fc.constant(''),
    fc.string({ maxLength: 40 }).map((s) => s.replace(/[^ -~]/g, 'x')),
  ),
});

let n = 0;
function write(entries: Iterable<ZipEntryInput>, options: ZipWriteOptions): string {
  const path = join(dir, `a${n++}.zip`);
  writeZip(path, entries, options);
  return path;
}

describe.skipIf(!hasUnzip)('zip reader vs unzip -Z1', () => {
  it('lists the same entries as unzip on random archives', async () => {
    await fc.assert(
      fc.asyncProperty(archive, async (a) => {
        const path = write(a.entries, { zip64: a.zip64, comment: a.comment });
        const names = await readerList(path);
        expect(names).toEqual(a.entries.map((e) => e.name));
        if (names.length) expect(unzipList(path)).toEqual(names);
        rmSync(path);
      }),
      { numRuns: 40, seed: 20250301 },
    );
  });
});

describe.skipIf(!hasUnzip || !hasJar)('zip reader vs jar tf', () => {
  it('lists the same entries as jar tf on random archives', async () => {
    await fc.assert(
      fc.asyncProperty(archive, async (a) => {
        const path = write(a.entries, { zip64: a.zip64, comment: a.comment });
        expect(jarList(path)).toEqual(await readerList(path));
        rmSync(path);
      }),
      { numRuns: 5, seed: 20250302 },
    );
  });

  it('lists archives past 65,535 entries like unzip and jar tf', async () => {
    const data = Buffer.from('class');
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 65_530, max: 70_000 }),
        fc.string({ unit: char, minLength: 1, maxLength: 12 }),
        async (count, prefix) => {
          const entries = function* (): Generator<ZipEntryInput> {
            for (let i = 0; i < count; i++)
              yield { name: `${prefix}/p${i % 97}/C${i}.class`, data, method: 'stored' };
          };
          const path = write(entries(), {});
          const names = await readerList(path);
          expect(names).toHaveLength(count);
          expect(unzipList(path)).toEqual(names);
          expect(jarList(path)).toEqual(names);
          rmSync(path);
        },
      ),
      { numRuns: 1, seed: 20250303, examples: [[65_535, 'boundary']] },
    );
  });
});

// A real offset past 4 GiB, without writing 4 GiB: the big entry is a hole in a sparse file.
function sparseSupported(): boolean {
  const probe = join(dir, 'sparse-probe');
  writeZip(probe, [{ name: 'hole', data: { zeros: 64 << 20 }, crc: 0 }]);
  const st = statSync(probe);
  rmSync(probe);
  return st.blocks * 512 < 1 << 20;
}

describe.skipIf(!hasUnzip || !hasJar || !sparseSupported())('zip reader on a JAR larger than 4 GiB', () => {
  it('reads entries whose local headers lie past 4 GiB', async () => {
    const path = write(
      [
        { name: 'META-INF/MANIFEST.MF', data: 'Manifest-Version: 1.0\r\n\r\n' },
        { name: 'blob.bin', data: { zeros: 2 ** 32 + 4096 }, crc: 0 },
        { name: 'com/etl/Main.class', data: 'after the hole' },
      ],
      {},
    );
    const names = await readerList(path);
    expect(names).toEqual(['META-INF/MANIFEST.MF', 'blob.bin', 'com/etl/Main.class']);
    const fh = await open(path);
    try {
      const zip = await openZip(fh, (await fh.stat()).size);
      const last = entryAt(zip, scanJar(zip).index.find(Buffer.from('com/etl/Main.class')));
      expect(last.localHeaderOffset).toBeGreaterThan(2 ** 32);
      expect((await readEntry(fh, zip, last, 1024)).toString()).toBe('after the hole');
    } finally {
      await fh.close();
    }
    expect(unzipList(path)).toEqual(names);
    expect(jarList(path)).toEqual(names);
    expect(statSync(path).size).toBeGreaterThan(2 ** 32);
    rmSync(path);
  });
});
