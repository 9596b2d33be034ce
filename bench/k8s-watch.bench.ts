// Watch latency of the Kubernetes target against the real local control plane (scripts/local-k8s.sh start):
// from the Spark Operator writing a SparkApplication's terminal state to the bundled action printing it.
// An independent `kubectl get --watch` timestamps each state as the API server sends it; the action's
// `state: SUCCEEDED (COMPLETED)` line is timestamped as it arrives on its stdout. Also: the action's wall
// time (verify + deploy + wait) per run. kwok runs each driver for 1 s (scripts/local-k8s/stages.yaml).
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = process.cwd();
const RUNS = Number(process.env.BENCH_RUNS ?? 5);

const status = spawnSync('bash', [join(root, 'scripts/local-k8s.sh'), 'status'], { encoding: 'utf8' });
const env = Object.fromEntries(
  status.stdout
    .split('\n')
    .filter((l) => l.includes('='))
    .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
);
if (status.status !== 0 || !env.KUBECONFIG || !env.LOCAL_K8S_KUBECTL) {
  console.log('skipped: needs the local control plane (bash scripts/local-k8s.sh start)');
  process.exit(0);
}
const kubectl = (args: string[], input?: string) =>
  spawnSync(env.LOCAL_K8S_KUBECTL as string, ['--kubeconfig', env.KUBECONFIG as string, ...args], {
    encoding: 'utf8',
    ...(input ? { input } : {}),
  });

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
const ns = `bench-watch-${process.pid}`;
const ws = mkdtempSync(join(tmpdir(), 'spark-deploy-bench-k8s-'));
const rows: { wall: number; latency: number }[] = [];
try {
  kubectl(['create', 'namespace', ns]);
  kubectl(['create', 'serviceaccount', 'spark', '-n', ns]);
  mkdirSync(join(ws, '.github'));
  mkdirSync(join(ws, 'target'));
  // Any file is a JAR to the deploy stage when verify is skipped; the driver never runs it (kwok).
  writeFileSync(join(ws, 'target/app.jar'), 'PK\u0005\u0006'.padEnd(22, '\u0000'));
  writeFileSync(
    join(ws, '.github/spark-deploy.yml'),
    `defaults:\n  target: kubernetes\n  app: { name: bench, mainClass: com.example.Main }\n  spark: { version: 3.5.6 }\n  kubernetes:\n    namespace: ${ns}\n    image: ghcr.io/acme/bench@sha256:${'be'.repeat(32)}\n    serviceAccount: spark\n    restartPolicy: { type: Never }\n`,
  );
  for (let i = 0; i < RUNS; i++) {
    for (const f of ['out.txt', 'state.txt', 'summary.md']) writeFileSync(join(ws, f), '');
    const runId = String(2000 + i);
    let seenAt = 0;
    let sawAt = 0;
    const watcher = spawn(
      env.LOCAL_K8S_KUBECTL as string,
      [
        '--kubeconfig',
        env.KUBECONFIG as string,
        'get',
        'sparkapplications',
        '-n',
        ns,
        '--watch',
        '-o',
        'jsonpath={.metadata.name} {.status.applicationState.state}{"\\n"}',
      ],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    );
    watcher.stdout.setEncoding('utf8').on('data', (t: string) => {
      if (!seenAt && new RegExp(`-${runId} COMPLETED`).test(t)) seenAt = performance.now();
    });
    const started = performance.now();
    const child = spawn(process.execPath, [join(root, 'dist/index.js')], {
      env: {
        ...process.env,
        KUBECONFIG: env.KUBECONFIG,
        GITHUB_WORKSPACE: ws,
        GITHUB_OUTPUT: join(ws, 'out.txt'),
        GITHUB_STATE: join(ws, 'state.txt'),
        GITHUB_STEP_SUMMARY: join(ws, 'summary.md'),
        GITHUB_RUN_ID: runId,
        GITHUB_RUN_ATTEMPT: '1',
        GITHUB_SHA: '0000000000000000000000000000000000000000',
        INPUT_STAGES: 'deploy',
        INPUT_JAR: 'target/app.jar',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (t: string) => {
      out += t;
      if (!sawAt && /state: SUCCEEDED \(COMPLETED\)/.test(out)) sawAt = performance.now();
    });
    const code = await new Promise<number | null>((done) => child.on('close', done));
    const wall = performance.now() - started;
    watcher.kill();
    if (code !== 0 || !sawAt || !seenAt) {
      console.log(out.split('\n').slice(-15).join('\n'));
      throw new Error(
        `run ${i}: exit ${code}, action saw COMPLETED: ${!!sawAt}, watcher saw it: ${!!seenAt}`,
      );
    }
    rows.push({ wall, latency: sawAt - seenAt });
    console.log(
      `run ${i + 1}: wall ${(wall / 1000).toFixed(1)} s, watch latency ${(sawAt - seenAt).toFixed(0)} ms`,
    );
  }
  const lat = rows.map((r) => r.latency);
  console.log(
    `\nwatch latency (action − independent watch), ${RUNS} runs: median ${median(lat).toFixed(0)} ms, max ${Math.max(...lat).toFixed(0)} ms; wall median ${(median(rows.map((r) => r.wall)) / 1000).toFixed(1)} s`,
  );
} finally {
  kubectl(['delete', 'namespace', ns, '--wait=false']);
  rmSync(ws, { recursive: true, force: true });
}
