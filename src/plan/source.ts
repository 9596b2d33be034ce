import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import type { Finding } from '../findings.js';

export type Path = readonly (string | number)[];

/**
 * ConfigNode is a parsed config's node tree, kept for positions only: each node with the 1-based line and
 * column where it starts, as the `yaml` package counts them.
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

// YAML reads `{` as the start of a flow mapping, so an unquoted template breaks the file in a way
// its parser cannot explain: say it.
function unquotedTemplate(line: string): boolean {
  return /\{\{/.test(line.replace(/"(?:[^"\\]|\\.)*"|'[^']*'/g, '').replace(/#.*$/, ''));
}

/**
 * parseConfigSource parses YAML or JSON text with the `yaml` package; malformed input yields one finding
 * with line and column: for an unclosed bracket or quote, where it opens.
 */
export function parseConfigSource(
  file: string,
  text: string,
): { source?: ConfigSource; findings: Finding[] } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: true, strict: true });
  // Only the first syntax error: the ones after it are usually its echoes.
  const findings: Finding[] = doc.errors.slice(0, 1).map((e) => {
    const first = e.message.split('\n')[0] ?? e.message;
    const opening = UNCLOSED.test(first) ? unclosedOpening(text, e.pos[0]) : undefined;
    const pos = opening !== undefined ? lineCounter.linePos(opening) : e.linePos?.[0];
    return {
      stage: 'plan',
      severity: 'error',
      title: 'malformed config',
      message: `${file}${pos ? `:${pos.line}:${pos.col}` : ''}: malformed ${/\.json$/i.test(file) ? 'JSON' : 'YAML'}: ${first.replace(/ at line \d+, column \d+:?$/, '')}${opening !== undefined ? ' (opened here)' : ''}${pos && unquotedTemplate(text.split(/\r?\n/)[pos.line - 1] ?? '') ? ' (quote values that contain {{…}} templates: "configs/{{environment}}.json")' : ''}`,
      file,
      ...(pos ? { line: pos.line, column: pos.col } : {}),
      rule: 'config/syntax',
    } satisfies Finding;
  });
  if (findings.length > 0) return { findings };
  const data = doc.toJS({ maxAliasCount: 100 }) as unknown;
  const root = toConfigNode(doc.contents, lineCounter);
  const position = (path: Path, which: 'key' | 'value' = 'value') =>
    root ? nodePosition(root, path, which) : undefined;
  return { source: { file, data, position }, findings: [] };
}

/** toConfigNode keeps a yaml node's tree with positions: keys that are scalars, values and items. */
function toConfigNode(node: unknown, lines: LineCounter): ConfigNode | undefined {
  const offset = (node as Node | null | undefined)?.range?.[0];
  if (offset === undefined) return undefined;
  const { line, col } = lines.linePos(offset);
  if (isMap(node)) {
    const entries = new Map<string, { line: number; col: number; value: ConfigNode }>();
    for (const pair of node.items) {
      if (!isScalar(pair.key) || pair.key.range === undefined || pair.key.range === null) continue;
      const name = String(pair.key.value);
      if (entries.has(name)) continue;
      const key = lines.linePos(pair.key.range[0]);
      // A value that is no map, sequence or scalar (an alias, or nothing) is located at its key.
      const v = pair.value;
      const value = (isMap(v) || isSeq(v) || isScalar(v) ? toConfigNode(v, lines) : undefined) ?? {
        kind: 'scalar' as const,
        ...key,
      };
      entries.set(name, { ...key, value });
    }
    return { kind: 'map', line, col, entries };
  }
  if (isSeq(node)) {
    const items = node.items.map(
      (item) => toConfigNode(item, lines) ?? { kind: 'scalar' as const, line, col },
    );
    return { kind: 'seq', line, col, items };
  }
  return { kind: 'scalar', line, col };
}

/** Errors about a flow collection or a quoted scalar that never closes. */
const UNCLOSED = /end with an? [\]}]|Missing closing .?quote/;

/**
 * unclosedOpening is the offset of the innermost `[`, `{` or quote still open at `end` (outside comments
 * and quoted text), or undefined when everything before `end` is closed. yaml reports such an error where
 * it noticed it (often lines later); a person looks for where the construct opens.
 */
export function unclosedOpening(text: string, end: number): number | undefined {
  const stack: number[] = [];
  let quote: { char: string; at: number } | undefined;
  const tokenStart = (i: number) => i === 0 || /[\s[{,:]/.test(text[i - 1] ?? '');
  for (let i = 0; i < Math.min(end, text.length); i++) {
    const c = text[i];
    if (quote) {
      if (quote.char === '"' && c === '\\') i++;
      else if (c === quote.char) {
        if (c === "'" && text[i + 1] === "'") i++;
        else quote = undefined;
      }
      continue;
    }
    if (c === '#' && (i === 0 || /\s/.test(text[i - 1] ?? ''))) {
      const nl = text.indexOf('\n', i);
      i = nl < 0 ? text.length : nl;
    } else if ((c === '"' || c === "'") && tokenStart(i)) quote = { char: c, at: i };
    else if ((c === '[' || c === '{') && (stack.length > 0 || tokenStart(i))) stack.push(i);
    else if ((c === ']' || c === '}') && stack.length > 0) {
      const open = stack.pop() as number;
      // `}` closing a `[` (or `]` a `{`): that bracket is the one never closed.
      if (text[open] !== (c === ']' ? '[' : '{')) return open;
    }
  }
  return quote?.at ?? stack.at(-1);
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
