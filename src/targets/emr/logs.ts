// The step's stderr from the cluster's log URI: the last lines for the failure report, and the YARN
// application id spark-submit prints there.
import { gunzipSync } from 'node:zlib';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { awsErrorCode, httpStatusOf } from './aws-errors.js';
import { parseS3Uri } from './settings.js';

const YARN_APP_ID = /\bapplication_\d{10,}_\d{4,}\b/;
/** Bytes of stderr kept at most (the tail is what matters). */
const MAX_LOG_BYTES = 4 * 1024 * 1024;

/** yarnApplicationId is the first YARN application id in a log, if any. */
export function yarnApplicationId(text: string): string | undefined {
  return YARN_APP_ID.exec(text)?.[0];
}

/** tailLines is the last `n` non-empty-trailing lines of a text (redacted where it leaves the action). */
export function tailLines(text: string, n: number): string {
  const lines = text.replace(/\s+$/, '').split(/\r?\n/);
  return lines.slice(-n).join('\n');
}

/** LogFetch is what reading a step's stderr found: the text, or why there is none. */
export type LogFetch = { text: string } | { missing: string };

/** fetchStepStderr reads `<prefix>stderr.gz` once; a missing object or no permission is reported, not thrown. */
export async function fetchStepStderr(client: S3Client, prefix: string): Promise<LogFetch> {
  const loc = parseS3Uri(`${prefix}stderr.gz`);
  if (!loc) return { missing: `${prefix} is not an S3 location` };
  try {
    const got = await client.send(new GetObjectCommand({ Bucket: loc.bucket, Key: loc.key }));
    const bytes = await got.Body?.transformToByteArray();
    if (!bytes) return { missing: 'empty object' };
    let buf = Buffer.from(bytes);
    try {
      buf = gunzipSync(buf);
    } catch {
      // Some uploads are stored already decompressed (Content-Encoding: gzip handled by the client).
    }
    const text = buf.subarray(Math.max(0, buf.length - MAX_LOG_BYTES)).toString('utf8');
    return { text };
  } catch (err) {
    const status = httpStatusOf(err);
    const code = awsErrorCode(err);
    if (status === 404 || code === 'NoSuchKey')
      return { missing: `s3://${loc.bucket}/${loc.key} is not there (yet)` };
    if (status === 403 || code === 'AccessDenied') {
      return { missing: `no s3:GetObject permission on s3://${loc.bucket}/${loc.key}` };
    }
    return { missing: `reading s3://${loc.bucket}/${loc.key} failed: ${code ?? String(err)}` };
  }
}
