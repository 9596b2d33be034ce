import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import type { Finding } from '../findings.js';

export type Path = readonly (string | number)[];

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

/** parseConfigSource parses YAML or JSON text; malformed input yields findings with line and column. */
export function parseConfigSource(
  file: string,
  text: string,
): { source?: ConfigSource; findings: Finding[] } {
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
  const position = (path: Path, which: 'key' | 'value' = 'value') => {
    let node: unknown = doc.contents;
    let best: Node | undefined = doc.contents ?? undefined;
    for (let i = 0; i < path.length; i++) {
      const seg = path[i];
      const last = i === path.length - 1;
      if (isMap(node)) {
        const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
        if (!pair) break;
        if (last && which === 'key' && isScalar(pair.key)) {
          best = pair.key;
          break;
        }
        node = pair.value;
        if (node && (isMap(node) || isSeq(node) || isScalar(node))) best = node as Node;
        else best = isScalar(pair.key) ? pair.key : best;
      } else if (isSeq(node) && typeof seg === 'number') {
        node = node.items[seg];
        if (!node) break;
        best = node as Node;
      } else break;
    }
    const offset = best?.range?.[0];
    if (offset === undefined) return undefined;
    const p = lineCounter.linePos(offset);
    return { line: p.line, column: p.col };
  };
  return { source: { file, data, position }, findings: [] };
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
