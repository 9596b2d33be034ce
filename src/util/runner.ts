// The runner protocol (workflow commands, GITHUB_OUTPUT / GITHUB_STATE / GITHUB_STEP_SUMMARY) is
// @actions/core's: this module names the part of it the action uses, so stages and tests import one
// place. It is also the runner-side exit for text: every line, annotation, output, saved state and the
// summary pass the one redactor (src/util/redact.ts) on the way out, and setSecret registers there too.
import * as core from '@actions/core';
import { redact, registerSecret } from './redact.js';

export type { AnnotationProperties } from '@actions/core';
export { getIDToken, getInput, getState } from '@actions/core';

type Annotate = (message: string | Error, properties?: core.AnnotationProperties) => void;

function text(message: string | Error): string {
  return redact(message instanceof Error ? message.message : message);
}

function props(p?: core.AnnotationProperties): core.AnnotationProperties | undefined {
  return p?.title === undefined ? p : { ...p, title: redact(p.title) };
}

const annotate =
  (fn: (m: string, p?: core.AnnotationProperties) => void): Annotate =>
  (message, properties) =>
    fn(text(message), props(properties));

/** setSecret registers a value with the redactor and asks the runner to mask it (::add-mask::). */
export function setSecret(secret: string): void {
  if (!secret) return;
  registerSecret(secret);
  core.setSecret(secret);
}

export const debug = (message: string): void => core.debug(text(message));
export const info = (message: string): void => core.info(text(message));
export const error: Annotate = annotate(core.error);
export const warning: Annotate = annotate(core.warning);
export const notice: Annotate = annotate(core.notice);
export const setFailed = (message: string | Error): void => core.setFailed(text(message));
// As @actions/core turns a value into command text (toCommandValue), then redacted.
const commandValue = (value: unknown): string =>
  redact(
    value === null || value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value),
  );

export const setOutput = (name: string, value: unknown): void => core.setOutput(name, commandValue(value));
export const saveState = (name: string, value: unknown): void => core.saveState(name, commandValue(value));
export const group = <T>(name: string, fn: () => Promise<T>): Promise<T> => core.group(text(name), fn);

/** appendSummary adds markdown to the job summary; false when the runner gives no summary file. */
export async function appendSummary(markdown: string): Promise<boolean> {
  if (!process.env.GITHUB_STEP_SUMMARY) return false;
  const safe = redact(markdown);
  await core.summary.addRaw(safe.endsWith('\n') ? safe : `${safe}\n`).write();
  return true;
}
