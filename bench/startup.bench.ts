// Start-up, for information (no budget: tens of milliseconds go unnoticed before minutes of sbt): a run
// that only validates the Plan (dry-run, no stages) against `node -e ""`, both under the Node the action
// runs on (npm run bench runs the benches with Node 24). Also prints the bundle sizes.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

const root = process.cwd();
const RUNS = 31;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
}

function once(args: string[], env: NodeJS.ProcessEnv): number {
  const t = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { env, stdio: 'ignore' });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}`);
  return ms;
}

/**
 * time runs the commands in turn, round after round, so that a machine that speeds up or slows down during
 * the benchmark (CPU boost, a neighbour's load) affects both alike; the first rounds warm the page cache.
 */
function time(commands: string[][], env: NodeJS.ProcessEnv): number[][] {
  const out = commands.map((): number[] => []);
  for (let i = 0; i < RUNS + 3; i++) {
    for (const [j, args] of commands.entries()) {
      const ms = once(args, env);
      if (i >= 3) out[j]?.push(ms);
    }
  }
  return out;
}

const ws = mkdtempSync(join(tmpdir(), 'spark-deploy-bench-'));
try {
  mkdirSync(join(ws, '.github'));
  writeFileSync(
    join(ws, '.github/spark-deploy.yml'),
    'defaults:\n  target: standalone\n  app: { name: etl, mainClass: com.etl.Main }\nenvironments:\n  local:\n    standalone: { masters: [http://127.0.0.1:6066] }\n',
  );
  for (const f of ['output', 'state', 'summary', 'event.json'])
    writeFileSync(join(ws, f), f === 'event.json' ? '{}' : '');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    GITHUB_WORKSPACE: ws,
    GITHUB_OUTPUT: join(ws, 'output'),
    GITHUB_STATE: join(ws, 'state'),
    GITHUB_STEP_SUMMARY: join(ws, 'summary'),
    GITHUB_EVENT_PATH: join(ws, 'event.json'),
    RUNNER_TEMP: ws,
    'INPUT_DRY-RUN': 'true',
    INPUT_STAGES: 'none',
    INPUT_ENVIRONMENT: 'local',
  };
  const [baseline = [], plan = []] = time([['-e', ''], [join(root, 'dist/index.js')]], env);
  const b = median(baseline);
  const p = median(plan);
  console.log(`| run (median of ${RUNS}) | ms |`);
  console.log('| --- | ---: |');
  console.log(`| node -e "" | ${b.toFixed(1)} |`);
  console.log(`| node dist/index.js (dry-run, stages none) | ${p.toFixed(1)} |`);
  console.log(`| ratio | ${(p / b).toFixed(2)}x |`);
  console.log('\n| bundle file | KiB |\n| --- | ---: |');
  const walk = (d: string): string[] =>
    readdirSync(d).flatMap((n) => (statSync(join(d, n)).isDirectory() ? walk(join(d, n)) : [join(d, n)]));
  for (const f of walk(join(root, 'dist'))
    .filter((f) => f.endsWith('.js'))
    .sort()) {
    console.log(`| ${relative(root, f)} | ${(statSync(f).size / 1024).toFixed(1)} |`);
  }
} finally {
  rmSync(ws, { recursive: true, force: true });
}
