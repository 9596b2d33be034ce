import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import jsonSchema from '../../../schema/deploy-config.schema.json' with { type: 'json' };
import { configSchemas } from '../../../src/plan/config-schema.js';
import { type JsonSchema, schemaAccepts, unknownKeywords } from '../../../src/plan/schema-check.js';
import { valuePaths } from '../../helpers/value-paths.js';

const schema = jsonSchema as JsonSchema;
const zodAccepts = (v: unknown) => configSchemas().configFile.safeParse(v).success;

describe('schemaAccepts', () => {
  it('implements every keyword the generated schema uses', () => {
    expect(unknownKeywords(schema)).toEqual([]);
    expect(unknownKeywords({ type: 'string', format: 'uri' })).toEqual(['format']);
    expect(() => schemaAccepts({ format: 'uri' }, 'x')).toThrow(/unsupported keyword format/);
  });

  it('checks each keyword as zod does', () => {
    expect(schemaAccepts({ type: 'integer' }, 3)).toBe(true);
    expect(schemaAccepts({ type: 'integer' }, 3.5)).toBe(false);
    expect(schemaAccepts({ type: 'integer' }, 2 ** 60)).toBe(false);
    expect(schemaAccepts({ type: 'number' }, Number.POSITIVE_INFINITY)).toBe(false);
    expect(schemaAccepts({ type: 'number' }, Number.NaN)).toBe(false);
    expect(schemaAccepts({ type: 'object' }, [])).toBe(false);
    expect(schemaAccepts({ type: 'object' }, null)).toBe(false);
    expect(schemaAccepts({ type: ['string', 'null'] }, null)).toBe(true);
    expect(schemaAccepts({ enum: ['a', 'b'] }, 'b')).toBe(true);
    expect(schemaAccepts({ enum: ['a', 'b'] }, 'c')).toBe(false);
    expect(schemaAccepts({ const: 1 }, '1')).toBe(false);
    expect(schemaAccepts({ pattern: '^a+$' }, 'aaa')).toBe(true);
    expect(schemaAccepts({ pattern: '^a+$' }, 'ab')).toBe(false);
    expect(schemaAccepts({ pattern: '^a+$' }, 5)).toBe(true); // applies to strings only
    // zod counts UTF-16 code units, not code points: so does the check.
    expect(schemaAccepts({ maxLength: 1 }, '😀')).toBe(false);
    expect(schemaAccepts({ minLength: 1 }, '')).toBe(false);
    expect(schemaAccepts({ exclusiveMinimum: 0 }, 0)).toBe(false);
    expect(schemaAccepts({ minimum: 0 }, 0)).toBe(true);
    expect(schemaAccepts({ maximum: 2, exclusiveMaximum: 3 }, 2.5)).toBe(false);
    expect(schemaAccepts({ minItems: 1, maxItems: 2, items: { type: 'string' } }, ['a'])).toBe(true);
    expect(schemaAccepts({ minItems: 1 }, [])).toBe(false);
    expect(schemaAccepts({ maxItems: 1 }, [1, 2])).toBe(false);
    expect(schemaAccepts({ items: { type: 'string' } }, ['a', 1])).toBe(false);
    const obj = {
      type: 'object',
      properties: { a: { type: 'string' } },
      required: ['a'],
      additionalProperties: false,
    };
    expect(schemaAccepts(obj, { a: 'x' })).toBe(true);
    expect(schemaAccepts(obj, {})).toBe(false);
    expect(schemaAccepts(obj, { a: 'x', b: 1 })).toBe(false);
    expect(schemaAccepts(obj, { a: 1 })).toBe(false);
    const rec = {
      type: 'object',
      propertyNames: { pattern: '^[a-z]+$' },
      additionalProperties: { type: 'number' },
    };
    expect(schemaAccepts(rec, { ab: 1 })).toBe(true);
    expect(schemaAccepts(rec, { Ab: 1 })).toBe(false);
    expect(schemaAccepts(rec, { ab: '1' })).toBe(false);
    expect(schemaAccepts({ anyOf: [{ type: 'string' }, { type: 'boolean' }] }, true)).toBe(true);
    expect(schemaAccepts({ anyOf: [{ type: 'string' }, { type: 'boolean' }] }, 1)).toBe(false);
    const refs = { $defs: { S: { type: 'string' } }, properties: { x: { $ref: '#/$defs/S' } } };
    expect(schemaAccepts(refs, { x: 'a' })).toBe(true);
    expect(schemaAccepts(refs, { x: 1 })).toBe(false);
    expect(() => schemaAccepts({ $ref: 'https://example.com/s.json' }, 1)).toThrow(/unsupported \$ref/);
  });
});

// The differential test: the JSON Schema check may answer yes only where zod does (a yes skips zod), and
// should answer no only where zod does (a no costs zod's time). Configs are the committed example configs,
// mutated at random paths with values chosen to hit every kind of constraint.
const bases: unknown[] = [
  parse(readFileSync(new URL('../../../examples/etl-app/.github/spark-deploy.yml', import.meta.url), 'utf8')),
  {
    defaults: { target: 'standalone', app: { name: 'etl', mainClass: 'com.etl.Main' } },
    environments: { local: { standalone: { masters: ['http://127.0.0.1:6066'] } } },
  },
];

const keysInSchema = new Set<string>();
(function collect(s: unknown): void {
  if (typeof s !== 'object' || s === null) return;
  for (const [k, v] of Object.entries(s)) {
    if (k === 'properties') for (const name of Object.keys(v as object)) keysInSchema.add(name);
    collect(v);
  }
})(jsonSchema);
const enumValues = [...JSON.stringify(jsonSchema).matchAll(/"enum":\[([^\]]*)\]/g)].flatMap(
  (m) => JSON.parse(`[${m[1]}]`) as string[],
);
const interesting = fc.oneof(
  fc.constantFrom<unknown>(
    ...enumValues,
    '4G',
    '4g',
    '512mb',
    '512Mb',
    '2048',
    '4x',
    '',
    'com.etl.Main',
    'com..Main',
    '1com.Main',
    'j-2AXXXXXXGAPLF',
    'j-abc',
    'emr-7.5.0',
    'emr-7.5',
    '3.5.6',
    '3.5',
    `repo@sha256:${'a'.repeat(64)}`,
    'repo:latest',
    'A_B',
    '1AB',
    'a'.repeat(201),
    0,
    -1,
    1,
    1.5,
    8,
    41,
    2 ** 53,
    Number.POSITIVE_INFINITY,
    Number.NaN,
    true,
    null,
    [],
    {},
    { fromEnv: 'TOKEN' },
    { fromEnv: '1BAD' },
    { fromEnv: 'TOKEN', extra: 1 },
    ['a'],
    [1],
  ),
  fc.jsonValue({ maxDepth: 2 }),
);
type Mutation = { at: number; kind: 'set' | 'delete' | 'addKey'; key: string; value: unknown };
const mutation = fc.record({
  at: fc.nat(),
  kind: fc.constantFrom<Mutation['kind']>('set', 'set', 'delete', 'addKey'),
  key: fc.oneof(fc.constantFrom(...keysInSchema), fc.string({ maxLength: 6 })),
  value: interesting,
});

function mutate(base: unknown, ms: Mutation[]): unknown {
  let doc = structuredClone(base);
  for (const m of ms) {
    const ps = valuePaths(doc);
    const path = ps[m.at % ps.length] ?? [];
    if (path.length === 0) {
      if (m.kind === 'set') doc = m.value;
      continue;
    }
    let parent = doc as Record<string | number, unknown>;
    for (const seg of path.slice(0, -1)) parent = parent[seg] as Record<string | number, unknown>;
    const last = path[path.length - 1] as string | number;
    if (m.kind === 'set') parent[last] = m.value;
    else if (m.kind === 'delete') {
      if (Array.isArray(parent)) parent.splice(Number(last), 1);
      else delete parent[last];
    } else {
      const target = parent[last];
      if (target && typeof target === 'object' && !Array.isArray(target))
        (target as Record<string, unknown>)[m.key] = m.value;
    }
  }
  return doc;
}

describe('schemaAccepts on the deploy config schema', () => {
  it('accepts the example configs, as zod does', () => {
    for (const b of bases) {
      expect(zodAccepts(b)).toBe(true);
      expect(schemaAccepts(schema, b)).toBe(true);
    }
  });

  it('agrees with zod on mutated configs', () => {
    let accepted = 0;
    fc.assert(
      fc.property(fc.constantFrom(...bases), fc.array(mutation, { minLength: 1, maxLength: 3 }), (b, ms) => {
        const doc = mutate(b, ms);
        const zod = zodAccepts(doc);
        if (zod) accepted++;
        expect(schemaAccepts(schema, doc), JSON.stringify(doc)).toBe(zod);
      }),
      { numRuns: 3000 },
    );
    // Both verdicts must be exercised, or the property proves little.
    expect(accepted).toBeGreaterThan(300);
    expect(accepted).toBeLessThan(2700);
  });
});
