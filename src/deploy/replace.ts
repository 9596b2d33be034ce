// A streaming app runs until stopped, so a new deploy of it must retire the one it replaces: once the new
// job is healthy, the app's other jobs that still run are cancelled (the same app name, and the same
// preview if any). A target that replaces the run itself (Kubernetes: in place, or blue-green) says so.
// A target where the old run would keep the new one from starting (an EMR cluster that runs one step at a
// time) says so too, through `retireFirst`: then the old run is cancelled, and waited for, before the submit.
import type { DeployPlan, Handle, Target } from '../targets/target.js';
import { errorMessage } from '../util/errors.js';
import { type Clock, systemClock } from '../util/poll.js';
import { currentStatus } from './commands.js';

export interface RetireResult {
  retired: string[];
  failed: string[];
}

/** How long the submit waits for a run cancelled before it to end (EMR: CANCEL_PENDING, then CANCELLED). */
const ENDED_WAIT_MS = 5 * 60_000;
const ENDED_POLL_MS = 5_000;

function selectorOf(plan: DeployPlan, app: string) {
  return { app, ...(plan.preview !== undefined ? { preview: plan.preview } : {}) };
}

/** retirePrevious cancels the app's other running jobs after `handle` became healthy. */
export async function retirePrevious(
  target: Target,
  plan: DeployPlan,
  handle: Handle,
  signal: AbortSignal,
  log: (line: string) => void,
  lookMs = 30_000,
): Promise<RetireResult> {
  const result: RetireResult = { retired: [], failed: [] };
  const app = plan.config.app.name;
  if (!app || target.replacesPreviousRun) return result;
  const found = await target.find(selectorOf(plan, app));
  for (const other of found) {
    if (other.submissionId === handle.submissionId) continue;
    const status = await currentStatus(target, other, signal, lookMs);
    if (!status || status.terminal) continue;
    try {
      await target.cancel(other);
      result.retired.push(other.submissionId);
      log(`replaced: cancelled ${other.submissionId} (${status.nativeState}), the previous run of ${app}`);
    } catch (err) {
      result.failed.push(`${other.submissionId}: ${errorMessage(err)}`);
    }
  }
  return result;
}

export interface RetireFirstOptions {
  lookMs?: number;
  /** Bound on waiting for a cancelled run to end before the submit goes on anyway. */
  endedWaitMs?: number;
  pollMs?: number;
  clock?: Clock;
}

/**
 * retireBeforeSubmit cancels the app's running jobs before the new one is submitted when the target says the
 * old run would keep the new one from starting (Target.retireFirst), and waits for each to end; otherwise it
 * does nothing and the old run is retired once the new one is healthy (retirePrevious).
 */
export async function retireBeforeSubmit(
  target: Target,
  plan: DeployPlan,
  signal: AbortSignal,
  log: (line: string) => void,
  opts: RetireFirstOptions = {},
): Promise<RetireResult> {
  const result: RetireResult = { retired: [], failed: [] };
  const app = plan.config.app.name;
  if (!app || target.replacesPreviousRun || !target.retireFirst) return result;
  const first = await target.retireFirst(plan, signal);
  if (!first) return result;
  const lookMs = opts.lookMs ?? 30_000;
  const clock = opts.clock ?? systemClock;
  for (const other of await target.find(selectorOf(plan, app))) {
    const status = await currentStatus(target, other, signal, lookMs);
    if (!status || status.terminal) continue;
    log(
      `${first.reason}: cancelling the ${status.nativeState.toLowerCase() || 'active'} ${first.unit} ${other.submissionId} of ${app} before adding the new one`,
    );
    try {
      await target.cancel(other);
    } catch (err) {
      result.failed.push(`${other.submissionId}: ${errorMessage(err)}`);
      continue;
    }
    result.retired.push(other.submissionId);
    log(`replaced: cancelled ${other.submissionId} (${status.nativeState}), the previous run of ${app}`);
    const deadline = clock.now() + (opts.endedWaitMs ?? ENDED_WAIT_MS);
    let last = status;
    for (;;) {
      const now = await currentStatus(target, other, signal, lookMs);
      if (now) last = now;
      if (now?.terminal) break;
      if (clock.now() >= deadline) {
        log(
          `replaced: ${other.submissionId} is still ${last.nativeState || 'not ended'} after the cancel; adding the new one anyway (it may wait behind it)`,
        );
        break;
      }
      await clock.sleep(opts.pollMs ?? ENDED_POLL_MS, signal);
    }
  }
  return result;
}

/** retireFirstQuietly is retireBeforeSubmit for the deploy stage: what it could not do is a warning. */
export async function retireFirstQuietly(
  target: Target,
  plan: DeployPlan,
  signal: AbortSignal,
  log: (line: string) => void,
  warn: ((message: string) => void) | undefined,
): Promise<string[]> {
  try {
    const { retired, failed } = await retireBeforeSubmit(target, plan, signal, log);
    for (const f of failed) warn?.(`deploy: could not cancel the previous run ${f}`);
    return retired;
  } catch (err) {
    if (signal.aborted) throw err;
    warn?.(`deploy: could not look for the previous run to replace: ${errorMessage(err)}`);
    return [];
  }
}
