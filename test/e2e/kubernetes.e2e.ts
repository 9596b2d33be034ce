// The Kubernetes target end to end through the BUNDLED action (dist/index.js then dist/post/index.js, as a
// runner runs them): examples/etl-app's real deploy config (environment `staging`, a copy in a temp
// workspace with the image pinned by digest, plus a production-like kubernetes environment), a generated
// assembly JAR (stages verify,deploy), and the fake Kubernetes API server with its scripted Spark Operator
// (test/helpers/fake-k8s-api.ts) reached through a kubeconfig file with a bearer token. Rendered manifests
// are validated independently with kubeconform (scripts/install-kubeconform.sh) against the CRD's schema.
import { spawn, spawnSync } from 'node:child_process';
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
import { canary, leaks } from '../helpers/canary.js';
import { component, installedTool } from '../helpers/components.js';
import { startFakeGitHub } from '../helpers/fake-github.js';
import { FakeKubeApi, kubeconfigFor, type Scenario, sparkApplicationCrd } from '../helpers/fake-k8s-api.js';
import { goodEntries } from '../helpers/jar-fixtures.js';
import { type ActionRun, type ActionRunOptions, actionNode, runAction } from '../helpers/run-action.js';
import { writeZip } from '../helpers/zip-writer.js';

const repo = resolve(import.meta.dirname, '../..');
const example = join(repo, 'examples/etl-app');
// Random per run, so a leak cannot be a coincidence of fixed text.
const TOKEN = `k8s-e2e-bearer-${randomBytes(16).toString('hex')}`;
const SHA = 'c0ffee0123456789abcdef0123456789abcdef01';
const SHORT = SHA.slice(0, 7);
const IMAGE = `ghcr.io/acme/etl-pipeline@sha256:${'5e'.repeat(32)}`;
const NS = 'data-pipelines';
const PROD_NS = 'data-pipelines-prod';
const JAR = 'target/scala-2.12/etl-pipeline-assembly-1.0.0.jar';
const STAGING_APP = 'etl-pipeline-staging';
const PROD_APP = 'etl-pipeline-production-k8s';
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

/** failure is the message the main step failed with (`::error::` line, decoded). */
function failure(r: ActionRun): string {
  return r.stdout
    .split('\n')
    .filter((l) => l.startsWith('::error::'))
    .map((l) => decodeURIComponent(l.slice('::error::'.length).replace(/%0A/g, '\n')))
    .join('\n');
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
  const firstRun = '8001';
  const firstName = `${STAGING_APP}-${SHORT}-${firstRun}`;

  test('staging deploy: applied server-side, watched to COMPLETED; outputs and summary say where to look', async () => {
    const r = await action({}, { runId: firstRun });
    expect(failure(r)).toBe('');
    expect(r.code).toBe(0);
    expect(r.outputs).toMatchObject({
      target: 'kubernetes',
      'submission-id': firstName,
      state: 'SUCCEEDED',
    });
    expect(r.outputs['application-id']).toMatch(/^spark-[0-9a-f]{32}$/);
    // No UI ingress in staging: the exact port-forward command instead of a URL.
    expect(r.outputs['spark-ui-url']).toBeUndefined();
    expect(r.summary).toContain(`\`kubectl -n ${NS} port-forward svc/${firstName}-ui-svc 4040:4040\``);
    expect(r.summary).toContain(`| submission | \`${firstName}\` |`);
    expect(r.summary).toMatch(/\| state \| SUCCEEDED \(native: COMPLETED\) \|/);
    expect(r.stdout).toMatch(/state: RUNNING \(RUNNING\)/);
    expect(r.stdout).toMatch(/state: SUCCEEDED \(COMPLETED\)/);

    const app = api.get('sparkapplications', NS, firstName);
    expect(app?.status.applicationState.state).toBe('COMPLETED');
    expect(app?.metadata.managedFields[0]).toMatchObject({
      manager: 'spark-deploy-action',
      operation: 'Apply',
    });
    expect(app?.spec).toMatchObject({
      type: 'Scala',
      mode: 'cluster',
      image: IMAGE,
      mainClass: 'com.etl.Main',
      mainApplicationFile: 'local:///app/etl-pipeline-assembly-1.0.0.jar',
      arguments: ['--config', '/app/configs/staging.json'],
      sparkVersion: '3.5.6',
      restartPolicy: { type: 'OnFailure', onFailureRetries: 3, onSubmissionFailureRetries: 5 },
      driver: { cores: 1, memory: '2g', serviceAccount: 'spark-driver-sa' },
      executor: { cores: 2, memory: '4g', instances: 2 },
      monitoring: { exposeDriverMetrics: true, prometheus: { port: 8090 } },
    });
    expect(app?.metadata.labels).toMatchObject({
      'app.kubernetes.io/name': STAGING_APP,
      'app.kubernetes.io/managed-by': 'spark-deploy-action',
      'spark-deploy-action/commit': SHA,
      'spark-deploy-action/environment': 'staging',
      team: 'data-platform',
    });
    // Every API request carried the kubeconfig's bearer token.
    expect(api.requests.length).toBeGreaterThan(0);
    expect(api.requests.every((q) => q.auth === `Bearer ${TOKEN}`)).toBe(true);
  });

  test('a second run of the same commit (new run id, re-run attempt, same attempt again) starts a new SparkApplication', async () => {
    const before = api.get('sparkapplications', NS, firstName);
    expect(before?.status.applicationState.state).toBe('COMPLETED');
    const second = await action({}, { runId: '8002' });
    expect(second.code).toBe(0);
    expect(second.outputs['submission-id']).toBe(`${STAGING_APP}-${SHORT}-8002`);
    const rerun = await action({}, { runId: firstRun, env: { GITHUB_RUN_ATTEMPT: '2' } });
    expect(rerun.code).toBe(0);
    expect(rerun.outputs['submission-id']).toBe(`${firstName}-2`);
    const names = [firstName, `${STAGING_APP}-${SHORT}-8002`, `${firstName}-2`];
    const apps = names.map((n) => api.get('sparkapplications', NS, n));
    expect(apps.map((a) => a?.status.applicationState.state)).toEqual([
      'COMPLETED',
      'COMPLETED',
      'COMPLETED',
    ]);
    expect(new Set(apps.map((a) => a?.metadata.uid)).size).toBe(3);
    // The first run's object was left as it was (not re-applied, so not re-run by the operator).
    expect(api.get('sparkapplications', NS, firstName)?.metadata.resourceVersion).toBe(
      before?.metadata.resourceVersion,
    );
    expect(second.outputs['application-id']).not.toBe(rerun.outputs['application-id']);

    // The same run attempt deploying again (a second step, a matrix): the finished app is re-created, since
    // the operator would not run it again and the old outcome would pass for this run's.
    const secondUid = apps[1]?.metadata.uid;
    const again = await action({}, { runId: '8002' });
    expect(again.code).toBe(0);
    expect(again.outputs['submission-id']).toBe(`${STAGING_APP}-${SHORT}-8002`);
    expect(again.stdout).toMatch(/already ran in this workflow run attempt \(COMPLETED\)/);
    const recreated = api.get('sparkapplications', NS, `${STAGING_APP}-${SHORT}-8002`);
    expect(recreated?.metadata.uid).not.toBe(secondUid);
    expect(recreated?.status.applicationState.state).toBe('COMPLETED');
    expect(again.outputs['application-id']).not.toBe(second.outputs['application-id']);
  });

  // Each scenario: what the error and the summary say, and the headline (the error's first line, the
  // summary's caution block) that must carry the cause.
  const scenarios: [Scenario, string, RegExp[], RegExp][] = [
    [
      'fail',
      '8101',
      [
        // The driver log's exception leads; the container's exit follows.
        /ended FAILED \(FAILED\): IllegalStateException: input path s3a:\/\/bucket\/in does not exist/,
        /FAILED: driver container failed with ExitCode: 1, Reason: Error/,
        /driver pod etl-pipeline-staging-c0ffee0-8101-driver: spark-kubernetes-driver terminated: Error, exit code 1/,
      ],
      /IllegalStateException: input path s3a:\/\/bucket\/in does not exist/,
    ],
    [
      'oom',
      '8102',
      [
        /ended FAILED \(FAILED\): driver container failed with ExitCode: 137, Reason: OOMKilled/,
        /terminated: OOMKilled, exit code 137 — the driver ran out of memory/,
      ],
      /ExitCode: 137, Reason: OOMKilled: the driver ran out of memory/,
    ],
    [
      'image-pull',
      '8103',
      [
        /etl-pipeline-staging-c0ffee0-8103 was still PENDING \(SUBMITTED\); cancelled/,
        /waiting: ImagePullBackOff \(Back-off pulling image "ghcr\.io\/acme\/etl-pipeline@sha256:5e5e/,
        /the image cannot be pulled/,
      ],
      /timed out after .*: ImagePullBackOff: Back-off pulling image "ghcr\.io\/acme\/etl-pipeline@sha256:5e5e/,
    ],
    [
      'unschedulable',
      '8104',
      [
        /etl-pipeline-staging-c0ffee0-8104 was still PENDING \(SUBMITTED\); cancelled/,
        /driver pod etl-pipeline-staging-c0ffee0-8104-driver is Unschedulable: 0\/3 nodes are available: 3 Insufficient memory/,
      ],
      /timed out after .*: Unschedulable: 0\/3 nodes are available: 3 Insufficient memory/,
    ],
    [
      'submission-failed',
      '8105',
      [
        /ended FAILED \(FAILED\): failed to submit spark application: failed to run spark-submit: exit status 1/,
      ],
      /failed to submit spark application: failed to run spark-submit: exit status 1/,
    ],
  ];
  test.each(scenarios)(
    'failure: %s is diagnosed in the error and the summary',
    async (scenario, runId, expected, headline) => {
      const name = `${STAGING_APP}-${SHORT}-${runId}`;
      api.scenarios.set(name, scenario);
      const stuck = scenario === 'image-pull' || scenario === 'unschedulable';
      // A stuck driver is only diagnosed when the wait gives up: a 4 s timeout.
      const r = await action(stuck ? { 'timeout-minutes': String(4 / 60) } : {}, { runId });
      expect(r.code).toBe(1);
      const error = failure(r);
      for (const re of expected) {
        expect(error).toMatch(re);
        expect(r.summary).toMatch(re);
      }
      expect(error.split('\n')[0]).toMatch(headline);
      const caution = r.summary.split('\n').indexOf('> [!CAUTION]');
      expect(r.summary.split('\n')[caution + 1]).toMatch(headline);
      expect(r.outputs['submission-id']).toBe(name);
      expect(r.outputs.state).toBe(stuck ? 'PENDING' : 'FAILED');
      // A failed app stays for kubectl; a stuck one is deleted when the wait gives up (cancel-on-abort).
      if (stuck) expect(api.get('sparkapplications', NS, name)).toBeUndefined();
      else expect(api.get('sparkapplications', NS, name)?.status.applicationState.state).toBe('FAILED');
    },
  );

  test('keepHistory (5 in staging): each batch deploy deletes the finished runs beyond the newest 5', () => {
    // Created so far: 8001, 8002, 8001 attempt 2, 8002 again, and 8101, 8102, 8105 (8103/8104 were deleted on
    // timeout); the oldest, 8001, went when 8103 was deployed.
    const names = api.apps(NS).map((a) => a.metadata.name);
    expect(names).toHaveLength(5);
    expect(names).not.toContain(firstName);
    expect(names).toContain(`${STAGING_APP}-${SHORT}-8105`);
  });

  test('abort: SIGTERM while the app RUNS deletes the SparkApplication (cancel-on-abort)', async () => {
    const runId = '8201';
    const name = `${STAGING_APP}-${SHORT}-${runId}`;
    api.scenarios.set(name, 'streaming'); // stays RUNNING until deleted
    const ctl = new AbortController();
    let out = '';
    let stateAtAbort: string | undefined;
    const r = await action(
      {},
      {
        runId,
        signal: ctl.signal,
        onOutput: (t) => {
          out += t;
          if (/state: RUNNING \(RUNNING\)/.test(out) && !ctl.signal.aborted) {
            stateAtAbort = api.get('sparkapplications', NS, name)?.status.applicationState.state;
            ctl.abort();
          }
        },
      },
    );
    expect(stateAtAbort).toBe('RUNNING');
    expect(r.code).toBe(1);
    expect(failure(r)).toMatch(
      new RegExp(
        `the workflow run was cancelled while ${name} was RUNNING \\(RUNNING\\).*; cancelled ${name} \\(cancel-on-abort\\)`,
      ),
    );
    expect(r.outputs.state).toBe('CANCELLED');
    expect(api.get('sparkapplications', NS, name)).toBeUndefined();
    expect(api.get('pods', NS, `${name}-driver`)).toBeUndefined();
    expect(
      api.requests.filter((q) => q.method === 'DELETE' && q.path.endsWith(`/sparkapplications/${name}`)),
    ).toHaveLength(1);
    // The main step finished the job off itself: the post step has nothing left to cancel.
    expect(r.state.finished).toBe('true');
    expect(r.post.code).toBe(0);
    expect(r.post.stdout).not.toMatch(/post: cancelled/);
  });

  test('abort with cancel-on-abort: false leaves the app running, in the main step and in the post step', async () => {
    const runId = '8202';
    const name = `${STAGING_APP}-${SHORT}-${runId}`;
    api.scenarios.set(name, 'streaming');
    const ctl = new AbortController();
    let out = '';
    const r = await action(
      { 'cancel-on-abort': 'false' },
      {
        runId,
        signal: ctl.signal,
        onOutput: (t) => {
          out += t;
          if (/state: RUNNING \(RUNNING\)/.test(out)) ctl.abort();
        },
      },
    );
    expect(r.code).toBe(1);
    expect(failure(r)).toContain(`${name} is left running (cancel-on-abort is false)`);
    expect(api.requests.some((q) => q.method === 'DELETE' && q.path.endsWith(`/${name}`))).toBe(false);
    expect(api.get('sparkapplications', NS, name)?.status.applicationState.state).toBe('RUNNING');
    expect(r.post.code).toBe(0);
    expect(r.post.stdout).not.toMatch(/post: cancelled/);
  });

  test('post step: a SparkApplication left by a main step that died (handle saved, not finished) is deleted', async () => {
    const runId = '8301';
    const name = `${STAGING_APP}-${SHORT}-${runId}`;
    api.scenarios.set(name, 'streaming');
    const r = await action({ wait: 'false' }, { runId });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.state.handle ?? '{}')).toMatchObject({ target: 'kubernetes', submissionId: name });
    await expect
      .poll(() => api.get('sparkapplications', NS, name)?.status.applicationState.state)
      .toBe('RUNNING');
    // The post step exactly as the runner starts it after a killed main step: the same inputs, the saved
    // state as STATE_*, except that the main step never marked the job finished.
    const env: Record<string, string> = {
      ...Object.fromEntries(
        Object.entries(process.env).filter(
          (e): e is [string, string] => e[1] !== undefined && !/^(INPUT|STATE)_/.test(e[0]),
        ),
      ),
      GITHUB_ACTIONS: 'true',
      GITHUB_WORKSPACE: ws,
      GITHUB_SHA: SHA,
      GITHUB_RUN_ID: runId,
      GITHUB_RUN_ATTEMPT: '1',
      KUBECONFIG: kubeconfig,
      INPUT_STAGES: 'verify,deploy',
      INPUT_JAR: JAR,
      INPUT_ENVIRONMENT: 'staging',
      ...Object.fromEntries(Object.entries(r.state).map(([k, v]) => [`STATE_${k}`, v])),
      STATE_finished: 'false',
    };
    for (const k of ['GITHUB_OUTPUT', 'GITHUB_STATE', 'GITHUB_STEP_SUMMARY'])
      env[k] = join(r.dir, `post-${k}`);
    const post = await new Promise<{ code: number | null; out: string }>((done) => {
      const child = spawn(actionNode(), [join(repo, 'dist/post/index.js')], { env });
      let out = '';
      child.stdout.on('data', (c) => {
        out += c;
      });
      child.stderr.on('data', (c) => {
        out += c;
      });
      child.on('close', (code) => done({ code, out }));
    });
    // The kubeconfig's token is registered as a secret: the runner's add-mask line is its one appearance.
    expect(post.out).toContain(`::add-mask::${TOKEN}`);
    expect(post.out.replaceAll(`::add-mask::${TOKEN}`, '')).not.toContain(TOKEN);
    expect(post.code).toBe(0);
    expect(post.out).toContain(
      `post: cancelled kubernetes submission ${name} left running by an interrupted step`,
    );
    expect(api.get('sparkapplications', NS, name)).toBeUndefined();
  });

  test('command cancel stops the environment run still going (left by cancel-on-abort: false), nothing finished', async () => {
    const live = `${STAGING_APP}-${SHORT}-8202`;
    const finished = api
      .apps(NS)
      .filter((a) => a.metadata.name !== live)
      .map((a) => [a.metadata.name, a.metadata.resourceVersion]);
    expect(finished.length).toBeGreaterThan(0);
    expect(api.get('sparkapplications', NS, live)?.status.applicationState.state).toBe('RUNNING');
    const r = await action({ command: 'cancel', stages: '' });
    expect(failure(r)).toBe('');
    expect(r.code).toBe(0);
    expect(r.summary).toMatch(new RegExp(`\\| \`${live}\` \\| RUNNING \\(RUNNING\\).*\\| cancelled \\|`));
    expect(api.get('sparkapplications', NS, live)).toBeUndefined();
    expect(api.apps(NS).map((a) => [a.metadata.name, a.metadata.resourceVersion])).toEqual(finished);
  });

  test('cleanup with preview 7 removes exactly preview 7 (app and owned objects); the environment and preview 8 stay', async () => {
    const deploy = (preview?: string) =>
      action({ environment: 'production-k8s', wait: 'false', ...(preview ? { preview } : {}) });
    const deployed = [await deploy('7'), await deploy('8'), await deploy()];
    for (const r of deployed) {
      expect(failure(r)).toBe('');
      expect(r.code).toBe(0);
    }
    // kubernetes.uiIngressUrl (the operator's --ingress-url-format) gives a Spark UI URL, even without waiting.
    const envName = deployed[2]?.outputs['submission-id'];
    expect(envName).toMatch(new RegExp(`^${PROD_APP}-${SHORT}-\\d+$`));
    expect(deployed[2]?.outputs['spark-ui-url']).toBe(`https://spark.example.com/${PROD_NS}/${envName}`);
    const byPreview = (p: string) =>
      api.apps(PROD_NS).filter((a) => a.metadata.labels['spark-deploy-action/preview'] === p);
    expect(byPreview('7')).toHaveLength(1);
    expect(byPreview('8')).toHaveLength(1);
    const pr7 = byPreview('7')[0];
    expect(pr7?.metadata.name).toMatch(new RegExp(`^${PROD_APP}-pr-7-${SHORT}-\\d+$`));
    // Owned by the preview-7 app: its companions, and (the operator's) driver pod and UI service.
    const owned = (uid: string) =>
      [...api.store.entries()]
        .filter(([, o]) => (o.metadata.ownerReferences ?? []).some((ref: { uid: string }) => ref.uid === uid))
        .map(([k]) => k);
    const pr7Keys = [`sparkapplications/${PROD_NS}/${pr7?.metadata.name}`, ...owned(pr7?.metadata.uid)];
    expect(pr7Keys.map((k) => k.split('/')[0]).sort()).toEqual(
      expect.arrayContaining(['networkpolicies', 'servicemonitors', 'services']),
    );
    const before = new Map([...api.store.entries()].map(([k, v]) => [k, v.metadata.resourceVersion]));

    const r = await action({ command: 'cleanup', environment: 'production-k8s', preview: '7', stages: '' });
    expect(failure(r)).toBe('');
    expect(r.code).toBe(0);
    expect(r.summary).toMatch(new RegExp(`\\| \`${pr7?.metadata.name}\` \\|.*\\| deleted \\|`));
    const after = new Map([...api.store.entries()].map(([k, v]) => [k, v.metadata.resourceVersion]));
    expect([...before.keys()].filter((k) => !after.has(k)).sort()).toEqual([...pr7Keys].sort());
    // Nothing else was touched: every other object is still there, unchanged.
    for (const [k, rv] of after) expect(before.get(k)).toBe(rv);
    expect(byPreview('8')).toHaveLength(1);
    expect(api.apps(PROD_NS).filter((a) => !a.metadata.labels['spark-deploy-action/preview'])).toHaveLength(
      1,
    );
    expect(api.apps(NS).length).toBeGreaterThan(0);
  });

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

  test('an exec auth plugin in the kubeconfig (as aws eks get-token) supplies the bearer token', async () => {
    const execToken = `k8s-e2e-exec-${randomBytes(16).toString('hex')}`;
    const credential = JSON.stringify({
      apiVersion: 'client.authentication.k8s.io/v1beta1',
      kind: 'ExecCredential',
      status: { token: execToken },
    });
    const execConfig = `${kubeconfig}.exec.yaml`;
    const doc = parseDocument(kubeconfigFor(api.url, 'unused'));
    doc.setIn(
      ['users', 0, 'user'],
      doc.createNode({
        exec: {
          apiVersion: 'client.authentication.k8s.io/v1beta1',
          command: process.execPath,
          args: ['-e', `process.stdout.write(${JSON.stringify(credential)})`],
          interactiveMode: 'Never',
        },
      }),
    );
    writeFileSync(execConfig, doc.toString());
    const saved = api.token;
    api.token = execToken;
    try {
      const sent = api.requests.length;
      const r = await action({ command: 'status', stages: '' }, { env: { KUBECONFIG: execConfig } });
      expect(failure(r)).toBe('');
      expect(r.code).toBe(0);
      expect(r.outputs['submission-id']).toMatch(new RegExp(`^${STAGING_APP}-${SHORT}-\\d+`));
      const mine = api.requests.slice(sent);
      expect(mine.length).toBeGreaterThan(0);
      expect(mine.every((q) => q.auth === `Bearer ${execToken}`)).toBe(true);
      for (const t of [r.stdout, r.stderr, r.summary, JSON.stringify(r.outputs)])
        expect(t).not.toContain(execToken);
    } finally {
      api.token = saved;
      rmSync(execConfig, { force: true });
    }
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
          env: [{ name: 'TZ', value: 'UTC' }],
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

  test.skipIf(!hasKubeconform)(
    'canaries: a { fromEnv } driver env reaches the driver through a Secret; printed back by a failing job it leaves the action nowhere; render holds none',
    async () => {
      const cfgFile = join(ws, '.github/spark-deploy.yml');
      const original = readFileSync(cfgFile, 'utf8');
      const doc = parseDocument(original);
      doc.setIn(
        ['environments', 'canary-k8s'],
        doc.createNode({
          target: 'kubernetes',
          kubernetes: {
            namespace: NS,
            image: IMAGE,
            driver: { env: { TZ: 'UTC', DB_PASSWORD: { fromEnv: 'CANARY_K8S' } } },
          },
        }),
      );
      writeFileSync(cfgFile, doc.toString());
      const value = canary('k8s-env');
      const gh = `ghs_${canary('github').replaceAll('-', '')}`;
      const all = [value, gh, TOKEN];
      const github = await startFakeGitHub();
      api.scenarios.set('etl-pipeline-canary-k8s', 'fail');
      api.driverPrintsEnv = true;
      try {
        const env = {
          CANARY_K8S: value,
          GITHUB_API_URL: github.url,
          GITHUB_REPOSITORY: 'acme/etl',
          GITHUB_SERVER_URL: 'https://github.com',
        };
        const r = await action({ environment: 'canary-k8s', 'github-token': gh }, { env });
        expect(r.code, r.stdout).toBe(1);
        // The driver read the value from the Secret (the fake resolves secretKeyRef as the kubelet does) and
        // printed it; the action redacted it everywhere.
        expect(r.summary).toContain('DB_PASSWORD=***');
        expect(github.requests.length).toBeGreaterThan(0);
        expect(
          leaks(
            r,
            all,
            github.requests.map((q) => JSON.stringify(q.body ?? null)),
          ),
        ).toEqual([]);
        const name = r.outputs['submission-id'] as string;
        const app = api.get('sparkapplications', NS, name);
        expect(JSON.stringify(app)).not.toContain(value);
        const secret = api.get('secrets', NS, `${name}-secrets`) as { data: Record<string, string> };
        expect(Buffer.from(secret.data['driver.DB_PASSWORD'] ?? '', 'base64').toString()).toBe(value);

        // render: the Secret without data first, then a SparkApplication that references it; kubeconform-valid.
        const rendered = await action({ command: 'render', environment: 'canary-k8s' }, { env });
        expect(failure(rendered)).toBe('');
        const file = rendered.outputs['manifest-path'] as string;
        const text = readFileSync(file, 'utf8');
        for (const c of all) expect(text).not.toContain(c);
        expect(text).not.toContain('***');
        const docs = parseAllDocuments(text).map((d) => d.toJS());
        expect(docs.map((d) => d.kind)).toEqual(['Secret', 'SparkApplication']);
        expect(docs[0].data).toBeUndefined();
        expect(docs[1].spec.driver.env).toContainEqual({
          name: 'DB_PASSWORD',
          valueFrom: { secretKeyRef: { name: docs[0].metadata.name, key: 'driver.DB_PASSWORD' } },
        });
        const checked = spawnSync(
          kubeconform as string,
          [
            '-strict',
            '-summary',
            '-output',
            'json',
            '-schema-location',
            join(schemaDir, '{{ .ResourceKind }}-{{ .Group }}-{{ .ResourceAPIVersion }}.json'),
            '-skip',
            'Secret',
            file,
          ],
          { encoding: 'utf8' },
        );
        expect(JSON.parse(checked.stdout).summary).toEqual({ valid: 1, invalid: 0, errors: 0, skipped: 1 });
      } finally {
        api.driverPrintsEnv = false;
        api.scenarios.delete('etl-pipeline-canary-k8s');
        await github.close();
        writeFileSync(cfgFile, original);
      }
    },
  );

  test('the kubeconfig bearer token appears in no output of any run', () => {
    expect(runs.length).toBeGreaterThanOrEqual(10);
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
