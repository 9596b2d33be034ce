// The failed step's driver log tail from the cluster's log URI on S3 (EMR copies logs there minutes late).
import type { S3Client } from '@aws-sdk/client-s3';
import type { Handle } from '../target.js';
import type { EmrDeps } from './deps.js';
import { decodeHandleData } from './handle.js';
import { stepLogPrefix } from './links.js';
import { fetchDriverStderr, fetchStepStderr, tailLines, yarnApplicationId } from './logs.js';

/**
 * stepLogTail returns the last lines of the driver's stderr (the YARN AM container's, which the step's stderr
 * names by application id), else of the step's stderr, or a line saying why there are none;
 * it sets the handle's application id from the YARN id in the step's log when it finds one.
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
  const clusterPrefix = prefix.slice(0, prefix.length - `steps/${handle.submissionId}/`.length);
  let why = '';
  let step: string | undefined;
  let appId: string | undefined;
  for (const delay of deps.logFetchDelaysMs) {
    if (delay > 0) await deps.clock.sleep(delay);
    if (step === undefined) {
      const got = await fetchStepStderr(s3, prefix);
      if (!('text' in got)) {
        why = got.missing;
        if (why.startsWith('no s3:GetObject')) break;
        continue;
      }
      step = got.text;
      appId = yarnApplicationId(step);
      // The deploy stage reads it from the handle for the application-id output.
      if (appId) handle.applicationId ??= appId;
      // No YARN application: spark-submit failed before submitting, and its stderr is the whole story.
      if (!appId) break;
    }
    const driver = await fetchDriverStderr(s3, clusterPrefix, appId as string);
    if ('text' in driver) return tailLines(driver.text, lines);
    if (driver.missing.startsWith('no s3:GetObject')) break;
  }
  if (step !== undefined) return tailLines(step, lines);
  return `(stderr not readable: ${why}; step logs reach S3 minutes late: ${prefix})`;
}

/**
 * stepApplicationId reads the step's stderr once for the YARN application id the client printed
 * (`Submitted application application_…`); undefined when the log is not on S3 (yet) or names none.
 */
export async function stepApplicationId(s3: S3Client, handle: Handle): Promise<string | undefined> {
  const data = decodeHandleData(handle);
  const prefix = data.logUri ? stepLogPrefix(data.logUri, data.clusterId, handle.submissionId) : undefined;
  if (!prefix) return undefined;
  try {
    const got = await fetchStepStderr(s3, prefix);
    return 'text' in got ? yarnApplicationId(got.text) : undefined;
  } catch {
    return undefined;
  }
}
