import type { Phase } from '../target.js';

/**
 * DRIVER_STATES maps Spark's DriverState (deploy/master/DriverState.scala; docs/protocols.md 1.5) onto Phase.
 * Terminal are exactly the states after which the master removes the driver: FINISHED, FAILED, ERROR,
 * KILLED. RELAUNCHING (supervised driver restarting) and UNKNOWN (master recovering) can still change.
 */
export const DRIVER_STATES = {
  SUBMITTED: { phase: 'PENDING', terminal: false },
  RUNNING: { phase: 'RUNNING', terminal: false },
  RELAUNCHING: { phase: 'PENDING', terminal: false },
  UNKNOWN: { phase: 'UNKNOWN', terminal: false },
  FINISHED: { phase: 'SUCCEEDED', terminal: true },
  FAILED: { phase: 'FAILED', terminal: true },
  ERROR: { phase: 'FAILED', terminal: true },
  KILLED: { phase: 'CANCELLED', terminal: true },
} as const satisfies Record<string, { phase: Phase; terminal: boolean }>;

export type DriverState = keyof typeof DRIVER_STATES;

/** mapDriverState returns the phase of a native driver state; a state this table does not know is UNKNOWN and not terminal. */
export function mapDriverState(state: string): { phase: Phase; terminal: boolean } {
  return Object.hasOwn(DRIVER_STATES, state)
    ? DRIVER_STATES[state as DriverState]
    : { phase: 'UNKNOWN', terminal: false };
}
