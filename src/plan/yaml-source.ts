import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import type { Finding } from '../findings.js';
import type { ConfigSource, Path } from './source.js';

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
