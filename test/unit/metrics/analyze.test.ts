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
const spread = (d: [number, number, number, number], r: [number, number, number, number]) => ({
  durationMs: d,
  readBytes: r,
  readRecords: [0, 10, 10, 100] as [number, number, number, number],
});

describe('skewOf', () => {
  it.each([
    ['slow task, 4x and 2 s over the median', spread([100, 500, 600, 2600], [0, 1, 1, 1]), true],
    [
      'heavy task, 4x and 32 MiB over the median',
      spread([100, 100, 100, 100], [0, MiB, MiB, 40 * MiB]),
      true,
    ],
    ['4x slower but only 1.5 s over', spread([100, 500, 500, 2000], [0, 1, 1, 1]), false],
    ['2 s over but only 3x', spread([100, 1000, 1000, 3000], [0, 1, 1, 1]), false],
    ['even tasks', spread([900, 1000, 1000, 1100], [MiB, MiB, MiB, MiB]), false],
  ])('%s', (_name, s, skewed) => {
    expect(skewOf(stage({ spread: s })) !== undefined).toBe(skewed);
  });
  it('no spread read, no judgement', () => expect(skewOf(stage())).toBeUndefined());
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
