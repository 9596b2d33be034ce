// Findings about how a Spark run went, as data: skew, spill, failed or retried tasks, failed stages, lost
// executors, a stage that dominates the run. They reach the job summary and the check run as warnings or
// notices like every other finding, and never fail the run.
import type { Finding } from '../findings.js';
import { compactBytes, compactDuration, stageLabel } from './format.js';
import type { RunMetrics, StageRun } from './model.js';

// Skew is judged on the task summary's quantiles (min, median, p75, max), each measure on its own: the task
// with the most time need not be the one with the most data, so neither is said of "one task".
/** A stage reads unevenly when its largest task read this many times its median task (bytes or records)… */
export const SKEW_RATIO = 4;
/** …and at least this many more bytes (input plus shuffle read) than the median task… */
export const SKEW_MIN_EXCESS_BYTES = 32 * 1024 * 1024;
/** …or at least this many more records. Smaller gaps are tiny data: never flagged. */
export const SKEW_MIN_EXCESS_RECORDS = 100_000;
/**
 * An uneven stage is a warning (spark-run/skew) when its slowest task also ran (executorRunTime, without
 * deserialisation or scheduler delay) at least this much longer than its median task; below, the skew costs
 * nothing. No floor on the median task here: in a key-skewed shuffle most tasks read nothing and take ms.
 */
export const SKEW_MIN_EXCESS_RUN_MS = 1_000;
/**
 * Tasks reading evenly whose slowest ran SKEW_RATIO times the median and STRAGGLER_MIN_EXCESS_MS over it are
 * at most a notice (spark-run/stragglers), and only when the median task ran STRAGGLER_MIN_MEDIAN_MS: shorter
 * stages are dominated by a first wave's JVM warm-up. Task `duration` (which adds deserialisation, ~3 s of
 * class loading on each executor's first tasks) is never used for this.
 */
export const STRAGGLER_MIN_EXCESS_MS = 2_000;
export const STRAGGLER_MIN_MEDIAN_MS = 1_000;
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

/** Skew is what skewOf found: uneven reads (a warning) or stragglers over even reads (a notice). */
export interface Skew {
  kind: 'uneven-reads' | 'stragglers';
  /** The quantile figures, each measure on its own. */
  figures: string;
}

const over = (max: number, med: number, min: number) => max >= SKEW_RATIO * med && max - med >= min;
const count = (n: number) => n.toLocaleString('en-US');

/** skewOf judges a stage's task spread, or undefined when it is even, tiny or was not read. */
export function skewOf(s: StageRun): Skew | undefined {
  const sp = s.spread;
  if (!sp) return undefined;
  const [, medRun, , maxRun] = sp.runMs;
  const [, medB, , maxB] = sp.readBytes;
  const [, medN, , maxN] = sp.readRecords;
  const uneven = over(maxB, medB, SKEW_MIN_EXCESS_BYTES) || over(maxN, medN, SKEW_MIN_EXCESS_RECORDS);
  const time = `the slowest task ran ${compactDuration(maxRun)} against a median of ${compactDuration(medRun)}`;
  const reads = `the largest read was ${compactBytes(maxB)} against a median of ${compactBytes(medB)}, the most records ${count(maxN)} against a median of ${count(medN)}`;
  const figures = `${time}; ${reads} (each measure's own top task), over ${s.tasks} tasks`;
  if (uneven)
    return maxRun - medRun >= SKEW_MIN_EXCESS_RUN_MS ? { kind: 'uneven-reads', figures } : undefined;
  const straggling = medRun >= STRAGGLER_MIN_MEDIAN_MS && over(maxRun, medRun, STRAGGLER_MIN_EXCESS_MS);
  return straggling ? { kind: 'stragglers', figures } : undefined;
}

/** skewAdvice says what to do about uneven reads: hot keys after a shuffle, uneven splits at the source. */
export function skewAdvice(s: StageRun): string {
  return s.shuffleReadBytes > 0
    ? 'The stage reads a shuffle, so a few keys hold most rows: salt the hot key, enable adaptive skew-join handling (spark.sql.adaptive.skewJoin.enabled) for joins, or repartition on a better spread key.'
    : "The stage reads no shuffle, so its input splits are uneven: a few large files or partitions (an unsplittable file, e.g. gzip, is one task). Repartition after reading, or write the input as more files of even size (spark.sql.files.maxPartitionBytes bounds a file source's split).";
}

/** analyzeRun returns the findings of one run, most telling first. */
export function analyzeRun(m: RunMetrics): Finding[] {
  const out: Finding[] = [];
  for (const s of m.stages) {
    const skew = skewOf(s);
    if (skew?.kind === 'uneven-reads') {
      out.push(
        finding(
          'warning',
          'skew',
          `Skewed stage ${s.stageId}: its tasks read unevenly`,
          `${stageLabel(s)}: ${skew.figures}. ${skewAdvice(s)}`,
        ),
      );
    } else if (skew?.kind === 'stragglers') {
      out.push(
        finding(
          'notice',
          'stragglers',
          `Stage ${s.stageId} waited on straggler tasks`,
          `${stageLabel(s)}: ${skew.figures}. The tasks read evenly, so the time went elsewhere: a slow or busy executor, garbage collection, or rows costlier than others (the stage's task list in the Spark UI names the executors); spark.speculation re-launches stragglers.`,
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
