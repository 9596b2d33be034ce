// The application as real code makes it, against the fake master: named in code (.appName overrides the
// submitted spark.app.name), a hard-coded local master, a WARN-level driver log, an unreachable worker UI.
import { afterEach, describe, expect, it } from 'vitest';
import { createStandaloneTarget } from '../../../src/targets/standalone/index.js';
import type { Status } from '../../../src/targets/target.js';
import { ActionError } from '../../../src/util/errors.js';
import {
  type FakeApp,
  type FakeSpark,
  type ScriptStep,
  startFakeSpark,
} from '../../helpers/fake-spark-rest.js';
import { artifact, makePlan, type PlanOverrides, RecordingLog, virtualClock } from './fixtures.js';

const fakes: FakeSpark[] = [];
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((f) => f.close()));
});

const BATCH: ScriptStep[] = [{ state: 'SUBMITTED' }, { state: 'RUNNING', polls: 3 }, { state: 'FINISHED' }];
const STREAM: ScriptStep[] = [{ state: 'SUBMITTED' }, { state: 'RUNNING' }];

async function world(app: FakeApp, script = BATCH, o: PlanOverrides = {}) {
  const clock = virtualClock();
  const f = await startFakeSpark({ now: clock.now, app, script });
  fakes.push(f);
  const log = new RecordingLog();
  const plan = makePlan({ standalone: { masters: [f.url], webUi: f.url }, ...o });
  const target = createStandaloneTarget({ clock, log, requestTimeoutMs: 500 });
  const started = clock.now();
  const run = async () => {
    const handle = await target.submit(plan, artifact, new AbortController().signal);
    const statuses: Status[] = [];
    try {
      for await (const s of target.watch(handle, new AbortController().signal)) statuses.push(s);
      return { handle, statuses, error: undefined, elapsed: clock.now() - started };
    } catch (error) {
      return { handle, statuses, error: error as ActionError, elapsed: clock.now() - started };
    }
  };
  return { f, clock, log, plan, target, run };
}

const streaming = (healthyAfter: number): PlanOverrides => ({
  app: { mode: 'streaming', healthyAfter },
  timeoutMs: 30 * 60_000,
});

describe('an app named in code', () => {
  it('batch: its application id and Spark UI link are found (from the driver log)', async () => {
    const w = await world({ name: 'something-else' });
    const { handle, statuses } = await w.run();
    const last = statuses.at(-1) as Status;
    const app = w.f.drivers.get(handle.submissionId)?.app;
    expect(app?.id).toMatch(/^app-/);
    expect(last).toMatchObject({ phase: 'SUCCEEDED', applicationId: app?.id });
    expect(w.target.links(handle, last).sparkUi).toBe(`${w.f.url}/app/?appId=${app?.id}`);
    expect(w.log.all()).toContain(`registered application ${app?.id} (found by driver log)`);
    expect(w.target.findings).toEqual([]);
  });

  it('streaming: healthy after healthyAfter counted from its registration, not killed at the timeout', async () => {
    const w = await world({ name: 'something-else' }, STREAM, streaming(30));
    const { statuses, error, elapsed } = await w.run();
    expect(error).toBeUndefined();
    const last = statuses.at(-1) as Status;
    expect(last).toMatchObject({
      phase: 'RUNNING',
      terminal: false,
      applicationId: expect.stringMatching(/^app-/),
    });
    expect(last.message).toMatch(/^healthy: RUNNING for 3\d s/);
    expect(elapsed).toBeLessThan(60_000);
  });

  it("a supervised relaunch: the new launch's application, from the appended log, and health starts over", async () => {
    const w = await world(
      { name: 'something-else' },
      [{ state: 'RUNNING', polls: 4 }, { state: 'RELAUNCHING' }, { state: 'RUNNING' }],
      streaming(10),
    );
    const { handle, statuses, error } = await w.run();
    expect(error).toBeUndefined();
    const d = w.f.drivers.get(handle.submissionId);
    const [first] = d?.pastApps ?? [];
    expect(first?.id).toMatch(/^app-/);
    expect(d?.app?.id).not.toBe(first?.id);
    expect(statuses.map((s) => [s.nativeState, s.applicationId])).toEqual([
      ['RUNNING', first?.id],
      ['RELAUNCHING', undefined],
      ['RUNNING', d?.app?.id],
      ['RUNNING', d?.app?.id],
    ]);
    expect(statuses.at(-1)?.message).toMatch(/^healthy/);
  });

  it('with a WARN-level driver log: found by start time in /json/ (the only app since the driver)', async () => {
    const w = await world({ name: 'something-else', quiet: true }, STREAM, streaming(20));
    const { statuses, error } = await w.run();
    expect(error).toBeUndefined();
    expect(statuses.at(-1)?.applicationId).toMatch(/^app-/);
    expect(w.log.all()).toContain('(found by start time)');
  });

  it('with an unreachable worker UI: found by start time in /json/', async () => {
    const w = await world({ name: 'something-else' }, STREAM, streaming(20));
    w.f.inject({ on: 'log', kind: 'reset', times: 100 });
    const { statuses, error } = await w.run();
    expect(error).toBeUndefined();
    expect(statuses.at(-1)?.applicationId).toMatch(/^app-/);
    expect(w.log.all()).toContain('(found by start time)');
  });
});

describe('an app that hard-codes a local master', () => {
  it('batch: still a success, with a warning finding that says local mode and the fix', async () => {
    const w = await world({ local: true }, [{ state: 'RUNNING', polls: 10 }, { state: 'FINISHED' }]);
    const { handle, statuses, error } = await w.run();
    expect(error).toBeUndefined();
    const last = statuses.at(-1) as Status;
    expect(last).toMatchObject({ phase: 'SUCCEEDED', nativeState: 'FINISHED' });
    expect(last.applicationId).toBeUndefined();
    expect(w.target.findings).toEqual([
      expect.objectContaining({
        severity: 'warning',
        rule: 'standalone/local-master',
        title: 'Spark ran in local mode',
        message: expect.stringContaining(
          `driver ${handle.submissionId} runs Spark in local mode: its log shows`,
        ),
      }),
    ]);
    expect(w.target.findings[0]?.message).toContain('.master("local[*]")');
    // Once the log has said so, /json/ and the log are not read again on every poll.
    expect(w.f.requests.filter((r) => r.path.startsWith('/json')).length).toBeLessThanOrEqual(2);
  });

  it('streaming: fails at once with an error finding, well before healthyAfter', async () => {
    const w = await world({ local: true }, STREAM, streaming(60));
    const { statuses, error, elapsed } = await w.run();
    expect(error).toBeInstanceOf(ActionError);
    expect(error?.message).toMatch(/^standalone: driver driver-\S+ runs Spark in local mode: its log shows/);
    expect(error?.message).toContain('not counted healthy');
    expect(error?.findings).toEqual([
      expect.objectContaining({ severity: 'error', rule: 'standalone/local-master' }),
    ]);
    expect(statuses.at(-1)?.message).toMatch(/local mode/);
    expect(elapsed).toBeLessThan(60_000);
  });

  it('streaming, WARN-level log: an error once RUNNING for registerWithin without an application', async () => {
    const w = await world({ local: true, quiet: true }, STREAM, streaming(300));
    w.plan.config.standalone = { masters: [w.f.url], webUi: w.f.url, registerWithin: 30 };
    const { error, elapsed } = await w.run();
    expect(error?.message).toMatch(/has been RUNNING for 3\d s without registering an application/);
    expect(error?.message).toContain('standalone.registerWithin (now 30 s)');
    expect(elapsed).toBeGreaterThanOrEqual(30_000);
    expect(elapsed).toBeLessThan(60_000);
  });

  it('streaming, unreachable worker UI: the log is given up after 2 failed reads; registerWithin judges', async () => {
    const w = await world({ local: true }, STREAM, streaming(300));
    w.plan.config.standalone = { masters: [w.f.url], webUi: w.f.url, registerWithin: 30 };
    w.f.inject({ on: 'log', kind: 'reset', times: 100 });
    const { error } = await w.run();
    expect(error?.message).toMatch(/has been RUNNING for 3\d s without registering an application/);
    expect(w.f.requests.filter((r) => r.path.startsWith('/log/'))).toHaveLength(2);
  });

  it('batch, WARN-level log: FINISHED without ever registering is a warning', async () => {
    const w = await world({ local: true, quiet: true });
    const { statuses } = await w.run();
    expect(statuses.at(-1)?.phase).toBe('SUCCEEDED');
    expect(w.target.findings.map((f) => [f.severity, f.rule])).toEqual([
      ['warning', 'standalone/local-master'],
    ]);
    expect(w.target.findings[0]?.message).toContain('FINISHED without ever registering an application');
  });

  it('batch RUNNING past registerWithin: a log line, no finding until it ends (it may register late)', async () => {
    const w = await world({ quiet: true, registerAfterPolls: 8 }, [
      { state: 'RUNNING', polls: 12 },
      { state: 'FINISHED' },
    ]);
    w.plan.config.standalone = { masters: [w.f.url], webUi: w.f.url, registerWithin: 5 };
    const { statuses } = await w.run();
    expect(w.log.warnings.join('\n')).toMatch(
      /has been RUNNING for \d+ s without registering an application/,
    );
    expect(statuses.at(-1)).toMatchObject({
      phase: 'SUCCEEDED',
      applicationId: expect.stringMatching(/^app-/),
    });
    expect(w.target.findings).toEqual([]);
  });
});

describe('find', () => {
  it('by the submitted name in the launch command, not by the name the code gave its app', async () => {
    const w = await world({});
    const submitted = (name: string) => ({
      action: 'CreateSubmissionRequest',
      sparkProperties: { 'spark.app.name': name },
    });
    const t = w.clock.now();
    const ours = w.f.addDriver({
      appName: 'etl-pipeline',
      mainClass: 'com.etl.Main',
      request: submitted('etl-pipeline'),
      code: { name: 'Pipeline' },
      starttime: t - 60_000,
      step: 1,
      app: { id: 'app-20261125180000-0001', starttime: t - 55_000 },
    });
    // Another job of the same main class whose code calls .appName("etl-pipeline").
    w.f.addDriver({
      appName: 'nightly-report',
      mainClass: 'com.etl.Main',
      request: submitted('nightly-report'),
      code: { name: 'etl-pipeline' },
      starttime: t - 30_000,
      step: 1,
      app: { id: 'app-20261125180030-0002', starttime: t - 25_000 },
    });
    const found = await createStandaloneTarget({ clock: w.clock, log: w.log, plan: w.plan }).find({
      app: 'etl-pipeline',
    });
    expect(found.map((h) => [h.submissionId, h.applicationId])).toEqual([
      [ours.id, 'app-20261125180000-0001'],
    ]);
  });

  it('falls back to names and start times for drivers whose log cannot be read', async () => {
    const w = await world({});
    const first = await w.run();
    for (let i = 0; i < 5; i++) w.f.addDriver({ appName: 'other', mainClass: 'com.etl.Main', step: 2 });
    w.f.inject({ on: 'log', kind: 'reset', times: 100 });
    const before = w.f.requests.length;
    const found = await createStandaloneTarget({ clock: w.clock, log: w.log, plan: w.plan }).find({
      app: 'etl-pipeline',
    });
    expect(found.map((h) => [h.submissionId, h.applicationId])).toEqual([
      [first.handle.submissionId, first.statuses.at(-1)?.applicationId],
    ]);
    // One worker UI that does not answer is asked once (a few reads race at once), not for all 6 drivers.
    const reads = w.f.requests.slice(before).filter((r) => r.path.startsWith('/log/'));
    expect(reads.length).toBeLessThanOrEqual(4);
  });
});
