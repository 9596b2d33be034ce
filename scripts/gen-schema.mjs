#!/usr/bin/env node
// Writes schema/deploy-config.schema.json from the zod schema in src/plan/config-schema.ts.
// A unit test fails when the committed file is stale: run `npm run schema` after changing the schema.
import { mkdirSync, writeFileSync } from 'node:fs';
import { build } from 'esbuild';

const root = new URL('..', import.meta.url).pathname;
const out = await build({
  absWorkingDir: root,
  entryPoints: ['src/plan/json-schema.ts'],
  bundle: true,
  format: 'esm',
  platform: 'node',
  write: false,
  logLevel: 'warning',
});
const code = out.outputFiles[0].text;
const mod = await import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`);
mkdirSync(`${root}schema`, { recursive: true });
writeFileSync(`${root}schema/deploy-config.schema.json`, mod.renderConfigJsonSchema());
console.log('wrote schema/deploy-config.schema.json');
