import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderConfigJsonSchema } from '../../../src/plan/json-schema.js';

describe('schema/deploy-config.schema.json', () => {
  it('matches the zod schema (run `npm run schema` when this fails)', () => {
    const committed = readFileSync(
      new URL('../../../schema/deploy-config.schema.json', import.meta.url),
      'utf8',
    );
    expect(committed).toBe(renderConfigJsonSchema());
  });
});
