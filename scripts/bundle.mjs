#!/usr/bin/env node
// Bundles src/ into dist/ with esbuild: dist/index.js (main), dist/post/index.js (post) and shared chunks.
// Code splitting keeps each target's SDK in its own chunk, loaded only when that target is used, so a run
// starts fast (see the README's Performance section). Output is deterministic for the same inputs.
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { build } from 'esbuild';

const root = new URL('..', import.meta.url).pathname;
// Built beside dist/ and swapped in, so a test running the bundled action never sees a half-written dist/.
const out = `dist.tmp-${process.pid}`;
rmSync(`${root}${out}`, { recursive: true, force: true });
const result = await build({
  absWorkingDir: root,
  entryPoints: { index: 'src/index.ts', 'post/index': 'src/post/index.ts' },
  outdir: out,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  chunkNames: 'chunks/[name]-[hash]',
  minify: true,
  legalComments: 'eof',
  metafile: true,
  // Some dependencies are CommonJS and call require() for Node built-ins.
  banner: {
    js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
  },
  logLevel: 'warning',
  // yaml's ESM build: tree-shakeable, and it loads in half the time of its CommonJS build.
  alias: { yaml: './node_modules/yaml/browser/dist/index.js' },
});
// dist/ is ESM whatever the consumer's package.json says.
writeFileSync(`${root}${out}/package.json`, '{ "type": "module" }\n');
const old = `dist.old-${process.pid}`;
try {
  renameSync(`${root}dist`, `${root}${old}`);
} catch {}
renameSync(`${root}${out}`, `${root}dist`);
rmSync(`${root}${old}`, { recursive: true, force: true });
const sizes = Object.entries(result.metafile.outputs)
  .map(
    ([file, o]) => `${file.replace(out, 'dist').padEnd(48)} ${(o.bytes / 1024).toFixed(1).padStart(8)} KiB`,
  )
  .sort();
console.log(sizes.join('\n'));
