// The shared setup of the kubernetes-cluster-* end-to-end files, which run the BUNDLED action against the
// REAL control plane of scripts/local-k8s.sh: each file works in namespaces of its own (deleted at the end),
// with the deployer ServiceAccount's token from the TokenRequest API, a workspace holding examples/etl-app's
// config plus environments whose driver labels choose the pods' lives (scripts/local-k8s/stages.yaml), and a
// JAR. kube, ws, kubeconfig and token are set by useLocalCluster's beforeAll: the tests read them through ES
// module live bindings, so they see the values once the hook has run.
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
import { afterAll, beforeAll, expect } from 'vitest';
import { parseDocument } from 'yaml';
import { component } from './components.js';
import { goodEntries } from './jar-fixtures.js';
import { type K8sObject, Kube, localK8s } from './local-k8s.js';
import { type ActionRun, type ActionRunOptions, runAction } from './run-action.js';
import { writeZip } from './zip-writer.js';

export const repo = resolve(import.meta.dirname, '../..');
const example = join(repo, 'examples/etl-app');
export const cluster = localK8s();
export const hasCluster = component(
  'the local Kubernetes control plane',
  () => cluster !== undefined,
  'start it with scripts/local-k8s.sh start',
);

const SUFFIX = randomBytes(3).toString('hex');
export const SHA = 'c0ffee0123456789abcdef0123456789abcdef01';
export const SHORT = SHA.slice(0, 7);
export const IMAGE = `ghcr.io/acme/etl-pipeline@sha256:${'5e'.repeat(32)}`;
// kwok's stages leave any image under registry.invalid/ in ImagePullBackOff.
const MISSING_IMAGE = `registry.invalid/acme/etl-pipeline@sha256:${'0d'.repeat(32)}`;
export const NS = `data-pipelines-${SUFFIX}`;
export const PROD_NS = `data-pipelines-prod-${SUFFIX}`;
export const QUOTA_NS = `data-pipelines-quota-${SUFFIX}`;
export const JAR = 'target/scala-2.12/etl-pipeline-assembly-1.0.0.jar';
const OUTCOME = 'spark-deploy-action.test/outcome';

export let kube: Kube;
export let ws: string;
export let kubeconfig: string;
export let token: string;
export const runs: ActionRun[] = [];
let runSeq = 0;

export async function action(
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

/**
 * useLocalCluster registers the file's hooks: its namespaces (one with a ResourceQuota of 0 pods), the
 * deployer ServiceAccount bound to cluster-admin and its token's kubeconfig, the workspace with the config
 * and the JAR; afterwards all of it is deleted again.
 */
export function useLocalCluster(): void {
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
}

export const managedBy = (o: K8sObject | undefined) =>
  (o?.metadata.managedFields ?? []).map(
    (f: { manager: string; operation: string }) => `${f.manager}/${f.operation}`,
  );

/** expectTokenInNoRun checks that the deployer's token appears in no output of any run of this file. */
export function expectTokenInNoRun(): void {
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
}
