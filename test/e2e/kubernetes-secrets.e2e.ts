// Credentials on the real local control plane (scripts/local-k8s.sh: kube-apiserver, garbage collector, the
// Spark Operator running the real spark-submit, no webhook), through the BUNDLED action:
// - canaries in every door of a Kubernetes run (a `{ fromEnv }` env value, the registry password of the image
//   stage, the ServiceAccount token, the GitHub token), printed back by a failing driver (its log, served by
//   kwok through the real pods/log): none leaves the action; the value lives only in the run's Secret, owned
//   by the SparkApplication (collected with it), and the driver pod spark-submit created reads it by
//   secretKeyRef;
// - `command: render` for GitOps: the Secret without data and a SparkApplication that, applied as the file is
//   once the user created the Secret from their store, runs to COMPLETED with the value in the pod by reference.
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { canary, leaks } from '../helpers/canary.js';
import { component, httpOk } from '../helpers/components.js';
import { startFakeGitHub } from '../helpers/fake-github.js';
import { goodEntries } from '../helpers/jar-fixtures.js';
import { type K8sObject, Kube, localK8s } from '../helpers/local-k8s.js';
import { LOCAL_AUTH, LOCAL_AUTH_REGISTRY, pushSyntheticBase } from '../helpers/registry.js';
import { type ActionRun, failure, runAction } from '../helpers/run-action.js';
import { writeZip } from '../helpers/zip-writer.js';

const cluster = localK8s();
const ready = component(
  'the local Kubernetes control plane and the local registries',
  () => cluster !== undefined && httpOk(`http://${LOCAL_AUTH_REGISTRY}/v2/`),
  'start them with scripts/local-k8s.sh start and scripts/local-registry.sh start',
);

const SUFFIX = randomBytes(3).toString('hex');
const NS = `secrets-e2e-${SUFFIX}`;
const SHA = 'feedface0123456789abcdef0123456789abcdef';
const SHORT = SHA.slice(0, 7);
const JAR = 'target/scala-2.12/etl-assembly-1.0.0.jar';
const PREBUILT = `ghcr.io/acme/etl@sha256:${'7a'.repeat(32)}`;
const REPO = `${LOCAL_AUTH_REGISTRY}/e2e/k8s-secrets-${SUFFIX}`;
const OUTCOME = 'spark-deploy-action.test/outcome';
const DB = canary('k8s-env');
const GH = `ghs_${canary('github').replaceAll('-', '')}`;
const REGISTRY_BASIC = Buffer.from(`${LOCAL_AUTH.username}:${LOCAL_AUTH.password}`).toString('base64');

let kube: Kube;
let ws: string;
let kubeconfig: string;
let token: string;
const runs: ActionRun[] = [];

function config(base: string): string {
  return `version: 1
defaults:
  target: kubernetes
  app: { name: "etl-{{environment}}", mainClass: com.etl.Main, configFile: configs/e2e.json }
  spark: { version: 3.5.6 }
  kubernetes:
    namespace: ${NS}
    serviceAccount: spark-driver-sa
    restartPolicy: { type: Never }
    driver:
      env: { TZ: UTC, DB_PASSWORD: { fromEnv: CANARY_DB } }
    executor:
      env: { DB_PASSWORD: { fromEnv: CANARY_DB } }
environments:
  canary:
    image:
      builder: oci
      repository: ${REPO}
      base: ${base}
      registryAuth: { username: ${LOCAL_AUTH.username}, password: { fromEnv: E2E_REGISTRY_PASSWORD } }
    kubernetes:
      driver: { labels: { ${OUTCOME}: fail, spark-deploy-action.test/exit-code: "3" } }
  gitops:
    kubernetes: { image: "${PREBUILT}" }
`;
}

async function action(
  inputs: Record<string, string>,
  runId: string,
  env: Record<string, string> = {},
): Promise<ActionRun> {
  const r = await runAction({
    workspace: ws,
    inputs: { jar: JAR, 'timeout-minutes': '2', ...inputs },
    env: { KUBECONFIG: kubeconfig, GITHUB_SHA: SHA, GITHUB_RUN_ID: runId, GITHUB_RUN_ATTEMPT: '1', ...env },
    onOutput: (t) => {
      if (process.env.K8S_E2E_ECHO) process.stderr.write(t);
    },
  });
  runs.push(r);
  return r;
}

/** documentedRbac is the Role and RoleBinding of docs/targets.md's "RBAC for the deploying identity". */
function documentedRbac(): K8sObject[] {
  const doc = readFileSync(join(import.meta.dirname, '../../docs/targets.md'), 'utf8');
  const section = doc.slice(doc.indexOf('### RBAC for the deploying identity'));
  const yaml = /```yaml\n([\s\S]*?)\n```/.exec(section)?.[1] ?? '';
  const objects = parseAllDocuments(yaml).map((d) => d.toJS() as K8sObject);
  expect(objects.map((o) => o.kind)).toEqual(['Role', 'RoleBinding']);
  return objects;
}

const secretEnv = (pod: K8sObject | undefined) =>
  (pod?.spec.containers[0].env ?? []) as { name: string; value?: string; valueFrom?: unknown }[];

beforeAll(async () => {
  if (!cluster) return;
  kube = new Kube(cluster);
  await kube.namespace(NS);
  // The deploying identity gets exactly the Role docs/targets.md tells users to create.
  await kube.apply(
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'deployer', namespace: NS } },
    ...documentedRbac().map((o) => ({
      ...o,
      metadata: { ...o.metadata, namespace: NS },
      ...(o.kind === 'RoleBinding'
        ? { subjects: [{ kind: 'ServiceAccount', name: 'deployer', namespace: NS }] }
        : {}),
    })),
  );
  const kc = await kube.tokenKubeconfig(NS, 'deployer');
  token = kc.token;
  ws = mkdtempSync(join(tmpdir(), 'k8s-secrets-e2e-ws-'));
  kubeconfig = join(ws, '..', `${ws.split('/').pop()}-kubeconfig.yaml`);
  writeFileSync(kubeconfig, kc.yaml);
  const base = await pushSyntheticBase({
    registry: LOCAL_AUTH_REGISTRY,
    repo: `e2e/k8s-secrets-base-${SUFFIX}`,
    credentials: LOCAL_AUTH,
  });
  mkdirSync(join(ws, '.github'));
  mkdirSync(join(ws, 'configs'));
  writeFileSync(join(ws, 'configs/e2e.json'), '{ "input": "in", "output": "out" }\n');
  writeFileSync(join(ws, '.github/spark-deploy.yml'), config(base.reference));
  mkdirSync(join(ws, 'target/scala-2.12'), { recursive: true });
  writeZip(join(ws, JAR), goodEntries());
});

afterAll(async () => {
  if (!cluster) return;
  await kube.deleteNamespaces([NS]);
  for (const d of [ws, ...runs.map((r) => r.dir)]) if (d) rmSync(d, { recursive: true, force: true });
  if (kubeconfig) rmSync(kubeconfig, { force: true });
});

describe.skipIf(!ready)('Kubernetes credentials on the real control plane (bundled action)', () => {
  test('canaries in every door, printed back by a failing driver, leave the action nowhere; the value is in the owned Secret and reaches the pod by reference', async () => {
    const runId = '9101';
    const name = `etl-canary-${SHORT}-${runId}`;
    // The driver prints its environment and fails with the password in its message, as careless apps do.
    const logFile = join(ws, '..', `${ws.split('/').pop()}-driver.log`);
    writeFileSync(
      logFile,
      [
        '26/01/01 12:00:00 INFO SparkContext: Running Spark version 3.5.6',
        `DB_PASSWORD=${DB}`,
        `Exception in thread "main" java.sql.SQLException: login failed for etl with password ${DB}`,
        '\tat com.etl.Main$.main(Main.scala:12)',
      ]
        .map((l) => `2026-01-01T12:00:00.000000000Z stderr F ${l}\n`)
        .join(''),
    );
    await kube.apply({
      apiVersion: 'kwok.x-k8s.io/v1alpha1',
      kind: 'Logs',
      metadata: { name: `${name}-driver`, namespace: NS },
      spec: { logs: [{ containers: ['spark-kubernetes-driver'], logsFile: logFile }] },
    });
    const github = await startFakeGitHub();
    try {
      const r = await action(
        { stages: 'verify,image,deploy', environment: 'canary', 'github-token': GH },
        runId,
        {
          CANARY_DB: DB,
          E2E_REGISTRY_PASSWORD: LOCAL_AUTH.password,
          GITHUB_API_URL: github.url,
          GITHUB_REPOSITORY: 'acme/etl',
          GITHUB_SERVER_URL: 'https://github.com',
        },
      );
      expect(r.code, r.stdout).toBe(1);
      expect(failure(r).split('\n')[0]).toMatch(
        /ended FAILED \(FAILED\): java\.sql\.SQLException: login failed for etl with password \*\*\*/,
      );
      expect(r.summary).toContain('DB_PASSWORD=***');
      expect(r.outputs.image).toMatch(new RegExp(`^${REPO.replaceAll('.', '\\.')}@sha256:[0-9a-f]{64}$`));
      expect(github.requests.length).toBeGreaterThan(0);
      expect(github.violations).toEqual([]);
      const doors = [DB, GH, token, LOCAL_AUTH.password, REGISTRY_BASIC];
      const bodies = github.requests.map((q) => JSON.stringify(q.body ?? null));
      expect(leaks(r, doors, bodies)).toEqual([]);

      // In the cluster: the spec names the Secret's keys, never the value.
      const app = await kube.get('sparkapplications', NS, name);
      expect(app?.status.applicationState.state).toBe('FAILED');
      expect(JSON.stringify(app)).not.toContain(DB);
      expect(app?.spec.driver.envVars).toEqual({ TZ: 'UTC' });
      expect(app?.spec.driver.envSecretKeyRefs).toEqual({
        DB_PASSWORD: { name: `${name}-secrets`, key: 'driver.DB_PASSWORD' },
      });
      expect(app?.spec.executor.envSecretKeyRefs).toEqual({
        DB_PASSWORD: { name: `${name}-secrets`, key: 'executor.DB_PASSWORD' },
      });
      const secret = await kube.get('secrets', NS, `${name}-secrets`);
      const data = secret?.data as Record<string, string>;
      expect(Buffer.from(data['driver.DB_PASSWORD'] ?? '', 'base64').toString()).toBe(DB);
      expect(Buffer.from(data['executor.DB_PASSWORD'] ?? '', 'base64').toString()).toBe(DB);
      expect(secret?.metadata.ownerReferences).toEqual([
        expect.objectContaining({ kind: 'SparkApplication', name, uid: app?.metadata.uid }),
      ]);
      // The driver pod the real spark-submit created (no webhook here): the value by reference only.
      const pod = await kube.get('pods', NS, `${name}-driver`);
      expect(pod?.spec.containers[0].image).toBe(r.outputs.image);
      expect(secretEnv(pod)).toContainEqual({
        name: 'DB_PASSWORD',
        valueFrom: { secretKeyRef: { name: `${name}-secrets`, key: 'driver.DB_PASSWORD' } },
      });
      expect(secretEnv(pod)).toContainEqual({ name: 'TZ', value: 'UTC' });
      expect(JSON.stringify(pod)).not.toContain(DB);

      // Deleting the app takes its Secret with it (the garbage collector, through the ownerReference).
      await kube.kubectl(['delete', 'sparkapplication', name, '-n', NS, '--wait=false']);
      await expect
        .poll(() => kube.get('secrets', NS, `${name}-secrets`), { timeout: 30_000 })
        .toBeUndefined();
    } finally {
      await github.close();
      rmSync(logFile, { force: true });
    }
  });

  test('render for GitOps: the Secret without data; applied as written once the user created the Secret, it runs to COMPLETED with the value by reference', async () => {
    const r = await action({ command: 'render', stages: 'verify,deploy', environment: 'gitops' }, '9201', {
      CANARY_DB: DB,
    });
    expect(failure(r)).toBe('');
    expect(r.code).toBe(0);
    const file = r.outputs['manifest-path'] as string;
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain(DB);
    expect(text).not.toContain('***');
    const docs = parseAllDocuments(text).map((d) => d.toJS() as K8sObject);
    expect(docs.map((d) => d.kind)).toEqual(['Secret', 'SparkApplication']);
    const [secret, app] = docs as [K8sObject, K8sObject];
    expect(secret.data).toBeUndefined();
    const name = app.metadata.name as string;
    expect(app.spec.driver.envSecretKeyRefs.DB_PASSWORD).toEqual({
      name: secret.metadata.name,
      key: 'driver.DB_PASSWORD',
    });

    // The user's secret store fills the Secret (here: kubectl create), then the file is applied as it is.
    await kube.kubectl([
      'create',
      'secret',
      'generic',
      secret.metadata.name,
      '-n',
      NS,
      `--from-literal=driver.DB_PASSWORD=${DB}`,
      `--from-literal=executor.DB_PASSWORD=${DB}`,
    ]);
    await kube.kubectl(['apply', '--server-side', '--field-manager', 'gitops', '-f', file]);
    await expect
      .poll(async () => (await kube.get('sparkapplications', NS, name))?.status?.applicationState?.state, {
        timeout: 90_000,
        interval: 1_000,
      })
      .toBe('COMPLETED');
    const stored = await kube.get('secrets', NS, secret.metadata.name);
    expect(Buffer.from(stored?.data['driver.DB_PASSWORD'] ?? '', 'base64').toString()).toBe(DB);
    const pod = await kube.get('pods', NS, `${name}-driver`);
    expect(pod?.status.phase).toBe('Succeeded');
    expect(secretEnv(pod)).toContainEqual({
      name: 'DB_PASSWORD',
      valueFrom: { secretKeyRef: { name: secret.metadata.name, key: 'driver.DB_PASSWORD' } },
    });
    expect(pod?.spec.containers[0].image).toBe(PREBUILT);
  });
});
