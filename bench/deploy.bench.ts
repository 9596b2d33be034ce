// The action's own overhead in a standalone deploy (issue: standalone target), against the real local
// Spark (scripts/local-spark.sh start) and the example JAR (build it once: npm run demo, or sbt assembly in
// examples/etl-app). For each run: wall time of the bundled action (verify + deploy, no sbt), the
// driver's run time as the cluster reports it, and how long after the master recorded the terminal state
// the action saw it. An independent poller asks the REST server every 50 ms to timestamp the transition.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = process.cwd();
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const app = join(root, 'examples/etl-app');
const jar = join(app, 'target/scala-2.12/etl-pipeline-assembly-1.0.0.jar');

async function up(): Promise<boolean> {
  try {
    await fetch('http://127.0.0.1:6066/v1/submissions/status/probe', { signal: AbortSignal.timeout(2000) });
    return true;
  } catch {
    return false;
  }
}

async function driverState(id: string): Promise<string | undefined> {
  const r = (await (await fetch(`http://127.0.0.1:6066/v1/submissions/status/${id}`)).json()) as {
    driverState?: string;
  };
  return r.driverState;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

if (!(await up()) || !existsSync(jar)) {
  console.log(`skipped: needs the local Spark (bash scripts/local-spark.sh start) and ${jar} (npm run demo)`);
  process.exit(0);
}

const ws = mkdtempSync(join(tmpdir(), 'spark-deploy-bench-deploy-'));
const rows: { wall: number; driver: number; overhead: number; detect: number }[] = [];
try {
  const appConfig = JSON.parse(readFileSync(join(app, 'configs/local.json'), 'utf8')) as Record<
    string,
    unknown
  >;
  (appConfig.input as Record<string, unknown>).path = join(app, 'data/orders.csv');
  const j = (appConfig.transformations as Record<string, unknown>[]).find((t) => t.type === 'join');
  (j?.input as Record<string, unknown>).path = join(app, 'data/customers.json');
  appConfig.output = { path: join(ws, 'out'), format: 'parquet', mode: 'overwrite' };
  writeFileSync(join(ws, 'app.json'), JSON.stringify(appConfig));
  mkdirSync(join(ws, '.github'));
  writeFileSync(
    join(ws, '.github/spark-deploy.yml'),
    `defaults:\n  target: standalone\n  app: { name: etl-bench, mainClass: com.etl.Main, args: [--config, "${join(ws, 'app.json')}"] }\n  spark:\n    conf: { spark.cores.max: 1, spark.sql.shuffle.partitions: 2 }\n    driver: { memory: 512m }\n    executor: { cores: 1, memory: 512m }\n  standalone: { masters: [http://127.0.0.1:6066], webUi: http://127.0.0.1:8080, jar: { stage: local } }\n`,
  );
  for (let i = 0; i < RUNS; i++) {
    for (const f of ['out.txt', 'state.txt', 'summary.md']) writeFileSync(join(ws, f), '');
    const env = {
      ...process.env,
      GITHUB_WORKSPACE: ws,
      GITHUB_OUTPUT: join(ws, 'out.txt'),
      GITHUB_STATE: join(ws, 'state.txt'),
      GITHUB_STEP_SUMMARY: join(ws, 'summary.md'),
      GITHUB_RUN_ID: String(1000 + i),
      GITHUB_SHA: '0000000000000000000000000000000000000000',
      INPUT_STAGES: 'verify,deploy',
      INPUT_JAR: jar,
    };
    const started = performance.now();
    let driver = '';
    let sawTerminalAt = 0;
    let masterTerminalAt = 0;
    let poller: Promise<void> | undefined;
    const child = spawn(process.execPath, [join(root, 'dist/index.js')], {
      env,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    child.stdout.setEncoding('utf8').on('data', (t: string) => {
      const m = /submitted: (driver-\S+)/.exec(t);
      if (m && !driver) {
        driver = m[1] ?? '';
        poller = (async () => {
          for (;;) {
            const s = await driverState(driver);
            if (s && ['FINISHED', 'FAILED', 'KILLED', 'ERROR'].includes(s)) {
              masterTerminalAt = performance.now();
              return;
            }
            await new Promise((r) => setTimeout(r, 50));
          }
        })();
      }
      if (/state: (SUCCEEDED|FAILED|CANCELLED)/.test(t) && !sawTerminalAt) sawTerminalAt = performance.now();
    });
    const code = await new Promise<number>((r) => child.on('close', (c) => r(c ?? 1)));
    const wall = performance.now() - started;
    await poller;
    if (code !== 0) throw new Error(`run ${i} exited ${code}`);
    const master = (await (await fetch('http://127.0.0.1:8080/json/')).json()) as {
      completeddrivers: { id: string; starttime: string }[];
    };
    const d = master.completeddrivers.find((x) => x.id === driver);
    const driverRun = masterTerminalAt - (performance.now() - (Date.now() - Number(d?.starttime)));
    rows.push({
      wall,
      driver: driverRun,
      overhead: wall - driverRun,
      detect: sawTerminalAt - masterTerminalAt,
    });
  }
} finally {
  rmSync(ws, { recursive: true, force: true });
}
console.log(
  '| run | action wall (ms) | driver run (ms) | action overhead (ms) | terminal seen after master (ms) |',
);
console.log('| --- | ---: | ---: | ---: | ---: |');
rows.forEach((r, i) => {
  console.log(
    `| ${i + 1} | ${r.wall.toFixed(0)} | ${r.driver.toFixed(0)} | ${r.overhead.toFixed(0)} | ${r.detect.toFixed(0)} |`,
  );
});
console.log(
  `| median | ${median(rows.map((r) => r.wall)).toFixed(0)} | ${median(rows.map((r) => r.driver)).toFixed(0)} | ${median(rows.map((r) => r.overhead)).toFixed(0)} | ${median(rows.map((r) => r.detect)).toFixed(0)} |`,
);
console.log('\nbudget: overhead ≤ 3000 ms, terminal detection ≤ 2000 ms');
