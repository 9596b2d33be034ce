import type { Finding } from '../findings.js';
import type { Path } from '../plan/source.js';
import { AnnotatedError } from '../util/errors.js';
import type { DeployPlan } from './target.js';

/** ConfigPlace is a config key as a person finds it: `file:line:column: key`, and the position itself. */
export interface ConfigPlace {
  text: string;
  at?: { file: string; line?: number; column?: number };
}

/** configPlace locates a config key in the deploy config file, when the Plan knows where it is. */
export function configPlace(plan: Pick<DeployPlan, 'configRef'>, path: Path): ConfigPlace {
  const key = path.join('.');
  const at = plan.configRef?.locate(path);
  if (!at) return { text: key };
  const pos = `${at.file}${at.line ? `:${at.line}` : ''}${at.line && at.column ? `:${at.column}` : ''}`;
  return { text: `${pos}: ${key}`, at };
}

/**
 * targetConfigError is the ActionError of a target's bad setting: `<target>: file:line:col: key: message`,
 * with a finding at that place for the annotation (rule `<target>/config`).
 */
export function targetConfigError(
  target: DeployPlan['target'],
  plan: DeployPlan,
  path: Path,
  message: string,
): AnnotatedError {
  const w = configPlace(plan, path);
  const finding: Finding = {
    stage: 'deploy',
    severity: 'error',
    title: `${target} config`,
    message: `${w.text}: ${message}`,
    ...(w.at ? { file: w.at.file } : {}),
    ...(w.at?.line ? { line: w.at.line } : {}),
    ...(w.at?.column ? { column: w.at.column } : {}),
    rule: `${target}/config`,
  };
  return new AnnotatedError(`${target}: ${w.text}: ${message}`, [finding]);
}
