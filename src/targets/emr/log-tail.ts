// The failed step's stderr tail from the cluster's log URI on S3 (EMR copies step logs there minutes late).
import type { S3Client } from '@aws-sdk/client-s3';
import type { Handle } from '../target.js';
import type { EmrDeps } from './deps.js';
import { decodeHandleData } from './handle.js';
import { stepLogPrefix } from './links.js';
import { fetchStepStderr, tailLines, yarnApplicationId } from './logs.js';

/**
 * stepLogTail returns the last lines of the step's stderr, or a line saying why there are
 * none; it sets the handle's application id from the YARN id in the log when it finds one.
 */
export async function stepLogTail(
  s3: S3Client,
  deps: Pick<EmrDeps, 'clock' | 'logFetchDelaysMs'>,
  handle: Handle,
  lines: number,
): Promise<string | undefined> {
  const data = decodeHandleData(handle);
  if (!data.logUri) {
    return '(no stderr: the cluster has no log URI; set emr.cluster.logUri or start the cluster with --log-uri)';
  }
  const prefix = stepLogPrefix(data.logUri, data.clusterId, handle.submissionId);
  if (!prefix) return undefined;
  let why = '';
  for (const delay of deps.logFetchDelaysMs) {
    if (delay > 0) await deps.clock.sleep(delay);
    const got = await fetchStepStderr(s3, prefix);
    if ('text' in got) {
      const appId = yarnApplicationId(got.text);
      // The deploy stage reads it from the handle for the application-id output.
      if (appId) handle.applicationId ??= appId;
      return tailLines(got.text, lines);
    }
    why = got.missing;
    if (why.startsWith('no s3:GetObject')) break;
  }
  return `(stderr not readable: ${why}; step logs reach S3 minutes late: ${prefix})`;
}
