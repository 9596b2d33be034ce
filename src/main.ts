import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Input, State } from './constants.js';
import { getInputs } from './inputs.js';
import { runPipeline } from './pipeline.js';
import { buildPlan } from './plan/build-plan.js';
import { readRunContext } from './plan/context.js';
import type { Plan } from './plan/plan.js';
import { emitAnnotations, findingLine } from './report/annotations.js';
import type { GitHubReporter } from './report/github/reporter.js';
import { heading } from './report/heading.js';
import { RunReport } from './report/run-report.js';
import { renderSummary } from './report/summary.js';
import { ActionError, AnnotatedError, errorMessage } from './util/errors.js';
import * as core from './util/runner.js';

/** run is the main step: parse inputs, build the Plan, run the stages, report. */
export async function run(): Promise<void> {
  const report = new RunReport(
    (name, value) => core.setOutput(name, value),
    (f) => core.info(findingLine(f)),
  );
  const controller = new AbortController();
  const onSignal = (sig: NodeJS.Signals) => {
    core.warning(`received ${sig}: stopping${controller.signal.aborted ? ' (again)' : ''}`);
    controller.abort(new ActionError(`cancelled by ${sig}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let plan: Plan | undefined;
  let github: GitHubReporter | undefined;
  // A failure its error findings say all of, at their files and lines, is not reported twice.
  let annotated = false;
  try {
    plan = await buildPlan(getInputs(), readRunContext(), {
      env: process.env,
      setSecret: (s) => core.setSecret(s),
    });
    core.saveState(State.cancelOnAbort, String(plan.cancelOnAbort));
    for (const n of plan.notices ?? []) core.notice(n);
    if (!plan.githubToken) {
      core.notice('no github-token: skipping GitHub API reporting (check run, deployment, PR comment)');
    } else if (!plan.context.repository) {
      core.notice('GITHUB_REPOSITORY is not set: skipping GitHub API reporting');
    } else {
      // Octokit lives in its own chunk: loaded only when there is a token to use it with.
      const { startGitHubReporting } = await import('./report/github/reporter.js');
      github = await startGitHubReporting(plan, report, {
        info: (l) => core.info(l),
        warning: (m) => core.warning(m),
      });
    }
    if (plan.stages.length === 0 && plan.command === 'deploy')
      core.info(`plan is valid: ${heading(plan)} (no stages to run)`);
    const tempDir = process.env.RUNNER_TEMP || mkdtempSync(join(tmpdir(), 'spark-deploy-'));
    await runPipeline(plan, report, controller.signal, {
      group: (name, fn) => core.group(name, fn),
      info: (l) => core.info(l),
      notice: (m) => core.notice(m),
      warning: (m) => core.warning(m),
      saveHandle: (h) => {
        core.saveState(State.handle, JSON.stringify(h));
        core.saveState(State.finished, 'false');
      },
      markFinished: () => core.saveState(State.finished, 'true'),
      tempDir,
    });
  } catch (err) {
    report.failure = errorMessage(err);
    annotated = err instanceof AnnotatedError;
    if (err instanceof ActionError) for (const f of err.findings) report.finding(f);
    else if (err instanceof Error && err.stack) core.debug(err.stack);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  // Reporting to GitHub never throws and never changes the run's result.
  await github?.finish(report);
  if (!plan && report.failure) await reportWithoutPlan(report);
  emitAnnotations(report.findings, {
    error: (m, p) => core.error(m, p),
    warning: (m, p) => core.warning(m, p),
    notice: (m, p) => core.notice(m, p),
  });
  try {
    await core.appendSummary(renderSummary(report, heading(plan)));
  } catch (err) {
    core.warning(`could not write the job summary: ${errorMessage(err)}`);
  }
  if (report.failure) {
    if (annotated) process.exitCode = 1;
    else core.setFailed(report.failure);
  }
}

/**
 * reportWithoutPlan gives a run that failed on its inputs or config its check run all the same, from the
 * inputs as given (parsing them may be what failed).
 */
async function reportWithoutPlan(report: RunReport): Promise<void> {
  const githubToken = core.getInput(Input.githubToken);
  if (!githubToken) return;
  core.setSecret(githubToken);
  const { reportUnplannedFailure } = await import('./report/github/unplanned.js');
  await reportUnplannedFailure(
    {
      githubToken,
      environment: core.getInput(Input.environment),
      command: core.getInput(Input.command),
      config: core.getInput(Input.config),
    },
    readRunContext(),
    report,
    { info: (l) => core.info(l), warning: (m) => core.warning(m) },
    process.env.GITHUB_WORKFLOW_REF ? { workflowRef: process.env.GITHUB_WORKFLOW_REF } : {},
  );
}
