import type { Path } from './source.js';

/** TEMPLATE_VARS are the names `{{name}}` can use in config strings. */
export const TEMPLATE_VARS = [
  'environment',
  'sha',
  'short_sha',
  'ref',
  'ref_name',
  'pr',
  'run_id',
  'run_attempt',
  'app',
  'workspace',
  'working_directory',
] as const;
export type TemplateVars = Record<(typeof TEMPLATE_VARS)[number], string>;

// Only lower-case names are ours: Spark 4 itself replaces `{{NAME}}` (upper case) in REST properties with
// the master's environment variables, so those pass through untouched.
const PATTERN = /\{\{\s*([a-z][a-z0-9_]*)\s*\}\}/g;

/** renderTemplates replaces `{{var}}` in every string of a value; unknown names are reported, not guessed. */
export function renderTemplates<T>(
  value: T,
  vars: Partial<TemplateVars>,
  onUnknown: (path: Path, name: string) => void,
  path: Path = [],
): T {
  if (typeof value === 'string') {
    return value.replace(PATTERN, (whole, name: string) => {
      const v = (vars as Record<string, string | undefined>)[name];
      if (v === undefined) {
        onUnknown(path, name);
        return whole;
      }
      return v;
    }) as T;
  }
  if (Array.isArray(value))
    return value.map((v, i) => renderTemplates(v, vars, onUnknown, [...path, i])) as T;
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = renderTemplates(v, vars, onUnknown, [...path, k]);
    return out as T;
  }
  return value;
}
