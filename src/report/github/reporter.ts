// GitHub reporting around one run: start() before the stages (check run in_progress, deployment
// in_progress, preview comment "deploying"), finish() after them (conclusion and annotations, final
// deployment status, comment). Reporting never throws: a failure becomes a warning, and a 403 (fork PRs,
// missing permissions) is said once while workflow-command annotations and the job summary stand in.
import { Output } from '../../constants.js';
import { reportedSha } from '../../plan/context.js';
import type { Plan } from '../../plan/plan.js';
import { errorMessage } from '../../util/errors.js';
import type { GitHubLinks, RunReport } from '../run-report.js';
import {
  type CheckOutput,
  type Conclusion,
  checkRunName,
  completeCheckRun,
  createCheckRun,
  type Repo,
  toAnnotation,
} from './check-run.js';
import { type ClientOptions, createGitHubClient, type GitHubClient } from './client.js';
import { type PreviewComment, type PreviewState, renderPreviewComment, upsertComment } from './comment.js';
import {
  createDeployment,
  type DeploymentState,
  deactivateEnvironment,
  deploymentEnvironment,
  setDeploymentStatus,
} from './deployment.js';
import { compareSparkRun, keepSparkRun } from './spark-run.js';
import { checkOutput, deploymentStatusView, oneLine, previewCommentData, runConclusion } from './views.js';

export { runConclusion } from './views.js';

/** ReportingIO is where reporting speaks: the log and warnings. */
export interface ReportingIO {
  info(line: string): void;
  warning(message: string): void;
}

/** ReporterOptions inject the client (tests) and the clock. */
export interface ReporterOptions {
  client?: GitHubClient;
  clientOptions?: Partial<ClientOptions>;
  now?: () => Date;
}

type Feature = 'checks' | 'deployments' | 'comments';
const FEATURE: Record<Feature, { what: string; permission: string }> = {
  checks: { what: 'check runs', permission: 'checks: write' },
  deployments: { what: 'deployments', permission: 'deployments: write' },
  comments: { what: 'PR comments', permission: 'pull-requests: write' },
};

/** GitHubReporter reports one run to the Checks, Deployments and Issues APIs. */
export class GitHubReporter {
  private readonly repo: Repo;
  private readonly denied = new Set<Feature>();
  private readonly links: GitHubLinks = { notes: [] };
  private checkRunId?: number;
  private deploymentId?: number;
  private commentId?: number;
  private payload: Record<string, unknown> = {};
  private readonly environment?: string;
  private readonly now: () => Date;

  private constructor(
    private readonly plan: Plan,
    private readonly client: GitHubClient,
    private readonly io: ReportingIO,
    now?: () => Date,
  ) {
    const r = plan.context.repository;
    if (!r) throw new Error('GitHubReporter needs the repository (GITHUB_REPOSITORY)');
    this.repo = { owner: r.owner, repo: r.repo };
    this.now = now ?? (() => new Date());
    if (plan.environment) this.environment = deploymentEnvironment(plan.environment, plan.preview);
  }

  /** create builds the reporter for a plan with a token and a known repository; no request yet. */
  static create(plan: Plan, io: ReportingIO, opts: ReporterOptions = {}): GitHubReporter {
    const client =
      opts.client ??
      createGitHubClient({
        token: plan.githubToken ?? '',
        baseUrl: plan.context.apiUrl,
        warn: (m) => io.warning(m),
        ...opts.clientOptions,
      });
    return new GitHubReporter(plan, client, io, opts.now);
  }

  private get deploys(): boolean {
    return (
      this.plan.command === 'deploy' &&
      this.plan.stages.includes('deploy') &&
      !this.plan.dryRun &&
      this.environment !== undefined
    );
  }

  private get previewComment(): boolean {
    return (
      this.plan.preview !== undefined &&
      this.plan.environment !== undefined &&
      (this.deploys || this.plan.command === 'cleanup')
    );
  }

  /** guard runs one reporting call: a 403 marks the feature denied, anything else becomes a warning. */
  private async guard<T>(feature: Feature, what: string, fn: () => Promise<T>): Promise<T | undefined> {
    if (this.denied.has(feature)) return undefined;
    try {
      return await fn();
    } catch (err) {
      const status = (err as { status?: number }).status;
      if (status === 403) {
        this.denied.add(feature);
        return undefined;
      }
      const note = `GitHub reporting: could not ${what}: ${status ? `${status} ` : ''}${oneLine(errorMessage(err))}`;
      this.links.notes.push(note);
      this.io.warning(note);
      return undefined;
    }
  }

  private deploymentDescription(): string {
    return `spark-deploy: ${this.plan.config?.app.name ?? 'app'} to ${this.plan.target ?? 'Spark'}`;
  }

  /** compareSparkRun adds the comparison with the last deploy's Spark run to the "Spark run" section. */
  private async compareSparkRun(report: RunReport): Promise<void> {
    const facts = report.sparkRunFacts;
    const env = this.environment;
    if (!facts || !env || !this.deploys) return;
    const exclude = this.deploymentId !== undefined ? [this.deploymentId] : [];
    const note = await this.guard('deployments', 'read the last deploy to compare the Spark run with', () =>
      compareSparkRun(
        this.client,
        this.repo,
        { environment: env, app: this.plan.config?.app.name ?? '', exclude },
        report,
      ),
    );
    if (note) this.io.info(`GitHub: ${note}`);
  }

  /**
   * keepSparkRun keeps this run's Spark numbers for the next deploy to compare with. A deployment's payload
   * is fixed when it is created, before the run: a successful run with metrics gets a second deployment,
   * created now with them in its payload, which takes the first one's place (that one is marked inactive).
   */
  private async keepSparkRun(
    report: RunReport,
    state: DeploymentState,
    description: string,
    envUrl: string | undefined,
  ): Promise<void> {
    const facts = report.sparkRunFacts;
    const first = this.deploymentId;
    const sha = reportedSha(this.plan.context);
    if (!facts || !this.environment || first === undefined || !sha) return;
    const env = this.environment;
    const ctx = this.plan.context;
    const kept = await this.guard('deployments', "keep the Spark run's numbers in a deployment payload", () =>
      keepSparkRun(this.client, this.repo, {
        sha,
        environment: env,
        transient: this.plan.preview !== undefined,
        description: this.deploymentDescription(),
        payload: this.payload,
        baseline: facts.baseline,
        replaces: first,
        state,
        statusDescription: description,
        ...(ctx.runUrl ? { logUrl: ctx.runUrl } : {}),
        ...(envUrl ? { environmentUrl: envUrl } : {}),
      }),
    );
    if (kept) {
      this.deploymentId = kept.id;
      this.links.deployment = { id: kept.id, environment: env, ...(envUrl ? { url: envUrl } : {}) };
      report.output(Output.deploymentId, String(kept.id));
      this.io.info(`GitHub: deployment ${kept.id} keeps the Spark run's numbers (replaces ${first})`);
    }
  }

  private runOutput(report: RunReport | undefined, conclusion?: Conclusion): CheckOutput {
    return checkOutput(this.plan, this.deploys, report, conclusion);
  }

  private commentData(state: PreviewState, report?: RunReport): PreviewComment {
    return previewCommentData(this.plan, state, report, this.deploymentId);
  }

  private async comment(state: PreviewState, report?: RunReport): Promise<void> {
    if (!this.previewComment || this.plan.preview === undefined || !this.plan.environment) return;
    const body = renderPreviewComment(this.commentData(state, report));
    const res = await this.guard('comments', `update the PR comment on #${this.plan.preview}`, () =>
      upsertComment(
        this.client,
        this.repo,
        this.plan.preview as number,
        this.plan.environment as string,
        body,
        this.commentId,
      ),
    );
    if (res) {
      this.commentId = res.id;
      this.links.comment = res.url;
      if (res.created) this.io.info(`GitHub: commented on #${this.plan.preview}: ${res.url}`);
    }
  }

  /** start creates the check run (in_progress), the deployment (in_progress) and the preview comment. */
  async start(report: RunReport): Promise<void> {
    const ctx = this.plan.context;
    const sha = reportedSha(ctx);
    if (this.plan.command === 'deploy' && this.plan.stages.length > 0 && sha) {
      const run = await this.guard('checks', 'create the check run', () =>
        createCheckRun(this.client, this.repo, {
          name: checkRunName(this.plan.environment),
          sha,
          startedAt: new Date(report.startedAt),
          output: this.runOutput(undefined),
          ...(ctx.runUrl ? { detailsUrl: ctx.runUrl } : {}),
          externalId: `${ctx.runId}-${ctx.runAttempt}`,
        }),
      );
      if (run) {
        this.checkRunId = run.id;
        this.links.checkRun = run.url;
        this.io.info(`GitHub: check run ${checkRunName(this.plan.environment)}: ${run.url}`);
      }
    }
    if (this.deploys && this.environment && sha) {
      const environment = this.environment;
      this.payload = {
        target: this.plan.target ?? '',
        app: this.plan.config?.app.name ?? '',
        environment: this.plan.environment ?? '',
        run_id: ctx.runId,
        run_attempt: ctx.runAttempt,
        ...(this.plan.preview !== undefined ? { preview: this.plan.preview } : {}),
      };
      const created = await this.guard('deployments', `create a deployment to ${environment}`, () =>
        createDeployment(this.client, this.repo, {
          sha,
          environment,
          transient: this.plan.preview !== undefined,
          description: this.deploymentDescription(),
          payload: this.payload,
        }),
      );
      if (created && 'declined' in created) {
        this.links.notes.push(created.declined);
        this.io.warning(`GitHub deployment: ${created.declined}`);
      } else if (created) {
        this.deploymentId = created.id;
        this.links.deployment = { id: created.id, environment };
        report.output(Output.deploymentId, String(created.id));
        await this.guard('deployments', 'set the deployment in progress', () =>
          setDeploymentStatus(this.client, this.repo, created.id, {
            state: 'in_progress',
            description: `deploying ${sha.slice(0, 7)}`,
            ...(ctx.runUrl ? { logUrl: ctx.runUrl } : {}),
          }),
        );
      }
    }
    if (this.deploys) await this.comment('deploying');
    report.github = this.links;
  }

  /** finish completes the check run, the deployment status and the comment; it never throws. */
  async finish(report: RunReport): Promise<void> {
    report.github = this.links;
    try {
      await this.finishUnguarded(report);
    } catch (err) {
      const note = `GitHub reporting failed: ${oneLine(errorMessage(err))}`;
      this.links.notes.push(note);
      this.io.warning(note);
    }
    if (this.denied.size > 0) {
      const list = [...this.denied].map((f) => FEATURE[f]);
      const note = `GitHub reporting: this token may not create ${list.map((f) => f.what).join(', ')} (403 Resource not accessible by integration). Pull requests from forks always get a read-only token; otherwise grant ${list.map((f) => `\`${f.permission}\``).join(', ')} in the workflow's permissions. Findings are annotated with workflow commands instead (GitHub shows at most 10 errors and 10 warnings per step)${report.findings.length ? `; the job summary lists all ${report.findings.length}` : ''}.`;
      this.links.notes.push(note);
      this.io.warning(note);
    }
  }

  private async finishUnguarded(report: RunReport): Promise<void> {
    const ctx = this.plan.context;
    const conclusion = runConclusion(report);
    if (this.plan.command === 'cleanup') {
      if (!report.failure && this.plan.preview !== undefined && this.environment) {
        const env = this.environment;
        const ids = await this.guard('deployments', `mark the deployments of ${env} inactive`, () =>
          deactivateEnvironment(this.client, this.repo, env, `preview of #${this.plan.preview} cleaned up`),
        );
        if (ids) this.io.info(`GitHub: marked ${ids.length} deployment(s) of ${env} inactive`);
        await this.comment('cleaned-up', report);
      }
      return;
    }
    if (this.plan.command !== 'deploy' || this.plan.stages.length === 0) return;
    await this.compareSparkRun(report);

    const fallback = this.plan.configRef?.source.file ?? '.github';
    const annotations = report.findings.map((f) => toAnnotation(f, fallback));
    const output = this.runOutput(report, conclusion);
    const sha = reportedSha(ctx);
    if (this.checkRunId === undefined && !this.denied.has('checks') && sha) {
      // Creating it at the start failed for a reason other than permissions: try once more now.
      const run = await this.guard('checks', 'create the check run', () =>
        createCheckRun(this.client, this.repo, {
          name: checkRunName(this.plan.environment),
          sha,
          startedAt: new Date(report.startedAt),
          output,
          ...(ctx.runUrl ? { detailsUrl: ctx.runUrl } : {}),
        }),
      );
      if (run) {
        this.checkRunId = run.id;
        this.links.checkRun = run.url;
      }
    }
    const checkRunId = this.checkRunId;
    if (checkRunId !== undefined) {
      const requests = await this.guard('checks', 'complete the check run', () =>
        completeCheckRun(this.client, this.repo, checkRunId, {
          conclusion,
          completedAt: this.now(),
          output,
          annotations,
        }),
      );
      if (requests !== undefined)
        this.io.info(
          `GitHub: check run completed: ${conclusion}, ${annotations.length} annotation(s) in ${requests} request(s)`,
        );
    }

    const deploymentId = this.deploymentId;
    if (deploymentId !== undefined) {
      const { state, description, envUrl } = deploymentStatusView(report, conclusion);
      await this.guard('deployments', `set the deployment status to ${state}`, () =>
        setDeploymentStatus(this.client, this.repo, deploymentId, {
          state,
          description,
          ...(ctx.runUrl ? { logUrl: ctx.runUrl } : {}),
          ...(envUrl ? { environmentUrl: envUrl } : {}),
        }),
      );
      if (this.links.deployment && envUrl) this.links.deployment.url = envUrl;
      if (conclusion === 'success') await this.keepSparkRun(report, state, description, envUrl);
    }

    if (this.deploys) {
      const state: PreviewState =
        conclusion === 'success' ? 'deployed' : conclusion === 'cancelled' ? 'cancelled' : 'failed';
      await this.comment(state, report);
    }
  }
}

/**
 * startGitHubReporting creates the reporter and runs its start; it never throws (a reporter that cannot
 * start still finishes with whatever it can).
 */
export async function startGitHubReporting(
  plan: Plan,
  report: RunReport,
  io: ReportingIO,
  opts: ReporterOptions = {},
): Promise<GitHubReporter | undefined> {
  let reporter: GitHubReporter;
  try {
    reporter = GitHubReporter.create(plan, io, opts);
  } catch (err) {
    io.warning(`GitHub reporting is off: ${errorMessage(err)}`);
    return undefined;
  }
  try {
    await reporter.start(report);
  } catch (err) {
    io.warning(`GitHub reporting: could not start: ${oneLine(errorMessage(err))}`);
  }
  return reporter;
}
