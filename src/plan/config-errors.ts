import type * as z from 'zod/mini';
import type { Finding } from '../findings.js';
import { closest } from '../util/suggest.js';
import { type ConfigSource, keyPath, type Path } from './source.js';

type AnySchema = z.core.$ZodType;

/** schemaAt walks a zod schema along a config path (through optional, record, array and union). */
export function schemaAt(schema: AnySchema, path: Path): AnySchema[] {
  let current: AnySchema[] = [schema];
  for (const seg of path) {
    const next: AnySchema[] = [];
    for (const s of current.flatMap(unwrap)) {
      const def = s._zod.def as unknown as Record<string, unknown>;
      if (def.type === 'object') {
        const shape = def.shape as Record<string, AnySchema>;
        const child = shape[String(seg)];
        if (child) next.push(child);
      } else if (def.type === 'record') next.push(def.valueType as AnySchema);
      else if (def.type === 'array' && typeof seg === 'number') next.push(def.element as AnySchema);
    }
    current = next;
  }
  return current.flatMap(unwrap);
}

function unwrap(s: AnySchema): AnySchema[] {
  const def = s._zod.def as unknown as Record<string, unknown>;
  if (def.type === 'optional' || def.type === 'default' || def.type === 'nullable')
    return unwrap(def.innerType as AnySchema);
  if (def.type === 'union') return (def.options as AnySchema[]).flatMap(unwrap);
  return [s];
}

/** objectKeysAt lists the keys allowed in the object at a config path. */
export function objectKeysAt(schema: AnySchema, path: Path): string[] {
  return schemaAt(schema, path).flatMap((s) => {
    const def = s._zod.def as unknown as Record<string, unknown>;
    return def.type === 'object' ? Object.keys(def.shape as object) : [];
  });
}

function valueAt(data: unknown, path: Path): unknown {
  let v: unknown = data;
  for (const seg of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[seg];
  }
  return v;
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string')
    return `the string ${JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v)}`;
  return `${typeof v} ${String(v)}`;
}

const article = (t: string) => (/^[aeiou]/.test(t) ? `an ${t}` : `a ${t}`);
const typeName = (t: string) => (t === 'object' ? 'mapping' : t === 'array' ? 'list' : t);

/** issuesToFindings turns zod issues on a config file into findings that name file, line and key. */
export function issuesToFindings(
  source: ConfigSource,
  schema: AnySchema,
  issues: readonly z.core.$ZodIssue[],
): Finding[] {
  const out: Finding[] = [];
  for (const issue of issues) {
    const path = issue.path as Path;
    const actual = valueAt(source.data, path);
    const at = (p: Path, which: 'key' | 'value', key: string, text: string) => {
      const pos = source.position(p, which);
      out.push({
        stage: 'plan',
        severity: 'error',
        title: `config: ${key}`,
        message: `${source.file}${pos ? `:${pos.line}:${pos.column}` : ''}: ${key}: ${text}`,
        file: source.file,
        ...(pos ? { line: pos.line, column: pos.column } : {}),
        rule: `config/${issue.code}`,
      });
    };
    switch (issue.code) {
      case 'unrecognized_keys': {
        const allowed = objectKeysAt(schema, path);
        for (const k of issue.keys) {
          const hint = closest(k, allowed);
          at(
            [...path, k],
            'key',
            keyPath([...path, k]),
            `unknown key${hint ? ` (did you mean "${hint}"?)` : allowed.length ? ` (expected one of: ${allowed.join(', ')})` : ''}`,
          );
        }
        break;
      }
      case 'invalid_type': {
        const expected = typeName(String(issue.expected));
        const text =
          actual === undefined
            ? `is required (expected ${article(expected)})`
            : `expected ${article(expected)}, got ${describe(actual)}`;
        at(path, 'value', keyPath(path), text);
        break;
      }
      case 'invalid_value': {
        const values = issue.values.map((v) => JSON.stringify(v));
        const hint = typeof actual === 'string' ? closest(actual, issue.values.map(String)) : undefined;
        at(
          path,
          'value',
          keyPath(path),
          `expected ${values.length === 1 ? values[0] : `one of ${values.join(' | ')}`}, got ${describe(actual)}${hint ? ` (did you mean "${hint}"?)` : ''}`,
        );
        break;
      }
      case 'invalid_format':
        at(path, 'value', keyPath(path), `expected ${issue.message}, got ${describe(actual)}`);
        break;
      case 'invalid_union': {
        const fromEnv = issue.errors.some((branch) =>
          branch.some((i) => i.path.includes('fromEnv') || (i.code === 'unrecognized_keys' && true)),
        );
        at(
          path,
          'value',
          keyPath(path),
          `expected a string, number or boolean${fromEnv ? ' (or { fromEnv: NAME } for a credential)' : ''}, got ${describe(actual)}`,
        );
        break;
      }
      case 'invalid_key':
        at(path, 'key', keyPath(path), `invalid key: ${issue.message}`);
        break;
      default:
        at(path, 'value', keyPath(path), `${issue.message} (got ${describe(actual)})`);
    }
  }
  return out;
}
