#!/usr/bin/env node
// Bundles src/ into dist/ with esbuild, as CommonJS, in two levels:
//
//   dist/index.js, dist/post/index.js  one file each with everything the step needs before its first
//                                      dynamic import(): a dry run loads nothing else;
//   dist/chunks/*.js                   what is behind a dynamic import() (stages, targets and their SDKs,
//                                      GitHub reporting, the full YAML parser, ...), split by esbuild.
//
// Why: start-up time is budgeted (README, Performance). An ES module entry costs ~8 ms more than CommonJS on
// Node 20, and esbuild's splitting puts start-up code in many small shared chunks, each carrying code for the
// lazy chunks too: one start-up file instead is ~5 ms faster.
//
// The chunks must share the start-up modules' instances (ActionError for instanceof, the runner's state),
// not carry copies. So the start-up files publish the namespace of every start-up module the chunks use
// under a global (MODULES), and the chunks' build resolves those modules to that global. Both entry files
// publish the same set, so the chunks work under either.
//
// Output is deterministic for the same inputs. It is built beside dist/ and swapped in, so a test running the
// bundled action never sees a half-written dist/.
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { build, transform } from 'esbuild';

const root = new URL('..', import.meta.url).pathname;
const out = `dist.tmp-${process.pid}`;
const MODULES = 'globalThis[Symbol.for("spark-deploy-action.modules")]';
const ENTRIES = { index: 'src/index.ts', 'post/index': 'src/post/index.ts' };

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

const common = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  target: 'node20',
  minify: true,
  legalComments: 'eof',
  logLevel: 'warning',
  // Minified library code compares with -0 on purpose.
  logOverride: { 'equals-negative-zero': 'silent' },
  // yaml's ESM build: tree-shakeable, and it loads in half the time of its CommonJS build.
  alias: { yaml: './node_modules/yaml/browser/dist/index.js' },
};

const rel = (p) => relative(root, p).split('\\').join('/');
/** chunkName names a lazily imported source module's chunk: src/report/github/reporter.ts → report-github-reporter. */
const chunkName = (src) =>
  rel(src)
    .replace(/^src\//, '')
    .replace(/\.[cm]?[jt]s$/, '')
    .replace(/[/\\]/g, '-');

/**
 * startupBuild bundles one entry with its dynamic imports left out (each becomes a lazy require() of its
 * chunk). `publish` lists start-up modules whose namespaces the entry puts under MODULES.
 */
async function startupBuild(name, entry, publish, lazy) {
  const prefix = name.includes('/') ? '../chunks/' : './chunks/';
  // The registry is a module of its own, imported first: the namespaces are published before the entry's
  // code runs.
  const registry = publish
    .map((m, i) => `import * as m${i} from ${JSON.stringify(`./${m}`)};`)
    .concat(`${MODULES} = { ${publish.map((m, i) => `${JSON.stringify(m)}: m${i}`).join(', ')} };`)
    .join('\n');
  return build({
    ...common,
    stdin: {
      contents: `import 'startup-registry';\nimport ${JSON.stringify(`./${entry}`)};`,
      resolveDir: root,
      sourcefile: `${name}.entry.js`,
      loader: 'js',
    },
    outfile: join(out, `${name}.js`),
    format: 'cjs',
    // import('./x.js') becomes Promise.resolve().then(() => require('./chunks/x.js')).
    supported: { 'dynamic-import': false },
    metafile: true,
    write: false,
    plugins: [
      jsonParse,
      {
        name: 'lazy-chunks',
        setup(b) {
          b.onResolve({ filter: /^startup-registry$/ }, () => ({ path: 'registry', namespace: 'registry' }));
          b.onLoad({ filter: /.*/, namespace: 'registry' }, () => ({
            contents: registry,
            resolveDir: root,
            loader: 'js',
          }));
          b.onResolve({ filter: /.*/ }, async (args) => {
            if (args.kind !== 'dynamic-import') return undefined;
            const r = await b.resolve(args.path, { resolveDir: args.resolveDir, kind: 'import-statement' });
            if (r.errors.length > 0) return { errors: r.errors };
            lazy.add(rel(r.path));
            return { path: `${prefix}${chunkName(r.path)}.js`, external: true };
          });
        },
      },
    ],
  });
}

rmSync(join(root, out), { recursive: true, force: true });

// 1. Which source modules do the entries load at start-up, and which modules are behind import()?
const lazy = new Set();
const probe = await startupBuild('index', ENTRIES.index, [], lazy);
const startupModules = Object.keys(probe.metafile.inputs).filter((p) => p.startsWith('src/'));
const postProbe = await startupBuild('post/index', ENTRIES['post/index'], [], lazy);

// 2. The chunks: every lazily imported module, split, with start-up modules taken from MODULES.
const startupSet = new Set(startupModules);
const both = [...lazy].filter((p) => startupSet.has(p));
if (both.length > 0) throw new Error(`imported both statically and with import(): ${both.join(', ')}`);
const used = new Set();
const chunks = await build({
  ...common,
  entryPoints: Object.fromEntries([...lazy].sort().map((p) => [`chunks/${chunkName(p)}`, p])),
  outdir: out,
  splitting: true,
  format: 'esm',
  chunkNames: 'chunks/[name]-[hash]',
  metafile: true,
  write: false,
  plugins: [
    jsonParse,
    {
      name: 'startup-modules',
      setup(b) {
        b.onResolve({ filter: /^\./ }, async (args) => {
          if (args.pluginData === 'inner') return undefined;
          const r = await b.resolve(args.path, {
            resolveDir: args.resolveDir,
            kind: args.kind,
            pluginData: 'inner',
          });
          const path = r.errors.length === 0 ? rel(r.path) : '';
          if (!startupSet.has(path)) return undefined;
          used.add(path);
          return { path, namespace: 'startup-module' };
        });
        b.onLoad({ filter: /.*/, namespace: 'startup-module' }, (args) => ({
          contents: `module.exports = ${MODULES}[${JSON.stringify(args.path)}];`,
          loader: 'js',
        }));
      },
    },
  ],
});

// The registry holds the main entry's start-up modules, which the post entry publishes too. A module only
// the post entry loads would have a second instance in a chunk: refuse rather than ship that.
const postOnly = Object.keys(postProbe.metafile.inputs).filter(
  (p) => p.startsWith('src/') && !startupSet.has(p),
);
const copied = postOnly.filter((p) => p in chunks.metafile.inputs);
if (copied.length > 0) throw new Error(`post-only start-up modules also in chunks: ${copied.join(', ')}`);

// 3. The entries again, now publishing what the chunks use.
const publish = [...used].sort();
const entries = await Promise.all(
  Object.entries(ENTRIES).map(([name, entry]) => startupBuild(name, entry, publish, new Set())),
);

const sizes = [];
const emit = (path, code) => {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, code);
  sizes.push(
    `${rel(path).replace(out, 'dist').padEnd(48)} ${(code.length / 1024).toFixed(1).padStart(8)} KiB`,
  );
};
for (const e of entries) for (const f of e.outputFiles) emit(f.path, f.text);
for (const f of chunks.outputFiles) {
  // Chunks are converted file by file to CommonJS: static imports become require(), import() a lazy
  // require(). esbuild's chunk graph is acyclic, so require() order is the ES module evaluation order.
  const cjs = await transform(f.text, {
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    minify: true,
    legalComments: 'eof',
    supported: { 'dynamic-import': false },
    logOverride: { 'equals-negative-zero': 'silent' },
    logLevel: 'warning',
  });
  emit(f.path, cjs.code);
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
