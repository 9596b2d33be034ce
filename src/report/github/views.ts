// What GitHub is told about a run: the check run's conclusion and text, the deployment's state, the
// preview comment's data. Pure functions of the Plan and the RunReport.
import { Output } from '../../constants.js';
import { causeLine } from '../../deploy/root-cause.js';
import { reportedSha } from '../../plan/context.js';
import type { Plan } from '../../plan/plan.js';
import { clipText } from '../../util/clip.js';
import type { RunReport } from '../run-report.js';
import { renderStageTable } from '../summary.js';
import type { CheckOutput, Conclusion } from './check-run.js';
import type { PreviewComment, PreviewState } from './comment.js';
import { type DeploymentState, publicUrl } from './deployment.js';
import { MAX_STATUS_DESCRIPTION } from './limits.js';

/** runConclusion derives the check run conclusion from how the stages ended. */
export function runConclusion(report: RunReport): Conclusion {
  if (report.timedOut) return 'timed_out';
  if (report.stages.some((s) => s.result === 'cancelled')) return 'cancelled';
  if (!report.failure) return 'success';
  // The deploy stage says "timed out after N min" when its wait ran out.
  if (/^deploy: timed out after /.test(report.failure)) return 'timed_out';
  return 'failure';
}

export function deploymentResult(report: RunReport, conclusion: Conclusion): DeploymentState {
  const deploy = report.stages.find((s) => s.stage === 'deploy');
  if (conclusion === 'success' && deploy?.result === 'success') return 'success';
  // failure: the job itself failed; error: the run never got the job to a verdict.
  if (deploy?.result === 'failure' && conclusion === 'failure') return 'failure';
  return 'error';
}

export function oneLine(s: string | undefined): string {
  return (s ?? '').split('\n')[0] ?? '';
}

/** checkOutput is the check run's title, summary and text, while running (no conclusion) and at the end. */
export function checkOutput(
  plan: Plan,
  deploys: boolean,
  report: RunReport | undefined,
  conclusion?: Conclusion,
): CheckOutput {
  const env = plan.environment ? ` to ${plan.environment}` : '';
  if (!report || !conclusion) {
    return {
      title: `Running: ${plan.stages.join(' → ') || 'plan'}`,
      summary: `Stages: ${plan.stages.join(', ') || 'none'}${plan.context.runUrl ? `\n\n[Workflow run](${plan.context.runUrl})` : ''}`,
    };
  }
  const errors = report.findings.filter((f) => f.severity === 'error').length;
  const warnings = report.findings.filter((f) => f.severity === 'warning').length;
  const counts = `${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}`;
  const failedAt = report.stages.find((s) => s.result === 'failure' || s.result === 'cancelled')?.stage;
  // The target's own decisive cause (OOMKilled, a failed submission, a stuck driver), else the log's.
  const cause = report.status?.cause ?? report.rootCause?.summary;
  const title =
    conclusion === 'success'
      ? `${deploys ? `Deployed${env}` : `Passed: ${plan.stages.join(', ')}`} (${counts})`
      : conclusion === 'cancelled'
        ? `Cancelled${failedAt ? ` during ${failedAt}` : ''}`
        : conclusion === 'timed_out'
          ? clipText(`Timed out${failedAt ? ` during ${failedAt}` : ''}${cause ? `: ${cause}` : ''}`, 200)
          : cause
            ? clipText(`Failed at ${failedAt ?? 'deploy'}: ${cause}`, 200)
            : `Failed${failedAt ? ` at ${failedAt}` : ''} (${counts})`;
  const summary = [
    ...(report.failure ? [`> ${oneLine(report.failure)}`, ''] : []),
    renderStageTable(report.stages),
    ...(plan.context.runUrl ? ['', `Job summary and logs: ${plan.context.runUrl}`] : []),
  ].join('\n');
  const fileless = report.findings.filter((f) => !f.file);
  const text = fileless.length
    ? [
        'Findings without a file:',
        '',
        ...fileless.map((f) => `- **${f.severity}** ${f.title}: ${oneLine(f.message)}`),
      ].join('\n')
    : undefined;
  return { title, summary, ...(text ? { text } : {}) };
}

/** previewCommentData is what the sticky PR comment shows for a preview in the given state. */
export function previewCommentData(
  plan: Plan,
  state: PreviewState,
  report: RunReport | undefined,
  deploymentId: number | undefined,
): PreviewComment {
  const ctx = plan.context;
  const o = report?.outputs;
  const l = report?.links;
  const sparkUi = publicUrl(l?.sparkUi ?? o?.get(Output.sparkUiUrl));
  const consoleUrl = publicUrl(l?.console);
  const logs = publicUrl(l?.logs);
  const image = report?.artifact?.image?.reference ?? o?.get(Output.image);
  const detail =
    state === 'deploying'
      ? `run ${ctx.runId} started`
      : report?.failure
        ? oneLine(report.failure)
        : report?.status
          ? `${report.status.phase} (${report.status.nativeState})`
          : o?.get(Output.state);
  const data: PreviewComment = {
    environment: plan.environment ?? '',
    pr: plan.preview ?? 0,
    state,
    sha: reportedSha(ctx),
    ...(detail ? { detail } : {}),
    ...(plan.config?.app.name ? { app: plan.config.app.name } : {}),
    ...(plan.target ? { target: plan.target } : {}),
    ...(ctx.repository && ctx.sha
      ? {
          commitUrl: `${ctx.serverUrl}/${ctx.repository.owner}/${ctx.repository.repo}/commit/${reportedSha(ctx)}`,
        }
      : {}),
    ...(ctx.runUrl ? { runUrl: ctx.runUrl } : {}),
    ...(sparkUi ? { sparkUi } : {}),
    ...(consoleUrl ? { console: consoleUrl } : {}),
    ...(logs ? { logs } : {}),
    ...(l?.portForward ? { portForward: l.portForward } : {}),
    ...(image ? { image } : {}),
    ...(o?.get(Output.submissionId) ? { submissionId: o.get(Output.submissionId) as string } : {}),
    ...(o?.get(Output.applicationId) ? { applicationId: o.get(Output.applicationId) as string } : {}),
    ...(deploymentId !== undefined ? { deploymentId: deploymentId } : {}),
  };
  return data;
}

/** deploymentStatusView is the final deployment status: its state, description and environment URL. */
export function deploymentStatusView(
  report: RunReport,
  conclusion: Conclusion,
): { state: DeploymentState; description: string; envUrl?: string } {
  const state = deploymentResult(report, conclusion);
  const o = report.outputs;
  const envUrl =
    publicUrl(report.links?.sparkUi ?? o.get(Output.sparkUiUrl)) ?? publicUrl(report.links?.console);
  // GitHub keeps 140 characters of a description: the cause whole, the rest shortened. The target's own
  // decisive cause (OOMKilled, a failed submission, a stuck driver) comes before the log's.
  const description =
    state === 'success'
      ? `${report.status?.nativeState || o.get(Output.state) || 'deployed'} · ${o.get(Output.submissionId) ?? ''}`
      : report.status?.cause
        ? clipText(report.status.cause, MAX_STATUS_DESCRIPTION)
        : report.rootCause
          ? clipText(
              causeLine(report.rootCause).length <= MAX_STATUS_DESCRIPTION
                ? causeLine(report.rootCause)
                : report.rootCause.summary,
              MAX_STATUS_DESCRIPTION,
            )
          : clipText(oneLine(report.failure), MAX_STATUS_DESCRIPTION) || conclusion;
  return { state, description, ...(envUrl ? { envUrl } : {}) };
}
