import type { Phase } from '../target.js';

/**
 * STEP_STATES maps EMR's StepState (docs/protocols.md 3.1) onto Phase: the one table of this target.
 * INTERRUPTED is a failure that is not yet terminal: EMR may still move the step on (the SDK waiter retries
 * on it forever), so the watch loop makes it terminal once it persists (see watch.ts).
 * CANCEL_PENDING is still running until EMR confirms CANCELLED.
 */
export const STEP_STATES = {
  PENDING: { phase: 'PENDING', terminal: false },
  RUNNING: { phase: 'RUNNING', terminal: false },
  CANCEL_PENDING: { phase: 'RUNNING', terminal: false },
  INTERRUPTED: { phase: 'FAILED', terminal: false },
  COMPLETED: { phase: 'SUCCEEDED', terminal: true },
  FAILED: { phase: 'FAILED', terminal: true },
  CANCELLED: { phase: 'CANCELLED', terminal: true },
} as const satisfies Record<string, { phase: Phase; terminal: boolean }>;

export type StepStateName = keyof typeof STEP_STATES;

/** mapStepState returns the phase of a native step state; one this table does not know is UNKNOWN, not terminal. */
export function mapStepState(state: string | undefined): { phase: Phase; terminal: boolean } {
  return state !== undefined && Object.hasOwn(STEP_STATES, state)
    ? STEP_STATES[state as StepStateName]
    : { phase: 'UNKNOWN', terminal: false };
}

/** STEP_ACCEPTING_CLUSTER_STATES are the cluster states AddJobFlowSteps accepts (AddJobFlowSteps doc). */
export const STEP_ACCEPTING_CLUSTER_STATES = ['STARTING', 'BOOTSTRAPPING', 'RUNNING', 'WAITING'] as const;

/** ACTIVE_STEP_STATES are the step states CancelSteps can act on (EMR >= 5.28.0). */
export const ACTIVE_STEP_STATES = ['PENDING', 'RUNNING'] as const;

/** isClusterGone tells whether a cluster state means it will run nothing more. */
export function isClusterGone(state: string | undefined): boolean {
  return state === 'TERMINATING' || state === 'TERMINATED' || state === 'TERMINATED_WITH_ERRORS';
}
