// The Kubernetes target end to end through the BUNDLED action against the FAKE Kubernetes API server with its
// scripted Spark Operator (test/helpers/fake-k8s-api.ts), for what the real local control plane
// (test/e2e/kubernetes-cluster-*.e2e.ts, scripts/local-k8s.sh) cannot produce on demand:
// - status over apps in chosen states with chosen creation times (a real API server sets creationTimestamp
//   itself, and the real operator would act on seeded SparkApplications);
// - render and dry-run sending no request at all (the fake logs every request), with the manifests validated
//   independently by kubeconform (scripts/install-kubeconform.sh) against the CRD's schema.
// The credentials of a Kubernetes run (canaries, the run's Secret, render for GitOps) are checked on the real
// control plane: test/e2e/kubernetes-secrets.e2e.ts.
// examples/etl-app's real deploy config (environment `staging`, a copy in a temp workspace with the image pinned
// by digest, plus a production-like kubernetes environment), a generated assembly JAR, a kubeconfig with a
// bearer token.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseAllDocuments, parseDocument } from 'yaml';
import { component, installedTool } from '../helpers/components.js';
import { FakeKubeApi, kubeconfigFor, sparkApplicationCrd } from '../helpers/fake-k8s-api.js';
import { goodEntries } from '../helpers/jar-fixtures.js';
import { type ActionRun, type ActionRunOptions, failure, runAction } from '../helpers/run-action.js';
import { writeZip } from '../helpers/zip-writer.js';

const repo = resolve(import.meta.dirname, '../..');
const example = join(repo, 'examples/etl-app');
// Random per run, so a leak cannot be a coincidence of fixed text.
const TOKEN = `k8s-e2e-bearer-${randomBytes(16).toString('hex')}`;
const SHA = 'c0ffee0123456789abcdef0123456789abcdef01';
const IMAGE = `ghcr.io/acme/etl-pipeline@sha256:${'5e'.repeat(32)}`;
const PROD_NS = 'data-pipelines-prod';
const JAR = 'target/scala-2.12/etl-pipeline-assembly-1.0.0.jar';
const STAGING_APP = 'etl-pipeline-staging';
const COMPANIONS = ['Service', 'ServiceMonitor', 'NetworkPolicy'];

// $KUBECONFORM wins; else the pinned one from scripts/install-kubeconform.sh.
const kubeconform = process.env.KUBECONFORM || installedTool('kubeconform');
const hasKubeconform = component(
  'kubeconform',
  () => kubeconform !== undefined,
  'install it with scripts/install-kubeconform.sh (or set KUBECONFORM to the binary)',
);

let api: FakeKubeApi;
let ws: string;
let kubeconfig: string;
let schemaDir: string;
const runs: ActionRun[] = [];
let runSeq = 0;

/** action runs the bundled action against the fake cluster; every run is kept for the token check. */
async function action(
  inputs: Record<string, string>,
  o: { runId?: string; env?: Record<string, string> } & Pick<ActionRunOptions, 'signal' | 'onOutput'> = {},
): Promise<ActionRun> {
  const r = await runAction({
    workspace: ws,
    inputs: {
      stages: 'verify,deploy',
      jar: JAR,
      environment: 'staging',
      'timeout-minutes': '1',
      ...inputs,
    },
    env: {
      KUBECONFIG: kubeconfig,
      GITHUB_SHA: SHA,
      GITHUB_RUN_ID: o.runId ?? String(7100 + ++runSeq),
      GITHUB_RUN_ATTEMPT: '1',
      ...o.env,
    },
    ...(o.signal ? { signal: o.signal } : {}),
    onOutput: (t) => {
      // K8S_E2E_ECHO=1 shows the action's output live, for debugging.
      if (process.env.K8S_E2E_ECHO) process.stderr.write(t);
      o.onOutput?.(t);
    },
  });
  runs.push(r);
  return r;
}

/** writeConfig copies the example's deploy config, pins staging's image and adds a production-like kubernetes environment. */
function writeConfig(): void {
  const doc = parseDocument(readFileSync(join(example, '.github/spark-deploy.yml'), 'utf8'));
  expect(doc.getIn(['environments', 'staging', 'target'])).toBe('kubernetes');
  // The image stage is covered elsewhere: the image comes from the config, pinned by digest.
  doc.setIn(['environments', 'staging', 'kubernetes', 'image'], IMAGE);
  doc.setIn(
    ['environments', 'production-k8s'],
    doc.createNode({
      target: 'kubernetes',
      app: { args: ['--config', '/app/configs/production.json'], configFile: 'configs/production.json' },
      spark: {
        conf: { 'spark.sql.shuffle.partitions': 400, 'spark.dynamicAllocation.initialExecutors': 10 },
        driver: { cores: 2, memory: '8g', memoryOverhead: '1g' },
        executor: { cores: 8, memory: '16g', instances: 10 },
        dynamicAllocation: { enabled: true, minExecutors: 5, maxExecutors: 20 },
      },
      kubernetes: {
        namespace: PROD_NS,
        image: IMAGE,
        imagePullPolicy: 'IfNotPresent',
        serviceAccount: 'spark-driver-sa',
        restartPolicy: {
          type: 'OnFailure',
          onFailureRetries: 2,
          onFailureRetryInterval: 30,
          onSubmissionFailureRetries: 3,
          onSubmissionFailureRetryInterval: 60,
        },
        labels: { team: 'data-platform', tier: 'production' },
        annotations: { 'acme.io/owner': 'data-platform' },
        driver: { coreLimit: '2000m', labels: { role: 'driver' }, env: { TZ: 'UTC' } },
        executor: { coreLimit: '8', env: { TZ: 'UTC' } },
        keepHistory: 3,
        timeToLiveSeconds: 86400,
        monitoring: {
          exposeDriverMetrics: true,
          exposeExecutorMetrics: true,
          port: 8090,
          jmxExporterJar: '/prometheus/jmx_prometheus_javaagent-0.17.0.jar',
          service: true,
          serviceMonitor: true,
        },
        networkPolicy: true,
        uiIngressUrl: 'https://spark.example.com/{{$appNamespace}}/{{$appName}}',
      },
    }),
  );
  mkdirSync(join(ws, '.github'), { recursive: true });
  writeFileSync(join(ws, '.github/spark-deploy.yml'), doc.toString());
}

/** writeSchemas writes the CRD's openAPIV3Schema where kubeconform's -schema-location template finds it. */
function writeSchemas(): string {
  const crd = sparkApplicationCrd();
  // -strict schemas as kubeconform's openapi2jsonschema.py writes them: objects with `properties` accept no
  // other fields (the root too, which the script skips unless DENY_ROOT_ADDITIONAL_PROPERTIES is set).
  const strict = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(strict);
    if (!node || typeof node !== 'object') return node;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) out[k] = strict(v);
    if ('properties' in out && !('additionalProperties' in out)) out.additionalProperties = false;
    return out;
  };
  const dir = mkdtempSync(join(tmpdir(), 'k8s-e2e-schemas-'));
  const file = `${crd.kind.toLowerCase()}-${crd.group}-${crd.version}.json`;
  writeFileSync(join(dir, file), JSON.stringify(strict(crd.schema)));
  return dir;
}

interface KubeconformResult {
  resources: { filename: string; kind: string; name: string; status: string; msg: string }[];
  summary: { valid: number; invalid: number; errors: number; skipped: number };
}

/** validate runs kubeconform -strict on a manifest file against the CRD schema; the companions' built-in kinds are skipped (no offline schema). */
function validate(file: string): KubeconformResult {
  const r = spawnSync(
    kubeconform as string,
    [
      '-strict',
      '-summary',
      '-verbose',
      '-output',
      'json',
      '-schema-location',
      join(schemaDir, '{{ .ResourceKind }}-{{ .Group }}-{{ .ResourceAPIVersion }}.json'),
      '-skip',
      COMPANIONS.join(','),
      file,
    ],
    { encoding: 'utf8' },
  );
  expect(r.stderr).toBe('');
  return JSON.parse(r.stdout) as KubeconformResult;
}

beforeAll(async () => {
  api = await new FakeKubeApi().start();
  api.token = TOKEN;
  ws = mkdtempSync(join(tmpdir(), 'k8s-e2e-ws-'));
  mkdirSync(join(ws, 'configs'));
  for (const f of readdirSync(join(example, 'configs')))
    copyFileSync(join(example, 'configs', f), join(ws, 'configs', f));
  writeConfig();
  mkdirSync(join(ws, 'target/scala-2.12'), { recursive: true });
  writeZip(join(ws, JAR), goodEntries());
  kubeconfig = join(ws, '..', `${ws.split('/').pop()}-kubeconfig.yaml`);
  writeFileSync(kubeconfig, kubeconfigFor(api.url, TOKEN));
  schemaDir = writeSchemas();
});

afterAll(async () => {
  await api?.stop();
  for (const d of [ws, schemaDir, ...runs.map((r) => r.dir)])
    if (d) rmSync(d, { recursive: true, force: true });
  if (kubeconfig) rmSync(kubeconfig, { force: true });
});

describe('kubernetes target through the bundled action (fake API server, scripted operator)', () => {
  test('status reports the environment apps, newest first, and no preview', async () => {
    const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 12, 0, s)).toISOString().replace(/\.\d+Z$/, 'Z');
    const seed = (name: string, created: number, state: string, preview?: string) =>
      api.put('sparkapplications', {
        apiVersion: 'sparkoperator.k8s.io/v1beta2',
        kind: 'SparkApplication',
        metadata: {
          name,
          namespace: 'status-ns',
          creationTimestamp: at(created),
          labels: {
            'app.kubernetes.io/name': STAGING_APP,
            'app.kubernetes.io/managed-by': 'spark-deploy-action',
            ...(preview ? { 'spark-deploy-action/preview': preview } : {}),
          },
        },
        spec: {},
        status: {
          applicationState: {
            state,
            ...(state === 'FAILED' ? { errorMessage: 'driver container failed' } : {}),
          },
          sparkApplicationId: `spark-${name.length}${created}`,
          driverInfo: { webUIServiceName: `${name}-ui-svc`, webUIPort: 4040 },
        },
      });
    seed('etl-pipeline-staging-old', 1, 'COMPLETED');
    seed('etl-pipeline-staging-new', 5, 'FAILED');
    seed('etl-pipeline-staging-pr-3', 9, 'RUNNING', '3');
    // Status reads the namespace from the config: point a copy of staging at the seeded namespace.
    const cfg = readFileSync(join(ws, '.github/spark-deploy.yml'), 'utf8');
    const doc = parseDocument(cfg);
    doc.setIn(['environments', 'staging', 'kubernetes', 'namespace'], 'status-ns');
    writeFileSync(join(ws, '.github/status.yml'), doc.toString());

    const r = await action({ command: 'status', config: '.github/status.yml', stages: '' });
    expect(failure(r)).toBe('');
    expect(r.code).toBe(0);
    expect(r.outputs).toMatchObject({
      'submission-id': 'etl-pipeline-staging-new',
      state: 'FAILED',
      'application-id': 'spark-245',
    });
    const rows = r.summary.split('\n').filter((l) => l.startsWith('| `etl-pipeline-staging-'));
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatch(/`etl-pipeline-staging-new` \| FAILED \(FAILED\) — driver container failed/);
    expect(rows[0]).toContain(
      'kubectl -n status-ns port-forward svc/etl-pipeline-staging-new-ui-svc 4040:4040',
    );
    expect(rows[1]).toMatch(/`etl-pipeline-staging-old` \| SUCCEEDED \(COMPLETED\)/);
    expect(r.summary).not.toContain('pr-3');
  });

  test.skipIf(!hasKubeconform)(
    'render: staging and production-like manifests are written to manifest-path, sent nowhere, and pass kubeconform -strict',
    async () => {
      const sent = api.requests.length;
      const files: Record<string, string> = {};
      for (const env of ['staging', 'production-k8s']) {
        const r = await action({ command: 'render', environment: env });
        expect(failure(r)).toBe('');
        expect(r.code).toBe(0);
        const file = r.outputs['manifest-path'] as string;
        expect(file).toBeTruthy();
        expect(r.summary).toContain('SparkApplication');
        files[env] = file;
      }
      // dry-run: true on a deploy renders the same way and sends nothing either.
      const dry = await action({ 'dry-run': 'true' });
      expect(failure(dry)).toBe('');
      expect(dry.code).toBe(0);
      files.dry = dry.outputs['manifest-path'] as string;
      expect(files.dry).toBeTruthy();
      expect(api.requests.length).toBe(sent);
      expect(validate(files.dry).summary).toEqual({ valid: 1, invalid: 0, errors: 0, skipped: 0 });

      const staging = validate(files.staging as string);
      expect(staging.summary).toEqual({ valid: 1, invalid: 0, errors: 0, skipped: 0 });
      expect(staging.resources.map((x) => [x.kind, x.status])).toEqual([['SparkApplication', 'statusValid']]);

      const prod = validate(files['production-k8s'] as string);
      expect(prod.summary).toEqual({ valid: 1, invalid: 0, errors: 0, skipped: 3 });
      const docs = parseAllDocuments(readFileSync(files['production-k8s'] as string, 'utf8')).map((d) =>
        d.toJS(),
      );
      expect(docs.map((d) => d.kind)).toEqual(['SparkApplication', ...COMPANIONS]);
      expect(docs[0].spec).toMatchObject({
        imagePullPolicy: 'IfNotPresent',
        timeToLiveSeconds: 86400,
        restartPolicy: { type: 'OnFailure', onFailureRetries: 2, onFailureRetryInterval: 30 },
        dynamicAllocation: { enabled: true, minExecutors: 5, maxExecutors: 20 },
        driver: {
          cores: 2,
          coreLimit: '2000m',
          memory: '8g',
          memoryOverhead: '1g',
          envVars: { TZ: 'UTC' },
        },
        executor: { cores: 8, coreLimit: '8', instances: 10, memory: '16g' },
        monitoring: { exposeDriverMetrics: true, exposeExecutorMetrics: true, prometheus: { port: 8090 } },
        deps: { files: ['local:///app/configs/production.json'] },
      });
      // A rendered file is for GitOps: no ownerReference to a uid that does not exist yet (the garbage
      // collector would delete the object); the labels still tie each companion to its app.
      for (const c of docs.slice(1)) {
        expect(c.metadata.ownerReferences).toBeUndefined();
        expect(c.metadata.labels['app.kubernetes.io/instance']).toBe(docs[0].metadata.name);
      }

      // kubeconform really reads the schema: an unknown field and a wrong type are both reported.
      const bad = structuredClone(docs[0]);
      bad.spec.driver.cores = 'two';
      bad.spec.driverr = {};
      const badFile = join(schemaDir, 'bad.yaml');
      writeFileSync(badFile, JSON.stringify(bad));
      const broken = validate(badFile);
      expect(broken.summary.invalid).toBe(1);
      expect(broken.resources[0]?.msg).toMatch(/driverr/);
      expect(broken.resources[0]?.msg).toMatch(/cores/);
    },
  );

  test('the kubeconfig bearer token appears in no output of any run', () => {
    expect(runs.length).toBeGreaterThanOrEqual(4);
    for (const r of runs) {
      const texts = [
        // The runner's own add-mask command is the one place a secret may appear.
        r.stdout
          .split('\n')
          .filter((l) => !l.startsWith('::add-mask::'))
          .join('\n'),
        r.stderr,
        r.post.stdout
          .split('\n')
          .filter((l) => !l.startsWith('::add-mask::'))
          .join('\n'),
        r.post.stderr,
        r.summary,
        JSON.stringify(r.outputs),
        JSON.stringify(r.state),
      ];
      if (r.outputs['manifest-path']) texts.push(readFileSync(r.outputs['manifest-path'], 'utf8'));
      for (const t of texts) expect(t).not.toContain(TOKEN);
    }
  });
});
