#!/usr/bin/env node
// Runs the bundled action exactly as a GitHub runner does: INPUT_* environment variables in, the files
// GITHUB_OUTPUT / GITHUB_STATE / GITHUB_STEP_SUMMARY / GITHUB_EVENT_PATH in a fresh temp dir, the main
// step (dist/index.js) and then the post step (dist/post/index.js) with the saved state as STATE_*.
//
//   node scripts/run-action.mjs --stages build,verify --working-directory examples/etl-app
//
// GITHUB_WORKSPACE, when set, is the workspace (default: this repository).
// Every `--name value` becomes INPUT_NAME (upper-cased, dashes kept, as the runner does). Prints the
// outputs and the job summary at the end; exits with the main step's exit code.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));

/** parseCommandFile reads a GITHUB_OUTPUT/GITHUB_STATE file (`name=value` and `name<<DELIM` blocks). */
export function parseCommandFile(text) {
  const out = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name, delim] = heredoc;
      const value = [];
      for (i++; i < lines.length && lines[i] !== delim; i++) value.push(lines[i]);
      out[name] = value.join('\n');
    } else if (line.includes('=')) {
      const at = line.indexOf('=');
      out[line.slice(0, at)] = line.slice(at + 1);
    }
  }
  return out;
}

function gitSha(cwd) {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], {
      cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return '0000000000000000000000000000000000000000';
  }
}

/**
 * actionNode is the Node that runs the bundle: Node 24, as action.yml's `runs.using: node24` (installed by
 * scripts/install-node.sh; SPARK_DEPLOY_NODE names another binary).
 */
export function actionNode() {
  if (process.env.SPARK_DEPLOY_NODE) return process.env.SPARK_DEPLOY_NODE;
  try {
    return execFileSync('bash', [join(root, 'scripts/install-node.sh')], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    }).trim();
  } catch {
    throw new Error('Node 24 is not installed and could not be: run `bash scripts/install-node.sh`');
  }
}

let node;
function step(script, env, { onOutput, signal } = {}) {
  node ??= actionNode();
  return new Promise((resolvePromise) => {
    const child = spawn(node, [script], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => {
      stdout += c;
      onOutput?.(String(c));
    });
    child.stderr.on('data', (c) => {
      stderr += c;
      onOutput?.(String(c));
    });
    const forward = () => child.kill('SIGTERM');
    signal?.addEventListener('abort', forward, { once: true });
    child.on('close', (code, sig) => {
      signal?.removeEventListener('abort', forward);
      resolvePromise({ code: code ?? (sig ? 143 : 1), stdout, stderr });
    });
  });
}

/**
 * runAction runs main then post with the given inputs. Options: inputs (name -> value), workspace
 * (default: repository root), env (extra environment), event (payload object), eventName, onOutput
 * (streamed text), signal (sends SIGTERM to the main step, as a workflow cancel does).
 */
export async function runAction(opts = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'spark-deploy-run-'));
  const files = {
    GITHUB_OUTPUT: join(dir, 'output'),
    GITHUB_STATE: join(dir, 'state'),
    GITHUB_STEP_SUMMARY: join(dir, 'summary.md'),
    GITHUB_EVENT_PATH: join(dir, 'event.json'),
    GITHUB_ENV: join(dir, 'env'),
    GITHUB_PATH: join(dir, 'path'),
  };
  for (const f of Object.values(files)) writeFileSync(f, '');
  writeFileSync(files.GITHUB_EVENT_PATH, JSON.stringify(opts.event ?? {}));
  const workspace = resolve(opts.workspace ?? process.env.GITHUB_WORKSPACE ?? root);
  const env = {
    ...Object.fromEntries(
      Object.entries(process.env).filter(([k]) => !k.startsWith('INPUT_') && !k.startsWith('STATE_')),
    ),
    ...files,
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: workspace,
    GITHUB_SHA: process.env.GITHUB_SHA ?? gitSha(workspace),
    GITHUB_REF: process.env.GITHUB_REF ?? 'refs/heads/local',
    GITHUB_REF_NAME: process.env.GITHUB_REF_NAME ?? 'local',
    GITHUB_RUN_ID: process.env.GITHUB_RUN_ID ?? String(Date.now() % 1_000_000),
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_EVENT_NAME: opts.eventName ?? 'workflow_dispatch',
    RUNNER_TEMP: dir,
    ...opts.env,
  };
  for (const [name, value] of Object.entries(opts.inputs ?? {})) env[`INPUT_${name.toUpperCase()}`] = value;
  const main = await step(join(root, 'dist/index.js'), env, opts);
  const state = parseCommandFile(readFileSync(files.GITHUB_STATE, 'utf8'));
  const postEnv = { ...env };
  for (const [k, v] of Object.entries(state)) postEnv[`STATE_${k}`] = v;
  const post = await step(join(root, 'dist/post/index.js'), postEnv, { onOutput: opts.onOutput });
  return {
    code: main.code,
    stdout: main.stdout,
    stderr: main.stderr,
    post,
    outputs: parseCommandFile(readFileSync(files.GITHUB_OUTPUT, 'utf8')),
    state,
    summary: readFileSync(files.GITHUB_STEP_SUMMARY, 'utf8'),
    dir,
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const inputs = {};
  const args = process.argv.slice(2);
  for (let i = 0; i < args.length; i++) {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(args[i]);
    if (!m) {
      console.error(`usage: run-action.mjs [--<input-name> <value>]... (got "${args[i]}")`);
      process.exit(2);
    }
    inputs[m[1]] = m[2] ?? args[++i] ?? '';
  }
  const controller = new AbortController();
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => controller.abort());
  const result = await runAction({
    inputs,
    onOutput: (t) => process.stdout.write(t),
    signal: controller.signal,
  });
  console.log('\n--- outputs ---');
  for (const [k, v] of Object.entries(result.outputs)) console.log(`${k}=${v}`);
  console.log('\n--- job summary ---');
  console.log(result.summary);
  process.exit(result.code);
}
