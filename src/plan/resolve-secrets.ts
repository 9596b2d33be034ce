import { isSecretRef } from './secret-ref.js';
import type { Path } from './source.js';

/**
 * resolveSecretRefs replaces every `{ fromEnv: NAME }` in a value with the variable's value, collecting the
 * values so they can be masked. An unset variable is reported with its path; what onMissing returns (or an
 * empty string) stands in for it.
 */
export function resolveSecretRefs<T>(
  value: T,
  env: NodeJS.ProcessEnv,
  found: string[],
  onMissing: (path: Path, name: string) => string | undefined,
  path: Path = [],
): T {
  if (isSecretRef(value)) {
    const v = env[value.fromEnv];
    if (v === undefined || v === '') {
      return (onMissing(path, value.fromEnv) ?? '') as T;
    }
    found.push(v);
    return v as T;
  }
  if (Array.isArray(value))
    return value.map((v, i) => resolveSecretRefs(v, env, found, onMissing, [...path, i])) as T;
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value))
      out[k] = resolveSecretRefs(v, env, found, onMissing, [...path, k]);
    return out as T;
  }
  return value;
}
