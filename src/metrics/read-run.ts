// Reads one application's run from Spark's monitoring REST API into RunMetrics: the application, its jobs,
// its stage attempts, the task spread of the stages that matter, and every executor (removed ones too).

import { type LostExecutor, type RunMetrics, type StageRun, type TaskSpread, totalsOf } from './model.js';
import {
  type ApiApplication,
  type ApiExecutor,
  type ApiJob,
  type ApiStage,
  type ApiTaskSummary,
  appPath,
  parseSparkTime,
  type SparkApi,
  taskSummaryPath,
} from './spark-api.js';

/** At most this many stages get their task spread read (the longest ones, with more than one task). */
export const MAX_SPREAD_STAGES = 12;

type Quad = [number, number, number, number];
const quad = (a: readonly number[] | undefined): Quad => [a?.[0] ?? 0, a?.[1] ?? 0, a?.[2] ?? 0, a?.[3] ?? 0];
const add = (a: Quad, b: Quad): Quad => [a[0] + b[0], a[1] + b[1], a[2] + b[2], a[3] + b[3]];

/** spreadOf turns a task summary into a TaskSpread (input and shuffle read added, quantile by quantile). */
export function spreadOf(t: ApiTaskSummary): TaskSpread {
  return {
    // `duration` is in Spark 3.x answers; older ones have only the run time.
    durationMs: quad(t.duration ?? t.executorRunTime),
    // What skew is judged on: a first wave's class loading (executorDeserializeTime) is not in it.
    runMs: quad(t.executorRunTime),
    readBytes: add(quad(t.inputMetrics?.bytesRead), quad(t.shuffleReadMetrics?.readBytes)),
    readRecords: add(quad(t.inputMetrics?.recordsRead), quad(t.shuffleReadMetrics?.readRecords)),
  };
}

/** stageRun is one stage attempt relative to the application start `t0` (`now` ends one still running). */
export function stageRun(s: ApiStage, t0: number, now: number): StageRun {
  const start = parseSparkTime(s.submissionTime) ?? parseSparkTime(s.firstTaskLaunchedTime) ?? t0;
  const end = parseSparkTime(s.completionTime) ?? (s.status === 'ACTIVE' ? now : start);
  return {
    stageId: s.stageId,
    attempt: s.attemptId,
    name: s.name,
    status: s.status,
    durationMs: Math.max(0, end - start),
    startMs: Math.max(0, start - t0),
    endMs: Math.max(0, end - t0),
    tasks: s.numTasks,
    failedTasks: s.numFailedTasks,
    killedTasks: s.numKilledTasks ?? 0,
    inputBytes: s.inputBytes,
    inputRecords: s.inputRecords,
    outputBytes: s.outputBytes,
    outputRecords: s.outputRecords,
    shuffleReadBytes: s.shuffleReadBytes,
    shuffleWriteBytes: s.shuffleWriteBytes,
    memorySpillBytes: s.memoryBytesSpilled,
    diskSpillBytes: s.diskBytesSpilled,
    taskTimeMs: s.executorRunTime,
    gcTimeMs: s.jvmGcTime,
    ...(s.failureReason ? { failureReason: s.failureReason.split('\n')[0] ?? '' } : {}),
  };
}

/**
 * lostExecutors are the executors removed while the application ran for a reason other than the driver
 * asking (dynamic allocation releasing an idle one says "Executor killed by driver.").
 */
export function lostExecutors(all: readonly ApiExecutor[]): LostExecutor[] {
  return all
    .filter(
      (e) => e.id !== 'driver' && !e.isActive && e.removeReason && !/killed by driver/i.test(e.removeReason),
    )
    .map((e) => ({
      id: e.id,
      ...(e.hostPort ? { host: e.hostPort } : {}),
      reason: (e.removeReason ?? '').split('\n')[0] ?? '',
      failedTasks: e.failedTasks,
    }));
}

/**
 * readRun reads application `appId` through `api`. `source` says which server it is; `now` ends what is
 * still running (a streaming run). Throws SparkApiError when the server does not answer as Spark does.
 */
export async function readRun(
  api: SparkApi,
  appId: string,
  source: RunMetrics['source']['kind'],
  o: { now?: () => number; signal?: AbortSignal } = {},
): Promise<RunMetrics> {
  const now = o.now ?? Date.now;
  const app = await api.get<ApiApplication>(appPath(appId), o.signal);
  const attempt = app.attempts?.at(-1) ?? {};
  const prefix = appPath(appId, attempt.attemptId);
  const [jobs, stages, executors] = await Promise.all([
    api.get<ApiJob[]>(`${prefix}/jobs`, o.signal),
    api.get<ApiStage[]>(`${prefix}/stages`, o.signal),
    api.get<ApiExecutor[]>(`${prefix}/allexecutors`, o.signal),
  ]);
  const t0 = attempt.startTimeEpoch ?? parseSparkTime(attempt.startTime) ?? now();
  const ended = attempt.completed ? (attempt.endTimeEpoch ?? parseSparkTime(attempt.endTime)) : undefined;
  const at = now();
  const runs = stages
    .filter((s) => s.status !== 'PENDING' && s.status !== 'SKIPPED')
    .map((s) => stageRun(s, t0, at))
    .sort((a, b) => a.startMs - b.startMs || a.stageId - b.stageId);
  // The task spread of the longest multi-task stages, in parallel: what skew is judged on.
  const worth = [...runs]
    .filter((s) => s.tasks > 1)
    .sort((a, b) => b.durationMs - a.durationMs)
    .slice(0, MAX_SPREAD_STAGES);
  await Promise.all(
    worth.map(async (s) => {
      const t = await api.get<ApiTaskSummary>(taskSummaryPath(prefix, s.stageId, s.attempt), o.signal);
      s.spread = spreadOf(t);
    }),
  );
  return {
    source: { kind: source, api: api.base },
    appId,
    ...(attempt.attemptId ? { attemptId: attempt.attemptId } : {}),
    name: app.name,
    ...(attempt.appSparkVersion ? { sparkVersion: attempt.appSparkVersion } : {}),
    completed: attempt.completed === true,
    wallMs: Math.max(0, (ended ?? at) - t0),
    jobs: jobs
      .map((j) => {
        const s = parseSparkTime(j.submissionTime);
        const e = parseSparkTime(j.completionTime);
        return {
          jobId: j.jobId,
          name: j.name,
          status: j.status,
          ...(s !== undefined && e !== undefined ? { durationMs: e - s } : {}),
          stageIds: j.stageIds,
          tasks: j.numTasks,
          failedTasks: j.numFailedTasks,
        };
      })
      .sort((a, b) => a.jobId - b.jobId),
    stages: runs,
    executors: { total: executors.filter((e) => e.id !== 'driver').length, lost: lostExecutors(executors) },
    totals: totalsOf(runs),
  };
}
