// A yes/no check of a value against the JSON Schema generated from the zod config schema
// (schema/deploy-config.schema.json). It exists for start-up time only: building the zod schemas costs
// ~12 ms, and a valid config never needs them. load-config.ts asks this first and falls back to zod, which
// gives the verdict and the messages, whenever this says no. A differential property test
// (test/unit/plan/schema-check.test.ts) holds it to zod's verdict.
//
// It knows exactly the keywords the generator emits and refuses a schema with any other, so a change in
// what zod generates cannot go unnoticed. Where JSON Schema and zod differ it follows zod: string lengths
// are UTF-16 lengths, patterns are compiled without the `u` flag, and numbers must be finite.

import { isPlainObject } from './merge.js';

export type JsonSchema = boolean | { readonly [keyword: string]: unknown };

const ANNOTATIONS = new Set(['$schema', '$id', 'title', 'description', '$defs']);
const ASSERTIONS = new Set([
  '$ref',
  'type',
  'enum',
  'const',
  'properties',
  'required',
  'additionalProperties',
  'propertyNames',
  'items',
  'minItems',
  'maxItems',
  'anyOf',
  'pattern',
  'minLength',
  'maxLength',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
]);

/** unknownKeywords lists keywords in a schema that schemaAccepts does not implement (for a test). */
export function unknownKeywords(schema: JsonSchema): string[] {
  const out = new Set<string>();
  const walk = (s: unknown): void => {
    if (typeof s !== 'object' || s === null) return;
    for (const [k, v] of Object.entries(s)) {
      if (!ANNOTATIONS.has(k) && !ASSERTIONS.has(k)) out.add(k);
      if (k === 'properties' || k === '$defs') for (const sub of Object.values(v as object)) walk(sub);
      else if (k === 'anyOf') for (const sub of v as unknown[]) walk(sub);
      else if (k === 'items' || k === 'additionalProperties' || k === 'propertyNames') walk(v);
    }
  };
  walk(schema);
  return [...out].sort();
}

const patterns = new Map<string, RegExp>();
function pattern(source: string): RegExp {
  let re = patterns.get(source);
  if (!re) {
    re = new RegExp(source);
    patterns.set(source, re);
  }
  return re;
}

function hasType(type: unknown, v: unknown): boolean {
  if (Array.isArray(type)) return type.some((t) => hasType(t, v));
  switch (type) {
    case 'object':
      return isPlainObject(v);
    case 'array':
      return Array.isArray(v);
    case 'string':
      return typeof v === 'string';
    case 'boolean':
      return typeof v === 'boolean';
    case 'null':
      return v === null;
    case 'number':
      return typeof v === 'number' && Number.isFinite(v);
    case 'integer':
      return Number.isSafeInteger(v);
    default:
      throw new Error(`schema-check: unsupported type ${JSON.stringify(type)}`);
  }
}

function resolveRef(root: JsonSchema, ref: unknown): JsonSchema {
  const m = typeof ref === 'string' ? /^#\/\$defs\/([^/]+)$/.exec(ref) : null;
  const defs = typeof root === 'object' ? (root.$defs as Record<string, JsonSchema> | undefined) : undefined;
  const target = m?.[1] !== undefined ? defs?.[m[1]] : undefined;
  if (target === undefined) throw new Error(`schema-check: unsupported $ref ${JSON.stringify(ref)}`);
  return target;
}

/** schemaAccepts tells whether a value (parsed JSON or YAML) satisfies the schema. */
export function schemaAccepts(schema: JsonSchema, value: unknown, root: JsonSchema = schema): boolean {
  if (schema === true) return true;
  if (schema === false) return false;
  for (const key in schema) {
    const arg = schema[key];
    switch (key) {
      case '$ref':
        if (!schemaAccepts(resolveRef(root, arg), value, root)) return false;
        break;
      case 'type':
        if (!hasType(arg, value)) return false;
        break;
      case 'enum':
        if (!(arg as unknown[]).some((e) => e === value)) return false;
        break;
      case 'const':
        if (arg !== value) return false;
        break;
      case 'anyOf':
        if (!(arg as JsonSchema[]).some((s) => schemaAccepts(s, value, root))) return false;
        break;
      case 'properties':
        if (isPlainObject(value))
          for (const [name, sub] of Object.entries(arg as Record<string, JsonSchema>))
            if (Object.hasOwn(value, name) && !schemaAccepts(sub, value[name], root)) return false;
        break;
      case 'required':
        if (isPlainObject(value) && !(arg as string[]).every((name) => Object.hasOwn(value, name)))
          return false;
        break;
      case 'additionalProperties':
        if (isPlainObject(value)) {
          const known = (schema.properties ?? {}) as Record<string, unknown>;
          for (const name of Object.keys(value))
            if (!Object.hasOwn(known, name) && !schemaAccepts(arg as JsonSchema, value[name], root))
              return false;
        }
        break;
      case 'propertyNames':
        if (
          isPlainObject(value) &&
          !Object.keys(value).every((name) => schemaAccepts(arg as JsonSchema, name, root))
        )
          return false;
        break;
      case 'items':
        if (Array.isArray(value) && !value.every((item) => schemaAccepts(arg as JsonSchema, item, root)))
          return false;
        break;
      case 'minItems':
        if (Array.isArray(value) && value.length < (arg as number)) return false;
        break;
      case 'maxItems':
        if (Array.isArray(value) && value.length > (arg as number)) return false;
        break;
      case 'pattern':
        if (typeof value === 'string' && !pattern(arg as string).test(value)) return false;
        break;
      case 'minLength':
        if (typeof value === 'string' && value.length < (arg as number)) return false;
        break;
      case 'maxLength':
        if (typeof value === 'string' && value.length > (arg as number)) return false;
        break;
      case 'minimum':
        if (typeof value === 'number' && !(value >= (arg as number))) return false;
        break;
      case 'maximum':
        if (typeof value === 'number' && !(value <= (arg as number))) return false;
        break;
      case 'exclusiveMinimum':
        if (typeof value === 'number' && !(value > (arg as number))) return false;
        break;
      case 'exclusiveMaximum':
        if (typeof value === 'number' && !(value < (arg as number))) return false;
        break;
      default:
        if (!ANNOTATIONS.has(key)) throw new Error(`schema-check: unsupported keyword ${key}`);
    }
  }
  return true;
}
