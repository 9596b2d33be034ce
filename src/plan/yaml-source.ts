import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import type { Finding } from '../findings.js';
import { type ConfigNode, type ConfigSource, nodePosition, type Path } from './source.js';

// The full YAML parser, for configs outside yaml-lite's subset and for syntax errors. It lives in its own
// chunk: loaded only when yaml-lite cannot answer (start-up time; README, Performance).

// YAML reads `{` as the start of a flow mapping, so an unquoted template breaks the file in a way
// its parser cannot explain: say it.
function unquotedTemplate(line: string): boolean {
  return /\{\{/.test(line.replace(/"(?:[^"\\]|\\.)*"|'[^']*'/g, '').replace(/#.*$/, ''));
}

/** parseWithYaml parses YAML or JSON text; malformed input yields findings with line and column. */
export function parseWithYaml(file: string, text: string): { source?: ConfigSource; findings: Finding[] } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: true, strict: true });
  // Only the first syntax error: the ones after it are usually its echoes.
  const findings: Finding[] = doc.errors.slice(0, 1).map((e) => {
    const pos = e.linePos?.[0];
    const first = e.message.split('\n')[0] ?? e.message;
    return {
      stage: 'plan',
      severity: 'error',
      title: 'malformed config',
      message: `${file}${pos ? `:${pos.line}:${pos.col}` : ''}: malformed ${/\.json$/i.test(file) ? 'JSON' : 'YAML'}: ${first.replace(/ at line \d+, column \d+:?$/, '')}${pos && unquotedTemplate(text.split(/\r?\n/)[pos.line - 1] ?? '') ? ' (quote values that contain {{…}} templates: "configs/{{environment}}.json")' : ''}`,
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
