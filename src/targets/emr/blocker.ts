// Why a watched step waits PENDING: the step (or steps) the cluster runs instead. An EMR cluster runs
// Cluster.StepConcurrencyLevel steps at once (default 1), in the order added (docs/protocols.md 3.2, 3.7),
// so a step added behind a long-running one (a streaming app) waits until that one ends.
import { type EMRClient, ListStepsCommand } from '@aws-sdk/client-emr';

/** The step states that hold a place in the cluster's concurrency. */
const HOLDING = ['RUNNING', 'CANCEL_PENDING'] as const;

/**
 * pendingBehind names the step a PENDING step waits behind (the oldest one running), when the cluster runs
 * as many as it may (`level`); undefined when none is running or they cannot be listed right now.
 */
export async function pendingBehind(
  emr: EMRClient,
  clusterId: string,
  stepId: string,
  level: number,
  signal?: AbortSignal,
): Promise<string | undefined> {
  let steps: {
    Id?: string;
    Name?: string;
    Status?: { State?: string; Timeline?: { StartDateTime?: Date } };
  }[];
  try {
    const out = await emr.send(
      new ListStepsCommand({ ClusterId: clusterId, StepStates: [...HOLDING] }),
      signal ? { abortSignal: signal } : {},
    );
    steps = (out.Steps ?? []).filter((s) => s.Id && s.Id !== stepId);
  } catch (err) {
    if (signal?.aborted) throw signal.reason ?? err;
    return undefined;
  }
  if (steps.length === 0 || steps.length < level) return undefined;
  // ListSteps is newest first: the one running longest is the last.
  const s = steps[steps.length - 1] as (typeof steps)[number];
  const since = s.Status?.Timeline?.StartDateTime;
  const how =
    level <= 1
      ? 'the cluster runs one step at a time'
      : `the cluster runs ${level} steps at a time and ${steps.length} are running`;
  return `PENDING behind step ${s.Id} (${s.Name ?? 'no name'}), ${s.Status?.State ?? 'RUNNING'}${since ? ` since ${since.toISOString()}` : ''}; ${how}`;
}
