// Findings about how a Spark run went, as data: skew, spill, failed or retried tasks, failed stages, lost
// executors, a stage that dominates the run. They reach the job summary and the check run as warnings or
// notices like every other finding, and never fail the run.
import type { Finding } from '../findings.js';
import { compactBytes, compactDuration, stageLabel } from './format.js';
import type { RunMetrics, StageRun } from './model.js';

/** A stage is skewed when its slowest task takes this many times its median task, or reads that many times. */
export const SKEW_RATIO = 4;
/** …and the slowest task is at least this much longer than the median (smaller gaps cost nothing). */
export const SKEW_MIN_EXCESS_MS = 2_000;
/** …or reads at least this many more bytes than the median task. */
export const SKEW_MIN_EXCESS_BYTES = 32 * 1024 * 1024;
/** A stage dominates a run of at least DOMINANT_MIN_WALL_MS when it takes this share of the wall time. */
export const DOMINANT_SHARE = 0.6;
export const DOMINANT_MIN_WALL_MS = 10_000;
/** A GC share of task time at least this high (over at least GC_MIN_TASK_MS of task time) is noted. */
export const GC_SHARE = 0.2;
export const GC_MIN_TASK_MS = 10_000;

const finding = (severity: Finding['severity'], rule: string, title: string, message: string): Finding => ({
  stage: 'deploy',
  severity,
  title,
  message,
  rule: `spark-run/${rule}`,
});

/** skewOf describes a stage's skew, or undefined when its tasks are even (or its spread was not read). */
export function skewOf(s: StageRun): string | undefined {
  const d = s.spread?.durationMs;
  const r = s.spread?.readBytes;
  if (!d || !r) return undefined;
  const [, medD, , maxD] = d;
  const [, medR, , maxR] = r;
  const slow = maxD >= SKEW_RATIO * medD && maxD - medD >= SKEW_MIN_EXCESS_MS;
  const heavy = maxR >= SKEW_RATIO * medR && maxR - medR >= SKEW_MIN_EXCESS_BYTES;
  if (!slow && !heavy) return undefined;
  const records = s.spread?.readRecords;
  return `its slowest task took ${compactDuration(maxD)} against a median of ${compactDuration(medD)} and read ${compactBytes(maxR)}${records ? ` (${records[3].toLocaleString('en-US')} records)` : ''} against a median of ${compactBytes(medR)}${records ? ` (${records[1].toLocaleString('en-US')} records)` : ''}, over ${s.tasks} tasks`;
}

/** analyzeRun returns the findings of one run, most telling first. */
export function analyzeRun(m: RunMetrics): Finding[] {
  const out: Finding[] = [];
  for (const s of m.stages) {
    const skew = skewOf(s);
    if (skew) {
      out.push(
        finding(
          'warning',
          'skew',
          `Skewed stage ${s.stageId}: one task does most of the work`,
          `${stageLabel(s)}: ${skew}. A few keys hold most rows: salt the hot key, enable adaptive skew-join handling (spark.sql.adaptive.skewJoin.enabled) for joins, or repartition on a better spread key.`,
        ),
      );
    }
  }
  const spilled = m.stages.filter((s) => s.diskSpillBytes > 0 || s.memorySpillBytes > 0);
  if (spilled.length) {
    const worst = [...spilled].sort((a, b) => b.diskSpillBytes - a.diskSpillBytes)[0] as StageRun;
    out.push(
      finding(
        'warning',
        'spill',
        `Spark spilled ${compactBytes(m.totals.spillBytes)} to disk in ${spilled.length} stage${spilled.length === 1 ? '' : 's'}`,
        `${stageLabel(worst)} spilled ${compactBytes(worst.diskSpillBytes)} to disk (${compactBytes(worst.memorySpillBytes)} in memory before serialisation) over ${worst.tasks} tasks. Execution memory ran out: give executors more memory (spark.executor.memory), or more, smaller partitions (spark.sql.shuffle.partitions).`,
      ),
    );
  }
  const failedStages = m.stages.filter((s) => s.status === 'FAILED');
  for (const s of failedStages) {
    out.push(
      finding(
        'warning',
        'failed-stage',
        `Stage ${s.stageId} (attempt ${s.attempt}) failed`,
        `${stageLabel(s)}: ${s.failureReason ?? 'no reason given'}${m.stages.some((o) => o.stageId === s.stageId && o.attempt > s.attempt) ? ' (it was retried)' : ''}.`,
      ),
    );
  }
  if (m.totals.failedTasks > 0) {
    const where = m.stages.filter((s) => s.failedTasks > 0);
    out.push(
      finding(
        'warning',
        'failed-tasks',
        `${m.totals.failedTasks} task${m.totals.failedTasks === 1 ? '' : 's'} failed and ${m.totals.failedTasks === 1 ? 'was' : 'were'} retried`,
        `In ${where.map((s) => `stage ${s.stageId} (${s.failedTasks} of ${s.tasks})`).join(', ')}. Retries cost time and hide flaky input or executors running out of memory: the stage's failed tasks in the Spark UI say why.`,
      ),
    );
  }
  if (m.executors.lost.length) {
    out.push(
      finding(
        'warning',
        'lost-executors',
        `${m.executors.lost.length} executor${m.executors.lost.length === 1 ? ' was' : 's were'} lost`,
        m.executors.lost
          .slice(0, 5)
          .map((e) => `executor ${e.id}${e.host ? ` on ${e.host}` : ''}: ${e.reason}`)
          .join('; '),
      ),
    );
  }
  const longest = [...m.stages].sort((a, b) => b.durationMs - a.durationMs)[0];
  if (
    longest &&
    m.stages.length > 1 &&
    m.wallMs >= DOMINANT_MIN_WALL_MS &&
    longest.durationMs >= DOMINANT_SHARE * m.wallMs
  ) {
    out.push(
      finding(
        'notice',
        'dominant-stage',
        `Stage ${longest.stageId} takes ${Math.round((100 * longest.durationMs) / m.wallMs)} % of the run`,
        `${stageLabel(longest)} ran ${compactDuration(longest.durationMs)} of ${compactDuration(m.wallMs)}: it is where time is won.`,
      ),
    );
  }
  const { gcTimeMs, taskTimeMs } = m.totals;
  if (taskTimeMs >= GC_MIN_TASK_MS && gcTimeMs >= GC_SHARE * taskTimeMs) {
    out.push(
      finding(
        'notice',
        'gc',
        `Garbage collection took ${Math.round((100 * gcTimeMs) / taskTimeMs)} % of task time`,
        `${compactDuration(gcTimeMs)} of ${compactDuration(taskTimeMs)}: executors are short of heap (spark.executor.memory) or cache too much.`,
      ),
    );
  }
  return out;
}
