// The standalone Target end to end against the fake master: waiting, streaming health, timeout, abort,
// cancel, links, log tail, find, render, spark-submit mode and header hygiene.
import { afterEach, describe, expect, it } from 'vitest';
import {
  createStandaloneTarget,
  deployVerdict,
  LOG_TAIL_LINES,
  type StandaloneDeps,
} from '../../../src/targets/standalone/index.js';
import type { SpawnFn } from '../../../src/targets/standalone/spark-submit.js';
import type { Handle, Status } from '../../../src/targets/target.js';
import { ActionError } from '../../../src/util/errors.js';
import { type FakeSpark, type FakeSparkOptions, startFakeSpark } from '../../helpers/fake-spark-rest.js';
import { artifact, makePlan, type PlanOverrides, RecordingLog, virtualClock } from './fixtures.js';

const fakes: FakeSpark[] = [];
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((f) => f.close()));
});

async function world(
  fakeOpts: FakeSparkOptions = {},
  o: PlanOverrides = {},
  extra: Partial<StandaloneDeps> = {},
) {
  const clock = virtualClock();
  const f = await startFakeSpark({ now: clock.now, ...fakeOpts });
  fakes.push(f);
  const log = new RecordingLog();
  const plan = makePlan({ standalone: { masters: [f.url], webUi: f.url }, ...o });
  const target = createStandaloneTarget({ clock, log, requestTimeoutMs: 500, ...extra });
  return { f, clock, log, plan, target };
}

async function collect(it: AsyncIterable<Status>): Promise<Status[]> {
  const out: Status[] = [];
  for await (const s of it) out.push(s);
  return out;
}

const run = async (w: Awaited<ReturnType<typeof world>>, signal = new AbortController().signal) => {
  const handle = await w.target.submit(w.plan, artifact, signal);
  const statuses = await collect(w.target.watch(handle, signal));
  return { handle, statuses };
};

describe('batch', () => {
  it('FINISHED is success; links point at the master, the app page and the driver log', async () => {
    const w = await world();
    const { handle, statuses } = await run(w);
    expect(statuses.map((s) => [s.phase, s.nativeState])).toEqual([
      ['PENDING', 'SUBMITTED'],
      ['RUNNING', 'RUNNING'],
      ['SUCCEEDED', 'FINISHED'],
    ]);
    const last = statuses.at(-1) as Status;
    expect(last.applicationId).toMatch(/^app-/);
    expect(w.target.links(handle, last)).toEqual({
      console: w.f.url,
      sparkUi: `${w.f.url}/app/?appId=${last.applicationId}`,
      logs: `${w.f.url}/logPage/?driverId=${handle.submissionId}&logType=stderr`,
    });
  });

  it('FAILED ends the watch; the log tail is the last 50 stderr lines without the launch command', async () => {
    const w = await world(
      { script: [{ state: 'SUBMITTED' }, { state: 'RUNNING' }, { state: 'FAILED' }] },
      { spark: { conf: { 'spark.jdbc.password': 'pw-hunter22' } }, secrets: ['pw-hunter22'] },
    );
    const { handle, statuses } = await run(w);
    const last = statuses.at(-1) as Status;
    expect(last).toMatchObject({ phase: 'FAILED', nativeState: 'FAILED', terminal: true });
    const tail = await w.target.logTail?.(handle, LOG_TAIL_LINES);
    expect(tail?.split('\n')).toHaveLength(50);
    expect(tail).toContain('java.lang.RuntimeException: boom');
    expect(tail).not.toContain('Launch Command');
    expect(tail).not.toContain('pw-hunter22');
  });

  it("ERROR keeps Spark's message (e.g. the worker could not fetch the JAR)", async () => {
    const w = await world({
      script: [
        { state: 'SUBMITTED' },
        {
          state: 'ERROR',
          message:
            'Exception from the cluster:\njava.nio.file.NoSuchFileException: /x.jar\n\tjava.base/sun.nio.fs.UnixException.translateToIOException(UnixException.java:92)',
        },
      ],
    });
    const { statuses } = await run(w);
    expect(statuses.at(-1)).toEqual({
      phase: 'FAILED',
      nativeState: 'ERROR',
      terminal: true,
      message: 'Exception from the cluster: java.nio.file.NoSuchFileException: /x.jar',
    });
  });

  it('RELAUNCHING and UNKNOWN are not terminal', async () => {
    const w = await world({
      script: [
        { state: 'RUNNING' },
        { state: 'RELAUNCHING' },
        { state: 'UNKNOWN' },
        { state: 'RUNNING' },
        { state: 'FINISHED' },
      ],
    });
    const { statuses } = await run(w);
    expect(statuses.map((s) => s.nativeState)).toEqual([
      'RUNNING',
      'RELAUNCHING',
      'UNKNOWN',
      'RUNNING',
      'FINISHED',
    ]);
  });

  it('polls every 1 to 2 s while the state is young, and starts over when it changes', async () => {
    const w = await world({
      script: [{ state: 'SUBMITTED' }, { state: 'RUNNING', polls: 9 }, { state: 'FINISHED' }],
    });
    await run(w);
    expect(w.clock.slept).toEqual([1000, 1000, 1500, 2000, 2000, 2000, 2000, 2000, 2000, 2000]);
  });

  it('backs off towards a 10 s cap once a state has lasted 10 minutes', async () => {
    const w = await world(
      { script: [{ state: 'RUNNING', polls: 320 }, { state: 'FINISHED' }] },
      { timeoutMs: 3_600_000 },
    );
    await run(w);
    const late = w.clock.slept.slice(-6);
    expect(late).toEqual([10000, 10000, 10000, 10000, 10000, 10000]);
    expect(w.clock.slept.slice(0, 4)).toEqual([1000, 1500, 2000, 2000]);
  });

  it('gives up at timeout-minutes with the last state, leaving the driver alone', async () => {
    const w = await world({ script: [{ state: 'RUNNING' }] }, { timeoutMs: 60_000 });
    const err = await run(w).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ActionError);
    expect((err as Error).message).toMatch(
      /did not finish within 1 min \(timeout-minutes\); last state RUNNING\. It keeps running/,
    );
    expect(w.f.requests.some((r) => r.path.includes('/kill/'))).toBe(false);
  });

  it('an abort ends the watch with the signal reason', async () => {
    const w = await world({ script: [{ state: 'RUNNING' }] });
    const ac = new AbortController();
    const handle = await w.target.submit(w.plan, artifact, ac.signal);
    const seen: Status[] = [];
    const err = await (async () => {
      for await (const s of w.target.watch(handle, ac.signal)) {
        seen.push(s);
        ac.abort(new Error('SIGTERM'));
      }
    })().catch((e: unknown) => e);
    expect((err as Error).message).toBe('SIGTERM');
    expect(seen).toHaveLength(1);
  });
});

describe('streaming', () => {
  const streaming = (healthyAfter: number): PlanOverrides => ({ app: { mode: 'streaming', healthyAfter } });

  it('succeeds once RUNNING for healthyAfter, with a non-terminal RUNNING status saying so', async () => {
    const w = await world({ script: [{ state: 'SUBMITTED' }, { state: 'RUNNING' }] }, streaming(30));
    const { statuses } = await run(w);
    const last = statuses.at(-1) as Status;
    expect(last).toMatchObject({ phase: 'RUNNING', terminal: false });
    expect(last.message).toMatch(/^healthy: RUNNING for 3\d s \(app.healthyAfter\)$/);
    expect(w.clock.slept.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(30_000);
  });

  it('a failure before healthyAfter is a failure', async () => {
    const w = await world({ script: [{ state: 'RUNNING', polls: 3 }, { state: 'FAILED' }] }, streaming(60));
    const { statuses } = await run(w);
    expect(statuses.at(-1)).toMatchObject({ phase: 'FAILED', terminal: true });
  });

  it('a relaunch starts the health window over', async () => {
    const w = await world(
      { script: [{ state: 'RUNNING', polls: 4 }, { state: 'RELAUNCHING' }, { state: 'RUNNING' }] },
      streaming(10),
    );
    const { statuses } = await run(w);
    expect(statuses.map((s) => s.nativeState)).toEqual(['RUNNING', 'RELAUNCHING', 'RUNNING', 'RUNNING']);
    expect(statuses.at(-1)?.message).toMatch(/^healthy/);
  });

  it('never healthy within timeout-minutes says so', async () => {
    const w = await world({ script: [{ state: 'SUBMITTED' }] }, { ...streaming(60), timeoutMs: 120_000 });
    const err = await run(w).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/did not become healthy within 2 min/);
  });
});

describe('cancel', () => {
  it('kills a running driver; the watch then ends KILLED (CANCELLED)', async () => {
    const w = await world({ script: [{ state: 'RUNNING' }] });
    const handle = await w.target.submit(w.plan, artifact, new AbortController().signal);
    await w.target.cancel(handle);
    const statuses = await collect(w.target.watch(handle, new AbortController().signal));
    expect(statuses.at(-1)).toMatchObject({ phase: 'CANCELLED', nativeState: 'KILLED', terminal: true });
    expect(w.log.all()).toContain(`kill of ${handle.submissionId} requested`);
  });

  it('a driver that already finished is not an error', async () => {
    const w = await world({ script: [{ state: 'FINISHED' }] });
    const { handle } = await run(w);
    await expect(w.target.cancel(handle)).resolves.toBeUndefined();
    expect(w.log.all()).toContain('has already finished or does not exist');
  });

  it('from a fresh target (the post step) with only the saved handle, skipping a standby master', async () => {
    const w = await world({ script: [{ state: 'RUNNING' }] });
    const standby = await startFakeSpark({ masterState: 'STANDBY' });
    fakes.push(standby);
    const plan = makePlan({ standalone: { masters: [standby.url, w.f.url], webUi: w.f.url } });
    const handle = await w.target.submit(plan, artifact, new AbortController().signal);
    const saved = JSON.parse(JSON.stringify(handle)) as Handle;
    const post = createStandaloneTarget({
      clock: virtualClock(),
      log: new RecordingLog(),
      plan,
      requestTimeoutMs: 500,
    });
    await post.cancel({ ...saved, data: { ...saved.data, acceptedBy: standby.url } });
    expect(standby.requests.filter((r) => r.path.includes('/kill/'))).toHaveLength(1);
    expect(w.f.drivers.get(handle.submissionId)?.killed).toBe(true);
  });

  it('when no master answers, a clear error', async () => {
    const w = await world();
    const handle = await w.target.submit(w.plan, artifact, new AbortController().signal);
    w.f.inject({ on: 'kill', kind: '500-empty', times: 10 });
    await expect(w.target.cancel(handle)).rejects.toThrow(
      `could not kill driver ${handle.submissionId}: ${w.f.url}: HTTP 500 with empty body`,
    );
  });
});

describe('handles, find and render', () => {
  it('onHandle sees the handle before submit returns; the handle holds no secrets and survives JSON', async () => {
    let seen: Handle | undefined;
    const w = await world();
    const plan = makePlan({
      standalone: { masters: [w.f.url], webUi: w.f.url, headers: { 'X-Token': 'tok-abc' } },
      secrets: ['tok-abc'],
    });
    const target = createStandaloneTarget({
      clock: w.clock,
      log: w.log,
      onHandle: (h) => {
        seen = h;
      },
    });
    const handle = await target.submit(plan, artifact, new AbortController().signal);
    expect(seen).toEqual(handle);
    expect(JSON.stringify(handle)).not.toContain('tok-abc');
    expect(JSON.parse(JSON.stringify(handle))).toEqual(handle);
    expect(w.f.requests.find((r) => r.path.endsWith('/create'))?.headers['x-token']).toBe('tok-abc');
  });

  it('an abort while the create is in flight still yields the handle, so the run can kill what it started', async () => {
    const w = await world({ script: [{ state: 'RUNNING' }] });
    const ac = new AbortController();
    let saved: Handle | undefined;
    const fetchFn: StandaloneDeps['fetch'] = (url, init) => {
      if (url.endsWith('/submissions/create')) ac.abort(new Error('SIGINT'));
      return fetch(url, init);
    };
    const target = createStandaloneTarget({
      clock: w.clock,
      log: w.log,
      fetch: fetchFn,
      onHandle: (h) => {
        saved = h;
      },
    });
    const handle = await target.submit(w.plan, artifact, ac.signal);
    expect(saved).toEqual(handle);
    expect(w.f.drivers.has(handle.submissionId)).toBe(true);
    await expect(collect(target.watch(handle, ac.signal))).rejects.toThrow('SIGINT');
    await target.cancel(handle);
    expect(w.f.drivers.get(handle.submissionId)?.killed).toBe(true);
  });

  it('find returns the drivers of an app, active first, with their application ids', async () => {
    const w = await world({ script: [{ state: 'SUBMITTED' }, { state: 'RUNNING' }, { state: 'FINISHED' }] });
    const first = await run(w);
    const w2 = createStandaloneTarget({
      clock: w.clock,
      log: w.log,
      plan: makePlan({ standalone: { masters: [w.f.url], webUi: w.f.url } }),
    });
    const found = await w2.find({ app: 'etl-pipeline' });
    expect(found.map((h) => [h.submissionId, h.applicationId, h.data.state])).toEqual([
      [first.handle.submissionId, first.statuses.at(-1)?.applicationId, 'FINISHED'],
    ]);
    expect(await w2.find({ app: 'other-app' })).toEqual([]);
  });

  it('render shows the REST request as it would be sent (the redactor hides secrets at the exits)', async () => {
    const w = await world({}, { spark: { conf: { 'spark.sql.shuffle.partitions': 8 } } });
    const [doc] = await w.target.render(w.plan, artifact);
    expect(doc?.kind).toBe(`Spark REST CreateSubmissionRequest (POST ${w.f.url}/v1/submissions/create)`);
    expect(doc?.text).toContain('"spark.sql.shuffle.partitions": "8"');
    expect(w.f.requests).toHaveLength(0);
  });

  it('render in spark-submit mode shows the command', async () => {
    const w = await world({}, { standalone: { masters: ['spark://127.0.0.1:6066'], mode: 'spark-submit' } });
    const [doc] = await w.target.render(w.plan, artifact);
    expect(doc?.text).toMatch(
      /^spark-submit --master spark:\/\/127\.0\.0\.1:6066 --deploy-mode cluster --class com\.etl\.Main/,
    );
  });
});

describe('mode: spark-submit', () => {
  it('runs spark-submit, takes the id from its output and follows the driver over REST, whatever its exit code', async () => {
    const w = await world({ script: [{ state: 'RUNNING' }, { state: 'FAILED' }] });
    const calls: { command: string; args: string[] }[] = [];
    const spawn: SpawnFn = async (command, args) => {
      calls.push({ command, args });
      const d = w.f.addDriver({ appName: 'etl-pipeline', mainClass: 'com.etl.Main' });
      return {
        exitCode: 0,
        stdout: '',
        stderr: `INFO RestSubmissionClient: Submission successfully created as ${d.id}. Polling submission state...`,
      };
    };
    const plan = makePlan({
      standalone: { masters: [w.f.url], webUi: w.f.url, mode: 'spark-submit' },
    });
    const target = createStandaloneTarget({
      clock: w.clock,
      log: w.log,
      spawn,
      sparkSubmit: async () => ({
        command: 'spark-submit',
        args: [],
        client: { command: 'spark-class', args: [] },
        from: 'PATH',
      }),
      requestTimeoutMs: 500,
    });
    const handle = await target.submit(plan, artifact, new AbortController().signal);
    expect(calls[0]?.command).toBe('spark-submit');
    expect(calls[0]?.args).toContain('spark.master.rest.enabled=true');
    const statuses = await collect(target.watch(handle, new AbortController().signal));
    expect(statuses.at(-1)).toMatchObject({ phase: 'FAILED', nativeState: 'FAILED' });
    expect(w.f.requests.filter((r) => r.path.endsWith('/create'))).toHaveLength(0);
  });

  it('a missing spark-submit is a clear error', async () => {
    const w = await world({}, { standalone: { masters: ['spark://127.0.0.1:6066'], mode: 'spark-submit' } });
    const spawn: SpawnFn = async () => {
      throw Object.assign(new Error('spawn spark-submit ENOENT'), { code: 'ENOENT' });
    };
    const target = createStandaloneTarget({
      clock: w.clock,
      log: w.log,
      spawn,
      sparkSubmit: async () => ({
        command: 'spark-submit',
        args: [],
        client: { command: 'spark-class', args: [] },
        from: 'PATH',
      }),
    });
    await expect(target.submit(w.plan, artifact, new AbortController().signal)).rejects.toThrow(
      /could not run spark-submit \(spawn spark-submit ENOENT\); put Spark's bin directory on PATH, or use standalone\.mode: rest/,
    );
  });
});

describe('network hygiene', () => {
  // Remote-looking hosts routed to the fake, so the CVE and header rules apply as for a real cluster.
  async function remote(o: { insecure?: boolean; headers?: Record<string, string> }) {
    const w = await world({ script: [{ state: 'RUNNING' }, { state: 'FAILED' }] });
    const map: Record<string, string> = {
      'http://spark-master:6066': w.f.url,
      'https://rest.example.com:443': w.f.url,
      'https://ui.example.com': w.f.url,
    };
    const fetchFn: StandaloneDeps['fetch'] = (url, init) => {
      const hit = Object.keys(map).find((k) => url.startsWith(k));
      return fetch(hit ? url.replace(hit, map[hit] as string) : url, init);
    };
    const plan = makePlan({
      standalone: o.insecure
        ? {
            masters: ['spark://spark-master:6066'],
            webUi: 'https://ui.example.com',
            allowInsecureRest: true,
            jar: { stage: 'url', url: 'https://a/x.jar' },
          }
        : {
            masters: ['https://rest.example.com'],
            webUi: 'https://ui.example.com',
            headers: o.headers ?? {},
            jar: { stage: 'url', url: 'https://a/x.jar' },
          },
    });
    const target = createStandaloneTarget({
      clock: w.clock,
      log: w.log,
      fetch: fetchFn,
      requestTimeoutMs: 500,
    });
    return { ...w, plan, target };
  }

  it('allowInsecureRest warns once (finding + log) however many submissions', async () => {
    const w = await remote({ insecure: true });
    await w.target.submit(w.plan, artifact, new AbortController().signal);
    await w.target.submit(w.plan, artifact, new AbortController().signal);
    expect(w.target.findings).toHaveLength(1);
    expect(w.log.warnings.filter((m) => m.includes('CVE-2018-11770'))).toHaveLength(1);
  });

  it('headers go to the REST server and the configured web UI, never to a worker UI', async () => {
    const w = await remote({ headers: { Authorization: 'Bearer tok' } });
    const { handle } = await run(w);
    await w.target.logTail?.(handle, 10);
    const auth = (p: (path: string) => boolean) =>
      w.f.requests.filter((r) => p(r.path)).map((r) => r.headers.authorization);
    expect(auth((p) => p.includes('/submissions/'))).not.toContain(undefined);
    expect(auth((p) => p.startsWith('/json'))).not.toContain(undefined);
    const workerAuth = auth((p) => p.startsWith('/log'));
    expect(workerAuth.length).toBeGreaterThan(0);
    expect(workerAuth.every((a) => a === undefined)).toBe(true);
    expect(w.log.all()).not.toContain('Bearer tok');
  });
});

describe('deployVerdict', () => {
  const st = (phase: Status['phase'], terminal: boolean): Status => ({ phase, terminal, nativeState: phase });
  it.each<[Status | undefined, 'batch' | 'streaming', 'success' | 'failure']>([
    [st('SUCCEEDED', true), 'batch', 'success'],
    [st('FAILED', true), 'batch', 'failure'],
    [st('CANCELLED', true), 'batch', 'failure'],
    [st('RUNNING', false), 'batch', 'failure'],
    [st('RUNNING', false), 'streaming', 'success'],
    [st('SUCCEEDED', true), 'streaming', 'success'],
    [st('FAILED', true), 'streaming', 'failure'],
    [undefined, 'batch', 'failure'],
  ])('%j in %s mode -> %s', (last, mode, verdict) => {
    expect(deployVerdict(last, mode)).toBe(verdict);
  });
});
