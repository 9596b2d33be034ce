// The parts of a Plan every test fixture shares: acme/etl at a fixed commit, run 4242, a push to main.
// Fixtures add what their stage or target needs on top.
import type { RunContext } from '../../src/plan/context.js';
import type { Plan } from '../../src/plan/plan.js';

export const SHA = '0123456789abcdef0123456789abcdef01234567';

/** runContext is the GitHub context of run 4242 of acme/etl on main at SHA. */
export function runContext(workspace = '/ws', over: Partial<RunContext> = {}): RunContext {
  return {
    workspace,
    sha: SHA,
    ref: 'refs/heads/main',
    refName: 'main',
    runId: '4242',
    runAttempt: '1',
    repository: { owner: 'acme', repo: 'etl' },
    serverUrl: 'https://github.com',
    apiUrl: 'https://api.github.com',
    eventName: 'push',
    ...over,
  };
}

/** basePlan is a deploy-command Plan with the inputs' defaults in `workingDirectory` (also the workspace). */
export function basePlan(workingDirectory = '/ws'): Omit<Plan, 'stages' | 'config'> {
  return {
    command: 'deploy',
    workspace: workingDirectory,
    workingDirectory,
    sbtTasks: ['assembly'],
    javaRelease: 17,
    wait: true,
    timeoutMs: 60_000,
    cancelOnAbort: true,
    dryRun: false,
    context: runContext(workingDirectory),
    secrets: [],
  };
}
