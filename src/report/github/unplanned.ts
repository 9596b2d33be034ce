// A check run for a run that failed before it had a Plan: inputs that do not parse or a config that does
// not load. A branch protection rule that requires `spark-deploy / <environment>` would otherwise wait for a
// check run that never comes. Named from the raw inputs, created and completed `failure` at once, with the
// findings as annotations at their file and line.
import { type RunContext, reportedSha } from '../../plan/context.js';
import { errorMessage } from '../../util/errors.js';
import type { RunReport } from '../run-report.js';
import { renderStageTable } from '../summary.js';
import { checkRunName, completeCheckRun, createCheckRun, toAnnotation } from './check-run.js';
import { createGitHubClient, type GitHubClient } from './client.js';
import { oneLine } from './views.js';

/** RawInputs are the few inputs read as given, since parsing them may be what failed. */
export interface RawInputs {
  githubToken: string;
  environment: string;
  command: string;
  config: string;
}

/**
 * workflowFile is the calling workflow's path in its repository, from GITHUB_WORKFLOW_REF
 * (`owner/repo/.github/workflows/deploy.yml@refs/heads/main`): where an input error is annotated.
 */
export function workflowFile(workflowRef: string | undefined): string | undefined {
  const m = /^[^/]+\/[^/]+\/(.+?)@/.exec(workflowRef ?? '');
  return m?.[1];
}

/**
 * reportUnplannedFailure creates and completes the run's check run as `failure`. It never throws: a
 * reporting problem becomes a warning (a 403, as for fork pull requests, a notice that says why).
 */
export async function reportUnplannedFailure(
  inputs: RawInputs,
  ctx: RunContext,
  report: RunReport,
  io: { info(line: string): void; warning(message: string): void },
  opts: { client?: GitHubClient; workflowRef?: string; now?: () => Date } = {},
): Promise<void> {
  const command = inputs.command.trim() || 'deploy';
  const sha = reportedSha(ctx);
  if (command !== 'deploy' || !inputs.githubToken || !ctx.repository || !sha) return;
  const repo = { owner: ctx.repository.owner, repo: ctx.repository.repo };
  const name = checkRunName(inputs.environment.trim() || undefined);
  const client =
    opts.client ??
    createGitHubClient({ token: inputs.githubToken, baseUrl: ctx.apiUrl, warn: (m) => io.warning(m) });
  // Findings without a file: input errors point at the workflow, config errors at the config file.
  const fallback = workflowFile(opts.workflowRef) ?? (inputs.config.trim() || '.github');
  const errors = report.findings.filter((f) => f.severity === 'error').length;
  // An input error is a failure without a finding: it is annotated on the workflow that gave the input.
  const findings =
    errors === 0 && report.failure
      ? [
          ...report.findings,
          {
            stage: 'plan' as const,
            severity: 'error' as const,
            title: 'invalid input',
            message: report.failure,
          },
        ]
      : report.findings;
  const annotations = findings.map((f) => toAnnotation(f, fallback));
  const output = {
    title: `Failed before deploying: ${oneLine(report.failure) || 'invalid inputs or config'}`,
    summary: [
      `> ${oneLine(report.failure)}`,
      '',
      `The run stopped while reading its inputs and config file, before any stage ran; ${annotations.length === 1 ? 'the error is' : `${annotations.length} findings are`} annotated at ${annotations.length === 1 ? 'its line' : 'their lines'}.`,
      ...(report.stages.length ? ['', renderStageTable(report.stages)] : []),
      ...(ctx.runUrl ? ['', `Job summary and logs: ${ctx.runUrl}`] : []),
    ].join('\n'),
  };
  try {
    const run = await createCheckRun(client, repo, {
      name,
      sha,
      startedAt: new Date(report.startedAt),
      output,
      ...(ctx.runUrl ? { detailsUrl: ctx.runUrl } : {}),
      externalId: `${ctx.runId}-${ctx.runAttempt}`,
    });
    await completeCheckRun(client, repo, run.id, {
      conclusion: 'failure',
      completedAt: (opts.now ?? (() => new Date()))(),
      output,
      annotations,
    });
    io.info(`GitHub: check run ${name} completed: failure: ${run.url}`);
  } catch (err) {
    const status = (err as { status?: number }).status;
    io.warning(
      status === 403
        ? `GitHub reporting: this token may not create check runs (403); grant \`checks: write\` in the workflow's permissions (pull requests from forks always get a read-only token)`
        : `GitHub reporting: could not create the check run ${name}: ${status ? `${status} ` : ''}${oneLine(errorMessage(err))}`,
    );
  }
}
