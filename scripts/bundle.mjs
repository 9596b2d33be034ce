#!/usr/bin/env node
// Bundles src/ into dist/ with esbuild's own code splitting, as ES modules for Node 24 (action.yml runs
// node24):
//
//   dist/index.js, dist/post/index.js  the main and post steps;
//   dist/chunks/*.js                   code behind a dynamic import() (stages, targets and their SDKs, GitHub
//                                      reporting) and code both entries share, as esbuild splits it.
//
// Dependencies written as CommonJS call require() for Node's built-ins: the banner gives every output file a
// real require (createRequire), as esbuild's documentation recommends for ESM bundles on Node.
// Output is deterministic for the same inputs (content-hashed chunk names). It is built beside dist/ and
// swapped in, so a test running the bundled action never sees a half-written dist/.
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { build } from 'esbuild';

const root = new URL('..', import.meta.url).pathname;
const out = `dist.tmp-${process.pid}`;

rmSync(join(root, out), { recursive: true, force: true });
const result = await build({
  absWorkingDir: root,
  entryPoints: [
    { in: 'src/index.ts', out: 'index' },
    { in: 'src/post/index.ts', out: 'post/index' },
  ],
  outdir: out,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node24',
  chunkNames: 'chunks/[name]-[hash]',
  minify: true,
  legalComments: 'eof',
  metafile: true,
  logLevel: 'warning',
  // Minified library code compares with -0 on purpose.
  logOverride: { 'equals-negative-zero': 'silent' },
  // tr46 (node-fetch, under @kubernetes/client-node) requires Node's deprecated built-in punycode, which
  // prints a DeprecationWarning into the user's log: the userland package of the same API instead.
  alias: { punycode: 'punycode/' },
  banner: {
    js: "import { createRequire as __sdaCreateRequire } from 'node:module'; const require = __sdaCreateRequire(import.meta.url);",
  },
});
// dist/ is ES modules whatever the consumer's package.json says.
writeFileSync(join(root, out, 'package.json'), '{ "type": "module" }\n');

const old = `dist.old-${process.pid}`;
try {
  renameSync(join(root, 'dist'), join(root, old));
} catch {}
renameSync(join(root, out), join(root, 'dist'));
rmSync(join(root, old), { recursive: true, force: true });
const sizes = Object.entries(result.metafile.outputs).map(
  ([path, o]) => `${relative(out, path).padEnd(48)} ${(o.bytes / 1024).toFixed(1).padStart(8)} KiB`,
);
console.log(sizes.sort().join('\n'));
