// The docker (buildx) path's pure parts: the argv, the generated Dockerfile and its base image, the cache
// and driver decisions, and the digest read back from buildx's metadata file.
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import {
  type BuildxOptions,
  buildxArgs,
  cacheExportSupported,
  defaultSparkBase,
  generateDockerfile,
  ghaCacheScope,
  parseBuildxDriver,
  parseMetadata,
  readMetadataDigest,
  tailLines,
} from '../../../src/image/docker-builder.js';
import { loginServer, privateDockerConfig } from '../../../src/image/docker-login.js';
import { imageSettings } from '../../../src/image/settings.js';
import { makePlan, type PlanOptions, SHA } from './docker-fixtures.js';

const REPO = 'ghcr.io/acme/etl';
const digestOf = (s: string) => `sha256:${createHash('sha256').update(s).digest('hex')}`;

/** valueOf returns the values that follow every occurrence of flag in argv. */
function valuesOf(argv: string[], flag: string): string[] {
  return argv.flatMap((a, i) => (argv[i - 1] === flag && i > 0 ? [a] : []));
}

const base: BuildxOptions = {
  context: '/tmp/ctx',
  dockerfile: '/tmp/ctx/Dockerfile',
  tags: [`${REPO}:sha-0123456`],
  labels: { 'org.opencontainers.image.revision': SHA },
  platform: 'linux/amd64',
  push: true,
  metadataFile: '/tmp/buildx/metadata.json',
};

describe('buildxArgs', () => {
  test('the whole argv of a generated-Dockerfile push', () => {
    expect(buildxArgs(base)).toEqual([
      'buildx',
      'build',
      '--file',
      '/tmp/ctx/Dockerfile',
      '--platform',
      'linux/amd64',
      '--tag',
      `${REPO}:sha-0123456`,
      '--label',
      `org.opencontainers.image.revision=${SHA}`,
      '--provenance=false',
      '--metadata-file',
      '/tmp/buildx/metadata.json',
      '--push',
      '/tmp/ctx',
    ]);
  });

  test.each<[string, Partial<BuildxOptions>, (argv: string[]) => void]>([
    [
      "the project's own Dockerfile and context, with JAR_FILE and APP_DIR",
      {
        context: '/ws/etl',
        dockerfile: '/ws/etl/docker/Dockerfile',
        buildArgs: { JAR_FILE: 'target/scala-2.12/etl-assembly-1.0.jar', APP_DIR: '/opt/app' },
      },
      (argv) => {
        expect(valuesOf(argv, '--file')).toEqual(['/ws/etl/docker/Dockerfile']);
        // Sorted by name, so the argv (and BuildKit's cache key) does not depend on object order.
        expect(valuesOf(argv, '--build-arg')).toEqual([
          'APP_DIR=/opt/app',
          'JAR_FILE=target/scala-2.12/etl-assembly-1.0.jar',
        ]);
        expect(argv.at(-1)).toBe('/ws/etl');
      },
    ],
    ['a generated Dockerfile has no build args', {}, (argv) => expect(argv).not.toContain('--build-arg')],
    [
      'every tag, in order',
      { tags: [`${REPO}:v1.4.0`, `${REPO}:sha-0123456`, `${REPO}:staging`] },
      (argv) =>
        expect(valuesOf(argv, '--tag')).toEqual([`${REPO}:v1.4.0`, `${REPO}:sha-0123456`, `${REPO}:staging`]),
    ],
    [
      'labels sorted, one --label each, values kept whole',
      {
        labels: {
          'org.opencontainers.image.source': 'https://github.com/acme/etl',
          'org.opencontainers.image.created': '2023-11-14T22:13:20Z',
          'org.opencontainers.image.title': 'etl = nightly',
        },
      },
      (argv) =>
        expect(valuesOf(argv, '--label')).toEqual([
          'org.opencontainers.image.created=2023-11-14T22:13:20Z',
          'org.opencontainers.image.source=https://github.com/acme/etl',
          'org.opencontainers.image.title=etl = nightly',
        ]),
    ],
    [
      'push: false loads into the engine instead',
      { push: false },
      (argv) => {
        expect(argv).toContain('--load');
        expect(argv).not.toContain('--push');
      },
    ],
    [
      'push: true never loads',
      { push: true },
      (argv) => {
        expect(argv).toContain('--push');
        expect(argv).not.toContain('--load');
      },
    ],
    [
      'the metadata file buildx writes the digest to',
      { metadataFile: '/r/buildx-1/metadata.json' },
      (argv) => expect(valuesOf(argv, '--metadata-file')).toEqual(['/r/buildx-1/metadata.json']),
    ],
    [
      'the platform',
      { platform: 'linux/arm64/v8' },
      (argv) => expect(valuesOf(argv, '--platform')).toEqual(['linux/arm64/v8']),
    ],
    [
      'one image manifest, no provenance attestation index',
      {},
      (argv) => expect(argv).toContain('--provenance=false'),
    ],
    [
      'the GitHub Actions cache, both ways, when a scope is given',
      { cacheScope: 'spark-deploy-ghcr.io-acme-etl' },
      (argv) => {
        expect(valuesOf(argv, '--cache-from')).toEqual(['type=gha,scope=spark-deploy-ghcr.io-acme-etl']);
        expect(valuesOf(argv, '--cache-to')).toEqual([
          'type=gha,mode=max,scope=spark-deploy-ghcr.io-acme-etl',
        ]);
      },
    ],
    [
      'no cache flags without a scope',
      {},
      (argv) => {
        expect(argv).not.toContain('--cache-from');
        expect(argv).not.toContain('--cache-to');
      },
    ],
  ])('%s', (_name, over, check) => {
    const argv = buildxArgs({ ...base, ...over });
    expect(argv.slice(0, 2)).toEqual(['buildx', 'build']);
    // The context is always the last argument, and every flag that takes a value has one.
    expect(argv.at(-1)).toBe(over.context ?? base.context);
    check(argv);
  });
});

describe('tags and labels from the run, as buildx gets them', () => {
  const EPOCH = 1_700_000_000;
  test.each<[string, PlanOptions, string[]]>([
    [
      'a branch push: sha-<short sha>',
      { ref: 'refs/heads/main', refName: 'main' },
      [`sha-${SHA.slice(0, 7)}`],
    ],
    ['a branch push to an environment', { environment: 'staging' }, [`sha-${SHA.slice(0, 7)}`, 'staging']],
    [
      'a tag push: the version',
      { ref: 'refs/tags/v1.4.0', refName: 'v1.4.0', environment: 'production' },
      ['v1.4.0', 'production'],
    ],
    [
      'extra tags from the config, sanitized',
      { environment: 'staging', image: { tags: ['nightly', 'feature/x'] } },
      [`sha-${SHA.slice(0, 7)}`, 'staging', 'nightly', 'feature-x'],
    ],
  ])('%s', (_name, o, tags) => {
    const s = imageSettings(makePlan(o), EPOCH);
    const argv = buildxArgs({
      ...base,
      tags: s.tags.map((t) => `${s.repository}:${t}`),
      labels: s.labels,
    });
    expect(valuesOf(argv, '--tag')).toEqual(tags.map((t) => `${REPO}:${t}`));
    const labels = valuesOf(argv, '--label');
    expect(labels).toContain('org.opencontainers.image.source=https://github.com/acme/etl');
    expect(labels).toContain(`org.opencontainers.image.revision=${o.sha ?? SHA}`);
    expect(labels).toContain(
      `org.opencontainers.image.created=${new Date(EPOCH * 1000).toISOString().slice(0, 19)}Z`,
    );
  });

  test('push: false in the config, or a dry run, loads instead of pushing', () => {
    for (const o of [{ image: { push: false } }, { dryRun: true }]) {
      const s = imageSettings(makePlan(o), 0);
      expect(buildxArgs({ ...base, push: s.push })).toContain('--load');
    }
  });
});

describe('ghaCacheScope', () => {
  test.each<[string, NodeJS.ProcessEnv, boolean]>([
    [
      'cache service v1 (ACTIONS_CACHE_URL + token)',
      { ACTIONS_CACHE_URL: 'https://acghub.example/', ACTIONS_RUNTIME_TOKEN: 't' },
      true,
    ],
    [
      'cache service v2 (ACTIONS_RESULTS_URL + token)',
      { ACTIONS_RESULTS_URL: 'https://results.example/', ACTIONS_RUNTIME_TOKEN: 't' },
      true,
    ],
    ['a token but no cache URL', { ACTIONS_RUNTIME_TOKEN: 't' }, false],
    ['a cache URL but no token', { ACTIONS_CACHE_URL: 'https://acghub.example/' }, false],
    ['empty values', { ACTIONS_CACHE_URL: '', ACTIONS_RUNTIME_TOKEN: '' }, false],
    ['nothing (a local run)', {}, false],
  ])('%s', (_name, env, available) => {
    const scope = ghaCacheScope(env, REPO);
    if (!available) expect(scope).toBeUndefined();
    else {
      // One scope per repository, made of characters a cache key takes.
      expect(scope).toMatch(/^[\w.-]+$/);
      expect(scope).toContain('acme-etl');
      expect(ghaCacheScope(env, 'ghcr.io/acme/other')).not.toBe(scope);
    }
  });
});

describe('builder driver', () => {
  const inspect = (driver: string) =>
    `Name:          ci\nDriver:        ${driver}\nLast Activity: 2026-12-03 08:00:00 +0000 UTC\n\nNodes:\nName:      ci0\nEndpoint:  unix:///var/run/docker.sock\nDriver Options: image="moby/buildkit:buildx-stable-1"\nStatus:    running\n`;
  test.each<[string, string, string | undefined, boolean]>([
    ['docker-container (docker/setup-buildx-action)', inspect('docker-container'), 'docker-container', true],
    ['remote BuildKit', inspect('remote'), 'remote', true],
    ['kubernetes', inspect('kubernetes'), 'kubernetes', true],
    ["the engine's own builder: no cache export", inspect('docker'), 'docker', false],
    ['no Driver line', 'Name: ci\nNodes:\n', undefined, false],
    [
      'an indented "Driver Options" line is not the driver',
      'Name: ci\n Driver Options: x\n',
      undefined,
      false,
    ],
  ])('%s', (_name, text, driver, cache) => {
    expect(parseBuildxDriver(text)).toBe(driver);
    expect(cacheExportSupported(parseBuildxDriver(text))).toBe(cache);
  });
});

describe('defaultSparkBase (tags of github.com/apache/spark-docker: <spark>-scala<scala>-java<java>-ubuntu)', () => {
  test.each<[string, string, number, string]>([
    ['3.5.6', '2.12', 17, 'apache/spark:3.5.6-scala2.12-java17-ubuntu'],
    ['3.5.6', '2.13', 17, 'apache/spark:3.5.6-scala2.13-java17-ubuntu'],
    ['3.5.6', '2.12', 11, 'apache/spark:3.5.6-scala2.12-java11-ubuntu'],
    // No Java 8 image exists; Java 8 bytecode runs on the lowest published release.
    ['3.5.6', '2.12', 8, 'apache/spark:3.5.6-scala2.12-java11-ubuntu'],
    ['3.4.0', '2.12', 17, 'apache/spark:3.4.0-scala2.12-java17-ubuntu'],
    ['3.4.4', '2.12', 11, 'apache/spark:3.4.4-scala2.12-java11-ubuntu'],
    ['4.0.0', '2.13', 17, 'apache/spark:4.0.0-scala2.13-java17-ubuntu'],
    ['4.0.0', '2.13', 21, 'apache/spark:4.0.0-scala2.13-java21-ubuntu'],
    ['4.1.0', '2.13', 11, 'apache/spark:4.1.0-scala2.13-java17-ubuntu'],
  ])('Spark %s, Scala %s, Java %i -> %s', (spark, scala, java, tag) => {
    expect(defaultSparkBase(spark, scala, java)).toBe(tag);
  });

  test.each<[string, string, number, RegExp]>([
    ['3.5.6', '2.12', 21, /ship Java 11 and 17, none at or above Java 21.*image\.base/],
    ['3.4.4', '2.12', 17, /ship Java 11, none at or above Java 17/],
    ['4.0.0', '2.12', 17, /Spark 4\.0\.0 is built for Scala 2\.13 only.*spark\.scalaVersion/],
    ['3.2.4', '2.12', 11, /no official apache\/spark image for Spark 3\.2\.4.*image\.base/],
  ])('Spark %s, Scala %s, Java %i has no official image', (spark, scala, java, message) => {
    expect(() => defaultSparkBase(spark, scala, java)).toThrow(message);
  });

  test('image.base wins over the default', () => {
    const s = imageSettings(
      makePlan({ image: { base: 'registry.example/spark:custom' }, spark: { javaRelease: 25 } }),
      0,
    );
    expect(s.base).toBe('registry.example/spark:custom');
  });
});

describe('generateDockerfile', () => {
  test.each<[string, string, number, string[]]>([
    ['3.5.6', '2.12', 17, []],
    ['3.5.6', '2.13', 11, ['app.json']],
    ['4.0.0', '2.13', 21, ['app.json', 'lookup.csv', 'log4j2.properties']],
  ])(
    'Spark %s / Scala %s / Java %i with config files %j: the JAR is the last layer',
    (spark, scala, java, names) => {
      const from = defaultSparkBase(spark, scala, java);
      const text = generateDockerfile({
        base: from,
        files: names.map((n) => ({ contextName: n, imagePath: `/app/${n}` })),
        jar: { contextName: 'etl-assembly-1.0.jar', imagePath: '/app/etl-assembly-1.0.jar' },
      });
      const instructions = text.split('\n').filter((l) => l && !l.startsWith('#'));
      expect(instructions[0]).toBe(`FROM ${from}`);
      expect(from).toContain(`:${spark}-scala${scala}-java`);
      expect(instructions.filter((l) => l.startsWith('FROM'))).toHaveLength(1);
      const copies = instructions.filter((l) => l.startsWith('COPY'));
      expect(copies).toHaveLength(names.length + 1);
      // Config files first, in the given order, then the JAR, and nothing after it.
      for (const [i, n] of names.entries()) expect(copies[i]).toContain(JSON.stringify([n, `/app/${n}`]));
      expect(instructions.at(-1)).toBe(
        'COPY --chmod=0644 ["etl-assembly-1.0.jar","/app/etl-assembly-1.0.jar"]',
      );
      expect(instructions).toContain('ENV SPARK_APP_JAR="/app/etl-assembly-1.0.jar"');
      // --chmod needs the BuildKit Dockerfile frontend.
      expect(text.split('\n')[0]).toBe('# syntax=docker/dockerfile:1');
    },
  );

  test('paths with spaces stay one argument (JSON form)', () => {
    const text = generateDockerfile({
      base: 'b',
      files: [],
      jar: { contextName: 'my app.jar', imagePath: '/app/my app.jar' },
    });
    expect(text).toContain('COPY --chmod=0644 ["my app.jar","/app/my app.jar"]');
  });
});

describe('readMetadataDigest', () => {
  const dir = mkdtempSync(join(tmpdir(), 'buildx-metadata-'));
  let n = 0;
  const file = (text: string) => {
    const p = join(dir, `metadata-${n++}.json`);
    writeFileSync(p, text);
    return p;
  };
  const manifest = digestOf('manifest');
  const config = digestOf('config');

  test.each<[string, Record<string, unknown>]>([
    [
      'docker-container driver, --push (buildx 0.12+)',
      {
        'buildx.build.ref': 'ci/ci0/q2mxyl0bx8b4xzvzd4f3jq0mx',
        'containerimage.config.digest': config,
        'containerimage.descriptor': {
          annotations: {
            'config.digest': config,
            'org.opencontainers.image.created': '2023-11-14T22:13:20Z',
          },
          digest: manifest,
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          size: 1045,
        },
        'containerimage.digest': manifest,
        'image.name': `${REPO}:sha-0123456,${REPO}:staging`,
      },
    ],
    [
      'older buildx: containerimage.digest only',
      { 'containerimage.config.digest': config, 'containerimage.digest': manifest },
    ],
    [
      'only the descriptor',
      {
        'containerimage.descriptor': {
          digest: manifest,
          mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
          size: 528,
        },
      },
    ],
  ])('%s', async (_name, meta) => {
    expect(await readMetadataDigest(file(JSON.stringify(meta, null, 2)))).toBe(manifest);
  });

  test.each<[string, string, RegExp]>([
    ['not JSON', '{"containerimage.digest": "sha256:', /metadata file is not JSON/],
    ['empty', '', /metadata file is not JSON/],
    ['an array', JSON.stringify([{ 'containerimage.digest': digestOf('x') }]), /does not hold an object/],
    ['null', 'null', /does not hold an object/],
    // The engine's own builder without the containerd store gives the config digest only.
    [
      'no manifest digest',
      JSON.stringify({ 'containerimage.config.digest': config }),
      /no containerimage\.digest.*docker buildx ls/,
    ],
    [
      'a digest that is not a string',
      JSON.stringify({ 'containerimage.digest': 42 }),
      /no containerimage\.digest/,
    ],
    [
      'a truncated digest',
      JSON.stringify({ 'containerimage.digest': manifest.slice(0, 40) }),
      /invalid digest/,
    ],
    [
      'another algorithm',
      JSON.stringify({ 'containerimage.digest': `sha512:${'a'.repeat(128)}` }),
      /invalid digest/,
    ],
  ])('%s is refused with an image: error', async (_name, text, message) => {
    const p = file(text);
    await expect(readMetadataDigest(p)).rejects.toThrow(message);
    await expect(readMetadataDigest(p)).rejects.toThrow(/^image: /);
    expect(() => parseMetadata(text)).toThrow(message);
  });

  test('a missing file says buildx wrote none', async () => {
    await expect(readMetadataDigest(join(dir, 'absent.json'))).rejects.toThrow(
      /wrote no metadata file.*docker buildx version/,
    );
  });
});

describe('tailLines', () => {
  test.each<[string, number, string]>([
    ['a\nb\nc\nd\n', 2, 'c\nd'],
    ['a\r\n\r\nb\r\n   \n', 5, 'a\nb'],
    ['', 3, ''],
  ])('%j, last %i', (text, n, tail) => expect(tailLines(text, n)).toBe(tail));
});

describe('docker login settings', () => {
  test.each<[string, string[]]>([
    ['docker.io', []],
    ['ghcr.io', ['ghcr.io']],
    ['127.0.0.1:5000', ['127.0.0.1:5000']],
  ])('registry %s -> server argv %j', (registry, argv) => expect(loginServer(registry)).toEqual(argv));

  test.each<[string, unknown, Record<string, unknown>]>([
    ['no user config', undefined, {}],
    [
      'a credential store is dropped (the login must land in the private file)',
      { credsStore: 'desktop', auths: {} },
      { auths: {} },
    ],
    [
      "the registry's helper is dropped, others kept",
      {
        credHelpers: { 'ghcr.io': 'gh', '123.dkr.ecr.us-east-1.amazonaws.com': 'ecr-login' },
        currentContext: 'ci',
      },
      { credHelpers: { '123.dkr.ecr.us-east-1.amazonaws.com': 'ecr-login' }, currentContext: 'ci' },
    ],
    ['not an object', ['x'], {}],
  ])('%s', (_name, user, expected) => expect(privateDockerConfig(user, 'ghcr.io')).toEqual(expected));
});
