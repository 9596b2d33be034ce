import { spawn } from 'node:child_process';
import { ActionError } from '../util/errors.js';
import { secretValues } from '../util/redact.js';

export interface SbtRun {
  exitCode: number;
  /** The whole log (bounded: only the last MAX_LOG characters are kept). */
  log: string;
}

const MAX_LOG = 32 * 1024 * 1024;

// Variables that mint credentials for the job (the OIDC token endpoint): the build never needs them.
const RUNNER_CREDENTIALS = new Set(['ACTIONS_ID_TOKEN_REQUEST_TOKEN', 'ACTIONS_ID_TOKEN_REQUEST_URL']);

/**
 * sbtEnvironment is the environment the build runs with: the step's, minus every INPUT_* variable (the
 * action's inputs, the GitHub token among them), the runner's OIDC token endpoint, and every variable
 * whose value holds a secret the run knows (the config's `{ fromEnv }` values, registry credentials) —
 * a build runs the project's code and plugins, which have no business with the deploy's credentials.
 */
export function sbtEnvironment(
  base: NodeJS.ProcessEnv,
  secrets: readonly string[] = secretValues(),
): NodeJS.ProcessEnv {
  const known = secrets.filter((v) => v.length > 0);
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(base)) {
    if (value === undefined || name.toUpperCase().startsWith('INPUT_') || RUNNER_CREDENTIALS.has(name))
      continue;
    if (known.some((v) => value.includes(v))) continue;
    env[name] = value;
  }
  return env;
}

/**
 * runSbt runs `sbt -batch <tasks>` with an argument array (no shell), streaming every line to `onLine`,
 * stdin closed so sbt can never wait for input, in `sbtEnvironment`. Aborting kills sbt's whole process group.
 */
export function runSbt(opts: {
  command?: string;
  cwd: string;
  tasks: string[];
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  onLine(line: string): void;
}): Promise<SbtRun> {
  const command = opts.command ?? 'sbt';
  const args = [
    '-batch',
    '-Dsbt.log.noformat=true',
    '-Dsbt.supershell=false',
    '-Dsbt.color=false',
    ...opts.tasks,
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: opts.cwd,
      env: { ...sbtEnvironment(process.env), ...opts.env, CI: process.env.CI ?? 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let log = '';
    let pending = { out: '', err: '' };
    const take = (which: 'out' | 'err', chunk: Buffer) => {
      const text = pending[which] + chunk.toString('utf8');
      const lines = text.split('\n');
      pending = { ...pending, [which]: lines.pop() ?? '' };
      for (const l of lines) emit(l);
    };
    const emit = (l: string) => {
      const line = l.replace(/\r$/, '');
      opts.onLine(line);
      log += `${line}\n`;
      if (log.length > MAX_LOG) log = log.slice(log.length - MAX_LOG / 2);
    };
    child.stdout.on('data', (c: Buffer) => take('out', c));
    child.stderr.on('data', (c: Buffer) => take('err', c));
    const onAbort = () => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    };
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    child.on('error', (err: NodeJS.ErrnoException) => {
      opts.signal?.removeEventListener('abort', onAbort);
      if (err.code === 'ENOENT') {
        reject(
          new ActionError(
            `build: \`${command}\` was not found on PATH. Add a step that installs sbt before this action (sbt/setup-sbt), or run scripts/install-sbt.sh locally.`,
          ),
        );
      } else reject(new ActionError(`build: could not start ${command}: ${err.message}`));
    });
    child.on('close', (code, sig) => {
      opts.signal?.removeEventListener('abort', onAbort);
      for (const which of ['out', 'err'] as const) if (pending[which]) emit(pending[which]);
      resolve({ exitCode: code ?? (sig ? 128 + 15 : 1), log });
    });
  });
}
