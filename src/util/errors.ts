import type { Finding } from '../findings.js';

/**
 * ActionError is an expected failure with a message meant for the user: it is printed as is, never with a
 * stack trace. Findings carried along are reported as annotations.
 */
export class ActionError extends Error {
  readonly findings: Finding[];
  constructor(message: string, findings: Finding[] = []) {
    super(message);
    this.name = 'ActionError';
    this.findings = findings;
  }
}

/**
 * AnnotatedError is a failure its findings say all of, each at its file and line (a config key's error):
 * the run fails with those annotations, and its message is not reported a second time as a bare error.
 */
export class AnnotatedError extends ActionError {
  constructor(message: string, findings: Finding[]) {
    super(message, findings);
    this.name = 'AnnotatedError';
  }
}

/**
 * WatchLost ends a wait that can no longer see the job (e.g. its credentials expired): the job's outcome is
 * unknown, not a failure, and it is left running — never cancelled for this.
 */
export class WatchLost extends ActionError {
  constructor(message: string) {
    super(message);
    this.name = 'WatchLost';
  }
}

/** errorMessage returns a printable message for anything thrown. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
