// The "done when" of the standalone target: against a fault-injecting fake of Spark's REST server (modelled
// on Spark's FaultyStandaloneRestServer), every fault gives the right retry or a clear error, and never a
// second driver.
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createStandaloneTarget, type StandaloneDeps } from '../../../src/targets/standalone/index.js';
import type { Handle, Status } from '../../../src/targets/target.js';
import { ActionError } from '../../../src/util/errors.js';
import { type FakeSpark, startFakeSpark } from '../../helpers/fake-spark-rest.js';
import { artifact, makePlan, RecordingLog, virtualClock } from './fixtures.js';

const fakes: FakeSpark[] = [];
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((f) => f.close()));
});

async function fake(opts: Parameters<typeof startFakeSpark>[0] = {}): Promise<FakeSpark> {
  const f = await startFakeSpark(opts);
  fakes.push(f);
  return f;
}

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as { port: number };
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

function setup(masters: string[], webUi: string | undefined, extra: Partial<StandaloneDeps> = {}) {
  const log = new RecordingLog();
  const clock = virtualClock();
  const plan = makePlan({ standalone: { masters, ...(webUi ? { webUi } : {}) } });
  const target = createStandaloneTarget({ clock, log, requestTimeoutMs: 500, ...extra });
  return { log, clock, plan, target };
}

async function collect(it: AsyncIterable<Status>): Promise<Status[]> {
  const out: Status[] = [];
  for await (const s of it) out.push(s);
  return out;
}

const createRequests = (f: FakeSpark) =>
  f.requests.filter((r) => r.path.endsWith('/submissions/create')).length;

describe('create: faults that may hide a driver are resolved before anything is resent', () => {
  it('500 with an empty body before the master saw it: /json/ shows no new driver, so it is resent once', async () => {
    const f = await fake();
    f.inject({ on: 'create', kind: '500-empty' });
    const { plan, target, log } = setup([f.url], f.url);
    const handle = await target.submit(plan, artifact, new AbortController().signal);
    expect(f.created).toBe(1);
    expect(createRequests(f)).toBe(2);
    expect(handle.submissionId).toBe([...f.drivers.keys()][0]);
    expect(log.warnings.join('\n')).toMatch(
      /HTTP 500 with empty body.*shows no new driver of com\.etl\.Main, so sending it again/,
    );
  });

  it('500 with an empty body after the master accepted the driver: the driver is adopted, not resubmitted', async () => {
    const f = await fake();
    f.inject({ on: 'create', kind: '500-empty', effect: 'after' });
    const { plan, target, log } = setup([f.url], f.url);
    const handle = await target.submit(plan, artifact, new AbortController().signal);
    expect(f.created).toBe(1);
    expect(createRequests(f)).toBe(1);
    expect(handle.submissionId).toBe([...f.drivers.keys()][0]);
    expect(log.warnings.join('\n')).toMatch(/following it instead of submitting again/);
  });

  it("malformed JSON (Spark's MalformedSubmitServlet) is resolved through the id left in the cut answer", async () => {
    const f = await fake();
    f.inject({ on: 'create', kind: 'malformed' });
    // /json/ down: the id in the garbled text, confirmed by status, is enough.
    f.inject({ on: 'json', kind: '500-empty', times: 100 });
    const { plan, target } = setup([f.url], f.url);
    const handle = await target.submit(plan, artifact, new AbortController().signal);
    expect(f.created).toBe(1);
    expect(createRequests(f)).toBe(1);
    expect(handle.submissionId).toBe([...f.drivers.keys()][0]);
  });

  it('connection reset after the master accepted: found in /json/ after the settle delay, adopted', async () => {
    const f = await fake();
    f.inject({ on: 'create', kind: 'reset', effect: 'after' });
    const { plan, target, clock } = setup([f.url], f.url);
    const handle = await target.submit(plan, artifact, new AbortController().signal);
    expect(f.created).toBe(1);
    expect(createRequests(f)).toBe(1);
    expect(handle.submissionId).toBe([...f.drivers.keys()][0]);
    expect(clock.slept).toContain(2000);
  });

  it('connection reset before the master saw it: resent once, one driver', async () => {
    const f = await fake();
    f.inject({ on: 'create', kind: 'reset' });
    const { plan, target } = setup([f.url], f.url);
    await target.submit(plan, artifact, new AbortController().signal);
    expect(f.created).toBe(1);
    expect(createRequests(f)).toBe(2);
  });

  it('a stalled create (timeout) whose driver exists is adopted, not resubmitted', async () => {
    const f = await fake();
    f.inject({ on: 'create', kind: 'stall', effect: 'after' });
    const { plan, target } = setup([f.url], f.url, { requestTimeoutMs: 200 });
    const handle = await target.submit(plan, artifact, new AbortController().signal);
    expect(f.created).toBe(1);
    expect(createRequests(f)).toBe(1);
    expect(handle.submissionId).toBe([...f.drivers.keys()][0]);
  });

  it('an unanswered create with /json/ unreadable stops with a clear error instead of risking a second driver', async () => {
    const f = await fake();
    f.inject({ on: 'create', kind: 'reset' });
    f.inject({ on: 'json', kind: '500-empty', times: 100 });
    const { plan, target } = setup([f.url], f.url);
    const err = await target.submit(plan, artifact, new AbortController().signal).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ActionError);
    expect((err as Error).message).toMatch(
      /may or may not have started.*Not submitting again: a second driver would run/s,
    );
    expect(createRequests(f)).toBe(1);
  });

  it('gives up after repeated failures that provably made no driver', async () => {
    const f = await fake();
    f.inject({ on: 'create', kind: '500-empty', times: 10 });
    const { plan, target } = setup([f.url], f.url);
    const err = await target.submit(plan, artifact, new AbortController().signal).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/failed the create request 3 times .*no driver was started/);
    expect(f.created).toBe(0);
  });
});

describe('create: HA masters and errors no retry can fix', () => {
  it('skips a standby master (HTTP 200, success false) and submits to the active one', async () => {
    const standby = await fake({ masterState: 'STANDBY' });
    const active = await fake();
    const { plan, target, log } = setup([standby.url, active.url], undefined);
    const handle = await target.submit(plan, artifact, new AbortController().signal);
    expect(createRequests(standby)).toBe(1);
    expect(standby.created).toBe(0);
    expect(active.created).toBe(1);
    expect(handle.data.acceptedBy).toBe(`${active.url}`);
    expect(log.all()).toMatch(/is not the active master \(Current state is not alive: STANDBY/);
  });

  it('skips a master that refuses the connection', async () => {
    const port = await closedPort();
    const active = await fake();
    const { plan, target } = setup([`http://127.0.0.1:${port}`, active.url], active.url);
    await target.submit(plan, artifact, new AbortController().signal);
    expect(active.created).toBe(1);
  });

  it('when every master is standby, retries a few rounds, then names each one', async () => {
    const a = await fake({ masterState: 'STANDBY' });
    const b = await fake({ masterState: 'RECOVERING' });
    const { plan, target, clock } = setup([a.url, b.url], undefined);
    const err = await target.submit(plan, artifact, new AbortController().signal).catch((e: unknown) => e);
    expect((err as Error).message).toContain('no master accepted the submission after 3 rounds');
    expect((err as Error).message).toContain(`${a.url}: Current state is not alive: STANDBY`);
    expect((err as Error).message).toContain(`${b.url}: Current state is not alive: RECOVERING`);
    expect(createRequests(a)).toBe(3);
    expect(clock.slept).toEqual([1000, 1500]);
  });

  it('468 (a server that does not know protocol v1) is a clear error, not retried', async () => {
    const f = await fake({ protocolVersion: 'v2' });
    const { plan, target } = setup([f.url], f.url);
    const err = await target.submit(plan, artifact, new AbortController().signal).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ActionError);
    expect((err as Error).message).toMatch(
      /does not speak REST submission protocol v1 \(HTTP 468: Unknown protocol version 'v1'/,
    );
    expect((err as Error).message).toContain("server's highest version is v2");
    expect(f.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
    expect(f.created).toBe(0);
  });

  it("400 ErrorResponse is a clear error with Spark's reason and no stack frames", async () => {
    const f = await fake();
    f.inject({ on: 'create', kind: '400' });
    const { plan, target } = setup([f.url], f.url);
    const err = await target.submit(plan, artifact, new AbortController().signal).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(
      /rejected the create request \(HTTP 400\): Malformed request: .*Validation failed!$/,
    );
    expect(createRequests(f)).toBe(1);
  });

  it('403 from an authenticating proxy names standalone.headers; with the header it passes', async () => {
    const f = await fake({ requireBearer: 's3cr3t-token' });
    const { plan, target } = setup([f.url], f.url);
    const err = await target.submit(plan, artifact, new AbortController().signal).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/HTTP 403\): authentication failed\. Check standalone\.headers/);

    const withHeader = makePlan({
      standalone: { masters: [f.url], webUi: f.url, headers: { Authorization: 'Bearer s3cr3t-token' } },
      secrets: ['s3cr3t-token'],
    });
    const log = new RecordingLog();
    const t2 = createStandaloneTarget({ clock: virtualClock(), log, requestTimeoutMs: 500 });
    await t2.submit(withHeader, artifact, new AbortController().signal);
    expect(f.created).toBe(1);
    expect(log.all()).not.toContain('s3cr3t-token');
  });
});

describe('watch: status faults are retried; the verdict comes from driverState', () => {
  async function submitAndWatch(f: FakeSpark, extra: Partial<StandaloneDeps> = {}) {
    const { plan, target, log } = setup([f.url], f.url, extra);
    const handle = await target.submit(plan, artifact, new AbortController().signal);
    return {
      handle,
      target,
      log,
      statuses: () => collect(target.watch(handle, new AbortController().signal)),
    };
  }

  it('connection reset during status is retried and the driver is followed to FINISHED', async () => {
    const f = await fake();
    const { statuses, log } = await submitAndWatch(f);
    f.inject({ on: 'status', kind: 'reset', times: 2 });
    const seen = await statuses();
    expect(seen.map((s) => s.nativeState)).toEqual(['SUBMITTED', 'RUNNING', 'FINISHED']);
    expect(seen[1]?.applicationId).toMatch(/^app-\d{14}-0000$/);
    expect(seen.at(-1)).toMatchObject({ phase: 'SUCCEEDED', terminal: true });
    expect(log.warnings.filter((w) => w.includes('unavailable'))).toHaveLength(1);
    expect(f.created).toBe(1);
  });

  it.each([
    ['500-empty' as const, 'HTTP 500 with empty body'],
    ['malformed' as const, 'malformed JSON'],
    ['500-error-response' as const, 'HTTP 500 ErrorResponse'],
  ])('status %s is transient; too many in a row is a clear error', async (kind, shown) => {
    const f = await fake();
    const { statuses } = await submitAndWatch(f, { maxPollFailures: 3 });
    f.inject({ on: 'status', kind, times: 3 });
    const err = await statuses().catch((e: unknown) => e);
    expect((err as Error).message).toMatch(
      /lost contact with the master while following driver .*3 status requests in a row failed/,
    );
    expect((err as Error).message).toContain(shown);
  });

  it('a standby master during status is skipped for the active one', async () => {
    const active = await fake();
    const standby = await fake({ masterState: 'STANDBY' });
    const { plan, target } = setup([standby.url, active.url], active.url);
    const handle = await target.submit(plan, artifact, new AbortController().signal);
    const seen = await collect(target.watch(handle, new AbortController().signal));
    expect(seen.at(-1)?.nativeState).toBe('FINISHED');
    // The master that accepted is asked first, so the standby is not polled at all.
    expect(standby.requests.filter((r) => r.path.includes('/status/'))).toHaveLength(0);
  });

  it('a driver the master does not know ends the watch with a clear error', async () => {
    const f = await fake();
    const { target } = setup([f.url], f.url);
    const handle: Handle = {
      target: 'standalone',
      submissionId: 'driver-19700101000000-9999',
      data: { masters: JSON.stringify([f.url]), webUis: JSON.stringify([f.url]), acceptedBy: f.url },
    };
    const err = await collect(target.watch(handle, new AbortController().signal)).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(
      /does not know driver driver-19700101000000-9999 \(asked 3 times\)/,
    );
  });
});
