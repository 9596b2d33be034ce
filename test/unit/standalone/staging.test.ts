import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, test } from 'vitest';
import { checkTransport } from '../../../src/targets/standalone/safety.js';
import { resolveSettings } from '../../../src/targets/standalone/settings.js';
import { applyStaging, planStaging } from '../../../src/targets/standalone/staging.js';
import { artifact, makePlan, type PlanOverrides } from './fixtures.js';

const plan = (o: PlanOverrides) => makePlan({ locate: true, ...o });
const staging = (o: PlanOverrides, a = artifact) => {
  const p = plan(o);
  return planStaging(p, a, resolveSettings(p));
};

describe('planStaging', () => {
  test.each<[string, PlanOverrides, { appResource: string; configFile?: string; copies: number }]>([
    [
      'no jar section + loopback master: the runner path',
      {},
      { appResource: pathToFileURL(artifact.jarPath).href, copies: 0 },
    ],
    [
      'local without path + loopback',
      { standalone: { masters: ['spark://localhost:6066'], jar: { stage: 'local' } } },
      { appResource: pathToFileURL(artifact.jarPath).href, copies: 0 },
    ],
    [
      'local with a shared path: content-addressed name',
      { standalone: { masters: ['https://m:6066'], jar: { stage: 'local', path: '/mnt/shared/jars' } } },
      { appResource: 'file:///mnt/shared/jars/etl-pipeline-assembly-1.0.0-0123456789ab.jar', copies: 1 },
    ],
    [
      'local path given as file: URI',
      { standalone: { masters: ['https://m:6066'], jar: { stage: 'local', path: 'file:///mnt/shared' } } },
      { appResource: 'file:///mnt/shared/etl-pipeline-assembly-1.0.0-0123456789ab.jar', copies: 1 },
    ],
    [
      'local path with a config file: copied per run',
      {
        standalone: { masters: ['https://m:6066'], jar: { stage: 'local', path: '/mnt/shared' } },
        app: { configFile: 'configs/prod.json' },
      },
      {
        appResource: 'file:///mnt/shared/etl-pipeline-assembly-1.0.0-0123456789ab.jar',
        configFile: 'file:///mnt/shared/config-42-1/prod.json',
        copies: 2,
      },
    ],
    [
      'loopback: the config file from the working directory',
      { app: { configFile: 'configs/prod.json' } },
      {
        appResource: pathToFileURL(artifact.jarPath).href,
        configFile: 'file:///ws/configs/prod.json',
        copies: 0,
      },
    ],
    [
      'url',
      {
        standalone: {
          masters: ['https://m:6066'],
          jar: { stage: 'url', url: 'https://artifacts.example.com/etl.jar' },
        },
      },
      { appResource: 'https://artifacts.example.com/etl.jar', copies: 0 },
    ],
    [
      'url with a config file that is a URL',
      {
        standalone: { masters: ['https://m:6066'], jar: { stage: 'url', url: 'hdfs:///jars/etl.jar' } },
        app: { configFile: 'hdfs:///conf/prod.json' },
      },
      { appResource: 'hdfs:///jars/etl.jar', configFile: 'hdfs:///conf/prod.json', copies: 0 },
    ],
  ])('%s', (_, o, expected) => {
    const sp = staging(o);
    expect(sp.appResource).toBe(expected.appResource);
    expect(sp.configFile).toBe(expected.configFile);
    expect(sp.copies).toHaveLength(expected.copies);
  });

  it('without a sha256 the JAR keeps its name', () => {
    const { sha256: _, ...noSha } = artifact;
    const sp = staging(
      { standalone: { masters: ['https://m:6066'], jar: { stage: 'local', path: '/mnt/s' } } },
      noSha,
    );
    expect(sp.appResource).toBe('file:///mnt/s/etl-pipeline-assembly-1.0.0.jar');
  });

  test.each<[string, PlanOverrides, RegExp]>([
    [
      's3 without a location',
      { standalone: { masters: ['https://m:6066'], jar: { stage: 's3' } } },
      /standalone\.jar\.s3: is required with stage: s3, e\.g\. s3:\/\/bucket\/jars\/\{\{sha\}\}\//,
    ],
    [
      's3 that is not an S3 location',
      { standalone: { masters: ['https://m:6066'], jar: { stage: 's3', s3: 'https://b/jars/' } } },
      /standalone\.jar\.s3: "https:\/\/b\/jars\/" is not an S3 location; use s3:\/\/bucket\/prefix\//,
    ],
    [
      's3 with an endpoint that is not a URL',
      {
        standalone: {
          masters: ['https://m:6066'],
          jar: { stage: 's3', s3: 's3://bucket/jars/', endpoint: 'minio:9000' },
        },
      },
      /standalone\.jar\.endpoint: "minio:9000" is not an http\(s\):\/\/ URL/,
    ],
    [
      'remote master without a jar section',
      { standalone: { masters: ['https://m:6066'] } },
      /standalone\.jar: is required for a remote master/,
    ],
    [
      'local without path on a remote master',
      { standalone: { masters: ['https://m:6066'], jar: { stage: 'local' } } },
      /standalone\.jar\.path: stage: local without a path .* https:\/\/m:6066 is remote/,
    ],
    [
      'relative shared path',
      { standalone: { masters: ['https://m:6066'], jar: { stage: 'local', path: 'shared/jars' } } },
      /standalone\.jar\.path: "shared\/jars" must be an absolute path/,
    ],
    [
      'url without url',
      { standalone: { masters: ['https://m:6066'], jar: { stage: 'url' } } },
      /standalone\.jar\.url: is required with stage: url/,
    ],
    [
      'url that is a path',
      { standalone: { masters: ['https://m:6066'], jar: { stage: 'url', url: '/tmp/x.jar' } } },
      /is not a URL/,
    ],
    [
      'url with a local config file',
      {
        standalone: { masters: ['https://m:6066'], jar: { stage: 'url', url: 'https://a/x.jar' } },
        app: { configFile: 'prod.json' },
      },
      /app\.configFile: prod\.json is a file on the runner/,
    ],
  ])('%s is a clear error naming the key and its line', (_, o, message) => {
    expect(() => staging(o)).toThrow(message);
    expect(() => staging(o)).toThrow(/^standalone: \.github\/spark-deploy\.yml:7:3: /);
  });
});

describe('applyStaging', () => {
  const io = {
    s3Client: () => {
      throw new Error('stage local must not make an S3 client');
    },
    log: () => {},
  };
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'standalone-staging-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('copies atomically into the shared directory and skips an identical JAR next time', async () => {
    const jar = join(dir, 'app.jar');
    writeFileSync(jar, 'PK-jar-bytes');
    mkdirSync(join(dir, 'ws'));
    writeFileSync(join(dir, 'ws', 'prod.json'), '{}');
    const shared = join(dir, 'shared');
    const p = makePlan({
      standalone: { masters: ['https://m:6066'], jar: { stage: 'local', path: shared } },
      app: { configFile: 'prod.json' },
      workingDirectory: join(dir, 'ws'),
    });
    const sp = planStaging(p, { ...artifact, jarPath: jar }, resolveSettings(p));
    await applyStaging(sp, io);
    expect(readFileSync(join(shared, 'app-0123456789ab.jar'), 'utf8')).toBe('PK-jar-bytes');
    expect(readFileSync(join(shared, 'config-42-1', 'prod.json'), 'utf8')).toBe('{}');
    expect(readdirSync(shared).filter((f) => f.includes('.tmp-'))).toEqual([]);
    await applyStaging(sp, io);
    expect(readdirSync(shared).sort()).toEqual(['app-0123456789ab.jar', 'config-42-1']);
  });
});

describe('checkTransport (CVE-2018-11770)', () => {
  it('refuses plain http to a non-loopback host, naming the CVE and the way out', () => {
    const p = plan({ standalone: { masters: ['spark://spark-master:6066'] } });
    expect(() => checkTransport(p, resolveSettings(p))).toThrow(
      /http:\/\/spark-master:6066: plain HTTP to a non-loopback host is refused\. .*CVE-2018-11770.*https:\/\/.*allowInsecureRest: true/,
    );
  });

  test.each([['http://127.0.0.1:6066'], ['spark://localhost:6066'], ['https://spark.example.com']])(
    '%s is fine',
    (m) => {
      const p = plan({ standalone: { masters: [m] } });
      expect(checkTransport(p, resolveSettings(p))).toEqual([]);
    },
  );

  it('with allowInsecureRest it returns one warning finding citing the CVE', () => {
    const p = plan({
      standalone: { masters: ['spark://a:6066', 'spark://b:6066'], allowInsecureRest: true },
    });
    const findings = checkTransport(p, resolveSettings(p));
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      severity: 'warning',
      title: 'insecure Spark REST (CVE-2018-11770)',
      file: '.github/spark-deploy.yml',
      line: 7,
      rule: 'standalone/insecure-rest',
    });
    expect(findings[0]?.message).toContain('http://a:6066, http://b:6066');
  });
});

describe('resolveSettings', () => {
  it('standalone.masters is required, with file and line', () => {
    const p = plan({ standalone: {} });
    expect(() => resolveSettings(p)).toThrow(
      'standalone: .github/spark-deploy.yml:7:3: standalone.masters: is required: list the masters as Spark takes them, e.g. masters: [spark://spark-master:7077]',
    );
  });

  it('a bad master entry points at its index', () => {
    expect(() => resolveSettings(plan({ standalone: { masters: ['ok:6066', 'yarn://x'] } }))).toThrow(
      /standalone\.masters\.1: "yarn:\/\/x" has scheme yarn/,
    );
  });

  test.each([['Content-Type'], ['bad header'], ['Host']])('header %s is refused', (name) => {
    expect(() =>
      resolveSettings(plan({ standalone: { masters: ['https://m'], headers: { [name]: 'x' } } })),
    ).toThrow(/is not a header this action can set/);
  });

  it('defaults the web UI to each master host on 8080 and documents the rest', () => {
    const s = resolveSettings(
      plan({ standalone: { masters: ['spark://m1:6066,m2:6066', 'https://m1:7443'] } }),
    );
    expect(s.webUis).toEqual(['http://m1:8080', 'http://m2:8080']);
    expect(s).toMatchObject({
      mode: 'rest',
      supervise: false,
      allowInsecureRest: false,
      appMode: 'batch',
      healthyAfterMs: 60_000,
    });
  });
});
