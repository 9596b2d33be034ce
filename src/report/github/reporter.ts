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
  deactivateEnvironment,
  deploymentEnvironment,
  setDeploymentStatus,
} from './deployment.js';
import { ReportingGuard } from './guard.js';
import { compareWithLastRun, keepRun, type SparkRunContext } from './spark-run.js';
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

/** GitHubReporter reports one run to the Checks, Deployments and Issues APIs. */
export class GitHubReporter {
  private readonly repo: Repo;
  private readonly links: GitHubLinks = { notes: [] };
  private readonly guarded: ReportingGuard;
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
    this.guarded = new ReportingGuard(this.links, (m) => io.warning(m));
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

  private deploymentDescription(): string {
    return `spark-deploy: ${this.plan.config?.app.name ?? 'app'} to ${this.plan.target ?? 'Spark'}`;
  }

  /** sparkRunContext is what the Spark-run comparison and record need of this reporter. */
  private sparkRun(): SparkRunContext | undefined {
    const sha = reportedSha(this.plan.context);
    if (!this.environment || !this.deploys || !sha) return undefined;
    return {
      client: this.client,
      repo: this.repo,
      guard: this.guarded,
      log: (l) => this.io.info(l),
      sha,
      environment: this.environment,
      app: this.plan.config?.app.name ?? '',
      transient: this.plan.preview !== undefined,
      description: this.deploymentDescription(),
      payload: this.payload,
      ...(this.plan.context.runUrl ? { runUrl: this.plan.context.runUrl } : {}),
    };
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
    const res = await this.guarded.run('comments', `update the PR comment on #${this.plan.preview}`, () =>
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
      const run = await this.guarded.run('checks', 'create the check run', () =>
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
      const created = await this.guarded.run('deployments', `create a deployment to ${environment}`, () =>
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
        await this.guarded.run('deployments', 'set the deployment in progress', () =>
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
      this.guarded.note(`GitHub reporting failed: ${oneLine(errorMessage(err))}`);
    }
    this.guarded.sayDenied(report.findings.length);
  }

  private async finishUnguarded(report: RunReport): Promise<void> {
    const ctx = this.plan.context;
    const conclusion = runConclusion(report);
    if (this.plan.command === 'cleanup') {
      if (!report.failure && this.plan.preview !== undefined && this.environment) {
        const env = this.environment;
        const ids = await this.guarded.run('deployments', `mark the deployments of ${env} inactive`, () =>
          deactivateEnvironment(this.client, this.repo, env, `preview of #${this.plan.preview} cleaned up`),
        );
        if (ids) this.io.info(`GitHub: marked ${ids.length} deployment(s) of ${env} inactive`);
        await this.comment('cleaned-up', report);
      }
      return;
    }
    if (this.plan.command !== 'deploy' || this.plan.stages.length === 0) return;
    const sparkRun = this.sparkRun();
    if (sparkRun) await compareWithLastRun(sparkRun, report, this.deploymentId);

    const fallback = this.plan.configRef?.source.file ?? '.github';
    const annotations = report.findings.map((f) => toAnnotation(f, fallback));
    const output = this.runOutput(report, conclusion);
    const sha = reportedSha(ctx);
    if (this.checkRunId === undefined && !this.guarded.isDenied('checks') && sha) {
      // Creating it at the start failed for a reason other than permissions: try once more now.
      const run = await this.guarded.run('checks', 'create the check run', () =>
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
      const requests = await this.guarded.run('checks', 'complete the check run', () =>
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
      await this.guarded.run('deployments', `set the deployment status to ${state}`, () =>
        setDeploymentStatus(this.client, this.repo, deploymentId, {
          state,
          description,
          ...(ctx.runUrl ? { logUrl: ctx.runUrl } : {}),
          ...(envUrl ? { environmentUrl: envUrl } : {}),
        }),
      );
      if (this.links.deployment && envUrl) this.links.deployment.url = envUrl;
      // A preview's runs are not compared run to run: no second deployment for its numbers.
      if (conclusion === 'success' && sparkRun && this.plan.preview === undefined) {
        const kept = await keepRun(sparkRun, report, { replaces: deploymentId, state, description, envUrl });
        if (kept !== undefined) {
          this.deploymentId = kept;
          this.links.deployment = {
            id: kept,
            environment: sparkRun.environment,
            ...(envUrl ? { url: envUrl } : {}),
          };
        }
      }
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
