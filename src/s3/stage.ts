// Staging files on S3, for every target that needs it (EMR's emr.s3, standalone's jar.stage: s3): skip
// when the object already holds the same bytes, multipart for large files.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { awsErrorCode, credentialsProblem, httpStatusOf } from '../util/aws-errors.js';
import { ActionError, errorMessage } from '../util/errors.js';
import { parseS3Uri } from './uri.js';

/** Object metadata key holding the hex SHA-256 of the whole file (x-amz-meta-sha256). */
export const SHA256_METADATA_KEY = 'sha256';

/** Files up to this size go in one PutObject; larger ones in parts of this size (lib-storage's minimum is 5 MiB). */
export const DEFAULT_PART_SIZE = 16 * 1024 * 1024;

/** StagedBy says who stages, for messages: the log prefix and the config keys that name the location. */
export interface StagedBy {
  /** Prefix of log lines and errors, e.g. `emr` (default `s3`). */
  label: string;
  /** The config keys to fix when the bucket is wrong, e.g. `emr.s3.jar / emr.s3.config`. */
  keys: string;
}

const NEUTRAL: StagedBy = { label: 's3', keys: 'the S3 location' };

export interface StageToS3Options {
  client: S3Client;
  /** Local file to upload (the JAR, or any other file such as the app's config). */
  jarPath: string;
  /** Hex SHA-256 of the file. */
  sha256: string;
  /** s3://bucket/key to put it at. */
  uri: string;
  /** Progress lines (default: none). */
  log?: (line: string) => void;
  /** Multipart part size in bytes (default DEFAULT_PART_SIZE). */
  partSize?: number;
  signal?: AbortSignal;
  /** Who stages (default: prefix `s3`, "the S3 location"). */
  by?: StagedBy;
}

/** hexToBase64 turns a hex digest into the base64 form S3 checksums use. */
export function hexToBase64(hex: string): string {
  return Buffer.from(hex, 'hex').toString('base64');
}

function mib(n: number): string {
  return `${(n / (1024 * 1024)).toFixed(1)} MiB`;
}

/** s3Error turns an S3 failure into a message naming the bucket, the key and the fix. */
export function s3Error(
  op: string,
  bucket: string,
  key: string,
  err: unknown,
  by: StagedBy = NEUTRAL,
): ActionError {
  const code = awsErrorCode(err);
  const status = httpStatusOf(err);
  const where = `s3://${bucket}/${key}`;
  if (code === 'NoSuchBucket') {
    return new ActionError(
      `${by.label}: S3 bucket "${bucket}" does not exist (${op} ${where}); create it or fix ${by.keys}`,
    );
  }
  const credentials = credentialsProblem(err);
  if (credentials) return new ActionError(`${by.label}: S3 ${op} ${where} failed: ${credentials}`);
  if (code === 'AccessDenied' || code === 'Forbidden' || status === 403) {
    return new ActionError(
      `${by.label}: S3 denied ${op} on ${where} (${code ?? 'HTTP 403'}); the workflow's role needs s3:PutObject and s3:GetObject on arn:aws:s3:::${bucket}/${key} (and s3:ListBucket on arn:aws:s3:::${bucket})`,
    );
  }
  return new ActionError(
    `${by.label}: S3 ${op} ${where} failed: ${code ? `${code}: ` : ''}${errorMessage(err)}`,
  );
}

/** objectHasSha reports whether the object exists holding these bytes (our metadata or a full-object checksum). */
async function objectHasSha(
  client: S3Client,
  bucket: string,
  key: string,
  sha256: string,
  signal: AbortSignal | undefined,
  by: StagedBy,
): Promise<boolean> {
  try {
    const head = await client.send(
      new HeadObjectCommand({ Bucket: bucket, Key: key, ChecksumMode: 'ENABLED' }),
      signal ? { abortSignal: signal } : {},
    );
    if (head.Metadata?.[SHA256_METADATA_KEY]?.toLowerCase() === sha256.toLowerCase()) return true;
    return head.ChecksumSHA256 !== undefined && head.ChecksumSHA256 === hexToBase64(sha256);
  } catch (err) {
    // 404: not there (or no bucket: the upload says which). 403 without s3:ListBucket also means "maybe
    // not there"; the upload then tells whether we may write.
    const status = httpStatusOf(err);
    if (status === 404 || status === 403) return false;
    const code = awsErrorCode(err);
    if (code === 'NotFound' || code === 'NoSuchKey' || code === 'NoSuchBucket') return false;
    throw s3Error('HeadObject', bucket, key, err, by);
  }
}

/**
 * stageToS3 puts a local file at an s3:// URI unless the object there already has the same SHA-256
 * (x-amz-meta-sha256, or a full-object SHA-256 checksum). Files larger than the part size go up as a
 * multipart upload with progress lines; the SHA-256 is stored as metadata either way.
 */
export async function stageToS3(opts: StageToS3Options): Promise<{ s3Uri: string; uploaded: boolean }> {
  const by = opts.by ?? NEUTRAL;
  const loc = parseS3Uri(opts.uri);
  if (!loc || loc.key === '') {
    throw new ActionError(`${by.label}: "${opts.uri}" is not an s3://bucket/key location`);
  }
  const { bucket, key } = loc;
  const s3Uri = `s3://${bucket}/${key}`;
  if (await objectHasSha(opts.client, bucket, key, opts.sha256, opts.signal, by)) {
    opts.log?.(
      `${by.label}: ${s3Uri} already holds this file (sha256 ${opts.sha256.slice(0, 12)}…); not uploading`,
    );
    return { s3Uri, uploaded: false };
  }
  const size = (await stat(opts.jarPath)).size;
  const partSize = Math.max(5 * 1024 * 1024, opts.partSize ?? DEFAULT_PART_SIZE);
  const multipart = size > partSize;
  const upload = new Upload({
    client: opts.client,
    partSize,
    queueSize: 4,
    leavePartsOnError: false,
    params: {
      Bucket: bucket,
      Key: key,
      Body: createReadStream(opts.jarPath),
      ContentLength: size,
      ContentType: key.endsWith('.jar') ? 'application/java-archive' : 'application/octet-stream',
      Metadata: { [SHA256_METADATA_KEY]: opts.sha256 },
      // One PUT carries the digest we already have, so S3 rejects corrupted bytes; parts get their own.
      ...(multipart
        ? { ChecksumAlgorithm: 'SHA256' as const }
        : { ChecksumSHA256: hexToBase64(opts.sha256) }),
    },
  });
  const onAbort = () => void upload.abort().catch(() => undefined);
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  if (multipart) {
    let lastTenth = -1;
    upload.on('httpUploadProgress', (p) => {
      const tenth = Math.floor(((p.loaded ?? 0) / size) * 10);
      if (tenth > lastTenth) {
        lastTenth = tenth;
        opts.log?.(`${by.label}: uploading ${s3Uri}: ${tenth * 10}% (${mib(p.loaded ?? 0)} of ${mib(size)})`);
      }
    });
  }
  opts.log?.(
    `${by.label}: uploading ${mib(size)} to ${s3Uri}${multipart ? ` in ${Math.ceil(size / partSize)} parts` : ''}`,
  );
  try {
    await upload.done();
  } catch (err) {
    if (opts.signal?.aborted) throw opts.signal.reason ?? err;
    throw s3Error('PutObject', bucket, key, err, by);
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
  }
  return { s3Uri, uploaded: true };
}
