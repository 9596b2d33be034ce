// Classifying AWS SDK errors: what backs off, what fails the deploy, what is ambiguous.

interface AwsErrorLike {
  name?: string;
  Code?: string;
  code?: string;
  $retryable?: { throttling?: boolean };
  $metadata?: { httpStatusCode?: number };
}

const THROTTLING = new Set([
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'RequestThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'SlowDown',
  'ProvisionedThroughputExceededException',
]);

const TRANSIENT = new Set([
  'InternalServerException',
  'InternalServerError',
  'InternalFailure',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENOTFOUND',
]);

/** awsErrorCode is the service's error code (the exception name), if the error carries one. */
export function awsErrorCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as AwsErrorLike;
  return e.Code ?? e.code ?? e.name;
}

/** httpStatusOf is the HTTP status of a failed AWS call, when there was a response. */
export function httpStatusOf(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  return (err as AwsErrorLike).$metadata?.httpStatusCode;
}

/** isThrottling tells whether the service asked us to slow down. */
export function isThrottling(err: unknown): boolean {
  const code = awsErrorCode(err);
  return (
    (code !== undefined && THROTTLING.has(code)) ||
    (err as AwsErrorLike | null)?.$retryable?.throttling === true ||
    httpStatusOf(err) === 429
  );
}

const EXPIRED = new Set(['ExpiredToken', 'ExpiredTokenException', 'TokenRefreshRequired']);

/** isExpiredCredentials tells whether a call failed because the session credentials expired. */
export function isExpiredCredentials(err: unknown): boolean {
  const code = awsErrorCode(err);
  return code !== undefined && EXPIRED.has(code);
}

/** isTransient tells whether a call failed for a reason that passes: throttling, 5xx, network. */
export function isTransient(err: unknown): boolean {
  if (isThrottling(err)) return true;
  const status = httpStatusOf(err);
  if (status !== undefined && status >= 500) return true;
  const code = awsErrorCode(err);
  return code !== undefined && TRANSIENT.has(code);
}

/**
 * isAmbiguous tells whether a mutating call may have taken effect although it failed: a 5xx, a timeout or
 * a lost connection. A 4xx answer (throttling included) means the request was refused as a whole.
 */
export function isAmbiguous(err: unknown): boolean {
  const status = httpStatusOf(err);
  if (status !== undefined && status < 500) return false;
  if (isThrottling(err)) return false;
  return !(typeof err === 'object' && err !== null && (err as AwsErrorLike).name === 'AbortError');
}

/** Codes an AWS service answers when the request's credentials themselves are wrong (not their permissions). */
const BAD_CREDENTIALS = new Set([
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'InvalidToken',
]);

/**
 * credentialsProblem says what is wrong with the runner's AWS credentials when that, not a permission, made a
 * call fail: none found by the SDK's chain, keys the service does not know, or expired session credentials.
 */
export function credentialsProblem(err: unknown): string | undefined {
  const code = awsErrorCode(err);
  if (code === 'CredentialsProviderError')
    return 'no AWS credentials were found on the runner (environment, profile, web identity, instance role): add aws-actions/configure-aws-credentials before this step, with `permissions: id-token: write` for its OIDC role';
  if (code !== undefined && BAD_CREDENTIALS.has(code))
    return `the AWS credentials on the runner are not valid (${code}): the access key is unknown or the secret does not match it; check the step that sets them (aws-actions/configure-aws-credentials, or AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN)`;
  if (isExpiredCredentials(err))
    return `the AWS session credentials on the runner have expired (${code}): assume the role later in the job or for longer (role-duration-seconds of aws-actions/configure-aws-credentials)`;
  return undefined;
}
