import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import type { Artifact } from '../../../src/stage.js';
import {
  derivedName,
  dns1035,
  isDns1035,
  labelValue,
  runName,
} from '../../../src/targets/kubernetes/names.js';
import {
  buildCompanions,
  buildSparkApplication,
  OWNER_UID_PLACEHOLDER,
  renderAll,
  toYaml,
} from '../../../src/targets/kubernetes/render.js';
import { appSelector } from '../../../src/targets/kubernetes/settings.js';
import { APP_STATES, mapAppState } from '../../../src/targets/kubernetes/states.js';
import { validateSparkApplication } from '../../../src/targets/kubernetes/validate.js';
import { artifact, DIGEST, IMAGE, makePlan, SHA, staging } from './fixtures.js';

const long = 'a-very-long-application-name-that-goes-on-and-on-well-past-the-dns-label-limit';

describe('names', () => {
  test.each([
    ['etl-pipeline', 'etl-pipeline'],
    ['ETL_Pipeline.Staging', 'etl-pipeline-staging'],
    ['9lives', 'a-9lives'],
    ['--x--', 'x'],
    ['', 'app'],
    ['émile', 'mile'],
  ])('dns1035(%j) = %j', (input, want) => {
    expect(dns1035(input)).toBe(want);
    expect(isDns1035(dns1035(input))).toBe(true);
  });

  test.each([long, `${long}-${long}`, 'x'.repeat(63), 'x'.repeat(64)])(
    'dns1035 keeps %j within 63',
    (input) => {
      const out = dns1035(input);
      expect(out.length).toBeLessThanOrEqual(63);
      expect(isDns1035(out)).toBe(true);
    },
  );

  test('truncated names that share a prefix stay distinct', () => {
    expect(dns1035(`${long}-one`)).not.toBe(dns1035(`${long}-two`));
  });

  test.each([
    [{ app: 'etl', sha: SHA, runId: '42' }, 'etl-0123456-42'],
    [{ app: 'etl', sha: SHA, runId: '42', runAttempt: '2' }, 'etl-0123456-42-2'],
    [{ app: 'etl', sha: SHA, runId: '42', preview: 17 }, 'etl-pr17-0123456-42'],
    // The Plan's preview app name already says which PR (src/plan/preview.ts): not twice.
    [{ app: 'etl-pr-17', sha: SHA, runId: '42', preview: 17 }, 'etl-pr-17-0123456-42'],
    [{ app: 'etl-pr-170', sha: SHA, runId: '42', preview: 17 }, 'etl-pr-170-pr17-0123456-42'],
    [{ app: 'Etl Pipeline', sha: 'ABCDEF0123', runId: '9' }, 'etl-pipeline-abcdef0-9'],
  ])('runName(%j) = %j', (n, want) => {
    expect(runName(n)).toBe(want);
  });

  test.each([1, 12345678901, 99999999999999])(
    'runName of a long app keeps the run part (run id %d)',
    (id) => {
      const out = runName({ app: long, sha: SHA, runId: String(id) });
      expect(out.length).toBeLessThanOrEqual(63);
      expect(isDns1035(out)).toBe(true);
      expect(out.endsWith(`-0123456-${id}`)).toBe(true);
    },
  );

  test.each([
    ['etl', 'ui-svc', 'etl-ui-svc'],
    ['x'.repeat(56), 'ui-svc', `${'x'.repeat(56)}-ui-svc`],
    ['x'.repeat(58), 'ui-svc', /^x{47}-[0-9a-f]{8}-ui-svc$/],
    ['x'.repeat(63), 'driver', /^x{47}-[0-9a-f]{8}-driver$/],
  ])('derivedName(%j, %j) follows the operator', (name, suffix, want) => {
    const out = derivedName(name, suffix);
    if (typeof want === 'string') expect(out).toBe(want);
    else expect(out).toMatch(want);
    expect(out.length).toBeLessThanOrEqual(63);
  });

  test.each([
    ['staging', 'staging'],
    ['feature/x y', 'feature-x-y'],
    ['-_x_-', 'x'],
    ['x'.repeat(80), /^x{56}-[0-9a-f]{6}$/],
  ])('labelValue(%j)', (input, want) => {
    if (typeof want === 'string') expect(labelValue(input)).toBe(want);
    else expect(labelValue(input)).toMatch(want);
  });

  test.each([
    [
      'etl',
      undefined,
      'app.kubernetes.io/managed-by=spark-deploy-action,app.kubernetes.io/name=etl,!spark-deploy-action/preview',
    ],
    [
      'etl',
      7,
      'app.kubernetes.io/managed-by=spark-deploy-action,app.kubernetes.io/name=etl-pr7,spark-deploy-action/preview=7',
    ],
    [
      'etl-pr-7',
      7,
      'app.kubernetes.io/managed-by=spark-deploy-action,app.kubernetes.io/name=etl-pr-7,spark-deploy-action/preview=7',
    ],
  ])('appSelector(%j, %j)', (app, pr, want) => {
    expect(appSelector(app, pr)).toBe(want);
  });
});

describe('state table', () => {
  test.each([
    ['', 'PENDING', false],
    [undefined, 'PENDING', false],
    ['SUBMITTED', 'PENDING', false],
    ['RUNNING', 'RUNNING', false],
    ['SUCCEEDING', 'RUNNING', false],
    ['COMPLETED', 'SUCCEEDED', true],
    ['FAILING', 'RUNNING', false],
    ['SUBMISSION_FAILED', 'PENDING', false],
    ['PENDING_RERUN', 'PENDING', false],
    ['INVALIDATING', 'PENDING', false],
    ['FAILED', 'FAILED', true],
    ['UNKNOWN', 'UNKNOWN', false],
    ['SOMETHING_NEW', 'UNKNOWN', false],
  ])('%j -> %s (terminal %s)', (state, phase, terminal) => {
    expect(mapAppState(state)).toEqual({ phase, terminal });
  });

  test('only COMPLETED and FAILED are terminal (util.IsTerminated)', () => {
    expect(
      Object.entries(APP_STATES)
        .filter(([, v]) => v.terminal)
        .map(([k]) => k),
    ).toEqual(['COMPLETED', 'FAILED']);
  });
});

const withImageStage = {
  ...artifact,
  image: {
    repository: 'ghcr.io/acme/built',
    digest: `sha256:${'cd'.repeat(32)}`,
    reference: `ghcr.io/acme/built@sha256:${'cd'.repeat(32)}`,
  },
};

describe('buildSparkApplication', () => {
  test('the staging environment renders everything the guide manifest carries', () => {
    const plan = makePlan({
      kubernetes: staging,
      spark: {
        conf: {
          'spark.sql.adaptive.enabled': true,
          'spark.sql.shuffle.partitions': 200,
          'spark.serializer': 'org.apache.spark.serializer.KryoSerializer',
        },
        driver: { cores: 1, memory: '2g', memoryOverhead: '512m', javaOptions: '-XX:+UseG1GC' },
        executor: { cores: 2, memory: '4g', instances: 2 },
        jars: ['local:///opt/extra/deps.jar'],
        files: ['s3a://bucket/lookup.csv'],
      },
      app: { configFile: 'configs/staging.json' },
    });
    const app = buildSparkApplication(plan, artifact);
    expect(app).toMatchObject({
      apiVersion: 'sparkoperator.k8s.io/v1beta2',
      kind: 'SparkApplication',
      metadata: {
        name: 'etl-pipeline-staging-0123456-4242',
        namespace: 'data-pipelines',
        labels: {
          team: 'data-platform',
          'app.kubernetes.io/name': 'etl-pipeline-staging',
          'app.kubernetes.io/instance': 'etl-pipeline-staging-0123456-4242',
          'app.kubernetes.io/managed-by': 'spark-deploy-action',
          'spark-deploy-action/commit': SHA,
          'spark-deploy-action/environment': 'staging',
          'spark-deploy-action/run-id': '4242',
        },
      },
      spec: {
        type: 'Scala',
        mode: 'cluster',
        image: IMAGE,
        mainClass: 'com.etl.Main',
        mainApplicationFile: 'local:///app/etl-pipeline-assembly-1.0.0.jar',
        arguments: ['--config', '/app/configs/staging.json'],
        sparkVersion: '3.5.6',
        restartPolicy: staging.restartPolicy,
        sparkConf: {
          'spark.serializer': 'org.apache.spark.serializer.KryoSerializer',
          'spark.sql.adaptive.enabled': 'true',
          'spark.sql.shuffle.partitions': '200',
        },
        deps: {
          jars: ['local:///opt/extra/deps.jar'],
          files: ['local:///app/configs/staging.json', 's3a://bucket/lookup.csv'],
        },
        driver: {
          cores: 1,
          memory: '2g',
          memoryOverhead: '512m',
          javaOptions: '-XX:+UseG1GC',
          serviceAccount: 'spark-driver-sa',
        },
        executor: { cores: 2, memory: '4g', instances: 2, serviceAccount: 'spark-driver-sa' },
        monitoring: {
          exposeDriverMetrics: true,
          exposeExecutorMetrics: true,
          prometheus: { jmxExporterJar: '/prometheus/jmx_prometheus_javaagent-0.17.0.jar', port: 8090 },
        },
      },
    });
    expect(app.metadata.labels).not.toHaveProperty('spark-deploy-action/preview');
    expect(validateSparkApplication(app)).toEqual([]);
  });

  // [case, overrides, path into the object, expected]
  test.each([
    ['image stage digest wins', {}, 'spec.image', withImageStage.image.reference, withImageStage],
    [
      'appDir from image.appDir',
      { image: { appDir: '/opt/app/' } },
      'spec.mainApplicationFile',
      'local:///opt/app/etl-pipeline-assembly-1.0.0.jar',
    ],
    ['restartPolicy defaults to Never', {}, 'spec.restartPolicy', { type: 'Never' }],
    ['no arguments when none', { app: { args: [] } }, 'spec.arguments', undefined],
    ['main-class input wins', { mainClass: 'com.etl.Other' }, 'spec.mainClass', 'com.etl.Other'],
    ['manifest main class as fallback', { app: { mainClass: undefined } }, 'spec.mainClass', 'com.etl.Main'],
    [
      'streaming in-place: stable name',
      { app: { mode: 'streaming' } },
      'metadata.name',
      'etl-pipeline-staging',
    ],
    [
      'streaming blue-green: run name',
      { app: { mode: 'streaming' }, kubernetes: { image: IMAGE, strategy: 'blue-green' } },
      'metadata.name',
      'etl-pipeline-staging-0123456-4242',
    ],
    ['preview name', { preview: 12 }, 'metadata.name', 'etl-pipeline-staging-pr12-0123456-4242'],
    ['preview label', { preview: 12 }, 'metadata.labels.spark-deploy-action/preview', '12'],
    ['namespace default', { kubernetes: { image: IMAGE } }, 'metadata.namespace', 'default'],
    [
      'annotations',
      { kubernetes: { image: IMAGE, annotations: { owner: 'data' } } },
      'metadata.annotations',
      { owner: 'data' },
    ],
    [
      'imagePullPolicy',
      { kubernetes: { image: IMAGE, imagePullPolicy: 'Always' } },
      'spec.imagePullPolicy',
      'Always',
    ],
    [
      'timeToLiveSeconds',
      { kubernetes: { image: IMAGE, timeToLiveSeconds: 3600 } },
      'spec.timeToLiveSeconds',
      3600,
    ],
    [
      'driver coreLimit',
      { kubernetes: { image: IMAGE, driver: { coreLimit: '1200m' } } },
      'spec.driver.coreLimit',
      '1200m',
    ],
    [
      'executor labels merge over app labels',
      { kubernetes: { image: IMAGE, executor: { labels: { tier: 'compute' } } } },
      'spec.executor.labels.tier',
      'compute',
    ],
    [
      // envVars reach the pods through spark-submit; `env` would need the operator's webhook (protocols 2.5).
      'driver env as envVars',
      { kubernetes: { image: IMAGE, driver: { env: { Z: '1', A: '2' } } } },
      'spec.driver',
      expect.objectContaining({ envVars: { A: '2', Z: '1' } }),
    ],
    [
      'no env field the webhook alone would apply',
      { kubernetes: { image: IMAGE, executor: { env: { TZ: 'UTC' } } } },
      'spec.executor.env',
      undefined,
    ],
    [
      'dynamic allocation',
      { spark: { dynamicAllocation: { minExecutors: 1, maxExecutors: 5, shuffleTracking: true } } },
      'spec.dynamicAllocation',
      { enabled: true, minExecutors: 1, maxExecutors: 5, shuffleTrackingEnabled: true },
    ],
    [
      'dynamic allocation disabled',
      { spark: { dynamicAllocation: { enabled: false } } },
      'spec.dynamicAllocation',
      { enabled: false },
    ],
    ['no monitoring unless asked', {}, 'spec.monitoring', undefined],
    [
      'monitoring without exporter jar',
      { kubernetes: { image: IMAGE, monitoring: { exposeDriverMetrics: true } } },
      'spec.monitoring',
      { exposeDriverMetrics: true, exposeExecutorMetrics: false },
    ],
    ['no sparkConf when empty', {}, 'spec.sparkConf', undefined],
    ['no deps when empty', {}, 'spec.deps', undefined],
  ] as const)('%s', (_case, o, path, want, art: Artifact = artifact) => {
    const app = buildSparkApplication(makePlan(o as Parameters<typeof makePlan>[0]), art);
    let v: unknown = app;
    const keys = path.startsWith('metadata.labels.')
      ? ['metadata', 'labels', path.slice('metadata.labels.'.length)]
      : path.split('.');
    for (const k of keys) v = (v as Record<string, unknown> | undefined)?.[k];
    expect(v).toEqual(want);
    expect(validateSparkApplication(app)).toEqual([]);
  });

  test.each([
    [
      'no image',
      { kubernetes: { namespace: 'x' } },
      /kubernetes\.image: no image: run the image stage, or set kubernetes\.image/,
    ],
    [
      'a tag',
      { kubernetes: { image: 'ghcr.io/acme/etl:latest' } },
      /ghcr\.io\/acme\/etl:latest is not pinned by digest/,
    ],
    ['a short digest', { kubernetes: { image: 'ghcr.io/acme/etl@sha256:abc' } }, /not pinned by digest/],
    ['no main class', { app: { mainClass: undefined } }, /app\.mainClass: is required/],
    [
      'a non-string env value',
      { kubernetes: { image: IMAGE, driver: { env: { X: { fromEnv: 'X' } } } } },
      /kubernetes\.driver\.env\.X: must be a string once resolved/,
    ],
    // What the API server's validation would refuse at apply, refused by a dry run too.
    [
      'a namespace that is not a DNS-1123 label',
      { kubernetes: { image: IMAGE, namespace: 'Data_Pipelines' } },
      /kubernetes\.namespace: "Data_Pipelines" is not a namespace name/,
    ],
    [
      'a label value with a space',
      { kubernetes: { image: IMAGE, labels: { team: 'Data Platform' } } },
      /kubernetes\.labels\.team: "Data Platform" is not a label value/,
    ],
    [
      'a label key with two slashes',
      { kubernetes: { image: IMAGE, labels: { 'a/b/c': 'x' } } },
      /kubernetes\.labels\.a\/b\/c: "a\/b\/c" is not a label key/,
    ],
    [
      'a label value over 63 characters',
      { kubernetes: { image: IMAGE, labels: { team: 'x'.repeat(64) } } },
      /is not a label value/,
    ],
  ])('refuses %s', (_case, o, message) => {
    const art = _case === 'no main class' ? { ...artifact, mainClass: undefined } : artifact;
    expect(() => buildSparkApplication(makePlan(o as Parameters<typeof makePlan>[0]), art)).toThrow(message);
  });

  test('errors point at the config file line', () => {
    expect(() =>
      buildSparkApplication(makePlan({ kubernetes: { image: 'repo:tag' }, locate: true }), artifact),
    ).toThrow(
      /^kubernetes: \.github\/spark-deploy\.yml:12:5: kubernetes\.image: repo:tag is not pinned by digest/,
    );
  });

  test('a schema violation fails before anything is sent, naming the field path', () => {
    const plan = makePlan({ spark: { driver: { cores: 0 } } });
    expect(() => renderAll(plan, artifact)).toThrow(/spec\.driver\.cores: must be >= 1/);
  });

  test('accepts the label keys and values the API server accepts', () => {
    const labels = {
      'app.kubernetes.io/part-of': 'etl',
      team: 'data-platform',
      cost_center: 'A.1',
      empty: '',
    };
    const app = buildSparkApplication(makePlan({ kubernetes: { ...staging, labels } }), artifact);
    expect(app.metadata.labels).toMatchObject(labels);
  });

  test('the digest reference is never replaced by a tag', () => {
    expect(buildSparkApplication(makePlan(), artifact).spec?.image).toBe(
      `ghcr.io/acme/etl-pipeline@${DIGEST}`,
    );
  });
});

describe('companions', () => {
  test.each([
    ['nothing by default', {}, []],
    ['metrics Service', { service: true }, ['Service']],
    ['ServiceMonitor brings its Service', { serviceMonitor: true }, ['Service', 'ServiceMonitor']],
  ])('%s', (_c, monitoring, kinds) => {
    const plan = makePlan({
      kubernetes: { ...staging, monitoring: { ...staging.monitoring, ...monitoring } },
    });
    const app = buildSparkApplication(plan, artifact);
    expect(buildCompanions(plan, app).map((o) => o.kind)).toEqual(kinds);
  });

  test('every companion is owned by the SparkApplication and selects its pods', () => {
    const plan = makePlan({
      kubernetes: {
        ...staging,
        networkPolicy: true,
        monitoring: { ...staging.monitoring, serviceMonitor: true },
      },
    });
    const app = buildSparkApplication(plan, artifact);
    const objs = buildCompanions(plan, app, 'uid-1');
    expect(objs.map((o) => [o.kind, o.metadata.name])).toEqual([
      ['Service', 'etl-pipeline-staging-0123456-4242-metrics'],
      ['ServiceMonitor', 'etl-pipeline-staging-0123456-4242-metrics'],
      ['NetworkPolicy', 'etl-pipeline-staging-0123456-4242-netpol'],
    ]);
    for (const o of objs) {
      expect(o.metadata.namespace).toBe('data-pipelines');
      expect(o.metadata.ownerReferences).toEqual([
        {
          apiVersion: 'sparkoperator.k8s.io/v1beta2',
          kind: 'SparkApplication',
          name: app.metadata.name,
          uid: 'uid-1',
          controller: true,
          blockOwnerDeletion: true,
        },
      ]);
    }
    expect(objs[0]?.spec).toMatchObject({
      selector: { 'sparkoperator.k8s.io/app-name': app.metadata.name, 'spark-role': 'driver' },
      ports: [{ name: 'metrics', port: 8090 }],
    });
    expect(objs[2]?.spec).toMatchObject({
      podSelector: { matchLabels: { 'sparkoperator.k8s.io/app-name': app.metadata.name } },
    });
  });

  test('dry-run shows a placeholder where the uid goes', () => {
    const plan = makePlan({ kubernetes: { ...staging, networkPolicy: true } });
    const { companions } = renderAll(plan, artifact);
    expect(companions[0]?.metadata.ownerReferences?.[0]?.uid).toBe(OWNER_UID_PLACEHOLDER);
  });
});

describe('toYaml', () => {
  test('round-trips the SparkApplication', () => {
    const plan = makePlan({
      kubernetes: { image: IMAGE, driver: { env: { REGION: 'eu', URL: 'jdbc://db' } } },
    });
    const app = buildSparkApplication(plan, artifact);
    expect(parse(toYaml(app))).toEqual(app);
  });
});
