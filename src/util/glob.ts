import { readdirSync, statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';

function segmentRegex(seg: string): RegExp {
  let re = '';
  for (const ch of seg) {
    if (ch === '*') re += '[^/]*';
    else if (ch === '?') re += '[^/]';
    else re += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/**
 * globFiles expands a pattern with `*`, `?` and `**` segments relative to `cwd` (or absolute) into the
 * files it matches, sorted. Plain paths are returned when they exist.
 */
export function globFiles(pattern: string, cwd: string): string[] {
  const normalized = pattern.replace(/\\/g, '/');
  const absolute = isAbsolute(normalized);
  const segments = normalized.split('/').filter((s, i) => s !== '' || (i === 0 && absolute));
  const root = absolute ? '/' : cwd;
  const out: string[] = [];
  const walk = (dir: string, i: number) => {
    if (i === segments.length) {
      try {
        if (statSync(dir).isFile()) out.push(dir);
      } catch {
        // vanished between listing and stat
      }
      return;
    }
    const seg = segments[i] ?? '';
    if (seg === '' && i === 0) return walk('/', i + 1);
    if (seg === '**') {
      walk(dir, i + 1);
      for (const e of safeList(dir)) if (e.dir) walk(join(dir, e.name), i);
      return;
    }
    if (!/[*?]/.test(seg)) return walk(join(dir, seg), i + 1);
    const re = segmentRegex(seg);
    for (const e of safeList(dir)) if (re.test(e.name)) walk(join(dir, e.name), i + 1);
  };
  walk(root, 0);
  return [...new Set(out)].sort();
}

function safeList(dir: string): { name: string; dir: boolean }[] {
  try {
    return readdirSync(dir, { withFileTypes: true }).map((d) => ({ name: d.name, dir: d.isDirectory() }));
  } catch {
    return [];
  }
}
