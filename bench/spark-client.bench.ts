// The Spark client a runner without Spark gets for a spark:// master (src/targets/standalone/provision.ts):
// cold, the pinned jars fetched from Maven Central and verified into an empty tool cache; warm, the cache
// found complete (what every later run pays before spark-submit starts); and the JVM start of the client
// itself (`SparkSubmit --version`), which any spark-submit costs. BENCH_RUNS (default 5) warm runs.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { provisionSparkClient } from '../src/targets/standalone/provision.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
const cache = mkdtempSync(join(tmpdir(), 'spark-deploy-bench-client-'));
const input = {
  version: '3.5.6',
  scala: '2.12',
  cacheRoot: cache,
  fetch: (i: string, n?: RequestInit) => fetch(i, n),
  env: process.env,
  log: () => {},
};
try {
  let t = performance.now();
  let cmd: Awaited<ReturnType<typeof provisionSparkClient>>;
  try {
    cmd = await provisionSparkClient(input);
  } catch (err) {
    console.log(`skipped: Maven Central not reachable (${(err as Error).message})`);
    process.exit(0);
  }
  const cold = performance.now() - t;
  const warm: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    t = performance.now();
    await provisionSparkClient(input);
    warm.push(performance.now() - t);
  }
  t = performance.now();
  const r = spawnSync(cmd.command, [...cmd.args, '--version'], { encoding: 'utf8' });
  const jvm = performance.now() - t;
  const ok = /version 3\.5\.6/.test(`${r.stdout}${r.stderr}`);
  console.log('| measure | ms |');
  console.log('|---|---|');
  console.log(`| cold: fetch + verify 115 jars (125 MB) from Maven Central | ${cold.toFixed(0)} |`);
  console.log(`| warm: cache found complete (median of ${RUNS}) | ${median(warm).toFixed(1)} |`);
  console.log(`| client JVM start (SparkSubmit --version${ok ? '' : ', FAILED'}) | ${jvm.toFixed(0)} |`);
  if (!ok) process.exitCode = 1;
} finally {
  rmSync(cache, { recursive: true, force: true });
}
