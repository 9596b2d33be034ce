// The findings of a run, from runs shaped to show each one (and its near misses).
import { describe, expect, it } from 'vitest';
import { analyzeRun, skewOf } from '../../../src/metrics/analyze.js';
import { type RunMetrics, type StageRun, totalsOf } from '../../../src/metrics/model.js';

const stage = (over: Partial<StageRun> = {}): StageRun => ({
  stageId: 0,
  attempt: 0,
  name: 'count at Job.scala:10',
  status: 'COMPLETE',
  durationMs: 1000,
  startMs: 0,
  endMs: 1000,
  tasks: 8,
  failedTasks: 0,
  killedTasks: 0,
  inputBytes: 0,
  inputRecords: 0,
  outputBytes: 0,
  outputRecords: 0,
  shuffleReadBytes: 0,
  shuffleWriteBytes: 0,
  memorySpillBytes: 0,
  diskSpillBytes: 0,
  taskTimeMs: 1000,
  gcTimeMs: 0,
  ...over,
});
const run = (stages: StageRun[], over: Partial<RunMetrics> = {}): RunMetrics => ({
  source: { kind: 'history', api: 'http://shs:18080/api/v1' },
  appId: 'app-1',
  name: 'etl',
  completed: true,
  wallMs: 5000,
  jobs: [],
  stages,
  executors: { total: 2, lost: [] },
  totals: totalsOf(stages),
  ...over,
});
const MiB = 1024 * 1024;
type Q = [number, number, number, number];
/** A spread from run times, bytes and records read; task durations add 3 s of warm-up to the slowest. */
const spread = (run: Q, bytes: Q, records: Q = [500, 500, 500, 500]) => ({
  durationMs: [run[0] + 50, run[1] + 100, run[2] + 100, run[3] + 3000] as Q,
  runMs: run,
  readBytes: bytes,
  readRecords: records,
});
const EVEN: Q = [MiB, MiB, MiB, MiB];

describe('skewOf', () => {
  it.each([
    [
      'bytes 4x and 32 MiB over, slowest 1 s over',
      spread([20, 30, 300, 1030], [0, 0, MiB, 40 * MiB]),
      'uneven-reads',
    ],
    [
      'records 4x and 100 000 over (no bytes)',
      spread([20, 30, 30, 2000], [0, 0, 0, 0], [0, 10, 10, 100_010]),
      'uneven-reads',
    ],
    [
      'bytes uneven but the slowest only 0.9 s over: costs nothing',
      spread([20, 30, 300, 930], [0, 0, MiB, 40 * MiB]),
      undefined,
    ],
    [
      'bytes 4x but only 24 MiB over: tiny data',
      spread([20, 30, 300, 9000], [0, 8 * MiB, 8 * MiB, 32 * MiB]),
      undefined,
    ],
    [
      'records 4x but only 99 999 over',
      spread([20, 30, 30, 9000], [0, 0, 0, 0], [0, 1, 1, 100_000]),
      undefined,
    ],
    [
      'even reads, run time 4x and 2 s over a 1 s median: stragglers',
      spread([900, 1000, 1000, 4000], EVEN),
      'stragglers',
    ],
    [
      'even reads, run time 4x and 2 s over a 0.9 s median: too short',
      spread([800, 900, 900, 3600], EVEN),
      undefined,
    ],
    ['even reads, run time 4x but only 1.5 s over', spread([100, 500, 500, 2000], EVEN), undefined],
    ['even reads, run time 2 s over but only 3x', spread([900, 1000, 1000, 3000], EVEN), undefined],
    ['even tasks', spread([900, 1000, 1000, 1100], EVEN), undefined],
  ])('%s', (_name, s, kind) => {
    expect(skewOf(stage({ spread: s }))?.kind).toBe(kind);
  });
  it('no spread read, no judgement', () => expect(skewOf(stage())).toBeUndefined());

  it('a first wave slow from deserialisation (class loading) over even reads is nothing (the public false alarm)', () => {
    // Stage 0 of the captured warm-up run: durations 1.1 s median, 6.3 s max, ~2.9 s of which deserialisation.
    const s = stage({
      tasks: 18,
      inputBytes: 688_347,
      spread: {
        durationMs: [646, 1063, 3985, 6324],
        runMs: [344, 1011, 1588, 3215],
        readBytes: [4029, 40_254, 56_354, 72_454],
        readRecords: [515, 541, 591, 672],
      },
    });
    expect(skewOf(s)).toBeUndefined();
    expect(analyzeRun(run([s]))).toEqual([]);
  });

  it('says each quantile as its own measure, not as one task', () => {
    const s = stage({ spread: spread([20, 45, 400, 2700], [0, 0, MiB, 40 * MiB], [0, 0, 15_000, 585_000]) });
    expect(skewOf(s)?.figures).toBe(
      "the slowest task ran 2.7 s against a median of 45 ms; the largest read was 40.0 MiB against a median of 0 B, the most records 585,000 against a median of 0 (each measure's own top task), over 8 tasks",
    );
  });
});

describe('skew findings', () => {
  const uneven = spread([20, 45, 400, 2700], [0, 0, MiB, 40 * MiB], [0, 0, 15_000, 585_000]);
  it('uneven reads after a shuffle: a warning with the hot-key advice', () => {
    const [f] = analyzeRun(run([stage({ shuffleReadBytes: 42 * MiB, spread: uneven })]));
    expect(f).toMatchObject({
      severity: 'warning',
      rule: 'spark-run/skew',
      title: 'Skewed stage 0: its tasks read unevenly',
    });
    expect(f?.message).toMatch(
      /reads a shuffle, so a few keys hold most rows: salt the hot key, enable adaptive skew-join/,
    );
  });
  it('uneven reads at the source (no shuffle read): a warning about uneven splits, no hot key', () => {
    const [f] = analyzeRun(run([stage({ inputBytes: 42 * MiB, spread: uneven })]));
    expect(f).toMatchObject({ severity: 'warning', rule: 'spark-run/skew' });
    expect(f?.message).toMatch(
      /reads no shuffle, so its input splits are uneven: .*Repartition after reading/,
    );
    expect(f?.message).not.toMatch(/hot key|skew-join/);
  });
  it('stragglers over even reads: a notice, not a warning', () => {
    const f = analyzeRun(
      run([stage({ inputBytes: 8 * MiB, spread: spread([900, 1000, 1000, 4000], EVEN) })]),
    );
    expect(f.map((x) => [x.severity, x.rule, x.title])).toEqual([
      ['notice', 'spark-run/stragglers', 'Stage 0 waited on straggler tasks'],
    ]);
    expect(f[0]?.message).toContain('the slowest task ran 4.0 s against a median of 1.0 s');
  });
});

describe('analyzeRun', () => {
  it('an even, quick run has no findings', () => {
    expect(analyzeRun(run([stage(), stage({ stageId: 1, startMs: 1000, endMs: 2000 })]))).toEqual([]);
  });

  it('failed and retried tasks, a failed stage attempt, lost executors', () => {
    const f = analyzeRun(
      run(
        [
          stage({
            stageId: 2,
            status: 'FAILED',
            failedTasks: 3,
            failureReason: 'FetchFailed(BlockManagerId(1))',
          }),
          stage({ stageId: 2, attempt: 1, failedTasks: 1 }),
        ],
        {
          executors: {
            total: 3,
            lost: [
              { id: '1', host: '10.0.0.7:3456', reason: 'Command exited with code 137', failedTasks: 3 },
            ],
          },
        },
      ),
    );
    expect(f.map((x) => [x.severity, x.rule, x.title])).toEqual([
      ['warning', 'spark-run/failed-stage', 'Stage 2 (attempt 0) failed'],
      ['warning', 'spark-run/failed-tasks', '4 tasks failed and were retried'],
      ['warning', 'spark-run/lost-executors', '1 executor was lost'],
    ]);
    expect(f[0]?.message).toBe(
      'stage 2 "count at Job.scala:10": FetchFailed(BlockManagerId(1)) (it was retried).',
    );
    expect(f[1]?.message).toMatch(/^In stage 2 \(3 of 8\), stage 2 \(1 of 8\)\./);
    expect(f[2]?.message).toBe('executor 1 on 10.0.0.7:3456: Command exited with code 137');
    expect(f.every((x) => x.stage === 'deploy')).toBe(true);
  });

  it('a stage taking most of a long run is a notice; GC past a fifth of task time is a notice', () => {
    const f = analyzeRun(
      run(
        [
          stage({ durationMs: 2_000, endMs: 2_000 }),
          stage({
            stageId: 1,
            name: 'save at Job.scala:20',
            durationMs: 50_000,
            startMs: 2_000,
            endMs: 52_000,
            taskTimeMs: 90_000,
            gcTimeMs: 30_000,
          }),
        ],
        { wallMs: 60_000 },
      ),
    );
    expect(f.map((x) => [x.severity, x.title])).toEqual([
      ['notice', 'Stage 1 takes 83 % of the run'],
      ['notice', 'Garbage collection took 33 % of task time'],
    ]);
  });

  it('a single-stage run is not "dominated"', () => {
    expect(analyzeRun(run([stage({ durationMs: 59_000 })], { wallMs: 60_000 }))).toEqual([]);
  });
});
