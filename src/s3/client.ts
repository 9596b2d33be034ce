// The S3 client both targets stage with: the standard credential chain (or an injected provider), the
// region from config or environment, and S3-compatible stores (moto, MinIO) through an endpoint override.
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';

/** S3ClientOptions is what a target knows about the store; everything else comes from the environment. */
export interface S3ClientOptions {
  /** Region (default AWS_REGION, then AWS_DEFAULT_REGION; the SDK's own chain after that). */
  region?: string;
  /**
   * Endpoint of an S3-compatible store (default AWS_ENDPOINT_URL_S3, then AWS_ENDPOINT_URL; none: AWS).
   */
  endpoint?: string;
  /** Path-style addressing (default: on exactly when an endpoint is set, as local stores need it). */
  forcePathStyle?: boolean;
  /**
   * Credentials (default: the SDK's standard chain: env, web identity (GitHub OIDC), shared files, ECS,
   * IMDS). The seam for a provider that renews itself, e.g. one that re-assumes a role near expiry.
   */
  credentials?: S3ClientConfig['credentials'];
  /** Attempts per call including the first (default 6, adaptive retry: throttling slows the client down). */
  maxAttempts?: number;
}

/** s3Endpoint is the endpoint override in effect: the option, else AWS_ENDPOINT_URL_S3, else AWS_ENDPOINT_URL. */
export function s3Endpoint(
  opts: Pick<S3ClientOptions, 'endpoint'>,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  return opts.endpoint || env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL || undefined;
}

/** createS3Client builds the client: see S3ClientOptions for each default. */
export function createS3Client(opts: S3ClientOptions = {}, env: NodeJS.ProcessEnv = process.env): S3Client {
  const region = opts.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  const endpoint = s3Endpoint(opts, env);
  // An endpoint override is a local S3 (moto, MinIO): bucket names are not resolvable host names there.
  const forcePathStyle = opts.forcePathStyle ?? endpoint !== undefined;
  return new S3Client({
    ...(region ? { region } : {}),
    ...(endpoint ? { endpoint } : {}),
    ...(forcePathStyle ? { forcePathStyle: true } : {}),
    ...(opts.credentials ? { credentials: opts.credentials } : {}),
    retryMode: 'adaptive',
    maxAttempts: opts.maxAttempts ?? 6,
  });
}
