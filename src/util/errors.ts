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

/** errorMessage returns a printable message for anything thrown. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
