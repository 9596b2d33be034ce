// Check run for one run of the action: created in_progress when the run starts, completed with a
// conclusion, the stage table and one annotation per finding (50 per request, appended with PATCH).
import type { Finding } from '../../findings.js';
import type { GitHubClient } from './client.js';
import { MAX_ANNOTATIONS_PER_REQUEST, MAX_BLOB, MAX_TITLE, truncate } from './limits.js';

/** CheckAnnotation is one Checks API annotation (levels notice|warning|failure). */
export interface CheckAnnotation {
  path: string;
  start_line: number;
  end_line: number;
  start_column?: number;
  end_column?: number;
  annotation_level: 'notice' | 'warning' | 'failure';
  message: string;
  title?: string;
  raw_details?: string;
}

/** Conclusion is how the action's check run ends. */
export type Conclusion = 'success' | 'failure' | 'cancelled' | 'timed_out';

/** CheckOutput is the check run's output: title and summary are required by the API. */
export interface CheckOutput {
  title: string;
  summary: string;
  text?: string;
}

/** Repo names the repository a request is about. */
export interface Repo {
  owner: string;
  repo: string;
}

const LEVEL = { error: 'failure', warning: 'warning', notice: 'notice' } as const;

/**
 * toAnnotation turns a finding into a Checks API annotation. Findings without a file point at
 * `fallbackPath` (the config file, else `.github`) so none is lost; columns are only sent for
 * single-line annotations, as the API requires.
 */
export function toAnnotation(f: Finding, fallbackPath: string): CheckAnnotation {
  const path = f.file || fallbackPath;
  const start = f.file && f.line && f.line > 0 ? Math.floor(f.line) : 1;
  const end = f.file && f.endLine && f.endLine >= start ? Math.floor(f.endLine) : start;
  const a: CheckAnnotation = {
    path,
    start_line: start,
    end_line: end,
    annotation_level: LEVEL[f.severity],
    message: truncate(f.message || f.title, MAX_BLOB),
  };
  if (f.title) a.title = truncate(`${f.title}${f.rule ? ` [${f.rule}]` : ''}`, MAX_TITLE);
  if (f.file && start === end && f.column && f.column > 0) {
    a.start_column = Math.floor(f.column);
    a.end_column = Math.floor(f.column);
  }
  return a;
}

/** batches splits annotations into request-sized chunks (at least one, possibly empty). */
export function batches<T>(items: readonly T[], size = MAX_ANNOTATIONS_PER_REQUEST): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out.length ? out : [[]];
}

/** checkRunName is `spark-deploy / <environment>`, or `spark-deploy` when none is chosen. */
export function checkRunName(environment: string | undefined): string {
  return environment ? `spark-deploy / ${environment}` : 'spark-deploy';
}

function clampOutput(o: CheckOutput): CheckOutput {
  return {
    title: truncate(o.title, MAX_TITLE),
    summary: truncate(o.summary, MAX_BLOB),
    ...(o.text ? { text: truncate(o.text, MAX_BLOB) } : {}),
  };
}

/** createCheckRun creates the run's check run in_progress and returns its id and page. */
export async function createCheckRun(
  client: GitHubClient,
  repo: Repo,
  opts: {
    name: string;
    sha: string;
    detailsUrl?: string;
    externalId?: string;
    startedAt: Date;
    output: CheckOutput;
  },
): Promise<{ id: number; url: string }> {
  const res = await client.request('POST /repos/{owner}/{repo}/check-runs', {
    ...repo,
    name: opts.name,
    head_sha: opts.sha,
    status: 'in_progress',
    started_at: opts.startedAt.toISOString(),
    ...(opts.detailsUrl ? { details_url: opts.detailsUrl } : {}),
    ...(opts.externalId ? { external_id: opts.externalId } : {}),
    output: clampOutput(opts.output),
  });
  return { id: Number(res.data.id), url: res.data.html_url ?? '' };
}

/**
 * completeCheckRun appends every annotation (50 per PATCH, the check run still in progress) and completes
 * the run with the last batch: 120 annotations take three requests. Returns the number of requests.
 */
export async function completeCheckRun(
  client: GitHubClient,
  repo: Repo,
  id: number,
  opts: { conclusion: Conclusion; completedAt: Date; output: CheckOutput; annotations: CheckAnnotation[] },
): Promise<number> {
  const output = clampOutput(opts.output);
  const chunks = batches(opts.annotations);
  for (const [i, chunk] of chunks.entries()) {
    const last = i === chunks.length - 1;
    await client.request('PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}', {
      ...repo,
      check_run_id: id,
      ...(last
        ? { status: 'completed', conclusion: opts.conclusion, completed_at: opts.completedAt.toISOString() }
        : {}),
      output: { ...output, ...(chunk.length ? { annotations: chunk } : {}) },
    });
  }
  return chunks.length;
}
