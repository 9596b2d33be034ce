import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeEntryName } from '../../../src/jar/entry-name.js';
import { hashBytes, NameIndex } from '../../../src/jar/name-index.js';
import { scanJar } from '../../../src/jar/scan.js';
import { openZip, type ZipArchive, ZipError } from '../../../src/jar/zip.js';
import { entryAt, forEachEntry, listEntryNames } from '../../../src/jar/zip-entries.js';
import { readEntry, readEntryHead } from '../../../src/jar/zip-read.js';
import { writeZip, type ZipEntryInput, type ZipWriteOptions, zipBuffer } from '../../helpers/zip-writer.js';

const dir = mkdtempSync(join(tmpdir(), 'zip-reader-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

async function withZip<T>(
  bytes: Buffer,
  fn: (zip: ZipArchive, fh: FileHandle) => Promise<T> | T,
): Promise<T> {
  const path = join(dir, `z${n++}.zip`);
  writeFileSync(path, bytes);
  const fh = await open(path);
  try {
    return await fn(await openZip(fh, bytes.length), fh);
  } finally {
    await fh.close();
    rmSync(path);
  }
}

const names = (bytes: Buffer) => withZip(bytes, (zip) => listEntryNames(zip));
const entries = (count: number): ZipEntryInput[] =>
  Array.from({ length: count }, (_, i) => ({ name: `e/${i}.txt`, data: `entry ${i}` }));

async function zipError(bytes: Buffer): Promise<ZipError> {
  try {
    await withZip(bytes, (zip) => scanJar(zip));
  } catch (err) {
    if (err instanceof ZipError) return err;
    throw err;
  }
  throw new Error('expected a ZipError');
}

describe('openZip', () => {
  it('reads an empty zip (just the end record)', async () => {
    const buf = zipBuffer([]);
    expect(buf).toHaveLength(22);
    expect(await names(buf)).toEqual([]);
  });

  it('finds the end record behind a comment that contains its signature', async () => {
    const comment = `fake PK\u0005\u0006 record ${'x'.repeat(300)}`;
    expect(await names(zipBuffer(entries(3), { comment }))).toEqual(['e/0.txt', 'e/1.txt', 'e/2.txt']);
  });

  it('finds the end record behind the longest comment', async () => {
    expect(await names(zipBuffer(entries(2), { comment: 'c'.repeat(0xffff) }))).toEqual([
      'e/0.txt',
      'e/1.txt',
    ]);
  });

  it('reads zip64 end records and per-entry zip64 extra fields', async () => {
    const input = entries(5).map((e) => ({ ...e, forceZip64: true }));
    await withZip(zipBuffer(input, { zip64: 'always' }), async (zip, fh) => {
      expect(zip.zip64).toBe(true);
      expect(listEntryNames(zip)).toEqual(input.map((e) => e.name));
      const e = entryAt(zip, scanJar(zip).index.find(Buffer.from('e/3.txt')));
      expect((await readEntry(fh, zip, e, 100)).toString()).toBe('entry 3');
    });
  });

  it('handles bytes prepended to the zip (a launcher script) as Java does', async () => {
    const prefix = '#!/bin/sh\nexec java -jar "$0" "$@"\n';
    await withZip(zipBuffer(entries(3), { prefix }), async (zip, fh) => {
      expect(zip.prefixBytes).toBe(prefix.length);
      const e = entryAt(zip, scanJar(zip).index.find(Buffer.from('e/2.txt')));
      expect((await readEntry(fh, zip, e, 100)).toString()).toBe('entry 2');
    });
  });

  it('rejects a zip64 JAR with prepended bytes, which Java cannot open', async () => {
    expect((await zipError(zipBuffer(entries(2), { prefix: 'xx', zip64: 'always' }))).kind).toBe('corrupt');
  });

  it('walks the whole central directory when the entry count is wrong (broken writers past 65,535)', async () => {
    expect(await names(zipBuffer(entries(40), { declaredEntries: 3 }))).toHaveLength(40);
  });

  it('rejects split archives', async () => {
    const buf = zipBuffer(entries(1));
    buf.writeUInt16LE(1, buf.length - 22 + 4);
    expect((await zipError(buf)).message).toContain('split');
  });

  it('tells truncation from a file that is not a zip', async () => {
    const buf = zipBuffer(entries(4));
    expect((await zipError(buf.subarray(0, buf.length - 1))).kind).toBe('truncated');
    expect((await zipError(Buffer.from('just text, no zip here'))).kind).toBe('not-a-zip');
    expect((await zipError(Buffer.from('PK\u0003\u0004'))).kind).toBe('truncated');
  });

  it('reports every truncation of a zip as a ZipError', async () => {
    const buf = zipBuffer(entries(6));
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: buf.length - 1 }), async (cut) => {
        expect(await zipError(buf.subarray(0, cut))).toBeInstanceOf(ZipError);
      }),
      { numRuns: 60, seed: 7 },
    );
  });

  it('never throws anything but ZipError on corrupted central directories and end records', async () => {
    const input: ZipEntryInput[] = [
      { name: 'META-INF/MANIFEST.MF', data: 'Manifest-Version: 1.0\r\n\r\n' },
      ...entries(5),
      { name: 'z64', data: 'x', forceZip64: true },
    ];
    const good = zipBuffer(input, { zip64: 'always' });
    const { centralDirectoryOffset: cdStart } = writeZip(join(dir, 'layout.zip'), input, { zip64: 'always' });
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.tuple(fc.integer({ min: cdStart, max: good.length - 1 }), fc.integer({ min: 0, max: 255 })),
          {
            minLength: 1,
            maxLength: 4,
          },
        ),
        async (flips) => {
          const buf = Buffer.from(good);
          for (const [at, v] of flips) buf[at] = v;
          try {
            await withZip(buf, async (zip, fh) => {
              const scan = scanJar(zip);
              if (scan.manifest >= 0) await readEntry(fh, zip, entryAt(zip, scan.manifest), 1 << 20);
            });
          } catch (err) {
            expect(err).toBeInstanceOf(ZipError);
          }
        },
      ),
      { numRuns: 150, seed: 11 },
    );
  });
});

describe('entries', () => {
  it('parses names, sizes, methods and flags', async () => {
    const buf = zipBuffer([
      { name: 'a.txt', data: 'a'.repeat(1000) },
      { name: 'dir/', method: 'stored' },
      { name: 'b.bin', data: 'bb', method: 'stored', encrypted: true },
      { name: 'ünï.txt', data: 'x' },
    ]);
    const seen = await withZip(buf, (zip) => {
      const out: object[] = [];
      forEachEntry(zip, (e) =>
        out.push({
          name: e.name,
          size: e.size,
          method: e.method,
          encrypted: e.isEncrypted,
          dir: e.isDirectory,
          utf8: e.isUtf8,
          small: e.compressedSize < e.size,
        }),
      );
      return out;
    });
    expect(seen).toEqual([
      { name: 'a.txt', size: 1000, method: 8, encrypted: false, dir: false, utf8: false, small: true },
      { name: 'dir/', size: 0, method: 0, encrypted: false, dir: true, utf8: false, small: false },
      { name: 'b.bin', size: 2, method: 0, encrypted: true, dir: false, utf8: false, small: false },
      { name: 'ünï.txt', size: 1, method: 8, encrypted: false, dir: false, utf8: true, small: false },
    ]);
  });

  it('decodes names without the UTF-8 flag as code page 437', () => {
    const b = Buffer.from([0x80, 0x81, 0x2f, 0x41, 0xe1, 0xff]);
    expect(decodeEntryName(b, 0, b.length, false)).toBe('Çü/Aß\u00a0');
    expect(decodeEntryName(Buffer.from('日本/x'), 0, 9, true)).toBe('日本/x');
  });

  it('reads the head of a large deflated entry without inflating all of it', async () => {
    const big = Buffer.concat([Buffer.from('cafebabe00000041', 'hex'), randomBytes(2 << 20)]);
    await withZip(zipBuffer([{ name: 'Big.class', data: big }]), async (zip, fh) => {
      const e = entryAt(zip, 0);
      expect(e.method).toBe(8);
      expect((await readEntryHead(fh, zip, e, 8)).toString('hex')).toBe('cafebabe00000041');
    });
  });

  it('checks the CRC-32 of entries read whole', async () => {
    const buf = zipBuffer([{ name: 'm', data: 'hello', method: 'stored', crc: 1234 }]);
    await expect(withZip(buf, (zip, fh) => readEntry(fh, zip, entryAt(zip, 0), 100))).rejects.toThrow(
      /CRC-32/,
    );
  });
});

describe('NameIndex', () => {
  it('grows past its hint and finds every name; a later duplicate wins', async () => {
    const input = [...entries(2000), { name: 'e/7.txt', data: 'again' }];
    await withZip(zipBuffer(input), (zip) => {
      const index = new NameIndex(zip.centralDirectory, 1);
      let dups = 0;
      forEachEntry(zip, (e) => {
        const h = hashBytes(zip.centralDirectory, e.nameStart, e.nameStart + e.nameLength);
        if (index.add(h, e.recordOffset) >= 0) dups++;
      });
      expect(dups).toBe(1);
      for (let i = 0; i < 2000; i += 37)
        expect(index.find(Buffer.from(`e/${i}.txt`))).toBeGreaterThanOrEqual(0);
      expect(index.find(Buffer.from('e/2000.txt'))).toBe(-1);
      expect(entryAt(zip, index.find(Buffer.from('e/7.txt'))).index).toBe(-1);
      expect(entryAt(zip, index.find(Buffer.from('e/7.txt'))).recordOffset).toBeGreaterThan(
        entryAt(zip, index.find(Buffer.from('e/8.txt'))).recordOffset,
      );
    });
  });
});

describe('writer round trip', () => {
  it('reads back what the test writer wrote, for any options', async () => {
    const opts = fc.record<ZipWriteOptions>({
      zip64: fc.constantFrom('auto', 'always', 'never'),
      comment: fc.string({ maxLength: 20 }),
    });
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 50 }), opts, async (count, o) => {
        expect(await names(zipBuffer(entries(count), o))).toEqual(entries(count).map((e) => e.name));
      }),
      { numRuns: 40, seed: 5 },
    );
  });

  it('writes the same bytes twice (deterministic)', () => {
    const a = join(dir, 'det-a.zip');
    const b = join(dir, 'det-b.zip');
    writeZip(a, entries(20));
    writeZip(b, entries(20));
    expect(readFileSync(a).equals(readFileSync(b))).toBe(true);
  });
});
