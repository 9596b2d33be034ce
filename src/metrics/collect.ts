// Reads a finished (or healthy streaming) run's metrics from where its target says they are. A History
// Server lists an application only after it has read its event log (spark.history.fs.update.interval,
// 10 s by default), and marks it completed once the driver has closed the log: a batch run is polled,
// briefly and within a bound, until then. Nothing here throws: a source that cannot be read is a reason.
import type { FetchLike } from '../util/http.js';
import { type Clock, systemClock } from '../util/poll.js';
import type { RunMetrics } from './model.js';
import { readRun } from './read-run.js';
import { type ApiApplication, appPath, createSparkApi, SparkApiError } from './spark-api.js';

/** MetricsSource is a server of Spark's monitoring REST API that has (or will have) the application. */
export interface MetricsSource {
  kind: 'history' | 'live';
  /** The UI base URL; the API is under /api/v1. */
  url: string;
  headers?: Record<string, string>;
}

/** SourceAnswer is a target's answer to "where are this run's metrics": a source, or why there is none. */
export type SourceAnswer = MetricsSource | { missing: string };

export interface CollectOptions {
  source: MetricsSource;
  appId: string;
  /** A batch run is read once its application completed; a streaming one as it runs. */
  batch: boolean;
  fetch?: FetchLike;
  clock?: Clock;
  /** How long to wait for a History Server to list the application as completed (default 15 s). */
  waitMs?: number;
  /** Each request's bound (default 5 s). */
  requestTimeoutMs?: number;
  /** Delay between polls (default 250 ms). */
  pollMs?: number;
  signal?: AbortSignal;
}

/** Collected is the metrics read (and how long the wait for them to be listed took), or why there are none. */
export type Collected = { metrics: RunMetrics; waitedMs: number } | { unavailable: string };

/** collectRunMetrics waits (bounded) for the source to have the run, then reads it. Never throws. */
export async function collectRunMetrics(o: CollectOptions): Promise<Collected> {
  const clock = o.clock ?? systemClock;
  const api = createSparkApi(o.source.url, o.fetch ?? fetch, {
    timeoutMs: o.requestTimeoutMs ?? 5_000,
    ...(o.source.headers ? { headers: o.source.headers } : {}),
  });
  const where =
    o.source.kind === 'history'
      ? `the History Server at ${o.source.url}`
      : `the driver UI at ${o.source.url}`;
  const started = clock.now();
  const deadline = started + (o.waitMs ?? 15_000);
  let last = '';
  try {
    for (;;) {
      try {
        const app = await api.get<ApiApplication>(appPath(o.appId), o.signal);
        const done = app.attempts?.at(-1)?.completed === true;
        if (done || !o.batch || o.source.kind === 'live') {
          const waitedMs = clock.now() - started;
          const metrics = await readRun(api, o.appId, o.source.kind, {
            now: () => clock.now(),
            ...(o.signal ? { signal: o.signal } : {}),
          });
          return { metrics, waitedMs };
        }
        last = `it still lists ${o.appId} as running (its event log is not closed yet)`;
      } catch (err) {
        if (!(err instanceof SparkApiError)) throw err;
        // 404 until the History Server has scanned the new event log; anything else is an answer.
        if (err.status !== 404 || o.source.kind === 'live')
          return { unavailable: `${where}: ${err.message}` };
        last = `it does not list ${o.appId} (is spark.eventLog.enabled on, writing to the directory it reads?)`;
      }
      if (clock.now() + (o.pollMs ?? 250) > deadline) break;
      await clock.sleep(o.pollMs ?? 250, o.signal);
    }
  } catch (err) {
    return { unavailable: `${where}: ${err instanceof Error ? err.message : String(err)}` };
  }
  return {
    unavailable: `${where}: after ${Math.round((clock.now() - started) / 1000)} s ${last}`,
  };
}
