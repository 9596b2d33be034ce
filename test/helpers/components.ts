import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * component checks that a real component the e2e tests need is there. Absent in CI (CI=true), it throws:
 * a missing component must fail loudly. Absent locally, it returns false and says which script starts it,
 * so the suite can skip.
 */
export function component(name: string, present: () => boolean, hint: string): boolean {
  if (present()) return true;
  const message = `${name} is not available: ${hint}`;
  if (process.env.CI === 'true' || process.env.CI === '1') throw new Error(`e2e: ${message}`);
  console.warn(`skipping: ${message}`);
  return false;
}

/** hasCommand tells whether a command runs from PATH. */
export function hasCommand(cmd: string, args: string[] = ['--version']): boolean {
  const r = spawnSync(cmd, args, { stdio: 'ignore', timeout: 60_000 });
  return r.status === 0;
}

/** httpOk tells whether a URL answers at all (any HTTP status) within two seconds. */
export function httpOk(url: string): boolean {
  const r = spawnSync(
    process.execPath,
    [
      '-e',
      `fetch(${JSON.stringify(url)}, { signal: AbortSignal.timeout(2000) }).then(() => process.exit(0), () => process.exit(1))`,
    ],
    { stdio: 'ignore' },
  );
  return r.status === 0;
}

/**
 * installedTool is the pinned binary that scripts/install-<name>.sh installed (it answers --check without
 * installing anything), or undefined when it is not installed.
 */
export function installedTool(name: string): string | undefined {
  const root = join(import.meta.dirname, '../..');
  const r = spawnSync('bash', [join(root, `scripts/install-${name}.sh`), '--check', '--print-path'], {
    encoding: 'utf8',
  });
  const dir = r.stdout?.trim();
  return r.status === 0 && dir ? join(dir, name) : undefined;
}
