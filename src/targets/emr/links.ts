// Where a user looks next. Only stable URLs: a presigned URL acts as a credential and expires, so it never
// becomes a link that lands in a summary, an output, a deployment or a PR comment.

import { parseS3Uri } from '../../s3/uri.js';
import type { Links } from '../target.js';

/** consoleClusterUrl is the EMR console page of a cluster (docs/protocols.md 3.5). */
export function consoleClusterUrl(region: string, clusterId: string): string {
  const r = encodeURIComponent(region);
  return `https://${r}.console.aws.amazon.com/emr/home?region=${r}#/clusterDetails/${encodeURIComponent(clusterId)}`;
}

/** stepLogPrefix is the S3 prefix of one step's logs: `<LogUri>/<cluster-id>/steps/<step-id>/`. */
export function stepLogPrefix(logUri: string, clusterId: string, stepId: string): string | undefined {
  const loc = parseS3Uri(logUri);
  if (!loc) return undefined;
  const base = loc.key === '' || loc.key.endsWith('/') ? loc.key : `${loc.key}/`;
  return `s3://${loc.bucket}/${base}${clusterId}/steps/${stepId}/`;
}

/** s3ConsoleUrl is the S3 console view of a prefix. */
export function s3ConsoleUrl(region: string, s3Uri: string): string | undefined {
  const loc = parseS3Uri(s3Uri);
  if (!loc) return undefined;
  const r = encodeURIComponent(region);
  return `https://s3.console.aws.amazon.com/s3/buckets/${encodeURIComponent(loc.bucket)}?region=${r}&prefix=${encodeURIComponent(loc.key)}`;
}

/**
 * buildLinks is the console cluster page and, with a log URI, the step's logs in the S3 console. The Spark
 * UI link is the cluster page too: it opens the persistent Spark History Server for whoever may see the
 * cluster, whereas the History Server's own URL is presigned (ui.ts) and may not be published.
 */
export function buildLinks(region: string, clusterId: string, stepId: string, logUri?: string): Links {
  const prefix = logUri ? stepLogPrefix(logUri, clusterId, stepId) : undefined;
  const logs = prefix ? s3ConsoleUrl(region, prefix) : undefined;
  const page = consoleClusterUrl(region, clusterId);
  return { sparkUi: page, console: page, ...(logs ? { logs } : {}) };
}
