// The Spark run section: the Gantt chart, the stage table, the comparison with the last deploy.
import { describe, expect, it } from 'vitest';
import { baselineOf, parseBaseline, renderComparison } from '../../../src/metrics/compare.js';
import { type RunMetrics, type StageRun, totalsOf } from '../../../src/metrics/model.js';
import { mermaidText, renderGantt, renderSparkRun } from '../../../src/metrics/render.js';

const s = (stageId: number, over: Partial<StageRun> = {}): StageRun => ({
  stageId,
  attempt: 0,
  name: `save at Job.scala:${stageId}`,
  status: 'COMPLETE',
  durationMs: 1000,
  startMs: stageId * 1000,
  endMs: stageId * 1000 + 1000,
  tasks: 4,
  failedTasks: 0,
  killedTasks: 0,
  inputBytes: 2048,
  inputRecords: 1500,
  outputBytes: 0,
  outputRecords: 0,
  shuffleReadBytes: 0,
  shuffleWriteBytes: 3 * 1024 * 1024,
  memorySpillBytes: 0,
  diskSpillBytes: 0,
  taskTimeMs: 4000,
  gcTimeMs: 400,
  ...over,
});
const metrics = (stages: StageRun[]): RunMetrics => ({
  source: { kind: 'history', api: 'http://shs:18080/api/v1' },
  appId: 'app-20261207154840-0001',
  name: 'etl | nightly',
  sparkVersion: '3.5.6',
  completed: true,
  wallMs: 4000,
  jobs: [
    { jobId: 0, name: 'save', status: 'SUCCEEDED', stageIds: [0, 1], tasks: 8, failedTasks: 0 },
    { jobId: 1, name: 'count', status: 'SUCCEEDED', stageIds: [1, 2], tasks: 8, failedTasks: 0 },
  ],
  stages,
  executors: { total: 2, lost: [] },
  totals: totalsOf(stages),
});

describe('renderGantt', () => {
  it('one section per job, a shared stage under its first job, offsets as ms, failed stages crit', () => {
    const m = metrics([
      s(0),
      s(1),
      s(2, { status: 'FAILED' }),
      s(2, { attempt: 1, startMs: 3500, endMs: 3500 }),
    ]);
    expect(renderGantt(m, m.stages)).toBe(
      [
        '```mermaid',
        'gantt',
        '  title Stages of app-20261207154840-0001',
        '  dateFormat x',
        '  axisFormat %M:%S',
        '  section Job 0',
        '  0 save at Job.scala 0 :s0_0, 0, 1000',
        '  1 save at Job.scala 1 :s1_0, 1000, 2000',
        '  section Job 1',
        '  2 save at Job.scala 2 :crit, s2_0, 2000, 3000',
        '  2.1 save at Job.scala 2 :s2_1, 3500, 3501',
        '```',
      ].join('\n'),
    );
  });
  it.each([
    ['a: b # c; d', 'a b c d'],
    ['x'.repeat(60), `${'x'.repeat(47)}…`],
    ['`<b>`', 'b'],
  ])('mermaidText(%j)', (input, out) => expect(mermaidText(input)).toBe(out));
});

describe('renderSparkRun', () => {
  it('wall time, totals, chart and table; names escaped for the table', () => {
    const md = renderSparkRun(
      metrics([s(0), s(1, { diskSpillBytes: 5 * 1024 * 1024, memorySpillBytes: 20 * 1024 * 1024 })]),
    );
    expect(md).toContain(
      '`app-20261207154840-0001` (etl \\| nightly, Spark 3.5.6) ran **4.0 s**: 2 jobs, 2 stage attempts, 2 executors.',
    );
    expect(md).toContain(
      'Input 4.0 KiB · output 0 B · shuffle 0 B read, 6.0 MiB written · spill 5.0 MiB to disk · GC 10 % of task time',
    );
    expect(md).toContain(
      '| 1 | save at Job.scala:1 | COMPLETE | 1.0 s | 4 | 2.0 KiB / 1.5 k | — | 0 B / 3.0 MiB | **20.0 MiB / 5.0 MiB** | 10 % |',
    );
    expect(md).toContain('<sub>Read from the History Server at http://shs:18080/api/v1</sub>');
  });
});

describe('comparison with the last deploy', () => {
  const now = baselineOf(metrics([s(0), s(1)]));
  it('changes in per cent, signed; a new non-zero figure is "new"', () => {
    const md = renderComparison(now, {
      deploymentId: 77,
      sha: 'abcdef0123',
      baseline: {
        ...now,
        app_id: 'app-0',
        wall_ms: 8000,
        input_bytes: 4096,
        shuffle_read_bytes: 0,
        spill_bytes: 0,
        task_ms: 8000,
      },
    });
    expect(md).toContain('Against the last successful deploy (deployment #77, abcdef0, `app-0`):');
    expect(md).toContain('| wall time | 8.0 s | 4.0 s | −50 % |');
    expect(md).toContain('| input | 4.0 KiB | 4.0 KiB | ±0 % |');
    expect(md).toContain('| shuffle read | 0 B | 0 B | — |');
    expect(md).toContain('| shuffle write | 6.0 MiB | 6.0 MiB | ±0 % |');
  });
  it.each([
    [{ spark_run: now }, true],
    [{ spark_run: { ...now, wall_ms: '1' } }, false],
    [{ spark_run: { ...now, app_id: undefined } }, false],
    [{ app: 'etl' }, false],
    ['a string payload', false],
    [null, false],
  ])('parseBaseline(%j)', (payload, ok) => expect(parseBaseline(payload) !== undefined).toBe(ok));
});
