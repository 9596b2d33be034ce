#!/usr/bin/env node
// Runs every bench/*.bench.ts: each is bundled with esbuild into a temp dir and run with node, so the
// benchmark measures the same code the action ships, under Node 24 as action.yml runs it
// (scripts/install-node.sh). Usage: npm run bench [-- <name filter>]
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';

const filter = process.argv[2] ?? '';
const dir = new URL('../bench/', import.meta.url).pathname;
const benches = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts') && f.includes(filter))
  .sort();
const node = execFileSync('bash', [new URL('install-node.sh', import.meta.url).pathname], {
  encoding: 'utf8',
  stdio: ['ignore', 'pipe', 'inherit'],
}).trim();
const out = mkdtempSync(join(tmpdir(), 'spark-deploy-bench-'));
let failed = 0;
try {
  for (const file of benches) {
    const outfile = join(out, file.replace(/\.ts$/, '.mjs'));
    await build({
      entryPoints: [join(dir, file)],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node24',
      outfile,
      banner: {
        js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
      },
      logLevel: 'warning',
    });
    console.log(`\n## ${file}\n`);
    const r = spawnSync(node, ['--expose-gc', outfile], { stdio: 'inherit' });
    if (r.status !== 0) failed++;
  }
} finally {
  rmSync(out, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
