import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderConfigJsonSchema } from '../../../src/plan/json-schema.js';

const committed = () =>
  readFileSync(new URL('../../../schema/deploy-config.schema.json', import.meta.url), 'utf8');

type Node = Record<string, unknown>;
const isNode = (v: unknown): v is Node => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * undescribed walks a JSON Schema and returns the path of every property without a non-empty description:
 * properties of objects, array items, record values, anyOf/oneOf/allOf branches and $defs/definitions.
 */
function undescribed(node: unknown, path: string, out: string[] = []): string[] {
  if (Array.isArray(node)) {
    node.forEach((n, i) => {
      undescribed(n, `${path}[${i}]`, out);
    });
    return out;
  }
  if (!isNode(node)) return out;
  for (const [key, value] of Object.entries(node)) {
    if (key === 'properties' && isNode(value)) {
      for (const [name, prop] of Object.entries(value)) {
        const desc = isNode(prop) ? prop.description : undefined;
        if (typeof desc !== 'string' || desc.trim() === '') out.push(`${path}.${name}`);
        undescribed(prop, `${path}.${name}`, out);
      }
    } else if (key === '$defs' || key === 'definitions') {
      if (isNode(value)) for (const [name, def] of Object.entries(value)) undescribed(def, `#${name}`, out);
    } else if (isNode(value) || Array.isArray(value)) {
      undescribed(value, `${path}/${key}`, out);
    }
  }
  return out;
}

describe('schema/deploy-config.schema.json', () => {
  it('matches the zod schema (run `npm run schema` when this fails)', () => {
    expect(committed()).toBe(renderConfigJsonSchema());
  });

  it('describes every property: editor completion is the documentation of image.*, kubernetes.* and emr.*', () => {
    const schema = JSON.parse(committed()) as Node;
    const defs = { ...(schema.$defs as Node), ...(schema.definitions as Node | undefined) };
    expect(Object.keys(defs)).toContain('Layer');
    expect(undescribed(schema, '')).toEqual([]);
  });

  it('finds an undescribed property anywhere (the walk itself)', () => {
    const schema = {
      properties: { a: { description: 'ok', properties: { b: {} } } },
      $defs: { D: { properties: { c: { description: ' ' } } } },
      anyOf: [{ properties: { d: {} } }],
      items: { oneOf: [{ properties: { e: {} } }] },
    };
    expect(undescribed(schema, '')).toEqual(['.a.b', '#D.c', '/anyOf[0].d', '/items/oneOf[0].e']);
  });
});
