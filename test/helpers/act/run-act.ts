/**
 * Runs a workflow with act (nektos/act, scripts/install-act.sh) on the host, as GitHub's runner would run
 * it, for the workflow scenarios (test/e2e/workflows.e2e.ts):
 *   - `-P ubuntu-latest=-self-hosted`: steps run on this machine (no Docker here), with a clean environment
 *     (`env -i`: HOME, a PATH with Node 24 first, the locale and the stand-ins' settings only);
 *   - `--action-offline-mode` and a per-run action cache in a temp directory;
 *   - `--local-repository`: this repository's action and reusable workflows (`spark-deploy-action/
 *     spark-deploy-action@v0`) resolve to a temporary copy of this checkout (action.yml, dist/, the workflows
 *     made act-readable by forAct), and every third-party action the workflows pin resolves to its local
 *     stand-in in stand-ins/ (each says which real behaviour it copies);
 *   - `--no-skip-checkout`: actions/checkout really runs (its stand-in fills the workspace at the ref);
 *   - GITHUB_API_URL is the fake GitHub API of the test (every request validated against @octokit/openapi).
 */
import { spawn } from 'node:child_process';
import {
  cpSync,
  createWriteStream,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { root } from './consumer.js';
import { forAct } from './workflows.js';

/** The third-party actions the workflows pin (owner/repo@sha) and the stand-in each resolves to. */
export const STAND_INS: Record<string, string> = {
  'actions/checkout': 'checkout',
  'actions/setup-java': 'setup-java',
  'sbt/setup-sbt': 'setup-sbt',
  'aws-actions/configure-aws-credentials': 'configure-aws-credentials',
  'Azure/k8s-set-context': 'k8s-set-context',
  'actions/upload-artifact': 'upload-artifact',
};
export const FIRST_PARTY = 'spark-deploy-action/spark-deploy-action';

/** pinnedActions lists every `uses: owner/repo@ref` of the workflow files (reusable workflows' too). */
export function pinnedActions(files: string[]): Set<string> {
  const out = new Set<string>();
  for (const f of files)
    for (const m of readFileSync(f, 'utf8').matchAll(
      /^\s*(?:-\s+)?uses:\s*([\w.-]+\/[\w.-]+)(?:\/[^@\s]*)?@([\w.-]+)/gm,
    ))
      out.add(`${m[1]}@${m[2]}`);
  return out;
}

/**
 * actionCopy makes the temporary copy of this repository that `spark-deploy-action/spark-deploy-action@v0`
 * resolves to: action.yml, the bundle in dist/ (npm run bundle first) and the reusable workflows.
 */
export function actionCopy(base: string): string {
  const dir = join(base, 'spark-deploy-action');
  if (!existsSync(join(root, 'dist/index.js')))
    throw new Error('act harness: dist/index.js is missing: run `npm run bundle` first');
  cpSync(join(root, 'action.yml'), join(dir, 'action.yml'));
  cpSync(join(root, 'dist'), join(dir, 'dist'), { recursive: true });
  const wf = join(root, '.github/workflows');
  mkdirSync(join(dir, '.github/workflows'), { recursive: true });
  for (const f of readdirSync(wf))
    writeFileSync(join(dir, '.github/workflows', f), forAct(readFileSync(join(wf, f), 'utf8')));
  return dir;
}

export interface ActRun {
  code: number;
  /** The run's scratch directory (artifacts/<name>/ holds what the upload-artifact stand-in stored). */
  scratch: string;
  /** act's log (its own lines and every step's output). */
  log: string;
  seconds: number;
  /** Each job's result as act's JSON log reports it ("success" / "failure" / "skipped"), by job name. */
  jobs: Record<string, string>;
}

export interface ActOptions {
  /** The consumer repository (act's working directory). */
  repo: string;
  /** The git "server" root the checkout stand-in fetches from. */
  server: string;
  /** Workflow file, relative to the repository. */
  workflow: string;
  eventName: string;
  event: Record<string, unknown>;
  /** Scratch directory of this run (action cache, event file, artifacts). */
  scratch: string;
  /** The action copy (actionCopy). */
  action: string;
  githubApiUrl: string;
  /** Node 24's bin directory and sbt's (scripts/install-node.sh, scripts/install-sbt.sh). */
  nodeBin: string;
  sbtBin: string;
  act: string;
  secrets?: Record<string, string>;
  vars?: Record<string, string>;
  /** More environment for the steps (e.g. the moto endpoint for the configure-aws-credentials stand-in). */
  env?: Record<string, string>;
  timeoutMs?: number;
}

/** runAct runs one workflow for one event and resolves when act exits. */
export async function runAct(o: ActOptions): Promise<ActRun> {
  mkdirSync(o.scratch, { recursive: true });
  const eventPath = join(o.scratch, 'event.json');
  writeFileSync(eventPath, JSON.stringify(o.event, null, 2));
  const standIns = join(import.meta.dirname, 'stand-ins');
  const workflowFile = join(o.repo, o.workflow);
  // The caller and the reusable workflows of this repository it calls.
  const called = [
    ...readFileSync(workflowFile, 'utf8').matchAll(
      /uses:\s*[\w.-]+\/[\w.-]+\/\.github\/workflows\/([\w.-]+)@/g,
    ),
  ].map((m) => join(o.action, '.github/workflows', m[1] as string));
  const uses = pinnedActions([workflowFile, ...called]);
  const local: string[] = [];
  for (const u of uses) {
    const name = u.slice(0, u.indexOf('@'));
    if (name === FIRST_PARTY) local.push(`${u}=${o.action}`);
    else if (STAND_INS[name]) local.push(`${u}=${join(standIns, STAND_INS[name])}`);
    else throw new Error(`act harness: ${u} has no stand-in in test/helpers/act/stand-ins/`);
  }
  const args = [
    o.eventName,
    '-W',
    o.workflow,
    '-e',
    eventPath,
    '-P',
    'ubuntu-latest=-self-hosted',
    '--action-offline-mode',
    '--action-cache-path',
    join(o.scratch, 'act-cache'),
    '--no-skip-checkout',
    '--no-cache-server',
    '--json',
    '--env',
    `GITHUB_API_URL=${o.githubApiUrl}`,
    ...local.flatMap((l) => ['--local-repository', l]),
    ...Object.entries(o.secrets ?? {}).flatMap(([k, v]) => ['--secret', `${k}=${v}`]),
    ...Object.entries(o.vars ?? {}).flatMap(([k, v]) => ['--var', `${k}=${v}`]),
  ];
  const env: Record<string, string> = {
    HOME: process.env.HOME ?? '/root',
    PATH: `${o.nodeBin}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`,
    LANG: 'C.UTF-8',
    SPARK_DEPLOY_ACT_GIT_SERVER: o.server,
    SPARK_DEPLOY_ACT_SBT_BIN: o.sbtBin,
    SPARK_DEPLOY_ACT_ARTIFACTS: join(o.scratch, 'artifacts'),
    ...(o.env ?? {}),
  };
  const started = Date.now();
  const child = spawn(o.act, args, { cwd: o.repo, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const chunks: string[] = [];
  // Streamed to <scratch>/act.log as it comes, to follow a long run.
  const logFile = createWriteStream(join(o.scratch, 'act.log'));
  const take = (c: Buffer) => {
    chunks.push(c.toString('utf8'));
    logFile.write(c);
  };
  child.stdout.on('data', take);
  child.stderr.on('data', take);
  const timer = setTimeout(() => child.kill('SIGTERM'), o.timeoutMs ?? 900_000);
  const code = await new Promise<number>((resolveCode) => child.on('close', (c) => resolveCode(c ?? 1)));
  clearTimeout(timer);
  await new Promise((r) => logFile.end(r));
  const raw = chunks.join('');
  const { log, jobs } = readJsonLog(raw);
  return { code, scratch: o.scratch, log, seconds: (Date.now() - started) / 1000, jobs };
}

/** readJsonLog turns act's --json lines into plain text and collects each job's result. */
export function readJsonLog(raw: string): { log: string; jobs: Record<string, string> } {
  const lines: string[] = [];
  const jobs: Record<string, string> = {};
  for (const line of raw.split('\n')) {
    if (!line.startsWith('{')) {
      if (line) lines.push(line);
      continue;
    }
    let e: Record<string, unknown>;
    try {
      e = JSON.parse(line) as Record<string, unknown>;
    } catch {
      lines.push(line);
      continue;
    }
    const job = typeof e.job === 'string' ? e.job : '';
    if (typeof e.jobResult === 'string' && job) jobs[job] = e.jobResult;
    lines.push(`[${job}] ${String(e.msg ?? '').replace(/\n$/, '')}`);
  }
  return { log: lines.join('\n'), jobs };
}
