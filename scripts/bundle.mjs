#!/usr/bin/env node
// Bundles src/ into dist/ with esbuild: dist/index.js (main), dist/post/index.js (post) and shared chunks.
//
// Code splitting keeps each target's SDK in its own chunk, loaded only when that target is used. esbuild
// splits only ES modules, but an ES module entry costs ~8 ms more start-up than CommonJS on Node 20 (the
// ESM loader, and builtins wrapped as module namespaces), which is a sixth of the start-up budget (README,
// Performance). So the split ESM output is converted, file by file, to CommonJS: static imports of chunks
// become require(), dynamic import() becomes a lazy require(). esbuild's chunk graph is acyclic (a chunk
// only imports chunks shared by more entry points), so require() order is the ESM evaluation order.
// Output is deterministic for the same inputs.
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { build, transform } from 'esbuild';

const root = new URL('..', import.meta.url).pathname;
// Built beside dist/ and swapped in, so a test running the bundled action never sees a half-written dist/.
const out = `dist.tmp-${process.pid}`;
rmSync(join(root, out), { recursive: true, force: true });
// Our JSON files (schemas, imported as a default export) become JSON.parse('…') rather than object literals:
// V8 parses JSON faster than the same data as JavaScript, which matters for the config schema read at
// start-up. Dependencies' JSON keeps esbuild's loader (named exports, require()).
const jsonParse = {
  name: 'json-parse',
  setup(b) {
    b.onLoad({ filter: /\.json$/ }, (args) =>
      args.path.includes('/node_modules/')
        ? undefined
        : {
            contents: `export default JSON.parse(${JSON.stringify(JSON.stringify(JSON.parse(readFileSync(args.path, 'utf8'))))});`,
            loader: 'js',
          },
    );
  },
};
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
  write: false,
  logLevel: 'warning',
  // yaml's ESM build: tree-shakeable, and it loads in half the time of its CommonJS build.
  alias: { yaml: './node_modules/yaml/browser/dist/index.js' },
  plugins: [jsonParse],
});
const sizes = [];
for (const file of result.outputFiles) {
  const cjs = await transform(file.text, {
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    minify: true,
    legalComments: 'eof',
    // import('./chunks/x.js') becomes Promise.resolve().then(() => require('./chunks/x.js')).
    supported: { 'dynamic-import': false },
    // Minified library code compares with -0 on purpose.
    logOverride: { 'equals-negative-zero': 'silent' },
    logLevel: 'warning',
  });
  mkdirSync(dirname(file.path), { recursive: true });
  writeFileSync(file.path, cjs.code);
  sizes.push(
    `${relative(join(root, out), file.path).padEnd(48)} ${(cjs.code.length / 1024).toFixed(1).padStart(8)} KiB`,
  );
}
// dist/ is CommonJS whatever the consumer's package.json says.
writeFileSync(join(root, out, 'package.json'), '{ "type": "commonjs" }\n');
const old = `dist.old-${process.pid}`;
try {
  renameSync(join(root, 'dist'), join(root, old));
} catch {}
renameSync(join(root, out), join(root, 'dist'));
rmSync(join(root, old), { recursive: true, force: true });
console.log(sizes.sort().join('\n'));
