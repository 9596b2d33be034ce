// readRun and collectRunMetrics against the captured answers of a real Spark 3.5.6 History Server.
import { afterEach, describe, expect, it } from 'vitest';
import { analyzeRun } from '../../../src/metrics/analyze.js';
import { collectRunMetrics } from '../../../src/metrics/collect.js';
import { readRun } from '../../../src/metrics/read-run.js';
import { createSparkApi, parseSparkTime } from '../../../src/metrics/spark-api.js';
import {
  type FakeSparkApi,
  SKEW_APP,
  SPILL_APP,
  startFakeSparkApi,
  WARMUP_APP,
} from '../../helpers/fake-spark-api.js';

let server: FakeSparkApi | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});
const apps = { [SKEW_APP]: 'skew', [SPILL_APP]: 'spill', [WARMUP_APP]: 'warmup' };
/** A clock whose sleeps pass at once, counting the time they would have taken. */
const virtualClock = () => {
  let t = 1_000_000;
  return {
    now: () => t,
    sleep: async (ms: number) => {
      t += ms;
    },
  };
};

describe('readRun (captured History Server answers)', () => {
  it('reads the skewed run: two stages, the sort stage one task reading nearly everything', async () => {
    server = await startFakeSparkApi({ apps });
    const m = await readRun(createSparkApi(server.url, fetch, { timeoutMs: 2000 }), SKEW_APP, 'history');
    expect(m).toMatchObject({ appId: SKEW_APP, name: 'shape-skew', sparkVersion: '3.5.6', completed: true });
    expect(m.wallMs).toBe(124_179);
    expect(m.jobs).toEqual([
      expect.objectContaining({ jobId: 0, status: 'SUCCEEDED', stageIds: [0, 1], tasks: 12, failedTasks: 0 }),
    ]);
    expect(m.stages.map((s) => [s.stageId, s.tasks, s.status])).toEqual([
      [0, 4, 'COMPLETE'],
      [1, 8, 'COMPLETE'],
    ]);
    const sort = m.stages[1];
    expect(sort?.shuffleReadBytes).toBe(143_249_746);
    expect(sort?.spread?.readRecords).toEqual([0, 0, 50_000, 1_950_000]);
    expect(sort?.spread?.durationMs).toEqual([176, 314, 2953, 11941]);
    expect(sort?.spread?.runMs).toEqual([80, 159, 2146, 11283]);
    expect(m.executors).toEqual({ total: 1, lost: [] });
    // Every stage's task summary was asked for with the quantiles the spread needs.
    expect(server.requests).toContain(
      `/api/v1/applications/${SKEW_APP}/stages/1/0/taskSummary?quantiles=0,0.5,0.75,1`,
    );
  });

  it('the skewed run gives one skew warning naming stage 1 and its numbers, nothing else', async () => {
    server = await startFakeSparkApi({ apps });
    const m = await readRun(createSparkApi(server.url, fetch, { timeoutMs: 2000 }), SKEW_APP, 'history');
    const f = analyzeRun(m);
    expect(f.map((x) => x.rule)).toEqual(['spark-run/skew']);
    expect(f[0]?.message).toContain(
      'stage 1 "save at ShapeJob.java:49": the slowest task ran 11.3 s against a median of 159 ms; the largest read was 133.1 MiB against a median of 0 B, the most records 1,950,000 against a median of 0 (each measure\'s own top task), over 8 tasks. The stage reads a shuffle, so a few keys hold most rows: salt the hot key',
    );
    expect(f[0]?.severity).toBe('warning');
  });

  it('the warm-up run (first tasks slow from deserialisation, reads even) gives no skew finding at all', async () => {
    server = await startFakeSparkApi({ apps });
    const m = await readRun(createSparkApi(server.url, fetch, { timeoutMs: 2000 }), WARMUP_APP, 'history');
    const read = m.stages.find((s) => s.stageId === 0);
    expect(read).toMatchObject({
      name: 'map at CoPurchaseAnalysis.scala:37',
      tasks: 18,
      shuffleReadBytes: 0,
    });
    // What raised "Skewed stage 0": the durations (6.3 s max against 1.1 s), ~2.9 s of it class loading.
    expect(read?.spread?.durationMs).toEqual([646, 1063, 3985, 6324]);
    expect(read?.spread?.runMs).toEqual([344, 1011, 1588, 3215]);
    expect(read?.spread?.readBytes).toEqual([4029, 40_254, 56_354, 72_454]);
    const rules = analyzeRun(m).map((x) => x.rule);
    expect(rules).not.toContain('spark-run/skew');
    expect(rules).not.toContain('spark-run/stragglers');
  });

  it('the spilling run gives a spill warning with the worst stage; no skew', async () => {
    server = await startFakeSparkApi({ apps });
    const m = await readRun(createSparkApi(server.url, fetch, { timeoutMs: 2000 }), SPILL_APP, 'history');
    const f = analyzeRun(m);
    expect(f.map((x) => x.rule)).not.toContain('spark-run/skew');
    const spill = f.find((x) => x.rule === 'spark-run/spill');
    expect(spill).toMatchObject({
      severity: 'warning',
      title: 'Spark spilled 290.0 MiB to disk in 2 stages',
    });
    expect(spill?.message).toMatch(
      /^stage 0 "save at ShapeJob\.java:49" spilled 151\.5 MiB to disk \(768\.0 MiB in memory/,
    );
  });
});

describe('collectRunMetrics', () => {
  it('waits while the History Server has not listed the run, then while it lists it running', async () => {
    server = await startFakeSparkApi({ apps, unlistedFor: 3, runningFor: 2 });
    const got = await collectRunMetrics({
      source: { kind: 'history', url: server.url },
      appId: SKEW_APP,
      batch: true,
      clock: virtualClock(),
    });
    expect('metrics' in got && got.metrics.stages.length).toBe(2);
    expect('metrics' in got && got.waitedMs).toBe(5 * 250);
  });

  it('a streaming run is read as it runs (no wait for completion)', async () => {
    server = await startFakeSparkApi({ apps, runningFor: 5 });
    const got = await collectRunMetrics({
      source: { kind: 'history', url: server.url },
      appId: SKEW_APP,
      batch: false,
      clock: virtualClock(),
    });
    expect('metrics' in got && got.metrics.completed).toBe(false);
  });

  it('gives up at the bound with what it saw', async () => {
    server = await startFakeSparkApi({ apps, unlistedFor: 1000 });
    const got = await collectRunMetrics({
      source: { kind: 'history', url: server.url },
      appId: SKEW_APP,
      batch: true,
      waitMs: 2000,
      clock: virtualClock(),
    });
    expect(got).toEqual({
      unavailable: `the History Server at ${server.url}: after 2 s it does not list ${SKEW_APP} (is spark.eventLog.enabled on, writing to the directory it reads?)`,
    });
  });

  it.each([
    [500, /HTTP 500 \(Server Error\)/],
    [401, /HTTP 401/],
  ])('an answer of %i is said at once, never thrown', async (status, text) => {
    server = await startFakeSparkApi({ apps, failWith: status });
    const got = await collectRunMetrics({
      source: { kind: 'history', url: server.url },
      appId: SKEW_APP,
      batch: true,
      clock: virtualClock(),
    });
    expect('unavailable' in got && got.unavailable).toMatch(text);
    expect(server.requests).toHaveLength(1);
  });

  it('a server that is not there is said at once', async () => {
    const got = await collectRunMetrics({
      source: { kind: 'history', url: 'http://127.0.0.1:1' },
      appId: SKEW_APP,
      batch: true,
      clock: virtualClock(),
    });
    expect('unavailable' in got && got.unavailable).toMatch(
      /^the History Server at http:\/\/127\.0\.0\.1:1: http:\/\/127\.0\.0\.1:1\/api\/v1\/applications\/app-20261207154840-0001: /,
    );
  });
});

describe('parseSparkTime', () => {
  it.each([
    ['2026-12-07T15:48:32.643GMT', 1_796_658_512_643],
    ['1969-12-31T23:59:59.999GMT', undefined],
    ['', undefined],
    ['not a date', undefined],
  ])('%s', (s, ms) => expect(parseSparkTime(s)).toBe(ms));
});
