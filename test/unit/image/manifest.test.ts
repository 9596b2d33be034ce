import { describe, expect, test } from 'vitest';
import {
  buildManifest,
  deriveConfig,
  type ImageIndex,
  isIndex,
  MediaType,
  parsePlatform,
  selectPlatform,
} from '../../../src/image/manifest.js';

const d = (c: string) => `sha256:${c.repeat(64)}`;
const index: ImageIndex = {
  schemaVersion: 2,
  manifests: [
    {
      mediaType: MediaType.ociManifest,
      digest: d('1'),
      size: 1,
      platform: { os: 'linux', architecture: 'amd64' },
    },
    {
      mediaType: MediaType.ociManifest,
      digest: d('2'),
      size: 1,
      platform: { os: 'linux', architecture: 'arm64', variant: 'v8' },
    },
    {
      mediaType: MediaType.ociManifest,
      digest: d('3'),
      size: 1,
      platform: { os: 'linux', architecture: 'arm', variant: 'v6' },
    },
    {
      mediaType: MediaType.ociManifest,
      digest: d('4'),
      size: 1,
      platform: { os: 'linux', architecture: 'arm', variant: 'v7' },
    },
    {
      mediaType: MediaType.ociManifest,
      digest: d('5'),
      size: 1,
      platform: { os: 'unknown', architecture: 'unknown' },
    },
  ],
};

describe('selectPlatform', () => {
  test.each([
    ['linux/amd64', d('1')],
    ['linux/arm64', d('2')],
    ['linux/arm64/v8', d('2')],
    ['linux/arm/v7', d('4')],
    ['linux/arm/v6', d('3')],
    ['linux/arm', d('3')],
    ['linux/s390x', undefined],
    ['windows/amd64', undefined],
  ])('%s', (platform, digest) => {
    expect(selectPlatform(index, parsePlatform(platform))?.digest).toBe(digest);
  });
  test('arm64/v8 also matches an entry without a variant', () => {
    const i: ImageIndex = {
      schemaVersion: 2,
      manifests: [
        {
          mediaType: MediaType.dockerManifest,
          digest: d('9'),
          size: 1,
          platform: { os: 'linux', architecture: 'arm64' },
        },
      ],
    };
    expect(selectPlatform(i, parsePlatform('linux/arm64/v8'))?.digest).toBe(d('9'));
  });
});

test.each(['linux', 'linux/amd64/v1/x', '', '/amd64'])('parsePlatform rejects %j', (p) => {
  expect(() => parsePlatform(p)).toThrow('os/arch');
});

test.each([
  [MediaType.ociIndex, {}, true],
  [MediaType.dockerList, {}, true],
  [MediaType.ociManifest, { manifests: [] }, false],
  ['', { manifests: [] }, true],
  ['', { layers: [] }, false],
])('isIndex(%s)', (mt, body, want) => {
  expect(isIndex(mt || undefined, body)).toBe(want);
});

describe('deriveConfig', () => {
  const base = {
    architecture: 'amd64',
    os: 'linux',
    created: '2020-01-01T00:00:00Z',
    config: {
      Env: ['PATH=/bin', 'SPARK_APP_JAR=/old.jar'],
      Entrypoint: ['/opt/entrypoint.sh'],
      Labels: { a: 'base', keep: 'x' },
      WorkingDir: '/opt/spark/work-dir',
    },
    rootfs: { type: 'layers' as const, diff_ids: [d('a')] },
    history: [{ created_by: 'base' }],
  };
  const changes = {
    created: '2024-05-01T10:00:00Z',
    diffId: d('b'),
    labels: { a: 'ours', 'org.opencontainers.image.revision': 'abc' },
    env: { SPARK_APP_JAR: '/app/etl.jar' },
    workingDir: '/app',
    createdBy: 'spark-deploy-action: add /app/etl.jar',
  };
  test('appends the diff_id and history, merges labels and env, keeps entrypoint and workdir', () => {
    const c = deriveConfig(base, changes);
    expect(c.rootfs?.diff_ids).toEqual([d('a'), d('b')]);
    expect(c.history).toEqual([
      { created_by: 'base' },
      { created: changes.created, created_by: changes.createdBy },
    ]);
    expect(c.config?.Labels).toEqual({ a: 'ours', keep: 'x', 'org.opencontainers.image.revision': 'abc' });
    expect(c.config?.Env).toEqual(['PATH=/bin', 'SPARK_APP_JAR=/app/etl.jar']);
    expect(c.config?.Entrypoint).toEqual(['/opt/entrypoint.sh']);
    expect(c.config?.WorkingDir).toBe('/opt/spark/work-dir');
    expect(c.created).toBe(changes.created);
    expect(base.rootfs.diff_ids).toEqual([d('a')]); // the base is not modified
  });
  test('sets WorkingDir only when the base has none; entrypoint override clears Cmd', () => {
    const c = deriveConfig(
      { config: { Cmd: ['sh'] } },
      { ...changes, entrypoint: ['java', '-jar', '/app/etl.jar'] },
    );
    expect(c.config?.WorkingDir).toBe('/app');
    expect(c.config?.Entrypoint).toEqual(['java', '-jar', '/app/etl.jar']);
    expect(c.config?.Cmd).toBeNull();
  });
  test('is deterministic: same input, same JSON', () => {
    expect(JSON.stringify(deriveConfig(base, changes))).toBe(
      JSON.stringify(deriveConfig(structuredClone(base), { ...changes })),
    );
  });
});

describe('buildManifest', () => {
  const baseLayers = [{ mediaType: MediaType.dockerLayerGzip, digest: d('a'), size: 10 }];
  test.each([
    [MediaType.dockerManifest, MediaType.dockerManifest, MediaType.dockerConfig, MediaType.dockerLayerGzip],
    [MediaType.ociManifest, MediaType.ociManifest, MediaType.ociConfig, MediaType.ociLayerGzip],
  ])('base %s -> %s', (baseType, type, configType, layerType) => {
    const { mediaType, manifest } = buildManifest(
      { schemaVersion: 2, config: { mediaType: 'x', digest: d('0'), size: 1 }, layers: baseLayers },
      baseType,
      { digest: d('c'), size: 5 },
      { digest: d('l'.replace('l', 'f')), size: 7 },
    );
    expect(mediaType).toBe(type);
    expect(manifest).toEqual({
      schemaVersion: 2,
      mediaType: type,
      config: { mediaType: configType, digest: d('c'), size: 5 },
      layers: [...baseLayers, { mediaType: layerType, digest: d('f'), size: 7 }],
    });
  });

  test('takes only digest and size from the layer it is given (never its bytes or file list)', () => {
    const layer = { digest: d('f'), size: 7, diffId: d('e'), parts: [Buffer.from('tar')], files: [] };
    const { manifest } = buildManifest(
      { schemaVersion: 2, config: { mediaType: 'x', digest: d('0'), size: 1 }, layers: [] },
      MediaType.ociManifest,
      { digest: d('c'), size: 5, ...{ extra: true } },
      layer,
    );
    expect(manifest.layers).toEqual([{ mediaType: MediaType.ociLayerGzip, digest: d('f'), size: 7 }]);
    expect(manifest.config).toEqual({ mediaType: MediaType.ociConfig, digest: d('c'), size: 5 });
  });
});
