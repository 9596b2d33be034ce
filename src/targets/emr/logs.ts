// The step's stderr from the cluster's log URI (the YARN application id spark-submit prints there), and the
// driver's own stderr: in cluster mode the driver runs in the YARN application master's container, whose
// logs EMR archives under `<LogUri>/<cluster>/containers/<application>/<container>/` (docs/protocols.md 3.3).
import { gunzipSync } from 'node:zlib';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { parseS3Uri } from '../../s3/uri.js';
import { awsErrorCode, httpStatusOf } from '../../util/aws-errors.js';

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
  return fetchLog(client, `${prefix}stderr.gz`);
}

/**
 * amContainers are the application master containers of a YARN application, last attempt first: the
 * `container_[e<epoch>_]<cluster ts>_<app>_<attempt>_000001` folders under the application's log prefix,
 * or, without s3:ListBucket, the names attempts 2 and 1 would have.
 */
async function amContainers(client: S3Client, appPrefix: string, appId: string): Promise<string[]> {
  const loc = parseS3Uri(appPrefix);
  const [, ts, n] = /^application_(\d+)_(\d+)$/.exec(appId) ?? [];
  const guessed = ['02', '01'].map((a) => `container_${ts}_${n}_${a}_000001`);
  if (!loc) return guessed;
  try {
    const page = await client.send(
      new ListObjectsV2Command({ Bucket: loc.bucket, Prefix: loc.key, Delimiter: '/' }),
    );
    const found = (page.CommonPrefixes ?? [])
      .map((p) => (p.Prefix ?? '').slice(loc.key.length).replace(/\/$/, ''))
      .filter((c) => /^container_.*_\d+_000001$/.test(c))
      .sort((a, b) => Number(b.split('_').at(-2)) - Number(a.split('_').at(-2)));
    return found.length > 0 ? found : guessed;
  } catch {
    return guessed;
  }
}

/**
 * fetchDriverStderr reads the stderr of the application's last AM container (the cluster-mode driver) from
 * `<logPrefix>containers/<appId>/`, where `logPrefix` is `<LogUri>/<cluster-id>/`.
 */
export async function fetchDriverStderr(
  client: S3Client,
  logPrefix: string,
  appId: string,
): Promise<LogFetch> {
  const appPrefix = `${logPrefix}containers/${appId}/`;
  let first: LogFetch | undefined;
  for (const c of await amContainers(client, appPrefix, appId)) {
    const got = await fetchLog(client, `${appPrefix}${c}/stderr.gz`);
    if ('text' in got) return got;
    first ??= got;
  }
  return first ?? { missing: `no container logs under ${appPrefix}` };
}

async function fetchLog(client: S3Client, uri: string): Promise<LogFetch> {
  const loc = parseS3Uri(uri);
  if (!loc) return { missing: `${uri} is not an S3 location` };
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
