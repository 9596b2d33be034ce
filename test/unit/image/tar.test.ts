import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, describe, expect, test } from 'vitest';
import { sha256Digest } from '../../../src/image/manifest.js';
import { gzipStored, splitUstarName, type TarEntry, tarParts } from '../../../src/image/tar.js';

const dir = mkdtempSync(join(tmpdir(), 'image-tar-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function layer(entries: TarEntry[]) {
  const gz = gzipStored(tarParts(entries));
  return { ...gz, bytes: Buffer.concat(gz.parts) };
}

const jar = Buffer.alloc(200_000);
for (let i = 0; i < jar.length; i++) jar[i] = (i * 7919) % 251;
const sample: TarEntry[] = [
  { path: 'app/etl.jar', type: 'file', data: jar },
  { path: 'app', type: 'dir' },
  { path: 'app/application.conf', type: 'file', data: Buffer.from('a = 1\n') },
];

function tarTool(args: string[], file: string) {
  const r = spawnSync('tar', [...args, file], { cwd: dir, encoding: 'utf8' });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return r.stdout;
}

describe('deterministic layer', () => {
  test('same entries in any order give the same bytes and digests', () => {
    const a = layer(sample);
    const b = layer([...sample].reverse());
    expect(a.bytes.equals(b.bytes)).toBe(true);
    expect(a.digest).toBe(b.digest);
    expect(a.digest).toBe(sha256Digest(a.bytes));
    expect(a.size).toBe(a.bytes.length);
  });

  test('gzip header is fixed: no name, mtime 0, OS unknown', () => {
    const { bytes } = layer(sample);
    expect([...bytes.subarray(0, 10)]).toEqual([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
  });

  test('diff_id is the sha256 of the uncompressed tar', () => {
    const { bytes, diffId } = layer(sample);
    expect(diffId).toBe(sha256Digest(gunzipSync(bytes)));
  });

  test('tar -tvzf (GNU tar) lists root-owned entries with mtime 0, sorted, and the right sizes', () => {
    const file = join(dir, 'layer.tar.gz');
    writeFileSync(file, layer(sample).bytes);
    const lines = tarTool(['--numeric-owner', '--utc', '-tvzf'], file).trim().split('\n');
    expect(lines).toEqual([
      expect.stringMatching(/^drwxr-xr-x 0\/0 +0 1970-01-01 00:00 app\/$/),
      expect.stringMatching(/^-rw-r--r-- 0\/0 +6 1970-01-01 00:00 app\/application\.conf$/),
      expect.stringMatching(/^-rw-r--r-- 0\/0 +200000 1970-01-01 00:00 app\/etl\.jar$/),
    ]);
  });

  test('tar -xzf extracts the JAR byte for byte', () => {
    const file = join(dir, 'x.tar.gz');
    writeFileSync(file, layer(sample).bytes);
    const out = mkdtempSync(join(dir, 'x-'));
    tarTool(['-C', out, '-xzf'], file);
    expect(readFileSync(join(out, 'app/etl.jar')).equals(jar)).toBe(true);
    expect(spawnSync('gzip', ['-t', file]).status).toBe(0);
  });

  test('long paths use the ustar prefix, longer ones a PAX header; tar reads both', () => {
    const deep = `${'d'.repeat(90)}/${'e'.repeat(90)}`;
    const huge = `app/${'x'.repeat(300)}.conf`;
    const file = join(dir, 'long.tar.gz');
    writeFileSync(
      file,
      layer([
        { path: `${deep}/file.txt`, type: 'file', data: Buffer.from('one') },
        { path: huge, type: 'file', data: Buffer.from('two') },
      ]).bytes,
    );
    const names = tarTool(['-tzf'], file).trim().split('\n');
    expect(names).toEqual([huge, `${deep}/file.txt`]);
  });

  test('an empty archive is valid gzip of two zero blocks', () => {
    const { bytes } = layer([]);
    expect(gunzipSync(bytes)).toEqual(Buffer.alloc(1024));
  });

  test.each([
    ['/abs', 'invalid path'],
    ['a/../b', 'invalid path'],
    ['a//b', 'invalid path'],
  ])('rejects path %s', (path, message) => {
    expect(() => tarParts([{ path, type: 'file', data: Buffer.alloc(1) }])).toThrow(message);
  });

  test('rejects duplicate paths', () => {
    expect(() =>
      tarParts([
        { path: 'a', type: 'dir' },
        { path: 'a', type: 'dir' },
      ]),
    ).toThrow('duplicate');
  });
});

describe('splitUstarName', () => {
  test.each([
    ['short', { prefix: '', name: 'short' }],
    [`${'p'.repeat(150)}/${'n'.repeat(99)}`, { prefix: 'p'.repeat(150), name: 'n'.repeat(99) }],
    [`${'p'.repeat(156)}/n`, undefined],
    [`p/${'n'.repeat(101)}`, undefined],
  ])('%#', (path, want) => {
    expect(splitUstarName(path)).toEqual(want);
  });
});

describe('gzipStored', () => {
  test('output depends only on the bytes, not on how they are split (property)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 200_000 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        (data, cuts) => {
          const buf = Buffer.from(data);
          const points = [...new Set(cuts.map((c) => c % (buf.length + 1)))].sort((a, b) => a - b);
          const parts: Buffer[] = [];
          let prev = 0;
          for (const p of points) {
            parts.push(buf.subarray(prev, p));
            prev = p;
          }
          parts.push(buf.subarray(prev));
          const whole = gzipStored([buf]);
          const split = gzipStored(parts);
          const bytes = Buffer.concat(split.parts);
          expect(bytes.equals(Buffer.concat(whole.parts))).toBe(true);
          expect(gunzipSync(bytes).equals(buf)).toBe(true);
          expect(split.diffId).toBe(sha256Digest(buf));
        },
      ),
      { numRuns: 40 },
    );
  });

  test('blocks are full 65,535-byte stored blocks', () => {
    const data = Buffer.alloc(65_535 * 2 + 10, 1);
    const { parts } = gzipStored([data]);
    // header, then (block header, data) x 3, then trailer
    expect(parts.map((p) => p.length)).toEqual([10, 5, 65_535, 5, 65_535, 5, 10, 8]);
    expect([parts[1]?.[0], parts[3]?.[0], parts[5]?.[0]]).toEqual([0, 0, 1]); // BFINAL on the last only
  });
});
