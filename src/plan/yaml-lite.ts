// A parser for the plain subset of YAML that deploy configs are written in, for start-up time only: the
// `yaml` package costs ~10 ms to load and run cold, which alone is a third of the start-up budget (README,
// Performance). The subset: block mappings and sequences (including `- key: value` items), one-line flow
// collections, plain and quoted one-line scalars, comments. For anything else (anchors, tags, block
// scalars, multi-line scalars or flow collections, tabs, CR, empty values, duplicate keys, numbers other
// than plain integers and decimals, ...) it returns undefined and source.ts parses the text with `yaml`,
// which also gives the error messages. Where it answers, it must answer exactly as `yaml` does, data and
// positions: a differential property test (test/unit/plan/yaml-lite.test.ts) holds it to that.

import type { ConfigNode } from './source.js';

export interface LiteDocument {
  data: unknown;
  root: ConfigNode;
}

class Unsupported extends Error {}
const unsupported = (): never => {
  throw new Unsupported();
};

// The core schema's resolvers (yaml/dist/schema/core and common/null): a plain scalar matching any of these
// is not a string. Only plain decimal integers and decimals are converted here; the rest fall back.
const NULL = /^(?:~|[Nn]ull|NULL)?$/;
const BOOL = /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/;
const NUMBERISH = [
  /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/,
  /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/,
  /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/,
  /^0o[0-7]+$/,
  /^[-+]?[0-9]+$/,
  /^0x[0-9a-fA-F]+$/,
];
const SIMPLE_INT = /^-?[1-9][0-9]{0,14}$|^0$/;
const SIMPLE_DECIMAL = /^-?(?:0|[1-9][0-9]{0,14})\.[0-9]{1,15}$/;

function plainValue(s: string): unknown {
  if (NULL.test(s)) return null;
  if (BOOL.test(s)) return s[0] === 't' || s[0] === 'T';
  if (NUMBERISH.some((re) => re.test(s))) {
    if (SIMPLE_INT.test(s) || SIMPLE_DECIMAL.test(s)) return Number(s);
    return unsupported();
  }
  return s;
}

const ESCAPES: Record<string, string> = { '\\': '\\', '"': '"', '/': '/', n: '\n', t: '\t', r: '\r' };

interface Line {
  /** 1-based line number. */
  no: number;
  /** Column (0-based) where the content starts. */
  indent: number;
  text: string;
}

/** Scans one line's content from a position; flow tells whether `,[]{}` end a plain scalar. */
class Cursor {
  constructor(
    readonly line: Line,
    public pos: number,
  ) {}

  get rest(): string {
    return this.line.text.slice(this.pos);
  }

  peek(): string {
    return this.line.text[this.pos] ?? '';
  }

  skipSpaces(): void {
    while (this.peek() === ' ') this.pos++;
  }

  /** atEnd is true at the end of the line or at a comment (a # after a space). */
  atEnd(): boolean {
    this.skipSpaces();
    const c = this.peek();
    return c === '' || (c === '#' && (this.pos === 0 || this.line.text[this.pos - 1] === ' '));
  }

  col(): number {
    return this.pos + 1;
  }

  quoted(): string {
    const q = this.peek();
    const text = this.line.text;
    let out = '';
    let i = this.pos + 1;
    for (;;) {
      const c = text[i];
      if (c === undefined) return unsupported(); // multi-line quoted scalar
      if (q === "'" && c === "'") {
        if (text[i + 1] === "'") {
          out += "'";
          i += 2;
          continue;
        }
        break;
      }
      if (q === '"' && c === '"') break;
      if (q === '"' && c === '\\') {
        const e = ESCAPES[text[i + 1] ?? ''];
        if (e === undefined) return unsupported();
        out += e;
        i += 2;
        continue;
      }
      out += c;
      i++;
    }
    this.pos = i + 1;
    return out;
  }

  /** plain scans a plain scalar; in flow context it also ends at `,]}`. */
  plain(flow: boolean): string {
    const text = this.line.text;
    const first = text[this.pos] ?? '';
    if ('[]{},#&*!|>\'"%@`'.includes(first) || first === '') return unsupported();
    if ((first === '-' || first === '?' || first === ':') && (text[this.pos + 1] ?? ' ') === ' ')
      return unsupported();
    let i = this.pos;
    let end = i;
    for (; i < text.length; i++) {
      const c = text[i];
      if (
        c === ':' &&
        (i + 1 === text.length || text[i + 1] === ' ' || (flow && ',[]{}'.includes(text[i + 1] ?? '')))
      )
        break;
      if (c === '#' && text[i - 1] === ' ') break;
      if (flow && ',[]{}'.includes(c ?? '')) break;
      if (c !== ' ') end = i + 1;
    }
    const s = text.slice(this.pos, end);
    this.pos = end;
    return s;
  }
}

function parseFlow(cur: Cursor): { value: unknown; node: ConfigNode } {
  cur.skipSpaces();
  const line = cur.line.no;
  const col = cur.col();
  const open = cur.peek();
  if (open === '[' || open === '{') {
    cur.pos++;
    const close = open === '[' ? ']' : '}';
    const items: unknown[] = [];
    const nodes: ConfigNode[] = [];
    const obj: Record<string, unknown> = {};
    const entries = new Map<string, { line: number; col: number; value: ConfigNode }>();
    cur.skipSpaces();
    if (cur.peek() === close) cur.pos++;
    else
      for (;;) {
        cur.skipSpaces();
        if (open === '[') {
          if (cur.peek() === ',' || cur.peek() === ']' || cur.peek() === '') return unsupported();
          const item = parseFlow(cur);
          items.push(item.value);
          nodes.push(item.node);
        } else {
          const keyCol = cur.col();
          const key = parseKey(cur, true);
          if (cur.peek() !== ':' || cur.line.text[cur.pos + 1] !== ' ') return unsupported();
          cur.pos += 2;
          const v = parseFlow(cur);
          if (entries.has(key)) return unsupported();
          obj[key] = v.value;
          entries.set(key, { line, col: keyCol, value: v.node });
        }
        cur.skipSpaces();
        const c = cur.peek();
        cur.pos++;
        if (c === close) break;
        if (c !== ',') return unsupported();
        cur.skipSpaces();
        if (cur.peek() === close) return unsupported(); // trailing comma
      }
    return open === '['
      ? { value: items, node: { kind: 'seq', line, col, items: nodes } }
      : { value: obj, node: { kind: 'map', line, col, entries } };
  }
  return { value: scalar(cur, true), node: { kind: 'scalar', line, col } };
}

function scalar(cur: Cursor, flow: boolean): unknown {
  const c = cur.peek();
  if (c === '"' || c === "'") return cur.quoted();
  const s = cur.plain(flow);
  if (s === '') return unsupported();
  return plainValue(s);
}

/** parseKey reads a mapping key: a quoted or plain scalar that resolves to a string. */
function parseKey(cur: Cursor, flow: boolean): string {
  const c = cur.peek();
  const key = c === '"' || c === "'" ? cur.quoted() : cur.plain(flow);
  if (c !== '"' && c !== "'" && plainValue(key) !== key) return unsupported();
  if (key === '__proto__' || key === '<<') return unsupported();
  return key;
}

/** isMappingEntry tells whether a line's content (from pos) is `key:` or `key: value`. */
function isMappingEntry(line: Line, pos: number): boolean {
  const cur = new Cursor(line, pos);
  try {
    const c = cur.peek();
    if (c === '"' || c === "'") cur.quoted();
    else cur.plain(false);
  } catch (e) {
    if (e instanceof Unsupported) return false;
    throw e;
  }
  return cur.peek() === ':';
}

const isSeqItem = (line: Line, pos: number) =>
  line.text[pos] === '-' && (line.text[pos + 1] === undefined || line.text[pos + 1] === ' ');

class BlockParser {
  i = 0;
  constructor(readonly lines: Line[]) {}

  get line(): Line | undefined {
    return this.lines[this.i];
  }

  /** block parses the block node whose lines start at the current line, at exactly `indent`. */
  block(indent: number): { value: unknown; node: ConfigNode } {
    const line = this.line ?? unsupported();
    if (line.indent !== indent) return unsupported();
    if (isSeqItem(line, line.indent)) return this.sequence(indent);
    return this.mapping(indent);
  }

  /** The value after `key:` or `- ` when the line has nothing more: a nested block on the next lines. */
  nested(parentIndent: number, allowSameIndentSeq: boolean): { value: unknown; node: ConfigNode } {
    this.i++;
    const next = this.line ?? unsupported(); // an empty value is null: left to `yaml`
    if (next.indent > parentIndent) return this.block(next.indent);
    if (allowSameIndentSeq && next.indent === parentIndent && isSeqItem(next, next.indent))
      return this.sequence(parentIndent);
    return unsupported();
  }

  /** inline parses a value that must end its line, then moves to the next line. */
  inline(line: Line, pos: number, parentIndent: number): { value: unknown; node: ConfigNode } {
    const cur = new Cursor(line, pos);
    const c = cur.peek();
    const v =
      c === '[' || c === '{' ? parseFlow(cur) : { value: scalar(cur, false), node: scalarNode(line, pos) };
    if (!cur.atEnd()) return unsupported();
    this.i++;
    // A more indented line after a scalar would continue it (a multi-line plain scalar): left to `yaml`.
    const next = this.line;
    if (next && next.indent > parentIndent) return unsupported();
    return v;
  }

  /**
   * mapping parses a block mapping whose keys start at column `indent`; the first key is on the current
   * line at `indent` (after `- ` for a mapping that is a sequence item).
   */
  mapping(indent: number): { value: unknown; node: ConfigNode } {
    const obj: Record<string, unknown> = {};
    const entries = new Map<string, { line: number; col: number; value: ConfigNode }>();
    const start = this.line ?? unsupported();
    let line = start;
    for (;;) {
      const cur = new Cursor(line, indent);
      const key = parseKey(cur, false);
      if (cur.peek() !== ':') return unsupported();
      cur.pos++;
      const v = cur.atEnd() ? this.nested(indent, true) : this.inline(line, cur.pos, indent);
      if (entries.has(key)) return unsupported();
      obj[key] = v.value;
      entries.set(key, { line: line.no, col: indent + 1, value: v.node });
      const next = this.line;
      if (!next || next.indent < indent) break;
      if (next.indent > indent) return unsupported();
      if (isSeqItem(next, indent)) break; // not a key: the caller decides (usually an error)
      line = next;
    }
    return { value: obj, node: { kind: 'map', line: start.no, col: indent + 1, entries } };
  }

  sequence(indent: number): { value: unknown; node: ConfigNode } {
    const items: unknown[] = [];
    const nodes: ConfigNode[] = [];
    const start = this.line ?? unsupported();
    for (;;) {
      const line = this.line;
      if (!line || line.indent !== indent || !isSeqItem(line, indent)) break;
      let pos = indent + 1;
      while (line.text[pos] === ' ') pos++;
      let v: { value: unknown; node: ConfigNode };
      if (pos >= line.text.length || new Cursor(line, pos).atEnd()) v = this.nested(indent, false);
      else if (isSeqItem(line, pos))
        return unsupported(); // `- - a`
      else if (isMappingEntry(line, pos)) {
        // `- key: value`: a mapping whose keys line up at this column; later lines continue it.
        v = this.mapping(pos);
      } else v = this.inline(line, pos, indent);
      items.push(v.value);
      nodes.push(v.node);
      const next = this.line;
      if (next && next.indent > indent) return unsupported();
    }
    return { value: items, node: { kind: 'seq', line: start.no, col: indent + 1, items: nodes } };
  }
}

function scalarNode(line: Line, pos: number): ConfigNode {
  return { kind: 'scalar', line: line.no, col: pos + 1 };
}

/** parseYamlLite parses the plain subset of YAML, or returns undefined for anything outside it. */
export function parseYamlLite(text: string): LiteDocument | undefined {
  if (/[\t\r\uFEFF]/.test(text)) return undefined;
  const lines: Line[] = [];
  const raw = text.split('\n');
  for (let n = 0; n < raw.length; n++) {
    const t = raw[n] ?? '';
    let indent = 0;
    while (t[indent] === ' ') indent++;
    const c = t[indent];
    if (c === undefined || c === '#') continue;
    if (indent === 0 && (t.startsWith('---') || t.startsWith('...') || c === '%')) return undefined;
    lines.push({ no: n + 1, indent, text: t });
  }
  if (lines.length === 0) return undefined;
  try {
    const p = new BlockParser(lines);
    const first = lines[0] as Line;
    const { value, node } = p.block(first.indent);
    if (p.i !== lines.length) return undefined;
    return { data: value, root: node };
  } catch (e) {
    if (e instanceof Unsupported) return undefined;
    throw e;
  }
}
