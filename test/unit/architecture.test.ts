// The shape of src/: no import cycles between modules (type-only imports are erased and do not count).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const src = resolve(import.meta.dirname, '../../src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? sourceFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** valueImports lists the relative modules a file imports or re-exports values from. */
function valueImports(file: string, text: string): string[] {
  return [...text.matchAll(/^(?:import|export)(?!\s+type\b)[^;]*?\bfrom\s+'(\.[^']+)'/gms)].map((m) =>
    resolve(dirname(file), (m[1] ?? '').replace(/\.js$/, '.ts')),
  );
}

/** cycles finds the import cycles of a module graph, each as the list of modules on it. */
function cycles(graph: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (n: string) => {
    state.set(n, 'open');
    stack.push(n);
    for (const m of graph.get(n) ?? []) {
      if (state.get(m) === 'open') found.push(stack.slice(stack.indexOf(m)));
      else if (!state.has(m)) visit(m);
    }
    stack.pop();
    state.set(n, 'done');
  };
  for (const n of graph.keys()) if (!state.has(n)) visit(n);
  return found;
}

describe('src/', () => {
  it('finds a cycle where there is one (the check itself)', () => {
    const g = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a']],
      ['d', ['a']],
    ]);
    expect(cycles(g)).toEqual([['a', 'b', 'c']]);
    expect(valueImports('/x/a.ts', "import type { T } from './t.js';\nimport { v } from './v.js';")).toEqual([
      '/x/v.ts',
    ]);
  });

  it('has no import cycles', () => {
    const files = sourceFiles(src);
    const graph = new Map(files.map((f) => [f, valueImports(f, readFileSync(f, 'utf8'))]));
    expect(cycles(graph).map((c) => c.map((f) => relative(src, f)).join(' -> '))).toEqual([]);
  });
});
