import type { Path } from '../../src/plan/source.js';

/** valuePaths lists the path of every node in a parsed config value, the root first. */
export function valuePaths(v: unknown, prefix: Path = []): Path[] {
  const out: Path[] = [prefix];
  if (Array.isArray(v)) {
    for (const [i, x] of v.entries()) out.push(...valuePaths(x, [...prefix, i]));
  } else if (v && typeof v === 'object')
    for (const [k, x] of Object.entries(v)) out.push(...valuePaths(x, [...prefix, k]));
  return out;
}
