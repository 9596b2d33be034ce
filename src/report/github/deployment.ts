// GitHub Deployments for the environment a run deploys to: created when the run starts, statuses
// in_progress -> success | failure | error, and `inactive` for a preview's deployments on cleanup.
import { type Previous, parseBaseline } from '../../metrics/compare.js';
import type { Repo } from './check-run.js';
import type { GitHubClient } from './client.js';
import { MAX_STATUS_DESCRIPTION, truncate } from './limits.js';

/** DeploymentState is a deployment status state we send. */
export type DeploymentState = 'in_progress' | 'success' | 'failure' | 'error' | 'inactive';

/** CreateResult: a deployment was created, or GitHub declined with a message saying why. */
export type CreateResult = { id: number; url: string } | { declined: string };

/**
 * deploymentEnvironment is the GitHub environment a run deploys to: the config environment, or for a
 * preview `<environment>-pr-<n>` so each pull request's preview is its own (transient) environment.
 */
export function deploymentEnvironment(environment: string, preview?: number): string {
  return preview !== undefined ? `${environment}-pr-${preview}` : environment;
}

/**
 * publicUrl returns an http(s) URL fit to publish as environment_url, or undefined: presigned URLs
 * (AWS SigV4/V2, Azure SAS, GCS signed) carry credentials and expire, so they are never published.
 */
export function publicUrl(url: string | undefined): string | undefined {
  if (!url) return undefined;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return undefined;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return undefined;
  const signed = /^(x-amz-signature|x-amz-credential|signature|sig|x-goog-signature|awsaccesskeyid)$/i;
  for (const key of u.searchParams.keys()) if (signed.test(key)) return undefined;
  if (u.username || u.password) return undefined;
  return u.toString();
}

/** explainRequestError names what a 409/202/422 from the deployments API means and what to do. */
export function explainDeclined(status: number, message: string): string {
  if (status === 202)
    return `GitHub merged the default branch into the ref instead of creating a deployment ("${message}"); no deployment was recorded for this run`;
  if (status === 409)
    return `GitHub refused the deployment with 409 Conflict ("${message}"): a merge conflict or failed required status checks on the commit; no deployment was recorded for this run`;
  return `GitHub refused the deployment with ${status} ("${message}")`;
}

/**
 * createDeployment creates a deployment of `sha` to `environment`: required_contexts [] (the run's own
 * pending checks would otherwise block it with 409), auto_merge false, transient for previews.
 */
export async function createDeployment(
  client: GitHubClient,
  repo: Repo,
  opts: {
    sha: string;
    environment: string;
    transient: boolean;
    description: string;
    payload: Record<string, unknown>;
  },
): Promise<CreateResult> {
  try {
    const res = await client.request('POST /repos/{owner}/{repo}/deployments', {
      ...repo,
      ref: opts.sha,
      task: 'deploy',
      auto_merge: false,
      required_contexts: [],
      environment: opts.environment,
      transient_environment: opts.transient,
      // GitHub defaults this to true only for an environment named "production"; say it outright.
      production_environment: opts.environment === 'production',
      description: truncate(opts.description, MAX_STATUS_DESCRIPTION),
      payload: opts.payload,
    });
    if (res.status === 202 || !('id' in res.data)) {
      return { declined: explainDeclined(202, String((res.data as { message?: string }).message ?? '')) };
    }
    return { id: Number(res.data.id), url: res.data.url };
  } catch (err) {
    const e = err as { status?: number; message?: string };
    if (e.status === 409) return { declined: explainDeclined(409, e.message ?? '') };
    throw err;
  }
}

/** setDeploymentStatus posts one status; log_url is the run, environment_url only when public. */
export async function setDeploymentStatus(
  client: GitHubClient,
  repo: Repo,
  id: number,
  opts: {
    state: DeploymentState;
    description: string;
    logUrl?: string;
    environmentUrl?: string;
    environment?: string;
  },
): Promise<void> {
  const environmentUrl = publicUrl(opts.environmentUrl);
  await client.request('POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses', {
    ...repo,
    deployment_id: id,
    state: opts.state,
    description: truncate(opts.description, MAX_STATUS_DESCRIPTION),
    ...(opts.logUrl ? { log_url: opts.logUrl } : {}),
    ...(environmentUrl ? { environment_url: environmentUrl } : {}),
    ...(opts.environment ? { environment: opts.environment } : {}),
  });
}

/**
 * lastRunBaseline finds the newest deployment of `app` to `environment` whose payload keeps a Spark run's
 * numbers (only a successful run's deployment does, see GitHubReporter.keepSparkRun), other than `exclude`;
 * null when the newest 100 deployments have none.
 */
export async function lastRunBaseline(
  client: GitHubClient,
  repo: Repo,
  environment: string,
  app: string,
  exclude: readonly number[],
): Promise<Previous | null> {
  const res = await client.request('GET /repos/{owner}/{repo}/deployments', {
    ...repo,
    environment,
    per_page: 100,
  });
  for (const d of res.data) {
    const payload = d.payload as unknown;
    if (exclude.includes(Number(d.id))) continue;
    if (!payload || typeof payload !== 'object' || (payload as { app?: unknown }).app !== app) continue;
    const baseline = parseBaseline(payload);
    if (baseline) return { baseline, deploymentId: Number(d.id), sha: d.sha };
  }
  return null;
}

/**
 * deactivateEnvironment marks every deployment of `environment` inactive (a transient preview then shows
 * as destroyed) and returns their ids. Reads up to 5 pages of 100 (newest first).
 */
export async function deactivateEnvironment(
  client: GitHubClient,
  repo: Repo,
  environment: string,
  description: string,
): Promise<number[]> {
  const ids: number[] = [];
  for (let page = 1; page <= 5; page++) {
    const res = await client.request('GET /repos/{owner}/{repo}/deployments', {
      ...repo,
      environment,
      per_page: 100,
      page,
    });
    for (const d of res.data) ids.push(Number(d.id));
    if (res.data.length < 100) break;
  }
  for (const id of ids) {
    await setDeploymentStatus(client, repo, id, { state: 'inactive', description });
  }
  return ids;
}
