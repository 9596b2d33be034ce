import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { MediaType, sha256Digest } from '../../../src/image/manifest.js';
import { buildOciImage, type OciBuildOptions } from '../../../src/image/oci-builder.js';
import { RegistryError } from '../../../src/image/registry.js';
import { pushSyntheticBase, type SyntheticBase } from '../../helpers/registry.js';
import { type FakeRegistry, startFakeRegistry } from '../../helpers/registry-fake.js';

const USERS = { ci: 's3cret' };
const creds = { username: 'ci', password: 's3cret' };
let reg: FakeRegistry;
let other: FakeRegistry;
let base: SyntheticBase;
let dockerBase: SyntheticBase;
let foreignBase: SyntheticBase;
const dir = mkdtempSync(join(tmpdir(), 'image-oci-'));
const jarPath = join(dir, 'etl.jar');
writeFileSync(jarPath, Buffer.alloc(150_000, 3));
writeFileSync(join(dir, 'app.conf'), 'env = test\n');

beforeAll(async () => {
  reg = await startFakeRegistry({ auth: 'bearer', users: USERS });
  other = await startFakeRegistry({
    auth: 'bearer',
    users: USERS,
    anonymousPull: true,
    accessTokenField: true,
  });
  base = await pushSyntheticBase({ registry: reg.host, repo: 'base/spark', credentials: creds });
  dockerBase = await pushSyntheticBase({
    registry: reg.host,
    repo: 'base/docker',
    format: 'docker',
    credentials: creds,
  });
  foreignBase = await pushSyntheticBase({ registry: other.host, repo: 'library/spark', credentials: creds });
});
afterAll(async () => {
  await reg.close();
  await other.close();
  rmSync(dir, { recursive: true, force: true });
});

function options(o: Partial<OciBuildOptions> = {}): OciBuildOptions {
  return {
    base: base.reference,
    repository: `${reg.host}/acme/etl`,
    tags: ['sha-0123456', 'staging'],
    platform: { os: 'linux', architecture: 'amd64' },
    appDir: '/app',
    files: [
      { imagePath: '/app/etl.jar', hostPath: jarPath, from: 'the JAR' },
      { imagePath: '/app/app.conf', hostPath: join(dir, 'app.conf'), from: 'app.configFile' },
    ],
    labels: { 'org.opencontainers.image.revision': '0123456789abcdef' },
    env: { SPARK_APP_JAR: '/app/etl.jar' },
    created: '2024-01-02T03:04:05Z',
    push: true,
    credentials: creds,
    retryDelayMs: 5,
    ...o,
  };
}

describe('bearer-token registry (fake)', () => {
  test('first push mounts base layers and uploads ours; second push uploads nothing; same digest', async () => {
    const repo = `${reg.host}/acme/first`;
    const before = reg.tokenRequests.length;
    const r1 = await buildOciImage(options({ repository: repo }));
    expect(r1.transfer).toEqual({
      uploadedBlobs: 2,
      uploadedBytes: r1.layer.size + r1.config.size,
      mounted: 1,
      present: 0,
    });
    const scopes = reg.tokenRequests.slice(before).flatMap((u) => u.searchParams.getAll('scope'));
    expect(scopes).toContain('repository:acme/first:pull,push');
    expect(scopes).toContain('repository:base/spark:pull');
    const n = reg.requests.length;
    const r2 = await buildOciImage(options({ repository: repo }));
    expect(r2.digest).toBe(r1.digest);
    expect(r1.layer.reusedFrom).toBeUndefined();
    expect(r2.layer).toEqual({ ...r1.layer, reusedFrom: 'sha-0123456' });
    expect(r2.transfer).toEqual({ uploadedBlobs: 0, uploadedBytes: 0, mounted: 0, present: 3 });
    const sent = reg.requests.slice(n);
    expect(
      sent.filter((r) => r.method === 'PATCH' || (r.method === 'POST' && r.path.includes('/uploads/'))),
    ).toEqual([]);
    expect(sent.filter((r) => r.method === 'PUT').map((r) => r.path)).toEqual([
      '/v2/acme/first/manifests/sha-0123456',
      '/v2/acme/first/manifests/staging',
    ]);
  });

  test('the manifest keeps the base media type family and appends one layer', async () => {
    const oci = await buildOciImage(options());
    const m = JSON.parse(oci.manifest.toString());
    expect(oci.mediaType).toBe(MediaType.ociManifest);
    expect(m.layers.map((l: { digest: string }) => l.digest)).toEqual([
      ...base.manifests.amd64.layers,
      oci.layer.digest,
    ]);
    const docker = await buildOciImage(
      options({ base: dockerBase.reference, repository: `${reg.host}/acme/docker` }),
    );
    expect(docker.mediaType).toBe(MediaType.dockerManifest);
    expect(JSON.parse(docker.manifest.toString()).config.mediaType).toBe(MediaType.dockerConfig);
    expect(oci.layer.digest).toBe(docker.layer.digest); // the layer is the same bytes either way
  });

  test.each([
    ['linux/amd64', 'amd64'],
    ['linux/arm64', 'arm64'],
  ] as const)('platform %s picks the %s base', async (platform, arch) => {
    const [os, architecture] = platform.split('/') as [string, string];
    const r = await buildOciImage(
      options({
        platform: { os, architecture },
        platformExplicit: true,
        push: false,
        layoutDir: mkdtempSync(join(dir, 'l-')),
      }),
    );
    expect(r.base.digest).toBe(base.manifests[arch].digest);
  });

  test('a platform the base lacks is an error listing the ones it has', async () => {
    await expect(
      buildOciImage(options({ platform: { os: 'linux', architecture: 's390x' } })),
    ).rejects.toThrow('has no linux/s390x image (it has linux/amd64, linux/arm64/v8); set image.platform');
  });

  test('a change in the JAR changes only our layer, config and manifest', async () => {
    const jar2 = join(dir, 'etl2', 'etl.jar');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(dir, 'etl2'));
    writeFileSync(jar2, Buffer.alloc(150_000, 4));
    const a = await buildOciImage(options());
    const b = await buildOciImage(
      options({ files: [{ imagePath: '/app/etl.jar', hostPath: jar2, from: 'the JAR' }] }),
    );
    expect(b.digest).not.toBe(a.digest);
    expect(b.layer.digest).not.toBe(a.layer.digest);
    expect(b.base.digest).toBe(a.base.digest);
  });

  test('a layer the repository has under no tag of ours: the early upload is cancelled once HEAD finds it', async () => {
    const repo = `${reg.host}/acme/untagged`;
    const a = await buildOciImage(options({ repository: repo, tags: ['one'] }));
    const n = reg.requests.length;
    const b = await buildOciImage(options({ repository: repo, tags: ['two'] }));
    expect(b.digest).toBe(a.digest);
    expect(b.layer.reusedFrom).toBeUndefined();
    expect(b.transfer.uploadedBlobs).toBe(0);
    expect(b.transfer.present).toBe(3);
    const sent = reg.requests.slice(n);
    // Started before the digest was known (POST, PATCH), then given up (DELETE); never committed (PUT).
    expect(
      sent.filter((q) => q.method === 'DELETE' && q.path.includes('/acme/untagged/blobs/uploads/')),
    ).toHaveLength(1);
    expect(sent.filter((q) => q.method === 'PUT').map((q) => q.path)).toEqual([
      '/v2/acme/untagged/manifests/two',
    ]);
  });

  test('a JAR of the same size with other bytes is not taken for the layer under the tag', async () => {
    const repo = `${reg.host}/acme/same-size`;
    const jar3 = join(dir, 'same-size.jar');
    writeFileSync(jar3, Buffer.alloc(150_000, 3));
    const files = [{ imagePath: '/app/etl.jar', hostPath: jar3, from: 'the JAR' }];
    const a = await buildOciImage(options({ repository: repo, files }));
    writeFileSync(jar3, Buffer.alloc(150_000, 5));
    const n = reg.requests.length;
    const b = await buildOciImage(options({ repository: repo, files }));
    expect(b.layer.size).toBe(a.layer.size);
    expect(b.layer.reusedFrom).toBeUndefined();
    expect(b.layer.digest).not.toBe(a.layer.digest);
    expect(b.transfer.uploadedBlobs).toBe(2);
    expect(reg.blobs.get(b.layer.digest)?.length).toBe(b.layer.size);
    // The earlier image was read (manifest by tag, config) before hashing.
    const reads = reg.requests.slice(n).filter((q) => q.method === 'GET' && q.path.startsWith('/v2/acme/'));
    expect(reads.map((q) => q.path)).toContain('/v2/acme/same-size/manifests/sha-0123456');
    expect(sha256Digest(reg.blobs.get(b.layer.digest) ?? Buffer.alloc(0))).toBe(b.layer.digest);
  });

  test('wrong credentials: the token service refuses, the error names the registry', async () => {
    const err = await buildOciImage(options({ credentials: { username: 'ci', password: 'nope' } })).catch(
      (e) => e,
    );
    expect(err).toBeInstanceOf(RegistryError);
    expect(err.status).toBe(401);
    expect(err.message).toBe(
      `registry ${reg.host}: token service http://${reg.host} answered 401: the credentials were rejected`,
    );
  });

  test('no credentials: anonymous token without pull access gives a clear 401', async () => {
    const { credentials: _, ...anon } = options();
    const err = await buildOciImage(anon).catch((e) => e);
    expect(err).toBeInstanceOf(RegistryError);
    expect(err.message).toContain(`registry ${reg.host} rejected the anonymous request (401 Unauthorized)`);
  });

  test('a base in another registry is copied through (anonymous pull there, access_token answers)', async () => {
    const r = await buildOciImage(
      options({ base: foreignBase.reference, repository: `${reg.host}/acme/copied` }),
    );
    expect(r.transfer.mounted).toBe(0);
    expect(r.transfer.uploadedBlobs).toBe(3);
    expect(other.tokenRequests.at(-1)?.searchParams.getAll('scope')).toEqual([
      'repository:library/spark:pull',
    ]);
  });

  test('a copied base layer that does not match its digest fails the push, naming the blob', async () => {
    const digest = foreignBase.manifests.amd64.layers[0] as string;
    const good = other.blobs.get(digest) as Buffer;
    const bad = Buffer.from(good);
    bad[bad.length - 1] = (bad[bad.length - 1] ?? 0) ^ 0xff;
    other.blobs.set(digest, bad);
    try {
      const err = await buildOciImage(
        options({ base: foreignBase.reference, repository: `${reg.host}/acme/corrupt` }),
      ).catch((e) => e);
      expect(err).toBeInstanceOf(RegistryError);
      expect(err.message).toContain(`blob ${digest} in library/spark does not match its digest`);
      expect(
        reg.requests.filter((q) => q.method === 'PUT' && q.path.includes('/acme/corrupt/manifests/')),
      ).toEqual([]);
    } finally {
      other.blobs.set(digest, good);
    }
  });

  test('chunked upload: PATCH chunks then a closing PUT', async () => {
    const n = reg.requests.length;
    const r = await buildOciImage(options({ repository: `${reg.host}/acme/chunked`, chunkSize: 32 * 1024 }));
    const patches = reg.requests.slice(n).filter((q) => q.method === 'PATCH');
    expect(patches.length).toBe(Math.ceil(r.layer.size / (32 * 1024)));
    expect(reg.blobs.get(r.layer.digest)?.length).toBe(r.layer.size);
  });

  test('a read that fails once with 503 is retried', async () => {
    reg.failNext('GET', /\/base\/spark\/manifests\//, 503);
    const r = await buildOciImage(options({ repository: `${reg.host}/acme/retried` }));
    expect(r.digest).toMatch(/^sha256:/);
  });

  test('a read that keeps failing surfaces with status and the spec error code', async () => {
    for (let i = 0; i < 3; i++) reg.failNext('GET', /\/base\/spark\/manifests\//, 500);
    const err = await buildOciImage(options({ repository: `${reg.host}/acme/faulty` })).catch((e) => e);
    expect(err).toBeInstanceOf(RegistryError);
    expect(err.status).toBe(500);
    expect(err.message).toBe(
      `registry ${reg.host}: GET manifest base/spark:latest failed: 500 Internal Server Error (INJECTED: injected fault)`,
    );
  });

  test('a write is not retried: a 500 on the manifest PUT fails the build', async () => {
    reg.failNext('PUT', /\/manifests\//, 500);
    await expect(buildOciImage(options({ repository: `${reg.host}/acme/put-fails` }))).rejects.toThrow(
      'PUT manifest acme/put-fails:sha-0123456 failed: 500',
    );
  });

  test('a tag or digest in the repository is refused', async () => {
    await expect(buildOciImage(options({ repository: `${reg.host}/acme/etl:v1` }))).rejects.toThrow(
      'must not carry a tag',
    );
  });
});

describe('push: false writes an OCI image layout', () => {
  test('index.json names the tags; every blob is stored under its digest', async () => {
    const layoutDir = mkdtempSync(join(dir, 'layout-'));
    const r = await buildOciImage(options({ push: false, layoutDir }));
    expect(readFileSync(join(layoutDir, 'oci-layout'), 'utf8')).toBe('{"imageLayoutVersion":"1.0.0"}');
    const index = JSON.parse(readFileSync(join(layoutDir, 'index.json'), 'utf8'));
    expect(
      index.manifests.map((m: { digest: string; annotations: Record<string, string> }) => [
        m.digest,
        m.annotations['org.opencontainers.image.ref.name'],
      ]),
    ).toEqual([
      [r.digest, 'sha-0123456'],
      [r.digest, 'staging'],
    ]);
    const names = readdirSync(join(layoutDir, 'blobs/sha256'));
    expect(names.length).toBe(4);
    for (const n of names)
      expect(sha256Digest(readFileSync(join(layoutDir, 'blobs/sha256', n)))).toBe(`sha256:${n}`);
    const pushed = await buildOciImage(options({ repository: `${reg.host}/acme/layout-vs-push` }));
    expect(pushed.digest).toBe(r.digest);
  });
});
