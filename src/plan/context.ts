import { readFileSync } from 'node:fs';

/** RunContext is what the workflow run tells about itself through the runner's environment. */
export interface RunContext {
  workspace: string;
  sha: string;
  ref: string;
  refName: string;
  runId: string;
  runAttempt: string;
  repository?: { owner: string; repo: string };
  serverUrl: string;
  apiUrl: string;
  eventName: string;
  /** Pull-request number when the event is a pull_request(_target). */
  pullRequest?: number;
  /**
   * The pull request's head commit (`pull_request.head.sha` of the event). On pull_request events GITHUB_SHA
   * is the merge commit actions/checkout checks out; GitHub shows a pull request only the check runs of its
   * head, so what is reported to GitHub names this commit.
   */
  headSha?: string;
  runUrl?: string;
}

/** readRunContext reads GITHUB_* variables and the event payload file. */
export function readRunContext(
  env: NodeJS.ProcessEnv = process.env,
  cwd: string = process.cwd(),
): RunContext {
  const [owner, repo] = (env.GITHUB_REPOSITORY ?? '').split('/');
  let pullRequest: number | undefined;
  let headSha: string | undefined;
  if (env.GITHUB_EVENT_PATH) {
    try {
      const event = JSON.parse(readFileSync(env.GITHUB_EVENT_PATH, 'utf8')) as {
        pull_request?: { number?: number; head?: { sha?: unknown } };
        number?: number;
      };
      pullRequest = event.pull_request?.number ?? undefined;
      const head = event.pull_request?.head?.sha;
      if (typeof head === 'string' && /^[0-9a-f]{40}$/.test(head)) headSha = head;
    } catch {
      // A missing or unreadable event file only means "not a pull request".
    }
  }
  const serverUrl = env.GITHUB_SERVER_URL ?? 'https://github.com';
  const repository = owner && repo ? { owner, repo } : undefined;
  const runId = env.GITHUB_RUN_ID ?? 'local';
  return {
    workspace: env.GITHUB_WORKSPACE || cwd,
    sha: env.GITHUB_SHA ?? '',
    ref: env.GITHUB_REF ?? '',
    refName: env.GITHUB_REF_NAME ?? '',
    runId,
    runAttempt: env.GITHUB_RUN_ATTEMPT ?? '1',
    ...(repository ? { repository } : {}),
    serverUrl,
    apiUrl: env.GITHUB_API_URL ?? 'https://api.github.com',
    eventName: env.GITHUB_EVENT_NAME ?? '',
    ...(pullRequest ? { pullRequest } : {}),
    ...(headSha ? { headSha } : {}),
    ...(repository && env.GITHUB_RUN_ID
      ? { runUrl: `${serverUrl}/${repository.owner}/${repository.repo}/actions/runs/${runId}` }
      : {}),
  };
}

/** reportedSha is the commit GitHub reporting names: a pull request's head, else GITHUB_SHA. */
export function reportedSha(ctx: RunContext): string {
  return ctx.headSha ?? ctx.sha;
}
