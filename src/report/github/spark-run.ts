// The Spark run against the last successful deploy, through GitHub deployment payloads: the only store the
// action keeps between runs. Read: the newest deployment of the same app and environment whose payload
// has a run's numbers. Write: a deployment's payload cannot change after it is created, so a successful
// run with metrics is recorded by a second deployment carrying them, which takes the first one's place.

import { Output } from '../../constants.js';
import { PAYLOAD_KEY, type RunBaseline, renderComparison } from '../../metrics/compare.js';
import { renderSparkRun } from '../../metrics/render.js';
import { SPARK_RUN_SECTION } from '../../metrics/report-run.js';
import type { RunReport } from '../run-report.js';
import type { Repo } from './check-run.js';
import type { GitHubClient } from './client.js';
import {
  createDeployment,
  type DeploymentState,
  lastRunBaseline,
  setDeploymentStatus,
} from './deployment.js';
import type { ReportingGuard } from './guard.js';

/**
 * compareSparkRun re-renders the report's "Spark run" section with the comparison against the last deploy
 * of `app` to `environment` (deployments in `exclude` aside) and returns one line for the log.
 */
export async function compareSparkRun(
  client: GitHubClient,
  repo: Repo,
  o: { environment: string; app: string; exclude: readonly number[] },
  report: RunReport,
): Promise<string> {
  const facts = report.sparkRunFacts;
  if (!facts) return 'no Spark run to compare';
  const prev = await lastRunBaseline(client, repo, o.environment, o.app, o.exclude);
  if (!prev) {
    report.section(
      SPARK_RUN_SECTION,
      renderSparkRun(
        facts.metrics,
        `No earlier successful deploy of ${o.app} to ${o.environment} kept its Spark run's numbers: the next deploy is compared with this one.`,
      ),
    );
    return `no earlier deploy of ${o.app} to ${o.environment} to compare the Spark run with`;
  }
  report.section(SPARK_RUN_SECTION, renderSparkRun(facts.metrics, renderComparison(facts.baseline, prev)));
  return `Spark run compared with deployment ${prev.deploymentId} (${prev.baseline.app_id})`;
}

/** keepSparkRun creates the deployment that keeps `baseline` and retires `replaces`; returns the new one. */
export async function keepSparkRun(
  client: GitHubClient,
  repo: Repo,
  o: {
    sha: string;
    environment: string;
    transient: boolean;
    description: string;
    payload: Record<string, unknown>;
    baseline: RunBaseline;
    replaces: number;
    state: DeploymentState;
    statusDescription: string;
    logUrl?: string;
    environmentUrl?: string;
  },
): Promise<{ id: number } | undefined> {
  const created = await createDeployment(client, repo, {
    sha: o.sha,
    environment: o.environment,
    transient: o.transient,
    description: o.description,
    payload: { ...o.payload, replaces: o.replaces, [PAYLOAD_KEY]: o.baseline },
  });
  if ('declined' in created) return undefined;
  await setDeploymentStatus(client, repo, created.id, {
    state: o.state,
    description: o.statusDescription,
    ...(o.logUrl ? { logUrl: o.logUrl } : {}),
    ...(o.environmentUrl ? { environmentUrl: o.environmentUrl } : {}),
  });
  await setDeploymentStatus(client, repo, o.replaces, {
    state: 'inactive',
    description: `replaced by deployment ${created.id}, which keeps this run's Spark metrics`,
    ...(o.logUrl ? { logUrl: o.logUrl } : {}),
  });
  return { id: created.id };
}

/** SparkRunContext is what comparing and keeping a run's numbers need of the run's reporter. */
export interface SparkRunContext {
  client: GitHubClient;
  repo: Repo;
  guard: ReportingGuard;
  log(line: string): void;
  sha: string;
  environment: string;
  app: string;
  transient: boolean;
  description: string;
  payload: Record<string, unknown>;
  runUrl?: string;
}

/** compareWithLastRun adds the comparison with the last deploy's Spark run to the "Spark run" section. */
export async function compareWithLastRun(
  c: SparkRunContext,
  report: RunReport,
  deploymentId: number | undefined,
): Promise<void> {
  if (!report.sparkRunFacts) return;
  const exclude = deploymentId !== undefined ? [deploymentId] : [];
  const note = await c.guard.run('deployments', 'read the last deploy to compare the Spark run with', () =>
    compareSparkRun(c.client, c.repo, { environment: c.environment, app: c.app, exclude }, report),
  );
  if (note) c.log(`GitHub: ${note}`);
}

/**
 * keepRun keeps this run's Spark numbers for the next deploy to compare with. A deployment's payload is
 * fixed when it is created, before the run: a successful run with metrics gets a second deployment, created
 * now with them in its payload, which takes the first one's place (that one is marked inactive). Returns
 * the new deployment's id (also the `deployment-id` output).
 */
export async function keepRun(
  c: SparkRunContext,
  report: RunReport,
  o: { replaces: number; state: DeploymentState; description: string; envUrl: string | undefined },
): Promise<number | undefined> {
  const facts = report.sparkRunFacts;
  if (!facts) return undefined;
  const kept = await c.guard.run('deployments', "keep the Spark run's numbers in a deployment payload", () =>
    keepSparkRun(c.client, c.repo, {
      sha: c.sha,
      environment: c.environment,
      transient: c.transient,
      description: c.description,
      payload: c.payload,
      baseline: facts.baseline,
      replaces: o.replaces,
      state: o.state,
      statusDescription: o.description,
      ...(c.runUrl ? { logUrl: c.runUrl } : {}),
      ...(o.envUrl ? { environmentUrl: o.envUrl } : {}),
    }),
  );
  if (!kept) return undefined;
  report.output(Output.deploymentId, String(kept.id));
  c.log(`GitHub: deployment ${kept.id} keeps the Spark run's numbers (replaces ${o.replaces})`);
  return kept.id;
}
