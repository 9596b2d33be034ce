// The Kubernetes target end to end through the BUNDLED action against a REAL control plane: etcd,
// kube-apiserver, scheduler, controller-manager (garbage collection), kwok playing the pods' lives and the
// real Spark Operator running the real spark-submit (scripts/local-k8s.sh; the pods' lives are chosen by
// driver labels: scripts/local-k8s/stages.yaml). The action authenticates with a ServiceAccount token from
// the TokenRequest API. Each run works in namespaces of its own, deleted at the end.
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
import { parseDocument } from 'yaml';
import { component } from '../helpers/components.js';
import { FaultProxy } from '../helpers/fault-proxy.js';
import { goodEntries } from '../helpers/jar-fixtures.js';
import { type K8sObject, Kube, kubeconfigFor, type LocalK8s, localK8s } from '../helpers/local-k8s.js';
import {
  type ActionRun,
  type ActionRunOptions,
  actionNode,
  failure,
  runAction,
} from '../helpers/run-action.js';
import { writeZip } from '../helpers/zip-writer.js';

const repo = resolve(import.meta.dirname, '../..');
const example = join(repo, 'examples/etl-app');
const cluster = localK8s();
const hasCluster = component(
  'the local Kubernetes control plane',
  () => cluster !== undefined,
  'start it with scripts/local-k8s.sh start',
);

const SUFFIX = randomBytes(3).toString('hex');
const SHA = 'c0ffee0123456789abcdef0123456789abcdef01';
const SHORT = SHA.slice(0, 7);
const IMAGE = `ghcr.io/acme/etl-pipeline@sha256:${'5e'.repeat(32)}`;
// kwok's stages leave any image under registry.invalid/ in ImagePullBackOff.
const MISSING_IMAGE = `registry.invalid/acme/etl-pipeline@sha256:${'0d'.repeat(32)}`;
const NS = `data-pipelines-${SUFFIX}`;
const PROD_NS = `data-pipelines-prod-${SUFFIX}`;
const QUOTA_NS = `data-pipelines-quota-${SUFFIX}`;
const JAR = 'target/scala-2.12/etl-pipeline-assembly-1.0.0.jar';
const OUTCOME = 'spark-deploy-action.test/outcome';
// In the CRI log format kwok serves (as a kubelet reads a container runtime's log files).
const DRIVER_LOG = [
  '26/01/01 12:00:00 INFO SparkContext: Running Spark version 3.5.6',
  'Exception in thread "main" java.lang.IllegalStateException: input path s3a://bucket/in does not exist',
  '\tat com.etl.Main$.main(Main.scala:12)',
  '\tat com.etl.Main.main(Main.scala)',
]
  .map((l) => `2026-01-01T12:00:00.000000000Z stderr F ${l}\n`)
  .join('');

let kube: Kube;
let ws: string;
let kubeconfig: string;
let token: string;
const runs: ActionRun[] = [];
let runSeq = 0;

async function action(
  inputs: Record<string, string>,
  o: { runId?: string; env?: Record<string, string> } & Pick<ActionRunOptions, 'signal' | 'onOutput'> = {},
): Promise<ActionRun> {
  const r = await runAction({
    workspace: ws,
    inputs: { stages: 'verify,deploy', jar: JAR, environment: 'staging', 'timeout-minutes': '2', ...inputs },
    env: {
      KUBECONFIG: kubeconfig,
      GITHUB_SHA: SHA,
      GITHUB_RUN_ID: o.runId ?? String(7100 + ++runSeq),
      GITHUB_RUN_ATTEMPT: '1',
      ...o.env,
    },
    ...(o.signal ? { signal: o.signal } : {}),
    onOutput: (t) => {
      if (process.env.K8S_E2E_ECHO) process.stderr.write(t);
      o.onOutput?.(t);
    },
  });
  runs.push(r);
  return r;
}

/** k8sEnv is a kubernetes environment of the test config: Never restarted, so a failure is final at once. */
function k8sEnv(
  namespace: string,
  kubernetes: Record<string, unknown> = {},
  spark: Record<string, unknown> = {},
) {
  return {
    target: 'kubernetes',
    ...(Object.keys(spark).length ? { spark } : {}),
    kubernetes: {
      namespace,
      image: IMAGE,
      serviceAccount: 'spark-driver-sa',
      restartPolicy: { type: 'Never' },
      ...kubernetes,
    },
  };
}

function writeConfig(): void {
  const doc = parseDocument(readFileSync(join(example, '.github/spark-deploy.yml'), 'utf8'));
  doc.setIn(['environments', 'staging', 'kubernetes', 'image'], IMAGE);
  doc.setIn(['environments', 'staging', 'kubernetes', 'namespace'], NS);
  const envs: Record<string, unknown> = {
    'k8s-fail': k8sEnv(NS, {
      driver: { labels: { [OUTCOME]: 'fail', 'spark-deploy-action.test/exit-code': '3' } },
    }),
    'k8s-oom': k8sEnv(NS, { driver: { labels: { [OUTCOME]: 'oom' } } }),
    'k8s-image-pull': k8sEnv(NS, { image: MISSING_IMAGE }),
    // More CPUs than the kwok node has (16): the scheduler leaves the driver Pending.
    'k8s-unschedulable': k8sEnv(NS, {}, { driver: { cores: 64, memory: '2g' } }),
    // A ResourceQuota of 0 pods: spark-submit's driver pod is refused at admission.
    'k8s-quota': k8sEnv(QUOTA_NS),
    'k8s-run': k8sEnv(NS, { driver: { labels: { [OUTCOME]: 'run' } } }),
    // No Prometheus Operator in this cluster: its ServiceMonitor kind is not served.
    'k8s-servicemonitor': k8sEnv(NS, {
      monitoring: {
        exposeDriverMetrics: true,
        port: 8090,
        jmxExporterJar: '/prometheus/jmx_prometheus_javaagent-0.17.0.jar',
        service: true,
        serviceMonitor: true,
      },
    }),
    'production-k8s': k8sEnv(PROD_NS, {
      driver: { labels: { [OUTCOME]: 'run' } },
      monitoring: {
        exposeDriverMetrics: true,
        port: 8090,
        jmxExporterJar: '/prometheus/jmx_prometheus_javaagent-0.17.0.jar',
        service: true,
      },
      networkPolicy: true,
    }),
  };
  for (const [name, env] of Object.entries(envs)) doc.setIn(['environments', name], doc.createNode(env));
  mkdirSync(join(ws, '.github'), { recursive: true });
  writeFileSync(join(ws, '.github/spark-deploy.yml'), doc.toString());
}

beforeAll(async () => {
  if (!cluster) return;
  kube = new Kube(cluster);
  for (const ns of [NS, PROD_NS, QUOTA_NS]) await kube.namespace(ns);
  await kube.apply(
    {
      apiVersion: 'v1',
      kind: 'ResourceQuota',
      metadata: { name: 'no-pods', namespace: QUOTA_NS },
      spec: { hard: { pods: '0' } },
    },
    // The workflow identity: a ServiceAccount bound to cluster-admin (the RBAC test uses a narrower one).
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'deployer', namespace: NS } },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: `e2e-deployer-${SUFFIX}` },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
      subjects: [{ kind: 'ServiceAccount', name: 'deployer', namespace: NS }],
    },
  );
  ws = mkdtempSync(join(tmpdir(), 'k8s-cluster-e2e-ws-'));
  mkdirSync(join(ws, 'configs'));
  for (const f of readdirSync(join(example, 'configs')))
    copyFileSync(join(example, 'configs', f), join(ws, 'configs', f));
  writeConfig();
  mkdirSync(join(ws, 'target/scala-2.12'), { recursive: true });
  writeZip(join(ws, JAR), goodEntries());
  const kc = await kube.tokenKubeconfig(NS, 'deployer');
  token = kc.token;
  kubeconfig = join(ws, '..', `${ws.split('/').pop()}-kubeconfig.yaml`);
  writeFileSync(kubeconfig, kc.yaml);
});

afterAll(async () => {
  if (!cluster) return;
  await kube.deleteNamespaces([NS, PROD_NS, QUOTA_NS]);
  await kube.kubectl(['delete', 'clusterrolebinding', `e2e-deployer-${SUFFIX}`, '--ignore-not-found']);
  for (const d of [ws, ...runs.map((r) => r.dir)]) if (d) rmSync(d, { recursive: true, force: true });
  if (kubeconfig) rmSync(kubeconfig, { force: true });
});

const managedBy = (o: K8sObject | undefined) =>
  (o?.metadata.managedFields ?? []).map(
    (f: { manager: string; operation: string }) => `${f.manager}/${f.operation}`,
  );

describe.skipIf(!hasCluster)(
  'kubernetes target through the bundled action (real control plane, real Spark Operator)',
  () => {
    test('staging deploy: applied server-side, run by the operator through spark-submit, watched to COMPLETED', async () => {
      const runId = '8001';
      const name = `etl-pipeline-staging-${SHORT}-${runId}`;
      const r = await action({}, { runId });
      expect(failure(r)).toBe('');
      expect(r.code).toBe(0);
      expect(r.outputs).toMatchObject({ target: 'kubernetes', 'submission-id': name, state: 'SUCCEEDED' });
      // spark-submit's own application id (the driver pod's spark-app-selector), as the operator reports it.
      expect(r.outputs['application-id']).toMatch(/^spark-[0-9a-f]{32}$/);
      expect(r.summary).toContain(`\`kubectl -n ${NS} port-forward svc/${name}-ui-svc 4040:4040\``);
      expect(r.summary).toMatch(/\| state \| SUCCEEDED \(native: COMPLETED\) \|/);

      const app = await kube.get('sparkapplications', NS, name);
      expect(app?.status.applicationState.state).toBe('COMPLETED');
      expect(app?.status.sparkApplicationId).toBe(r.outputs['application-id']);
      // The action's field manager applied; the operator wrote the status subresource under its own.
      expect(managedBy(app)).toContain('spark-deploy-action/Apply');
      expect(managedBy(app).some((m: string) => m !== 'spark-deploy-action/Apply')).toBe(true);
      expect(app?.metadata.labels).toMatchObject({
        'app.kubernetes.io/managed-by': 'spark-deploy-action',
        'spark-deploy-action/commit': SHA,
        'spark-deploy-action/environment': 'staging',
      });
      // The driver pod spark-submit created: owned by the app, run by kwok to Succeeded.
      const pod = await kube.get('pods', NS, `${name}-driver`);
      expect(pod?.status.phase).toBe('Succeeded');
      expect(pod?.spec.serviceAccountName).toBe('spark-driver-sa');
      expect(pod?.spec.containers[0].image).toBe(IMAGE);
    });

    test('a second run of the same commit, a re-run attempt and the same attempt again each start a new SparkApplication', async () => {
      const first = `etl-pipeline-staging-${SHORT}-8001`;
      const secondName = `etl-pipeline-staging-${SHORT}-8002`;
      const before = await kube.get('sparkapplications', NS, first);
      expect(before?.status.applicationState.state).toBe('COMPLETED');
      const second = await action({}, { runId: '8002' });
      expect(second.code).toBe(0);
      expect(second.outputs['submission-id']).toBe(secondName);
      const rerun = await action({}, { runId: '8001', env: { GITHUB_RUN_ATTEMPT: '2' } });
      expect(rerun.code).toBe(0);
      expect(rerun.outputs['submission-id']).toBe(`${first}-2`);
      const apps = await Promise.all(
        [first, secondName, `${first}-2`].map((n) => kube.get('sparkapplications', NS, n)),
      );
      expect(apps.map((a) => a?.status.applicationState.state)).toEqual([
        'COMPLETED',
        'COMPLETED',
        'COMPLETED',
      ]);
      expect(new Set(apps.map((a) => a?.metadata.uid)).size).toBe(3);
      // The first run's object was left as it was (not re-applied, so not re-run by the operator).
      expect(apps[0]?.metadata.resourceVersion).toBe(before?.metadata.resourceVersion);
      // The same run attempt deploying again: the finished app is re-created, and run again by the operator.
      const again = await action({}, { runId: '8002' });
      expect(again.code).toBe(0);
      expect(again.stdout).toMatch(/already ran in this workflow run attempt \(COMPLETED\)/);
      const recreated = await kube.get('sparkapplications', NS, secondName);
      expect(recreated?.metadata.uid).not.toBe(apps[1]?.metadata.uid);
      expect(recreated?.status.applicationState.state).toBe('COMPLETED');
      expect(again.outputs['application-id']).not.toBe(second.outputs['application-id']);
    });

    test('an exec auth plugin in the kubeconfig (as aws eks get-token) supplies the bearer token', async () => {
      const credential = JSON.stringify({
        apiVersion: 'client.authentication.k8s.io/v1beta1',
        kind: 'ExecCredential',
        status: { token },
      });
      const doc = parseDocument(kubeconfigFor(cluster as LocalK8s, 'not-a-token'));
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
      const file = `${kubeconfig}.exec.yaml`;
      writeFileSync(file, doc.toString());
      try {
        const r = await action({ command: 'status', stages: '' }, { env: { KUBECONFIG: file } });
        expect(failure(r)).toBe('');
        expect(r.code).toBe(0);
        expect(r.outputs['submission-id']).toMatch(new RegExp(`^etl-pipeline-staging-${SHORT}-\\d+`));
        expect(r.outputs.state).toBe('SUCCEEDED');
      } finally {
        rmSync(file, { force: true });
      }
    });

    // Each scenario: the environment whose driver lives that life, the run id, what the error and the summary
    // say, the headline, and the state output.
    const scenarios: [string, string, RegExp[], RegExp, string][] = [
      [
        'k8s-fail',
        '8101',
        [
          // The driver log's exception leads; the container's exit follows.
          /ended FAILED \(FAILED\): IllegalStateException: input path s3a:\/\/bucket\/in does not exist/,
          /FAILED: driver container failed with ExitCode: 3, Reason: Error/,
          /driver pod etl-pipeline-k8s-fail-c0ffee0-8101-driver: spark-kubernetes-driver terminated: Error, exit code 3/,
        ],
        /IllegalStateException: input path s3a:\/\/bucket\/in does not exist/,
        'FAILED',
      ],
      [
        'k8s-oom',
        '8102',
        [
          /ended FAILED \(FAILED\): driver container failed with ExitCode: 137, Reason: OOMKilled/,
          /terminated: OOMKilled, exit code 137 — the driver ran out of memory/,
        ],
        /ExitCode: 137, Reason: OOMKilled/,
        'FAILED',
      ],
      [
        'k8s-image-pull',
        '8103',
        [
          /was still PENDING \(SUBMITTED\); cancelled/,
          /waiting: ImagePullBackOff \(Back-off pulling image "registry\.invalid\/acme\/etl-pipeline@sha256:(0d){32}"\)/,
          /the image cannot be pulled/,
        ],
        /timed out after .*: ImagePullBackOff: Back-off pulling image "registry\.invalid\/acme\/etl-pipeline@sha256:(0d){32}"/,
        'PENDING',
      ],
      [
        'k8s-unschedulable',
        '8104',
        [
          /was still PENDING \(SUBMITTED\); cancelled/,
          /-driver is Unschedulable: 0\/1 nodes are available: 1 Insufficient cpu/,
        ],
        /timed out after .*: Unschedulable: 0\/1 nodes are available: 1 Insufficient cpu/,
        'PENDING',
      ],
      [
        'k8s-quota',
        '8105',
        [
          /ended FAILED \(FAILED\): failed to submit spark application: failed to run spark-submit: .*pods "etl-pipeline-k8s-quota-c0ffee0-8105-driver" is forbidden: exceeded quota: no-pods/,
        ],
        /failed to run spark-submit/,
        'FAILED',
      ],
    ];
    // Concurrently (the stuck ones wait out their minute together), each with its own expect.
    test.concurrent.for(scenarios)(
      'failure: %s is diagnosed from the real pod and events',
      async ([environment, runId, expected, headline, state], { expect }) => {
        const name = `etl-pipeline-${environment}-${SHORT}-${runId}`;
        const stuck = state === 'PENDING';
        if (environment === 'k8s-fail') {
          // kwok serves this file as the driver container's log (the API server's pods/log, through the node).
          const logFile = join(ws, '..', `${ws.split('/').pop()}-driver.log`);
          writeFileSync(logFile, DRIVER_LOG);
          await kube.apply({
            apiVersion: 'kwok.x-k8s.io/v1alpha1',
            kind: 'Logs',
            metadata: { name: `${name}-driver`, namespace: NS },
            spec: { logs: [{ containers: ['spark-kubernetes-driver'], logsFile: logFile }] },
          });
        }
        const r = await action({ environment, ...(stuck ? { 'timeout-minutes': '1' } : {}) }, { runId });
        expect(r.code, r.stdout).toBe(1);
        const error = failure(r);
        for (const re of expected) {
          expect(error).toMatch(re);
          expect(r.summary).toMatch(re);
        }
        expect(error.split('\n')[0]).toMatch(headline);
        expect(r.outputs['submission-id']).toBe(name);
        expect(r.outputs.state).toBe(state);
        const namespace = environment === 'k8s-quota' ? QUOTA_NS : NS;
        // Each problem is said once, though the scheduler records its message as several events.
        expect(new Set(error.split('\n')).size).toBe(error.split('\n').length);
        if (stuck) {
          // Deleted when the wait gave up (cancel-on-abort); the garbage collector takes its driver pod.
          expect(await kube.get('sparkapplications', namespace, name)).toBeUndefined();
          await expect
            .poll(() => kube.get('pods', namespace, `${name}-driver`), { timeout: 20_000 })
            .toBeUndefined();
        } else {
          const app = await kube.get('sparkapplications', namespace, name);
          expect(app?.status.applicationState.state).toBe('FAILED');
        }
      },
    );

    test('abort: SIGTERM while the app RUNS deletes the SparkApplication; its driver pod goes by garbage collection', async () => {
      const runId = '8201';
      const name = `etl-pipeline-k8s-run-${SHORT}-${runId}`;
      const ctl = new AbortController();
      let out = '';
      let stateAtAbort: string | undefined;
      const r = await action(
        { environment: 'k8s-run' },
        {
          runId,
          signal: ctl.signal,
          onOutput: (t) => {
            out += t;
            if (/state: RUNNING \(RUNNING\)/.test(out) && !ctl.signal.aborted) {
              stateAtAbort = 'RUNNING';
              ctl.abort();
            }
          },
        },
      );
      expect(stateAtAbort).toBe('RUNNING');
      expect(r.code).toBe(1);
      expect(failure(r)).toMatch(new RegExp(`cancelled ${name} \\(cancel-on-abort\\)`));
      expect(r.outputs.state).toBe('CANCELLED');
      expect(await kube.get('sparkapplications', NS, name)).toBeUndefined();
      await expect.poll(() => kube.get('pods', NS, `${name}-driver`), { timeout: 20_000 }).toBeUndefined();
      await expect
        .poll(() => kube.get('services', NS, `${name}-ui-svc`), { timeout: 20_000 })
        .toBeUndefined();
    });

    test('abort with cancel-on-abort: false leaves the app running; command cancel then stops it', async () => {
      const runId = '8202';
      const name = `etl-pipeline-k8s-run-${SHORT}-${runId}`;
      const ctl = new AbortController();
      let out = '';
      const r = await action(
        { environment: 'k8s-run', 'cancel-on-abort': 'false' },
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
      expect(r.post.code).toBe(0);
      expect((await kube.get('sparkapplications', NS, name))?.status.applicationState.state).toBe('RUNNING');
      const c = await action({ command: 'cancel', environment: 'k8s-run', stages: '' });
      expect(failure(c)).toBe('');
      expect(c.code).toBe(0);
      expect(c.summary).toMatch(new RegExp(`\\| \`${name}\` \\| RUNNING \\(RUNNING\\).*\\| cancelled \\|`));
      expect(await kube.get('sparkapplications', NS, name)).toBeUndefined();
      await expect.poll(() => kube.get('pods', NS, `${name}-driver`), { timeout: 20_000 }).toBeUndefined();
    });

    test('post step: a SparkApplication left by a main step that died (handle saved, not finished) is deleted', async () => {
      const runId = '8301';
      const name = `etl-pipeline-k8s-run-${SHORT}-${runId}`;
      const r = await action({ environment: 'k8s-run', wait: 'false' }, { runId });
      expect(r.code).toBe(0);
      expect(JSON.parse(r.state.handle ?? '{}')).toMatchObject({ target: 'kubernetes', submissionId: name });
      await expect
        .poll(async () => (await kube.get('sparkapplications', NS, name))?.status?.applicationState?.state, {
          timeout: 60_000,
        })
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
        INPUT_ENVIRONMENT: 'k8s-run',
        ...Object.fromEntries(Object.entries(r.state).map(([k, v]) => [`STATE_${k}`, v])),
        STATE_finished: 'false',
      };
      for (const k of ['GITHUB_OUTPUT', 'GITHUB_STATE', 'GITHUB_STEP_SUMMARY'])
        env[k] = join(r.dir, `post-${k}`);
      const post = spawnSync(actionNode(), [join(repo, 'dist/post/index.js')], { env, encoding: 'utf8' });
      const out = post.stdout + post.stderr;
      expect(out.replaceAll(`::add-mask::${token}`, '')).not.toContain(token);
      expect(post.status).toBe(0);
      expect(out).toContain(
        `post: cancelled kubernetes submission ${name} left running by an interrupted step`,
      );
      expect(await kube.get('sparkapplications', NS, name)).toBeUndefined();
      await expect.poll(() => kube.get('pods', NS, `${name}-driver`), { timeout: 20_000 }).toBeUndefined();
    });

    test('cleanup with preview 7 removes exactly preview 7 (app and owned objects, by garbage collection); preview 8 stays', async () => {
      const deploy = (preview?: string) =>
        action({ environment: 'production-k8s', wait: 'false', ...(preview ? { preview } : {}) });
      const deployed = [await deploy('7'), await deploy('8')];
      for (const r of deployed) {
        expect(failure(r)).toBe('');
        expect(r.code).toBe(0);
      }
      const byPreview = async (p: string) =>
        (await kube.list('sparkapplications', PROD_NS, `spark-deploy-action/preview=${p}`)).map(
          (a) => a.metadata,
        );
      const [pr7] = await byPreview('7');
      expect(pr7?.name).toMatch(/^etl-pipeline-production-k8s-pr-7-/);
      // Wait until the operator ran it: the driver pod and UI service it made are owned by the app too.
      await expect
        .poll(async () => (await kube.get('pods', PROD_NS, `${pr7?.name}-driver`))?.status.phase, {
          timeout: 60_000,
        })
        .toBe('Running');
      const ownedBy = async (uid: string) => {
        const all: K8sObject[] = [];
        for (const res of ['services', 'networkpolicies', 'pods', 'configmaps'])
          all.push(...(await kube.list(res, PROD_NS)));
        return all
          .filter((o) => (o.metadata.ownerReferences ?? []).some((ref: { uid: string }) => ref.uid === uid))
          .map((o) => `${o.kind}/${o.metadata.name}`);
      };
      const owned = await ownedBy(pr7?.uid);
      expect(owned).toContain(`Pod/${pr7?.name}-driver`);
      expect(owned.map((o) => o.split('/')[0])).toEqual(expect.arrayContaining(['NetworkPolicy', 'Service']));

      const r = await action({ command: 'cleanup', environment: 'production-k8s', preview: '7', stages: '' });
      expect(failure(r)).toBe('');
      expect(r.code).toBe(0);
      expect(await byPreview('7')).toEqual([]);
      await expect.poll(async () => (await ownedBy(pr7?.uid)).length, { timeout: 30_000 }).toBe(0);
      expect(await byPreview('8')).toHaveLength(1);
    });

    test('RBAC: a token allowed only to read sparkapplications in its namespace is told the verb and resource it lacks', async () => {
      await kube.apply(
        { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'reader', namespace: NS } },
        {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'Role',
          metadata: { name: 'sparkapplications-read', namespace: NS },
          rules: [
            {
              apiGroups: ['sparkoperator.k8s.io'],
              resources: ['sparkapplications'],
              verbs: ['get', 'list', 'watch'],
            },
          ],
        },
        {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'RoleBinding',
          metadata: { name: 'reader', namespace: NS },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'sparkapplications-read' },
          subjects: [{ kind: 'ServiceAccount', name: 'reader', namespace: NS }],
        },
      );
      const limited = await kube.tokenKubeconfig(NS, 'reader');
      const file = `${kubeconfig}.reader.yaml`;
      writeFileSync(file, limited.yaml);
      try {
        const r = await action({}, { runId: '8401', env: { KUBECONFIG: file } });
        expect(r.code).toBe(1);
        const error = failure(r);
        expect(error).toMatch(/\(403 Forbidden\)/);
        expect(error).toContain(
          `cannot patch resource "sparkapplications" in API group "sparkoperator.k8s.io" in the namespace "${NS}"`,
        );
        expect(error).toContain(`system:serviceaccount:${NS}:reader`);
        expect(error).toMatch(/grant the workflow identity RBAC for sparkapplications/);
        expect(await kube.get('sparkapplications', NS, `etl-pipeline-staging-${SHORT}-8401`)).toBeUndefined();
        // The runner's add-mask line is the token's one appearance.
        for (const t of [r.stdout.replaceAll(`::add-mask::${limited.token}`, ''), r.stderr, r.summary])
          expect(t).not.toContain(limited.token);
      } finally {
        rmSync(file, { force: true });
      }
    });

    test('a ServiceMonitor without the Prometheus Operator CRD: the error names that CRD and the setting; no half deployment is left', async () => {
      const name = `etl-pipeline-k8s-servicemonitor-${SHORT}-8601`;
      const r = await action({ environment: 'k8s-servicemonitor', wait: 'false' }, { runId: '8601' });
      expect(r.code).toBe(1);
      expect(failure(r)).toMatch(
        /applying ServiceMonitor .*-metrics failed \(404\): 404 page not found — is the Prometheus Operator \(its ServiceMonitor CRD, monitoring\.coreos\.com\/v1\) installed in this cluster\? If not, set kubernetes\.monitoring\.serviceMonitor: false/,
      );
      // The SparkApplication applied before it is deleted again; the Service it owns goes with it.
      expect(failure(r)).toContain(`SparkApplication ${NS}/${name} was deleted again`);
      expect(await kube.get('sparkapplications', NS, name)).toBeUndefined();
      await expect
        .poll(() => kube.get('services', NS, `${name}-metrics`), { timeout: 30_000 })
        .toBeUndefined();
    });

    test('faults the real server will not make on demand (a 500 once, a reset connection, a watch ended by 410 Gone) are survived', async () => {
      const proxy = await new FaultProxy((cluster as LocalK8s).api, (cluster as LocalK8s).pki).start();
      const file = `${kubeconfig}.proxy.yaml`;
      writeFileSync(file, kubeconfigFor(cluster as LocalK8s, token, proxy.url));
      const apps = '/apis/sparkoperator.k8s.io/v1beta2/namespaces/';
      proxy.arm((m, p) => m === 'PATCH' && p.includes(apps), { kind: 'status', code: 500 });
      proxy.arm((m, p) => m === 'GET' && p.includes(apps) && !p.includes('watch=true'), { kind: 'reset' });
      proxy.arm((m, p) => m === 'GET' && p.includes(apps) && p.includes('watch=true'), { kind: 'gone' });
      try {
        const r = await action({}, { runId: '8501', env: { KUBECONFIG: file } });
        expect(failure(r)).toBe('');
        expect(r.code).toBe(0);
        expect(r.outputs.state).toBe('SUCCEEDED');
        expect(
          proxy.seen
            .filter((q) => q.fault)
            .map((q) => q.fault)
            .sort(),
        ).toEqual(['gone', 'reset', 'status']);
        // The apply was repeated after the 500, and the watch re-established after the 410.
        expect(
          proxy.seen.filter((q) => q.method === 'PATCH' && q.path.includes(apps)).length,
        ).toBeGreaterThanOrEqual(2);
        expect(proxy.seen.filter((q) => q.path.includes('watch=true')).length).toBeGreaterThanOrEqual(2);
      } finally {
        await proxy.stop();
        rmSync(file, { force: true });
      }
    });

    test('the ServiceAccount token appears in no output of any run', () => {
      expect(runs.length).toBeGreaterThanOrEqual(5);
      for (const r of runs) {
        const texts = [
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
        for (const t of texts) expect(t).not.toContain(token);
      }
    });
  },
);
