// A client of Spark's monitoring REST API (docs/protocols.md §6): served under
// /api/v1 by a running driver's UI and by the History Server, with the same paths in both. Only the fields
// the run summary uses are typed; Spark only ever adds fields to these answers (its API versioning policy).
import { type FetchLike, HttpFailure, requestJson } from '../util/http.js';

/** ApiAttempt is one attempt of an application (`attemptId` only on cluster managers with attempts: YARN). */
export interface ApiAttempt {
  attemptId?: string;
  startTime?: string;
  endTime?: string;
  duration?: number;
  completed?: boolean;
  appSparkVersion?: string;
  startTimeEpoch?: number;
  endTimeEpoch?: number;
}

/** ApiApplication is `GET /applications/<id>`. */
export interface ApiApplication {
  id: string;
  name: string;
  attempts: ApiAttempt[];
}

/** ApiJob is one entry of `GET /applications/<id>/jobs`. */
export interface ApiJob {
  jobId: number;
  name: string;
  submissionTime?: string;
  completionTime?: string;
  stageIds: number[];
  status: string;
  numTasks: number;
  numFailedTasks: number;
  numKilledTasks?: number;
  numSkippedStages?: number;
}

/** ApiStage is one entry of `GET /applications/<id>/stages` (one per stage attempt). */
export interface ApiStage {
  status: string;
  stageId: number;
  attemptId: number;
  name: string;
  numTasks: number;
  numCompleteTasks: number;
  numFailedTasks: number;
  numKilledTasks?: number;
  submissionTime?: string;
  firstTaskLaunchedTime?: string;
  completionTime?: string;
  failureReason?: string;
  executorRunTime: number;
  jvmGcTime: number;
  memoryBytesSpilled: number;
  diskBytesSpilled: number;
  inputBytes: number;
  inputRecords: number;
  outputBytes: number;
  outputRecords: number;
  shuffleReadBytes: number;
  shuffleReadRecords: number;
  shuffleWriteBytes: number;
  shuffleWriteRecords: number;
}

/** ApiTaskSummary is `GET …/stages/<id>/<attempt>/taskSummary?quantiles=…`: one value per quantile. */
export interface ApiTaskSummary {
  quantiles: number[];
  duration?: number[];
  executorRunTime: number[];
  jvmGcTime: number[];
  memoryBytesSpilled: number[];
  diskBytesSpilled: number[];
  inputMetrics: { bytesRead: number[]; recordsRead: number[] };
  shuffleReadMetrics: { readBytes: number[]; readRecords: number[] };
  shuffleWriteMetrics: { writeBytes: number[]; writeRecords: number[] };
}

/** ApiExecutor is one entry of `GET /applications/<id>/allexecutors` (active and removed executors). */
export interface ApiExecutor {
  id: string;
  hostPort?: string;
  isActive: boolean;
  failedTasks: number;
  totalTasks?: number;
  addTime?: string;
  removeTime?: string;
  removeReason?: string;
}

/** SparkApiError is an answer other than the JSON asked for, with what was asked. */
export class SparkApiError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'SparkApiError';
  }
}

/** SparkApi reads one server's /api/v1 (a History Server or a driver's UI). */
export interface SparkApi {
  readonly base: string;
  get<T>(path: string, signal?: AbortSignal): Promise<T>;
}

/** createSparkApi builds a client of `<uiBase>/api/v1`; every request is bounded by `timeoutMs`. */
export function createSparkApi(
  uiBase: string,
  fetchFn: FetchLike,
  opts: { timeoutMs: number; headers?: Record<string, string> },
): SparkApi {
  const base = `${uiBase.replace(/\/+$/, '')}/api/v1`;
  return {
    base,
    async get<T>(path: string, signal?: AbortSignal): Promise<T> {
      const url = `${base}${path}`;
      let res: Awaited<ReturnType<typeof requestJson>>;
      try {
        res = await requestJson(fetchFn, url, {
          timeoutMs: opts.timeoutMs,
          ...(opts.headers ? { headers: opts.headers } : {}),
          ...(signal ? { signal } : {}),
        });
      } catch (err) {
        if (err instanceof HttpFailure) throw new SparkApiError(`${url}: ${err.message}`);
        throw err;
      }
      if (res.status !== 200) {
        const text = res.text
          .replace(/<[^>]*>/g, ' ')
          .replace(/\s+/g, ' ')
          .trim()
          .slice(0, 160);
        throw new SparkApiError(`${url}: HTTP ${res.status}${text ? ` (${text})` : ''}`, res.status);
      }
      if (res.json === undefined) {
        throw new SparkApiError(`${url}: the answer is not JSON (${res.jsonError ?? 'empty'})`, res.status);
      }
      return res.json as T;
    },
  };
}

/** appPath is the path prefix of an application's attempt: `/applications/<id>[/<attemptId>]`. */
export function appPath(appId: string, attemptId?: string): string {
  return `/applications/${encodeURIComponent(appId)}${attemptId ? `/${encodeURIComponent(attemptId)}` : ''}`;
}

/** QUANTILES are the task-summary quantiles read: minimum, median, 75th percentile, maximum. */
export const QUANTILES = [0, 0.5, 0.75, 1] as const;

/** taskSummaryPath is one stage attempt's task summary at QUANTILES. */
export function taskSummaryPath(prefix: string, stageId: number, attemptId: number): string {
  return `${prefix}/stages/${stageId}/${attemptId}/taskSummary?quantiles=${QUANTILES.join(',')}`;
}

/** parseSparkTime reads the API's dates ("2026-12-07T15:48:32.643GMT") as ms since the epoch. */
export function parseSparkTime(s: string | undefined): number | undefined {
  if (!s) return undefined;
  const ms = Date.parse(s.replace(/GMT$/, 'Z'));
  // Spark writes an unset end time as the epoch minus 1 ms (1969-12-31T23:59:59.999GMT).
  return Number.isFinite(ms) && ms > 0 ? ms : undefined;
}
