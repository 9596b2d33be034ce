import type { Phase } from '../target.js';

/**
 * APP_STATES maps the operator's `status.applicationState.state` (api/v1beta2/sparkapplication_types.go;
 * docs/protocols.md 2.2) onto Phase. Terminal are exactly COMPLETED and FAILED (`util.IsTerminated`):
 * SUBMISSION_FAILED and FAILING may still be retried under the restart policy, so they are not terminal until
 * the operator says FAILED. The NEW state is the empty string.
 */
export const APP_STATES = {
  '': { phase: 'PENDING', terminal: false },
  SUBMITTED: { phase: 'PENDING', terminal: false },
  RUNNING: { phase: 'RUNNING', terminal: false },
  COMPLETED: { phase: 'SUCCEEDED', terminal: true },
  FAILED: { phase: 'FAILED', terminal: true },
  SUBMISSION_FAILED: { phase: 'PENDING', terminal: false },
  PENDING_RERUN: { phase: 'PENDING', terminal: false },
  INVALIDATING: { phase: 'PENDING', terminal: false },
  SUCCEEDING: { phase: 'RUNNING', terminal: false },
  FAILING: { phase: 'RUNNING', terminal: false },
  SUSPENDING: { phase: 'RUNNING', terminal: false },
  SUSPENDED: { phase: 'PENDING', terminal: false },
  RESUMING: { phase: 'PENDING', terminal: false },
  UNKNOWN: { phase: 'UNKNOWN', terminal: false },
} as const satisfies Record<string, { phase: Phase; terminal: boolean }>;

export type AppState = keyof typeof APP_STATES;

/** mapAppState returns the phase of a native state; a state this table does not know is UNKNOWN and not terminal. */
export function mapAppState(state: string | undefined): { phase: Phase; terminal: boolean } {
  const s = state ?? '';
  return Object.hasOwn(APP_STATES, s) ? APP_STATES[s as AppState] : { phase: 'UNKNOWN', terminal: false };
}

/** displayState names a native state for people: the empty NEW state reads as NEW. */
export function displayState(state: string | undefined): string {
  return state ? state : 'NEW';
}
