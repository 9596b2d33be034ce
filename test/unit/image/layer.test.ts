// The streamed layer (files read in chunks, diff_id hashed by a worker) must be the same bytes and digests
// as the in-memory tar + gzipStored of the same files, and must notice a file that changes under it.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, test } from 'vitest';
import { buildAppLayer, type LayerFile, prepareAppLayer, tarEntriesFor } from '../../../src/image/layer.js';
import { sha256Digest } from '../../../src/image/manifest.js';
import { gzipStored, tarParts } from '../../../src/image/tar.js';

const dir = mkdtempSync(join(tmpdir(), 'image-layer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function collect(it: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const p of it) parts.push(p);
  return Buffer.concat(parts);
}

describe('buildAppLayer', () => {
  // Sizes around the 64 KiB block and 4 MiB read boundaries, and an empty file.
  test.each([
    [0, 11],
    [65_535, 1],
    [65_536 * 3 + 17, 700],
    [4 * 1024 * 1024 + 513, 0],
    [9 * 1024 * 1024 - 1, 65_535],
  ])('a %i-byte JAR and a %i-byte config file: same bytes as the in-memory layer', async (a, b) => {
    const jar = randomBytes(a);
    const conf = randomBytes(b);
    writeFileSync(join(dir, 'etl.jar'), jar);
    writeFileSync(join(dir, 'app.conf'), conf);
    const files: LayerFile[] = [
      { imagePath: '/opt/app/etl.jar', hostPath: join(dir, 'etl.jar'), from: 'the JAR' },
      { imagePath: '/opt/app/app.conf', hostPath: join(dir, 'app.conf'), from: 'app.configFile' },
    ];
    const layer = await buildAppLayer('/opt/app', files);
    const bytes = await collect(layer.open());
    const memory = gzipStored(
      tarParts(
        tarEntriesFor('/opt/app', [
          { imagePath: '/opt/app/etl.jar', data: jar },
          { imagePath: '/opt/app/app.conf', data: conf },
        ]),
      ),
    );
    expect(bytes.equals(Buffer.concat(memory.parts))).toBe(true);
    expect(layer.size).toBe(bytes.length);
    expect(layer.digest).toBe(sha256Digest(bytes));
    expect(layer.diffId).toBe(sha256Digest(gunzipSync(bytes)));
    expect([layer.digest, layer.diffId]).toEqual([memory.digest, memory.diffId]);
    expect(layer.files).toEqual([
      { path: '/opt/app/app.conf', size: b },
      { path: '/opt/app/etl.jar', size: a },
    ]);
  });

  test('open before any hashing pass gives the same bytes (the CRC is computed, not remembered)', async () => {
    writeFileSync(join(dir, 'first.jar'), randomBytes(300_000));
    const files = [{ imagePath: '/app/first.jar', hostPath: join(dir, 'first.jar'), from: 'the JAR' }];
    const fresh = await collect((await prepareAppLayer('/app', files)).open());
    const built = await buildAppLayer('/app', files);
    expect(fresh.equals(await collect(built.open()))).toBe(true);
    expect(gunzipSync(fresh).length).toBe(300_000 + 2 * 512 + 1024 + (512 - (300_000 % 512)));
  });

  test('a file that changes size after it was listed fails both passes, naming it', async () => {
    const path = join(dir, 'growing.jar');
    writeFileSync(path, randomBytes(100_000));
    const p = await prepareAppLayer('/app', [
      { imagePath: '/app/growing.jar', hostPath: path, from: 'the JAR' },
    ]);
    writeFileSync(path, randomBytes(100_001));
    await expect(p.digest()).rejects.toThrow(`image: ${path} changed while the image was built`);
    await expect(p.diffId()).rejects.toThrow(`image: ${path} changed while the image was built`);
    writeFileSync(path, randomBytes(99_999));
    await expect(p.digest()).rejects.toThrow('(100000 bytes when listed, 99999 now)');
  });

  test('a missing file names the config key it came from', async () => {
    await expect(
      buildAppLayer('/app', [
        { imagePath: '/app/x.conf', hostPath: join(dir, 'nope.conf'), from: 'app.configFile' },
      ]),
    ).rejects.toThrow(`image: cannot read app.configFile (${join(dir, 'nope.conf')}): no such file`);
  });

  test('an aborted signal stops the passes', async () => {
    writeFileSync(join(dir, 'big.jar'), randomBytes(8 << 20));
    const p = await prepareAppLayer('/app', [
      { imagePath: '/app/big.jar', hostPath: join(dir, 'big.jar'), from: 'the JAR' },
    ]);
    await expect(p.digest(AbortSignal.abort())).rejects.toThrow(/abort/i);
    await expect(p.diffId(AbortSignal.abort())).rejects.toThrow(/abort/i);
  });
});
