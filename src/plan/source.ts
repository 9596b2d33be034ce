import type { Finding } from '../findings.js';
import { parseYamlLite } from './yaml-lite.js';

export type Path = readonly (string | number)[];

/**
 * ConfigNode is a parsed config's node tree, kept for positions only: each node with the 1-based line and
 * column where it starts, as the `yaml` package counts them. Both parsers (yaml-lite and yaml-source) give
 * one, and nodePosition answers for both.
 */
export type ConfigNode =
  | {
      kind: 'map';
      line: number;
      col: number;
      entries: Map<string, { line: number; col: number; value: ConfigNode }>;
    }
  | { kind: 'seq'; line: number; col: number; items: ConfigNode[] }
  | { kind: 'scalar'; line: number; col: number };

/** ConfigSource is a parsed config file that can answer "which line is this key on". */
export interface ConfigSource {
  /** Path shown to users: relative to the workspace, forward slashes. */
  file: string;
  data: unknown;
  position(path: Path, which?: 'key' | 'value'): { line: number; column: number } | undefined;
}

/**
 * parseConfigSource parses YAML or JSON text; malformed input yields findings with line and column. The
 * plain subset that configs are written in is parsed by yaml-lite; anything else loads the `yaml` package.
 */
export async function parseConfigSource(
  file: string,
  text: string,
): Promise<{ source?: ConfigSource; findings: Finding[] }> {
  const lite = parseYamlLite(text);
  if (lite) {
    const position = (path: Path, which: 'key' | 'value' = 'value') => nodePosition(lite.root, path, which);
    return { source: { file, data: lite.data, position }, findings: [] };
  }
  const { parseWithYaml } = await import('./yaml-source.js');
  return parseWithYaml(file, text);
}

/**
 * nodePosition locates a config path: its key or its value, or, where the path leaves the file, the deepest
 * node on it that exists.
 */
export function nodePosition(
  root: ConfigNode,
  path: Path,
  which: 'key' | 'value',
): { line: number; column: number } {
  let node: ConfigNode | undefined = root;
  let best: ConfigNode = root;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i];
    if (node?.kind === 'map') {
      const entry = node.entries.get(String(seg));
      if (!entry) break;
      if (i === path.length - 1 && which === 'key') return { line: entry.line, column: entry.col };
      node = entry.value;
    } else if (node?.kind === 'seq' && typeof seg === 'number') {
      node = node.items[seg];
      if (!node) break;
    } else break;
    best = node;
  }
  return { line: best.line, column: best.col };
}

/** keyPath renders a config path as users write it: `environments.prod.spark.conf["spark.app.name"]`. */
export function keyPath(path: Path): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out || '(top level)';
}
