// Following a step: our own loop, not the SDK waiter, which retries forever on INTERRUPTED and on every
// exception (docs/protocols.md 3.4). Throttling and transient errors back off with jitter and never end the
// watch by themselves; the deadline and the caller's signal do.
import { DescribeClusterCommand, DescribeStepCommand, type EMRClient, type Step } from '@aws-sdk/client-emr';
import { awsErrorCode, isExpiredCredentials, isTransient } from '../../util/aws-errors.js';
import { ActionError, errorMessage, WatchLost } from '../../util/errors.js';
import { type Backoff, backoffDelay } from '../../util/poll.js';
import type { Handle, Status } from '../target.js';
import { pendingBehind } from './blocker.js';
import type { EmrDeps } from './deps.js';
import { decodeHandleData } from './handle.js';
import { isClusterGone, mapStepState } from './states.js';

/** jittered is a backoff delay with equal jitter: between half and all of the nominal delay. */
export function jittered(attempt: number, b: Backoff, random: () => number): number {
  const d = backoffDelay(attempt, b);
  return Math.round(d / 2 + (d / 2) * random());
}

/** failureText is FailureDetails and the state-change reason on one line. */
export function failureText(step: Step): string | undefined {
  const fd = step.Status?.FailureDetails;
  const parts: string[] = [];
  // EMR may repeat the reason inside the message (`Exception in thread "main" <reason>`): once is enough.
  if (fd?.Reason && !fd.Message?.includes(fd.Reason)) parts.push(fd.Reason);
  if (fd?.Message) parts.push(fd.Message);
  const reason = step.Status?.StateChangeReason?.Message;
  if (reason && !parts.includes(reason)) parts.push(reason);
  let text = parts.join(': ').replace(/\s*\n\s*/g, ' ');
  if (fd?.LogFile) text += `${text ? ' ' : ''}(log: ${fd.LogFile})`;
  return text || undefined;
}

/** stepStatus turns a DescribeStep answer into a Status: the mapped phase, the native state, the reason. */
export function stepStatus(step: Step): Status {
  const state = step.Status?.State ?? '';
  const m = mapStepState(state);
  const message = failureText(step);
  const at = step.Status?.Timeline?.EndDateTime ?? step.Status?.Timeline?.StartDateTime;
  return {
    phase: m.phase,
    nativeState: state,
    terminal: m.terminal,
    ...(message ? { message } : {}),
    ...(at ? { at: at.getTime() } : {}),
  };
}

export interface WatchEdges {
  emr: EMRClient;
  deps: EmrDeps;
  /** Called once when the step ended badly (transient cluster: terminate it). */
  onFailed?: (handle: Handle, status: Status) => Promise<void>;
  /** Read once before the last status of a run that went well (SUCCEEDED, or healthy): its application id. */
  applicationIdOf?: (handle: Handle) => Promise<string | undefined>;
}

function same(a: Status | undefined, b: Status): boolean {
  return (
    !!a &&
    a.phase === b.phase &&
    a.nativeState === b.nativeState &&
    a.message === b.message &&
    a.terminal === b.terminal
  );
}

/**
 * watchStep yields a Status whenever the step's state or message changes, and ends after a terminal one;
 * INTERRUPTED becomes a terminal failure once it lasts `interruptedGraceMs`; a streaming app ends healthy
 * after RUNNING for its healthy-after window. A transient cluster that dies under a pending step fails it.
 */
export async function* watchStep(
  handle: Handle,
  edges: WatchEdges,
  signal: AbortSignal,
): AsyncGenerator<Status> {
  const { emr, deps } = edges;
  const { clock, log } = deps;
  const data = decodeHandleData(handle);
  const stepId = handle.submissionId;
  const since = data.submittedAt || clock.now();
  const deadline = since + data.timeoutMs;
  const opts = { abortSignal: signal };
  let attempt = 0;
  let errors = 0;
  let last: Status | undefined;
  let interruptedSince: number | undefined;
  let runningSince: number | undefined;
  let clusterNote = '';
  /** The cluster's StepConcurrencyLevel, read once, and the step the watched one last waited behind. */
  let level: number | undefined;
  let behindNote: string | undefined;

  const applicationIdOf = async () =>
    handle.applicationId ?? (await edges.applicationIdOf?.(handle).catch(() => undefined));
  const finish = async (status: Status) => {
    if (status.phase !== 'SUCCEEDED' && edges.onFailed) await edges.onFailed(handle, status);
  };

  for (;;) {
    let step: Step | undefined;
    try {
      step = (await emr.send(new DescribeStepCommand({ ClusterId: data.clusterId, StepId: stepId }), opts))
        .Step;
      errors = 0;
    } catch (err) {
      if (signal.aborted) throw signal.reason ?? err;
      if (isExpiredCredentials(err))
        throw credentialsExpired(stepId, data.clusterId, last, clock.now() - since);
      if (!isTransient(err)) {
        throw new ActionError(
          `emr: DescribeStep ${stepId} on cluster ${data.clusterId} failed: ${awsErrorCode(err) ?? 'error'}: ${errorMessage(err)}`,
        );
      }
      const delay = jittered(errors++, deps.errorBackoff, deps.random);
      log.debug(`emr: DescribeStep: ${awsErrorCode(err)} (backing off ${delay} ms)`);
      if (clock.now() + delay >= deadline) throw timeoutError(data.timeoutMs, stepId, last);
      await clock.sleep(delay, signal);
      continue;
    }
    if (!step)
      throw new ActionError(
        `emr: step ${stepId} is not on cluster ${data.clusterId} (DescribeStep found nothing)`,
      );

    let status = stepStatus(step);
    const now = clock.now();
    if (status.nativeState === 'INTERRUPTED') {
      interruptedSince ??= now;
      if (now - interruptedSince >= deps.interruptedGraceMs) {
        status = {
          ...status,
          terminal: true,
          message: `INTERRUPTED for ${Math.round((now - interruptedSince) / 1000)} s${status.message ? `: ${status.message}` : ''}`,
        };
      }
    } else interruptedSince = undefined;

    if (!status.terminal && status.nativeState === 'PENDING') {
      const c =
        data.transient || level === undefined
          ? await describeClusterQuietly(emr, data.clusterId, signal)
          : undefined;
      if (c) level = c.stepConcurrencyLevel;
      const behind = await pendingBehind(emr, data.clusterId, stepId, level ?? 1, signal);
      if (behind && behind !== behindNote) log.info(`emr: step ${stepId} is ${behind}`);
      behindNote = behind;
      if (data.transient && c) {
        clusterNote = `cluster ${c.state}${c.reason ? ` (${c.reason})` : ''}`;
        if (isClusterGone(c.state)) {
          status = {
            phase: 'FAILED',
            nativeState: status.nativeState,
            terminal: true,
            message: `the cluster ended before the step ran: ${clusterNote}`,
          };
        } else status = { ...status, message: clusterNote };
      }
      if (behind && !status.terminal)
        status = { ...status, message: [behind, status.message].filter(Boolean).join('; ') };
    }

    if (data.appMode === 'streaming' && status.nativeState === 'RUNNING') {
      runningSince ??= now;
      if (now - runningSince >= data.healthyAfterMs) {
        yield withApplicationId(
          {
            ...status,
            message: `healthy: RUNNING for ${Math.round((now - runningSince) / 1000)} s (app.healthyAfter)`,
          },
          await applicationIdOf(),
        );
        return;
      }
    } else runningSince = undefined;

    if (status.phase === 'SUCCEEDED') status = withApplicationId(status, await applicationIdOf());
    if (!same(last, status)) {
      if (last?.nativeState !== status.nativeState) attempt = 0;
      last = status;
      yield status;
    }
    if (status.terminal) {
      await finish(status);
      return;
    }
    let delay = jittered(attempt++, deps.backoff, deps.random);
    if (runningSince !== undefined)
      delay = Math.min(delay, Math.max(0, runningSince + data.healthyAfterMs - now));
    if (now >= deadline) throw timeoutError(data.timeoutMs, stepId, last);
    await clock.sleep(Math.min(delay, deadline - now), signal);
  }
}

function withApplicationId(status: Status, applicationId: string | undefined): Status {
  return applicationId ? { ...status, applicationId } : status;
}

/** credentialsExpired says the wait lost sight of the step, why, and how to wait longer. */
function credentialsExpired(
  stepId: string,
  clusterId: string,
  last: Status | undefined,
  waitedMs: number,
): WatchLost {
  return new WatchLost(
    `emr: the AWS credentials expired after ${Math.round(waitedMs / 60_000)} min of waiting while step ${stepId} was ${last?.nativeState || 'not yet observed'}: the step was not cancelled and keeps running on cluster ${clusterId}; its outcome is unknown here, not a failure. To watch longer waits, set emr.auth.roleArn (the action then assumes the role with the workflow's OIDC token and renews the credentials for the whole wait; job permission id-token: write), give the session a longer life (aws-actions/configure-aws-credentials role-duration-seconds, up to the role's MaxSessionDuration), or deploy with wait: false and check later with command: status`,
  );
}

function timeoutError(timeoutMs: number, stepId: string, last: Status | undefined): ActionError {
  return new ActionError(
    `emr: step ${stepId} did not finish within ${+(timeoutMs / 60_000).toFixed(2)} min (last state ${last?.nativeState || 'unknown'}${last?.message ? `: ${last.message}` : ''}); raise timeout-minutes or look at the cluster`,
  );
}

/** describeClusterQuietly is the cluster's state and reason, or undefined when it cannot be read right now. */
export async function describeClusterQuietly(
  emr: EMRClient,
  clusterId: string,
  signal?: AbortSignal,
): Promise<{ state: string; reason?: string; stepConcurrencyLevel: number } | undefined> {
  try {
    const c = (
      await emr.send(
        new DescribeClusterCommand({ ClusterId: clusterId }),
        signal ? { abortSignal: signal } : {},
      )
    ).Cluster;
    if (!c?.Status?.State) return undefined;
    const r = c.Status.StateChangeReason;
    const reason = [r?.Code, r?.Message].filter(Boolean).join(': ');
    return {
      state: c.Status.State,
      ...(reason ? { reason } : {}),
      stepConcurrencyLevel: c.StepConcurrencyLevel ?? 1,
    };
  } catch (err) {
    if (signal?.aborted) throw signal.reason ?? err;
    return undefined;
  }
}
