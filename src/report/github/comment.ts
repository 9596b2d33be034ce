// The sticky pull-request comment of a preview: one per environment, found by a hidden marker and edited
// in place on every run, so the PR carries the preview's current state instead of a trail of comments.
import type { Repo } from './check-run.js';
import type { GitHubClient } from './client.js';
import { MAX_COMMENT, truncate } from './limits.js';

/** commentMarker is the hidden line that identifies the sticky comment of an environment. */
export function commentMarker(environment: string): string {
  return `<!-- spark-deploy-action:${environment} -->`;
}

/** PreviewState is what the comment headline says. */
export type PreviewState = 'deploying' | 'deployed' | 'failed' | 'cancelled' | 'cleaned-up';

/** PreviewComment is everything the sticky comment shows. */
export interface PreviewComment {
  environment: string;
  pr: number;
  state: PreviewState;
  /** One line: the final Spark state or the failure. */
  detail?: string;
  app?: string;
  target?: string;
  sha: string;
  commitUrl?: string;
  runUrl?: string;
  sparkUi?: string;
  console?: string;
  logs?: string;
  portForward?: string;
  image?: string;
  submissionId?: string;
  applicationId?: string;
  deploymentId?: number;
}

const HEADLINE: Record<PreviewState, string> = {
  deploying: '⏳ Deploying',
  deployed: '✅ Deployed',
  failed: '❌ Failed',
  cancelled: '🚫 Cancelled',
  'cleaned-up': '🧹 Cleaned up',
};

function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** renderPreviewComment renders the sticky comment's Markdown (the marker is its first line). */
export function renderPreviewComment(c: PreviewComment): string {
  const short = c.sha.slice(0, 7);
  const what = c.app ? `\`${c.app}\`` : 'the app';
  const rows: [string, string | undefined][] = [
    ['State', `${HEADLINE[c.state]}${c.detail ? ` — ${cell(c.detail)}` : ''}`],
    ['Commit', c.commitUrl ? `[\`${short}\`](${c.commitUrl})` : `\`${short}\``],
    ['Target', c.target],
    ['Spark UI', c.sparkUi ? `<${c.sparkUi}>` : undefined],
    ['Port-forward', c.portForward ? `\`${cell(c.portForward)}\`` : undefined],
    ['Console', c.console ? `<${c.console}>` : undefined],
    ['Driver logs', c.logs ? `<${c.logs}>` : undefined],
    ['Image', c.image ? `\`${c.image}\`` : undefined],
    ['Submission', c.submissionId ? `\`${cell(c.submissionId)}\`` : undefined],
    ['Application', c.applicationId ? `\`${cell(c.applicationId)}\`` : undefined],
    ['Deployment', c.deploymentId !== undefined ? `#${c.deploymentId}` : undefined],
    ['Workflow run', c.runUrl ? `[logs and job summary](${c.runUrl})` : undefined],
  ];
  const lines = [
    commentMarker(c.environment),
    `### ${HEADLINE[c.state]}: preview of ${what} for #${c.pr} (\`${c.environment}\`)`,
    '',
    '| | |',
    '| --- | --- |',
    ...rows.filter(([, v]) => v).map(([k, v]) => `| ${k} | ${v} |`),
    '',
  ];
  if (c.state === 'cleaned-up') {
    lines.push('The preview was removed and its GitHub deployments are marked inactive.');
  } else {
    lines.push(
      '<details><summary>Cleaning up</summary>',
      '',
      'Closing or merging this pull request removes the preview when the workflow runs the action with',
      '`command: cleanup` on `pull_request: types: [closed]`. To remove it now, run that workflow by hand',
      'with the same `environment` and `preview` inputs.',
      '',
      '</details>',
    );
  }
  lines.push(
    '',
    '<sub>Updated by spark-deploy-action on every run; edits to this comment are overwritten.</sub>',
  );
  return truncate(lines.join('\n'), MAX_COMMENT);
}

/**
 * upsertComment edits the comment that carries the environment's marker, or creates it. Returns the
 * comment's id and page, and whether it was created.
 */
export async function upsertComment(
  client: GitHubClient,
  repo: Repo,
  pr: number,
  environment: string,
  body: string,
  knownId?: number,
): Promise<{ id: number; url: string; created: boolean }> {
  let id = knownId;
  const marker = commentMarker(environment);
  for (let page = 1; id === undefined && page <= 10; page++) {
    const res = await client.request('GET /repos/{owner}/{repo}/issues/{issue_number}/comments', {
      ...repo,
      issue_number: pr,
      per_page: 100,
      page,
    });
    const mine = res.data.find((c) => c.body?.split('\n', 1)[0] === marker || c.body?.includes(marker));
    if (mine) id = Number(mine.id);
    if (res.data.length < 100) break;
  }
  if (id !== undefined) {
    const res = await client.request('PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}', {
      ...repo,
      comment_id: id,
      body,
    });
    return { id, url: res.data.html_url, created: false };
  }
  const res = await client.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', {
    ...repo,
    issue_number: pr,
    body,
  });
  return { id: Number(res.data.id), url: res.data.html_url, created: true };
}
