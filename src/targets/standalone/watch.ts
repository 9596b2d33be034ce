// Following a driver (its state over REST or from the master's /json/, see observers.ts) until it ends
// (batch) or has run long enough (streaming).
import { ActionError } from '../../util/errors.js';
import { Poller, PollTimeoutError } from '../../util/poll.js';
import type { Handle, Status } from '../target.js';
import type { LocalReport } from './app-tracker.js';
import type { StandaloneDeps } from './deps.js';
import { diagnoseJarFetch } from './fetch-diagnosis.js';
import { type RestMessage, sparkMessageSummary } from './rest-client.js';
import { decodeHandleData } from './settings.js';
import { mapDriverState } from './states.js';

/** Observation is one look at a driver's state: over REST (observers.ts) or in the master's /json/. */
export type Observation =
  | { kind: 'state'; master: string; driverState: string; workerId?: string; message?: string }
  | { kind: 'unknown-id'; master: string }
  | { kind: 'unavailable'; detail: string };

/** Observer looks at the driver once. */
export type Observer = (signal: AbortSignal) => Promise<Observation>;

/** statusFromMessage maps a REST status answer to a Status, keeping the native state and Spark's message. */
export function statusFromMessage(msg: RestMessage & { driverState: string }): Status {
  return statusOf(msg.driverState, msg.message);
}

/** statusOf maps a driver state (and Spark's message, if any) to a Status. */
export function statusOf(driverState: string, sparkMessage?: string): Status {
  const { phase, terminal } = mapDriverState(driverState);
  const message = sparkMessageSummary(sparkMessage);
  // A worker that could not fetch an s3a:// JAR: the driver never ran, so this is the whole story.
  const cause = terminal && phase === 'FAILED' ? diagnoseJarFetch(sparkMessage) : undefined;
  return {
    phase,
    nativeState: driverState,
    terminal,
    ...(message ? { message } : {}),
    ...(cause ? { cause } : {}),
  };
}

/**
 * Enriched is a status with what the target learned besides: the driver runs Spark in local mode, or its
 * application has had no executor (why, starved.ts).
 */
export interface Enriched {
  status: Status;
  local?: LocalReport;
  /** The master lists the application WAITING with no cores granted (yet). */
  waiting?: boolean;
  starved?: string;
}

/** WatchHooks let the target enrich statuses (application id, local mode) without the loop knowing how. */
export interface WatchHooks {
  enrich(
    handle: Handle,
    status: Status,
    workerId: string | undefined,
    signal: AbortSignal,
  ): Promise<Enriched>;
}

const UNKNOWN_ID_LIMIT = 3;

/** Poll at least this often while the driver's state is younger than FAST_WINDOW_MS. */
export const FAST_CAP_MS = 2000;
/** How long a state counts as young. */
export const FAST_WINDOW_MS = 10 * 60_000;

/**
 * watchDriver yields a Status whenever the driver's state (or application id) changes, and ends after a
 * terminal one. For `app.mode: streaming` it ends once the driver has been RUNNING for healthyAfter,
 * yielding a last non-terminal RUNNING status whose message says so. It throws an ActionError on timeout
 * (timeout-minutes), after too many failed polls in a row, when the master forgets the driver, or when a
 * streaming driver runs Spark in local mode (the hooks say so, with its finding); an abort of `signal`
 * rejects with the signal's reason.
 */
export async function* watchDriver(
  handle: Handle,
  observe: Observer,
  deps: StandaloneDeps,
  hooks: WatchHooks,
  signal: AbortSignal,
): AsyncGenerator<Status> {
  const data = decodeHandleData(handle);
  const id = handle.submissionId;
  const { clock } = deps;
  const poller = new Poller({ ...deps.backoff, clock, deadline: clock.now() + data.timeoutMs, signal });
  let last: Status | undefined;
  let changedAt = clock.now();
  let runningSince: number | undefined;
  let failures = 0;
  let unknowns = 0;
  let local: LocalReport | undefined;
  let starved: string | undefined;

  const pause = async (atMostMs?: number) => {
    try {
      await poller.wait(atMostMs);
    } catch (err) {
      if (!(err instanceof PollTimeoutError)) throw err;
      const minutes = Math.round(data.timeoutMs / 60_000);
      const goal = data.appMode === 'streaming' ? 'become healthy' : 'finish';
      const why = local ? `\n${local.message}` : starved ? `\n${starved}` : '';
      throw new ActionError(
        `standalone: driver ${id} did not ${goal} within ${minutes} min (timeout-minutes); last state ${last?.nativeState ?? 'unknown'}. It keeps running on the cluster unless cancelled.${why}`,
      );
    }
  };

  for (;;) {
    const obs = await observe(signal);
    if (obs.kind === 'state') {
      failures = 0;
      unknowns = 0;
      const enriched = await hooks.enrich(
        handle,
        statusOf(obs.driverState, obs.message),
        obs.workerId,
        signal,
      );
      const status = enriched.status;
      local = enriched.local;
      starved = enriched.starved;
      const waiting = enriched.waiting === true;
      const changed =
        !last ||
        last.nativeState !== status.nativeState ||
        last.applicationId !== status.applicationId ||
        last.cause !== status.cause;
      last = status;
      if (changed) {
        poller.reset();
        changedAt = clock.now();
        yield status;
      }
      if (status.terminal) return;
      // A streaming app that runs Spark in local mode never uses the cluster: not healthy, whatever it does.
      if (local && data.appMode === 'streaming') {
        throw new ActionError(`standalone: ${local.message}`, [local.finding]);
      }
      // A streaming driver counts as up once its application has registered with the master (it has an
      // app id): a driver whose SparkContext never starts is RUNNING too, and is not healthy.
      // An application without executors runs none of its work: not healthy (yet) either.
      if (
        data.appMode === 'streaming' &&
        status.nativeState === 'RUNNING' &&
        status.applicationId &&
        !waiting
      ) {
        runningSince ??= clock.now();
        const ran = clock.now() - runningSince;
        if (ran >= data.healthyAfterMs) {
          yield { ...status, message: `healthy: RUNNING for ${Math.round(ran / 1000)} s (app.healthyAfter)` };
          return;
        }
        // Poll through the health window too: the app registers with the master seconds after the
        // driver runs, and its id gives the Spark UI link.
        await pause(Math.min(data.healthyAfterMs - ran, FAST_CAP_MS));
        continue;
      }
      runningSince = undefined;
    } else if (obs.kind === 'unknown-id') {
      if (++unknowns >= UNKNOWN_ID_LIMIT) {
        throw new ActionError(
          `standalone: ${obs.master} does not know driver ${id} (asked ${unknowns} times): it was never created there, or the master restarted without recovery, or it was dropped after spark.deploy.retainedDrivers.`,
        );
      }
    } else {
      failures++;
      if (failures === 1)
        deps.log.warning(`standalone: status of ${id} unavailable (${obs.detail}); retrying`);
      if (failures >= deps.maxPollFailures) {
        throw new ActionError(
          `standalone: lost contact with the master while following driver ${id}: ${failures} status requests in a row failed; last: ${obs.detail}`,
        );
      }
    }
    // While a state is young, poll at least every FAST_CAP_MS so the end of a job is seen within ~2 s
    // (Spark's own client and Airflow's SparkSubmitHook poll every second); a state that has lasted
    // FAST_WINDOW_MS backs off towards the cap, as does a master that does not answer.
    const young = obs.kind === 'state' && clock.now() - changedAt < FAST_WINDOW_MS;
    await pause(young ? FAST_CAP_MS : undefined);
  }
}
