import { readdirSync } from 'node:fs';
import { join, sep } from 'node:path';

const SKIP = new Set(['target', 'node_modules', '.git', '.bsp', '.idea', '.metals', '.bloop', 'dist']);

/**
 * findSourceFile finds a source file by name under a project, preferring the one whose directories match
 * the class's package (com.etl.FooSpec -> com/etl/FooSpec.scala). Build output directories are skipped.
 */
export function findSourceFile(root: string, fileName: string, className: string): string | undefined {
  const found: string[] = [];
  const walk = (dir: string, depth: number) => {
    if (depth > 12) return;
    let entries: import('node:fs').Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (e.isDirectory()) {
        if (!SKIP.has(e.name)) walk(join(dir, e.name), depth + 1);
      } else if (e.name === fileName) found.push(join(dir, e.name));
    }
  };
  walk(root, 0);
  const pkg = className.split('.').slice(0, -1).join(sep);
  const wanted = pkg ? `${sep}${pkg}${sep}${fileName}` : `${sep}${fileName}`;
  return found.find((f) => f.endsWith(wanted)) ?? found[0];
}
