// The Kubernetes target against the fake API server, through the real @kubernetes/client-node and a
// kubeconfig file in a temp dir.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { createKubernetesTarget } from '../../../src/targets/kubernetes/index.js';
import type { DeployPlan, Handle, Status } from '../../../src/targets/target.js';
import { FakeKubeApi, kubeconfigFor } from '../../helpers/fake-k8s-api.js';
import { RecordingLog } from '../standalone/fixtures.js';
import { artifact, makePlan, staging } from './fixtures.js';

const TOKEN = 'kube-bearer-token-must-not-leak-4711';
let api: FakeKubeApi;
let dir: string;
let log: RecordingLog;
const savedKubeconfig = process.env.KUBECONFIG;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'k8s-target-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  if (savedKubeconfig === undefined) delete process.env.KUBECONFIG;
  else process.env.KUBECONFIG = savedKubeconfig;
});
beforeEach(async () => {
  api = await new FakeKubeApi().start();
  api.token = TOKEN;
  const file = join(dir, `kubeconfig-${Date.now()}-${Math.random()}`);
  writeFileSync(file, kubeconfigFor(api.url, TOKEN));
  process.env.KUBECONFIG = file;
  log = new RecordingLog();
});
afterEach(async () => {
  await api.stop();
});

const target = (plan?: DeployPlan) =>
  createKubernetesTarget({ log, ...(plan ? { plan } : {}), resyncMs: 2000 });

async function run(plan: DeployPlan, t = target()): Promise<{ handle: Handle; statuses: Status[] }> {
  const handle = await t.submit(plan, artifact, new AbortController().signal);
  const statuses: Status[] = [];
  for await (const s of t.watch(handle, AbortSignal.timeout(15_000))) statuses.push(s);
  return { handle, statuses };
}

describe('kubernetes target against the fake API server', () => {
  test('a batch run is applied server-side, validated, and watched to COMPLETED', async () => {
    const plan = makePlan({ kubernetes: staging });
    // Steps slow enough that a loaded machine still starts the watch before the operator's second state.
    api.stepMs = 150;
    const { handle, statuses } = await run(plan);
    expect(handle.submissionId).toBe('etl-pipeline-staging-0123456-4242');
    // The operator may move past NEW before the watch's first read; every later state is seen in order.
    const full = ['NEW', 'SUBMITTED', 'RUNNING', 'SUCCEEDING', 'COMPLETED'];
    const seen = statuses.map((s) => s.nativeState);
    expect(seen.length).toBeGreaterThanOrEqual(full.length - 1);
    expect(seen).toEqual(full.slice(full.length - seen.length));
    expect(statuses.at(-1)).toMatchObject({ phase: 'SUCCEEDED', terminal: true });
    expect(statuses.at(-1)?.applicationId).toMatch(/^spark-/);
    const apply = api.requests.find((r) => r.method === 'PATCH');
    expect(apply).toMatchObject({
      path: '/apis/sparkoperator.k8s.io/v1beta2/namespaces/data-pipelines/sparkapplications/etl-pipeline-staging-0123456-4242',
      contentType: 'application/apply-patch+yaml',
      query: { fieldManager: 'spark-deploy-action', force: 'true' },
    });
    expect(api.requests.some((r) => r.query.watch === 'true')).toBe(true);
    expect(
      api.get('sparkapplications', 'data-pipelines', handle.submissionId)?.metadata.managedFields[0].manager,
    ).toBe('spark-deploy-action');
  });

  test('links: the exact port-forward command for the UI service; the ingress when configured', async () => {
    const t = target();
    const { handle } = await run(makePlan(), t);
    expect(t.links(handle)).toEqual({
      portForward:
        'kubectl -n data-pipelines port-forward svc/etl-pipeline-staging-0123456-4242-ui-svc 4040:4040',
    });
    const t2 = target();
    const { handle: h2 } = await run(
      makePlan({
        runId: '2',
        kubernetes: { ...staging, uiIngressUrl: 'spark.example.com/{{$appNamespace}}/{{$appName}}' },
      }),
      t2,
    );
    expect(t2.links(h2).sparkUi).toBe(
      'http://spark.example.com/data-pipelines/etl-pipeline-staging-0123456-2',
    );
  });

  test.each([
    ['fail', /driver container failed with ExitCode: 1, Reason: Error/],
    ['oom', /ExitCode: 137, Reason: OOMKilled[\s\S]*ran out of memory/],
    ['driver-missing', /driver pod not found/],
    ['submission-failed', /failed to submit spark application/],
  ] as const)('scenario %s ends FAILED with the diagnosis', async (scenario, message) => {
    api.defaultScenario = scenario;
    const { statuses } = await run(makePlan());
    const last = statuses.at(-1);
    expect(last).toMatchObject({ phase: 'FAILED', nativeState: 'FAILED', terminal: true });
    expect(last?.message).toMatch(message);
  });

  test('FAILING and SUBMISSION_FAILED are retried under the restart policy before a verdict', async () => {
    api.defaultScenario = 'fail-then-succeed';
    const { statuses } = await run(makePlan({ kubernetes: staging }));
    const states = statuses.map((s) => s.nativeState);
    expect(states).toContain('FAILING');
    expect(states).toContain('PENDING_RERUN');
    expect(states.at(-1)).toBe('COMPLETED');
    expect(statuses.filter((s) => s.terminal)).toHaveLength(1);
  });

  test.each([
    ['image-pull', /ImagePullBackOff.*cannot be pulled/],
    ['unschedulable', /Unschedulable: 0\/3 nodes are available: 3 Insufficient memory/],
  ] as const)('a stuck driver (%s) times out with the pod diagnosis', async (scenario, why) => {
    api.defaultScenario = scenario;
    const t = target();
    const handle = await t.submit(makePlan({ timeoutMs: 400 }), artifact, new AbortController().signal);
    const seen: Status[] = [];
    await expect(
      (async () => {
        for await (const s of t.watch(handle, AbortSignal.timeout(10_000))) seen.push(s);
      })(),
    ).rejects.toThrow(why);
    expect(seen.at(-1)?.nativeState).toBe('SUBMITTED');
  });

  test.each([
    ['image-pull', /was still SUBMITTED when the wait ended:\n.*ImagePullBackOff.*cannot be pulled/],
    ['unschedulable', /was still SUBMITTED when the wait ended:\n.*Unschedulable: 0\/3 nodes/],
  ] as const)(
    'a stuck driver (%s) is diagnosed when the caller deadline ends the wait',
    async (scenario, why) => {
      api.defaultScenario = scenario;
      const t = target();
      const handle = await t.submit(makePlan(), artifact, new AbortController().signal);
      const consume = async () => {
        for await (const _ of t.watch(handle, AbortSignal.timeout(400))) {
          // only the outcome matters
        }
      };
      await expect(consume()).rejects.toThrow(why);
    },
  );

  test('a cancel (not a deadline) ends the wait without a diagnosis', async () => {
    api.defaultScenario = 'image-pull';
    const t = target();
    const handle = await t.submit(makePlan(), artifact, new AbortController().signal);
    const ctl = new AbortController();
    setTimeout(() => ctl.abort(new Error('cancelled by SIGTERM')), 300);
    const consume = async () => {
      for await (const _ of t.watch(handle, ctl.signal)) {
        // only the outcome matters
      }
    };
    await expect(consume()).rejects.toThrow(/^cancelled by SIGTERM$/);
  });

  test.each(['fail', 'success'] as const)(
    'the watch stream is closed once the watch ends (%s), also when the reader stops early',
    async (scenario) => {
      api.defaultScenario = scenario;
      const t = target();
      await run(makePlan(), t);
      await expect.poll(() => api.openWatches, { timeout: 2000 }).toBe(0);
      api.defaultScenario = 'streaming';
      const handle = await t.submit(makePlan({ runId: '99' }), artifact, new AbortController().signal);
      for await (const s of t.watch(handle, AbortSignal.timeout(10_000)))
        if (s.nativeState === 'RUNNING') break;
      await expect.poll(() => api.openWatches, { timeout: 2000 }).toBe(0);
    },
  );

  test('the driver log tail comes from the pod log (redacted where it leaves the action)', async () => {
    api.defaultScenario = 'fail';
    const t = target();
    const { handle } = await run(makePlan(), t);
    const tail = await t.logTail?.(handle, 50);
    expect(tail?.split('\n')).toHaveLength(50);
    expect(tail).toContain('IllegalStateException: input path s3a://bucket/in does not exist');
    expect(api.requests.find((r) => r.path.endsWith('/log'))?.query.tailLines).toBe('50');
  });

  test('a secret env value goes to a Secret applied before the SparkApplication, then owned by it; never in the spec', async () => {
    const plan = makePlan({
      kubernetes: { ...staging, driver: { env: { DB_PASSWORD: 'k8s-canary-pw' } } },
      secrets: ['k8s-canary-pw'],
    });
    const { handle } = await run(plan);
    const applies = api.requests.filter((r) => r.method === 'PATCH');
    const kinds = applies.map((r) => /\/(secrets|sparkapplications)\//.exec(r.path)?.[1]);
    expect(kinds.slice(0, 2)).toEqual(['secrets', 'sparkapplications']);
    expect(kinds).toContain('secrets');
    const app = api.get('sparkapplications', 'data-pipelines', handle.submissionId);
    expect(JSON.stringify(app)).not.toContain('k8s-canary-pw');
    expect(JSON.stringify(applies.filter((r) => r.path.includes('sparkapplications')))).not.toContain(
      'k8s-canary-pw',
    );
    const secretName = `${handle.submissionId}-secrets`;
    const secret = api.get('secrets', 'data-pipelines', secretName) as {
      data: Record<string, string>;
      metadata: { ownerReferences?: { uid: string; kind: string }[] };
    };
    expect(Buffer.from(secret.data['driver.DB_PASSWORD'] ?? '', 'base64').toString()).toBe('k8s-canary-pw');
    expect(secret.metadata.ownerReferences?.[0]).toMatchObject({
      kind: 'SparkApplication',
      uid: handle.data.uid,
    });
  });

  test('a secret in spark.conf is refused, naming the key and the way through env', async () => {
    const plan = makePlan({
      kubernetes: staging,
      spark: { conf: { 'spark.hadoop.fs.s3a.secret.key': 'conf-canary' } },
      secrets: ['conf-canary'],
    });
    await expect(target().submit(plan, artifact, new AbortController().signal)).rejects.toThrow(
      /spark\.conf\.spark\.hadoop\.fs\.s3a\.secret\.key.*holds a secret.*kubernetes\.driver\.env/,
    );
    expect(api.requests.filter((r) => r.method === 'PATCH')).toHaveLength(0);
  });

  test('a dropped watch is re-established and an expired resourceVersion re-listed', async () => {
    api.dropWatchAfter = 1;
    const { statuses } = await run(makePlan());
    expect(statuses.at(-1)?.nativeState).toBe('COMPLETED');
    expect(api.requests.filter((r) => r.query.watch === 'true').length).toBeGreaterThan(1);

    api.dropWatchAfter = 1;
    api.compactedBelow = Number.MAX_SAFE_INTEGER;
    const { statuses: s2 } = await run(makePlan({ runId: '5' }));
    expect(s2.at(-1)?.nativeState).toBe('COMPLETED');
  });

  test.each([
    [500, 'InternalError'],
    [409, 'Conflict'],
  ])('an apply that fails once with %d is retried', async (status) => {
    api.fault({ method: 'PATCH', path: /sparkapplications/, status });
    const { statuses } = await run(makePlan());
    expect(statuses.at(-1)?.nativeState).toBe('COMPLETED');
    expect(api.requests.filter((r) => r.method === 'PATCH')).toHaveLength(2);
  });

  test.each([
    [401, /applying SparkApplication .* failed \(401 Unauthorized\).*check KUBECONFIG/],
    [403, /\(403 Forbidden\).*grant the workflow identity the RBAC rules it lacks/],
  ])('%d is not retried and says what to fix', async (status, message) => {
    api.fault({ method: 'PATCH', path: /sparkapplications/, status, times: 5 });
    const t = target();
    await expect(t.submit(makePlan(), artifact, new AbortController().signal)).rejects.toThrow(message);
    expect(api.requests.filter((r) => r.method === 'PATCH')).toHaveLength(1);
  });

  test('the bearer token is sent, and never appears in any log line or error', async () => {
    api.defaultScenario = 'fail';
    const t = target();
    const { handle } = await run(makePlan(), t);
    await t.logTail?.(handle, 10);
    api.fault({ path: /sparkapplications/, status: 401, times: 10 });
    const err = await t.cancel(handle).catch((e: Error) => e);
    expect(api.requests.every((r) => r.auth === `Bearer ${TOKEN}`)).toBe(true);
    expect(log.all()).not.toContain(TOKEN);
    expect(String(err)).toMatch(/401/);
    expect(String(err)).not.toContain(TOKEN);
  });

  test('a wrong token is refused with 401 (the fake checks it)', async () => {
    writeFileSync(process.env.KUBECONFIG as string, kubeconfigFor(api.url, 'wrong'));
    await expect(target().submit(makePlan(), artifact, new AbortController().signal)).rejects.toThrow(/401/);
  });

  test('batch: a second run of the same commit is a new SparkApplication; keepHistory prunes finished runs', async () => {
    const kube = { ...staging, keepHistory: 2 };
    for (const runId of ['1', '2', '3']) await run(makePlan({ runId, kubernetes: kube }));
    expect(
      api
        .apps('data-pipelines')
        .map((a) => a.metadata.name)
        .sort(),
    ).toEqual(['etl-pipeline-staging-0123456-2', 'etl-pipeline-staging-0123456-3']);
  });

  test('batch: the same run attempt deploying again deletes the finished app and runs a fresh one', async () => {
    const first = await run(makePlan());
    const name = first.handle.submissionId;
    const uid = api.get('sparkapplications', 'data-pipelines', name)?.metadata.uid;
    api.defaultScenario = 'fail';
    const again = await run(makePlan());
    expect(again.handle.submissionId).toBe(name);
    expect(again.handle.data.uid).not.toBe(uid);
    // The outcome is this run's (the scenario now fails), not the earlier COMPLETED.
    expect(again.statuses.at(-1)).toMatchObject({ phase: 'FAILED', nativeState: 'FAILED' });
    expect(api.requests.filter((r) => r.method === 'DELETE' && r.path.endsWith(`/${name}`))).toHaveLength(1);
    expect(log.all()).toMatch(
      /already ran in this workflow run attempt \(COMPLETED\).*deleted and created anew/,
    );
  });

  test('batch: a deploy under the name of a run still going follows that run (nothing deleted)', async () => {
    api.defaultScenario = 'streaming';
    const t = target();
    const h1 = await t.submit(makePlan(), artifact, new AbortController().signal);
    await expect
      .poll(
        () => api.get('sparkapplications', 'data-pipelines', h1.submissionId)?.status.applicationState.state,
      )
      .toBe('RUNNING');
    const h2 = await t.submit(makePlan(), artifact, new AbortController().signal);
    expect(h2.data.uid).toBe(h1.data.uid);
    expect(api.requests.some((r) => r.method === 'DELETE')).toBe(false);
    expect(log.all()).toMatch(/exists and is RUNNING: this deploy follows that run/);
  });

  test('cancel deletes the SparkApplication and, by owner references, its companions', async () => {
    api.defaultScenario = 'streaming';
    const kube = { ...staging, networkPolicy: true, monitoring: { ...staging.monitoring, service: true } };
    const t = target();
    const handle = await t.submit(makePlan({ kubernetes: kube }), artifact, new AbortController().signal);
    const svc = api.get('services', 'data-pipelines', `${handle.submissionId}-metrics`);
    expect(svc?.metadata.ownerReferences[0].uid).toBe(handle.data.uid);
    expect(api.get('networkpolicies', 'data-pipelines', `${handle.submissionId}-netpol`)).toBeDefined();
    await t.cancel(handle);
    expect(api.apps()).toEqual([]);
    expect(api.get('services', 'data-pipelines', `${handle.submissionId}-metrics`)).toBeUndefined();
    await t.cancel(handle); // already gone: no error
  });

  test('a companion that fails to apply takes its new SparkApplication (and what it owns) away again', async () => {
    const kube = { ...staging, networkPolicy: true, monitoring: { ...staging.monitoring, service: true } };
    api.fault({ method: 'PATCH', path: /networkpolicies/, status: 403, times: 5 });
    const t = target();
    const err = await t
      .submit(makePlan({ kubernetes: kube }), artifact, new AbortController().signal)
      .catch((e: Error) => e);
    expect(String(err)).toMatch(/applying NetworkPolicy .* failed \(403 Forbidden\)/);
    expect(String(err)).toMatch(
      /SparkApplication data-pipelines\/etl-pipeline-staging-0123456-4242 was deleted again/,
    );
    expect(api.apps()).toEqual([]);
    expect(
      api.get('services', 'data-pipelines', 'etl-pipeline-staging-0123456-4242-metrics'),
    ).toBeUndefined();
  });

  test('find lists an app by labels: previews only by their number, the environment without previews', async () => {
    await run(makePlan({ runId: '1' }));
    await run(makePlan({ runId: '2', preview: 7 }));
    await run(makePlan({ runId: '3', preview: 8 }));
    const plan = makePlan();
    const t = target(plan);
    expect((await t.find({ app: 'etl-pipeline-staging' })).map((h) => h.submissionId)).toEqual([
      'etl-pipeline-staging-0123456-1',
    ]);
    const previews = await t.find({ app: 'etl-pipeline-staging', preview: 7 });
    expect(previews.map((h) => [h.submissionId, h.data.state])).toEqual([
      ['etl-pipeline-staging-pr7-0123456-2', 'COMPLETED'],
    ]);
    for (const h of previews) await t.cancel(h);
    expect(
      api
        .apps()
        .map((a) => a.metadata.name)
        .sort(),
    ).toEqual(['etl-pipeline-staging-0123456-1', 'etl-pipeline-staging-pr8-0123456-3']);
  });

  test('streaming in place: a stable name, healthy after healthyAfter', async () => {
    api.defaultScenario = 'streaming';
    const { handle, statuses } = await run(makePlan({ app: { mode: 'streaming', healthyAfter: 1 } }));
    expect(handle.submissionId).toBe('etl-pipeline-staging');
    expect(statuses.at(-1)).toMatchObject({ phase: 'RUNNING', terminal: false });
    expect(statuses.at(-1)?.message).toMatch(/^healthy: RUNNING for 1 s/);
  });

  test('streaming blue-green: the new app under a new name, the old one deleted only once healthy', async () => {
    api.defaultScenario = 'streaming';
    const kube = { ...staging, strategy: 'blue-green' as const };
    const app = { mode: 'streaming' as const, healthyAfter: 1 };
    await run(makePlan({ runId: '1', app, kubernetes: kube }));
    const t = target();
    const handle = await t.submit(
      makePlan({ runId: '2', app, kubernetes: kube }),
      artifact,
      new AbortController().signal,
    );
    expect(api.apps().length).toBe(2);
    for await (const _ of t.watch(handle, AbortSignal.timeout(10_000))) {
      // The old one stays until the new one is healthy.
    }
    expect(api.apps().map((a) => a.metadata.name)).toEqual(['etl-pipeline-staging-0123456-2']);
  });

  test('an invalid object never reaches the server', async () => {
    await expect(
      target().submit(makePlan({ spark: { driver: { cores: 0 } } }), artifact, new AbortController().signal),
    ).rejects.toThrow(/spec\.driver\.cores: must be >= 1/);
    expect(api.requests.filter((r) => r.method === 'PATCH')).toHaveLength(0);
  });

  test('every object the fake received is valid against the contract CRD', async () => {
    await run(makePlan({ kubernetes: { ...staging, driver: { env: { A: 'b' } } } }));
    expect(api.received.length).toBeGreaterThan(0);
  });

  test('render returns the exact documents, the Secret without data, and sends nothing', async () => {
    const plan = makePlan({
      kubernetes: { ...staging, networkPolicy: true, driver: { env: { TOKEN: 'abc123secret' } } },
      secrets: ['abc123secret'],
    });
    const docs = await target().render(plan, artifact);
    expect(docs.map((d) => d.kind.split(' ')[0])).toEqual(['Secret', 'SparkApplication', 'NetworkPolicy']);
    expect(docs.map((d) => `${d.kind}\n${d.text}`).join('\n')).not.toContain('abc123secret');
    const secret = parse(docs[0]?.text ?? '');
    expect(secret).not.toHaveProperty('data');
    expect(docs[0]?.kind).toMatch(/keys driver\.TOKEN/);
    const app = parse(docs[1]?.text ?? '');
    expect(app.spec.driver.envSecretKeyRefs).toEqual({
      TOKEN: { name: secret.metadata.name, key: 'driver.TOKEN' },
    });
    expect(api.requests).toHaveLength(0);
    // No ownerReference to a uid that does not exist yet: applied from a file, the object would be collected.
    expect(docs[2]?.text).not.toContain('ownerReferences');
    expect(docs[2]?.kind).toMatch(/owned by SparkApplication etl-pipeline-staging-0123456-4242/);
  });

  test('an explicit KubeConfig can be injected', async () => {
    const kc = new KubeConfig();
    kc.loadFromString(kubeconfigFor(api.url, TOKEN));
    const t = createKubernetesTarget({ log, kubeConfig: kc });
    const handle = await t.submit(makePlan(), artifact, new AbortController().signal);
    expect(handle.data.uid).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('kubeconfig credentials', () => {
  test('every user token, password and client key is registered with the redactor', async () => {
    const { registerCredentials } = await import('../../../src/targets/kubernetes/kubeconfig.js');
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'c', server: 'https://k8s.example:6443' }],
      users: [
        { name: 'a', token: 'kube-token-1' },
        { name: 'b', username: 'u', password: 'kube-pw-2', keyData: 'a2V5LWRhdGE=' },
      ],
      contexts: [{ name: 'x', cluster: 'c', user: 'a' }],
      currentContext: 'x',
    });
    const seen: string[] = [];
    registerCredentials(kc, (v) => seen.push(v));
    expect(seen).toEqual(['kube-token-1', 'kube-pw-2', 'a2V5LWRhdGE=']);
  });
});
