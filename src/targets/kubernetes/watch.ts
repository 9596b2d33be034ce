// Following a SparkApplication with the watch API until it ends (batch) or has been RUNNING long enough
// (streaming): list-then-watch from the resourceVersion, re-established when the stream drops, and
// re-listed when the server answers 410 Gone.
import { rootCauseFromLog } from '../../deploy/root-cause.js';
import { ActionError, errorMessage } from '../../util/errors.js';
import { backoffDelay, type Clock } from '../../util/poll.js';
import type { Status } from '../target.js';
import { apiError, isRetriable, type KubeClient, type WatchEvent } from './client.js';
import { SPARK_API_VERSION, SPARK_KIND } from './render.js';
import { displayState, mapAppState } from './states.js';

/** AppStatus is the SparkApplication `.status` (docs/protocols.md 2.3), as far as we read it. */
export interface AppStatus {
  sparkApplicationId?: string;
  submissionID?: string;
  terminationTime?: string;
  lastSubmissionAttemptTime?: string;
  applicationState?: { state?: string; errorMessage?: string };
  driverInfo?: {
    webUIServiceName?: string;
    webUIAddress?: string;
    webUIPort?: number;
    webUIIngressName?: string;
    webUIIngressAddress?: string;
    podName?: string;
  };
  executionAttempts?: number;
  submissionAttempts?: number;
}

/**
 * decisiveCause is the operator's error when it is the root cause on its own: the driver container was
 * OOMKilled (the JVM's log then shows only what it was doing), or the submission itself failed (no driver ran;
 * still so once the operator has moved the app on to FAILED).
 */
function decisiveCause(state: string, error: string | undefined): { cause?: string } {
  if (!error) return {};
  if (/Reason: OOMKilled/.test(error))
    return {
      cause: `${error}: the driver ran out of memory (raise spark.driver.memory or spark.driver.memoryOverhead)`,
    };
  if (state === 'SUBMISSION_FAILED' || error.startsWith(SUBMIT_FAILED)) return { cause: error };
  return {};
}

const SUBMIT_FAILED = 'failed to submit spark application:';
const SPARK_SUBMIT_STDERR = /^(.*?failed to run spark-submit: )(?!failed to run spark-submit: )/;

/**
 * errorOf is the operator's errorMessage, with a failed spark-submit's stderr (which the operator stores
 * whole: log4j lines, then the exception and its stack trace) cut down to that exception's deepest cause.
 */
export function errorOf(error: string | undefined): string | undefined {
  if (!error?.startsWith(SUBMIT_FAILED) || !error.includes('\n')) return error;
  const prefix = SPARK_SUBMIT_STDERR.exec(error)?.[1];
  if (!prefix) return error;
  const cause = rootCauseFromLog(error.slice(prefix.length), 'spark-submit stderr');
  return cause ? `${prefix}${cause.summary}` : error;
}

/** toStatus maps the SparkApplication status to a Status, keeping the native state and errorMessage. */
export function toStatus(st: AppStatus | undefined): Status {
  const state = st?.applicationState?.state ?? '';
  const error = errorOf(st?.applicationState?.errorMessage);
  const { phase, terminal } = mapAppState(state);
  const at = Date.parse(st?.terminationTime ?? st?.lastSubmissionAttemptTime ?? '');
  return {
    phase,
    nativeState: displayState(state),
    terminal,
    ...(error ? { message: error } : {}),
    ...decisiveCause(state, error),
    ...(st?.sparkApplicationId ? { applicationId: st.sparkApplicationId } : {}),
    ...(Number.isFinite(at) ? { at } : {}),
  };
}

/** WatchOptions pace and bound one watch. */
export interface WatchOptions {
  namespace: string;
  name: string;
  mode: 'batch' | 'streaming';
  healthyAfterMs: number;
  timeoutMs: number;
  clock: Clock;
  log: { warning(m: string): void; debug(m: string): void };
  /** Called with every raw status seen (links read driverInfo from it). */
  onRaw?: (st: AppStatus | undefined) => void;
  /** Consecutive failed (re)connections tolerated (default 8). */
  maxReconnects?: number;
  /** The longest a quiet watch waits before re-reading the object (default 60 s). */
  resyncMs?: number;
}

type Item = { kind: 'event'; e: WatchEvent } | { kind: 'closed'; err?: unknown };

/**
 * watchApp yields a Status whenever the application's state changes and ends after a terminal one; for
 * streaming it ends once RUNNING has lasted healthyAfterMs, with a last RUNNING status saying so. It throws
 * an ActionError on timeout, when the app is deleted, or after too many failed reconnections.
 */
export async function* watchApp(
  client: KubeClient,
  o: WatchOptions,
  signal: AbortSignal,
): AsyncGenerator<Status> {
  const { clock, namespace, name } = o;
  const path = `/apis/${SPARK_API_VERSION}/namespaces/${encodeURIComponent(namespace)}/sparkapplications`;
  const deadline = clock.now() + o.timeoutMs;
  const queue: Item[] = [];
  let wake: (() => void) | undefined;
  const push = (item: Item) => {
    queue.push(item);
    wake?.();
  };
  let stream: { stop(): void } | undefined;
  let last: Status | undefined;
  let runningSince: number | undefined;
  let failures = 0;
  let rv: string | undefined;

  const read = async (): Promise<{ status?: AppStatus; rv?: string } | undefined> => {
    for (let attempt = 0; ; attempt++) {
      try {
        const obj = await client.get(SPARK_API_VERSION, SPARK_KIND, namespace, name);
        if (!obj) return undefined;
        return {
          status: obj.status as AppStatus | undefined,
          ...(obj.metadata.resourceVersion ? { rv: obj.metadata.resourceVersion } : {}),
        };
      } catch (err) {
        if (!isRetriable(err) || attempt >= (o.maxReconnects ?? 8))
          throw apiError(`reading SparkApplication ${namespace}/${name}`, err);
        o.log.debug(`kubernetes: reading ${name} failed (${errorMessage(err)}); retrying`);
        await clock.sleep(backoffDelay(attempt), signal);
      }
    }
  };
  // Each stream gets a generation: events and closes of a stream we already stopped are ignored.
  let gen = 0;
  const open = async () => {
    const mine = ++gen;
    const query = {
      fieldSelector: `metadata.name=${name}`,
      allowWatchBookmarks: 'true',
      ...(rv ? { resourceVersion: rv } : {}),
    };
    const pending = client.watch(
      path,
      query,
      (e) => mine === gen && push({ kind: 'event', e }),
      (err) => mine === gen && push({ kind: 'closed', err }),
    );
    // A watch whose response never starts (a buffering proxy, a stalled connection) must not outlive the
    // deadline or the signal: give up on it then, and let the loop re-read or time out.
    const ctl = new AbortController();
    const limit = clock
      .sleep(Math.max(0, deadline - clock.now()), AbortSignal.any([signal, ctl.signal]))
      .then(
        () => undefined,
        () => undefined,
      );
    const opened = await Promise.race([pending, limit]);
    ctl.abort();
    if (opened) {
      stream = opened;
      return;
    }
    pending.then(
      (late) => late.stop(),
      () => undefined,
    );
    if (mine === gen) push({ kind: 'closed', err: new Error('the watch did not open before the deadline') });
  };
  const stop = () => {
    gen++;
    stream?.stop();
  };
  const gone = () =>
    new ActionError(
      `kubernetes: SparkApplication ${namespace}/${name} was deleted while waiting for it (by someone else, or by its timeToLiveSeconds)`,
    );

  // Yields (via the returned list) what the observed status means.
  const observe = (st: AppStatus | undefined): Status[] => {
    o.onRaw?.(st);
    const status = toStatus(st);
    const out: Status[] = [];
    if (
      !last ||
      last.nativeState !== status.nativeState ||
      last.message !== status.message ||
      last.applicationId !== status.applicationId
    )
      out.push(status);
    last = status;
    if (status.nativeState === 'RUNNING') runningSince ??= clock.now();
    else runningSince = undefined;
    return out;
  };
  const healthy = (): Status | undefined => {
    if (o.mode !== 'streaming' || runningSince === undefined || !last) return undefined;
    const ran = clock.now() - runningSince;
    return ran >= o.healthyAfterMs
      ? { ...last, message: `healthy: RUNNING for ${Math.round(ran / 1000)} s (app.healthyAfter)` }
      : undefined;
  };
  const timeoutError = () =>
    new ActionError(
      `kubernetes: SparkApplication ${namespace}/${name} did not ${o.mode === 'streaming' ? 'become healthy' : 'finish'} within ${+(o.timeoutMs / 60_000).toFixed(2)} min (timeout-minutes); last state ${last?.nativeState ?? 'unknown'}${last?.message ? `: ${last.message}` : ''}`,
    );

  try {
    const first = await read();
    if (!first) throw gone();
    rv = first.rv;
    for (const s of observe(first.status)) yield s;
    if (last?.terminal) return;
    await open();
    for (;;) {
      const h = healthy();
      if (h) {
        yield h;
        return;
      }
      if (clock.now() >= deadline) throw timeoutError();
      if (queue.length === 0) {
        const untilHealthy =
          runningSince !== undefined && o.mode === 'streaming'
            ? o.healthyAfterMs - (clock.now() - runningSince)
            : Number.POSITIVE_INFINITY;
        const wait = Math.max(0, Math.min(deadline - clock.now(), untilHealthy, o.resyncMs ?? 60_000));
        const ctl = new AbortController();
        const both = AbortSignal.any([signal, ctl.signal]);
        const woke = new Promise<void>((r) => {
          wake = r;
        });
        await Promise.race([woke, clock.sleep(wait, both).catch(() => undefined)]);
        ctl.abort();
        wake = undefined;
        if (signal.aborted) throw signal.reason;
        if (queue.length === 0) {
          // Quiet for a while (or a health window ended): re-read, in case an event was missed.
          const cur = await read();
          if (!cur) throw gone();
          for (const s of observe(cur.status)) yield s;
          if (last?.terminal) return;
          continue;
        }
      }
      const item = queue.shift() as Item;
      if (item.kind === 'event') {
        const { type, object } = item.e;
        if (type === 'ERROR') {
          // 410 Gone: the resourceVersion is too old; list again and watch from the fresh one.
          o.log.debug(`kubernetes: watch error ${object.code ?? ''} ${object.message ?? ''}; re-listing`);
          stop();
          rv = undefined;
          const cur = await read();
          if (!cur) throw gone();
          rv = cur.rv;
          for (const s of observe(cur.status)) yield s;
          if (last?.terminal) return;
          queue.length = 0;
          await open();
          continue;
        }
        if (object.metadata?.resourceVersion) rv = object.metadata.resourceVersion;
        if (type === 'BOOKMARK') continue;
        if (type === 'DELETED') throw gone();
        failures = 0;
        for (const s of observe(object.status as AppStatus | undefined)) yield s;
        if (last?.terminal) return;
        continue;
      }
      // The stream ended (server timeout, dropped connection): reconnect from the last resourceVersion.
      if (signal.aborted) throw signal.reason;
      failures++;
      if (failures > (o.maxReconnects ?? 8)) {
        throw new ActionError(
          `kubernetes: lost the watch on SparkApplication ${namespace}/${name} ${failures} times in a row; last error: ${item.err ? errorMessage(item.err) : 'stream closed'}`,
        );
      }
      if (item.err) o.log.debug(`kubernetes: watch closed (${errorMessage(item.err)}); reconnecting`);
      await clock.sleep(
        failures > 1 ? backoffDelay(failures - 2, { initialMs: 500, maxMs: 5000 }) : 0,
        signal,
      );
      const cur = await read();
      if (!cur) throw gone();
      for (const s of observe(cur.status)) yield s;
      if (last?.terminal) return;
      rv = cur.rv ?? rv;
      await open();
    }
  } finally {
    stop();
  }
}
