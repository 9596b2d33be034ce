// The EMR target's edges, injected so tests pass fakes: AWS clients, time, randomness, logging.
import { EMRClient } from '@aws-sdk/client-emr';
import type { S3Client } from '@aws-sdk/client-s3';
import type { AwsCredentialIdentityProvider } from '@aws-sdk/types';
import { oidcRoleCredentials } from '../../aws/oidc-credentials.js';
import { createS3Client } from '../../s3/client.js';
import { type Backoff, type Clock, systemClock } from '../../util/poll.js';
import * as runner from '../../util/runner.js';
import type { DeployPlan, Handle } from '../target.js';

/** Logger is where the target reports progress. */
export interface Logger {
  info(message: string): void;
  warning(message: string): void;
  debug(message: string): void;
}

/** EmrDeps are the target's edges. Every field has a default (see withDefaults). */
export interface EmrDeps {
  /** EMR client (default: from the standard credential chain, region from emr.region or AWS_REGION, adaptive retry). */
  emr?: EMRClient;
  /** S3 client (default: as emr). */
  s3?: S3Client;
  /**
   * EMR client for AddJobFlowSteps and RunJobFlow (default: `emr` when injected, else one without SDK
   * retries): a retried mutation after a lost answer would add a second step, so the target retries those
   * itself, looking for what landed first.
   */
  emrWrite?: EMRClient;
  /** Time and sleep (default: the system clock). */
  clock: Clock;
  /** Uniform [0, 1) for backoff jitter (default Math.random). */
  random: () => number;
  /** Progress output (default: the runner's log). */
  log: Logger;
  /** The Plan, for a target that did not submit in this process (post-step cancel, status, cleanup). */
  plan?: DeployPlan;
  /** Called the moment a step id exists, before submit() returns (save it as state here). */
  onHandle?: (handle: Handle) => void;
  /**
   * Step polling pace (default 2 s growing ×1.5 to 30 s, with jitter): a step that dies at once (a wrong
   * class, a missing JAR) is reported within seconds, and a long one is polled every 30 s.
   */
  backoff: Backoff;
  /** Pace after throttling or a transient error (default 2 s growing ×2 to 60 s, with jitter). */
  errorBackoff: Backoff;
  /** How long INTERRUPTED may last before it counts as a failure (default 120 000 ms). */
  interruptedGraceMs: number;
  /** Waits before each try to read the step's stderr.gz, which reaches S3 minutes late (default [0, 15 s, 30 s]). */
  logFetchDelaysMs: number[];
  /** Multipart part size for staging (default 16 MiB). */
  partSize?: number;
  /** Mints the workflow's OIDC token for `emr.auth` (default @actions/core getIDToken). */
  getIdToken: (audience: string) => Promise<string>;
}

const runnerLogger: Logger = { info: runner.info, warning: runner.warning, debug: runner.debug };

/** withDefaults fills every dependency the caller did not pass (clients stay lazy: see clientsFor). */
export function withDefaults(partial: Partial<EmrDeps> = {}): EmrDeps {
  return {
    ...partial,
    clock: partial.clock ?? systemClock,
    random: partial.random ?? Math.random,
    log: partial.log ?? runnerLogger,
    backoff: partial.backoff ?? { initialMs: 2000, maxMs: 30_000, factor: 1.5 },
    errorBackoff: partial.errorBackoff ?? { initialMs: 2000, maxMs: 60_000, factor: 2 },
    interruptedGraceMs: partial.interruptedGraceMs ?? 120_000,
    logFetchDelaysMs: partial.logFetchDelaysMs ?? [0, 15_000, 30_000],
    getIdToken: partial.getIdToken ?? ((audience) => runner.getIDToken(audience)),
  };
}

/**
 * defaultClients builds real clients: credentials from the standard chain (OIDC in workflows) or, with
 * `emr.auth`, the role assumed with the workflow's OIDC token and renewed before it expires; region from the
 * config else AWS_REGION / AWS_DEFAULT_REGION, AWS_ENDPOINT_URL honoured by the SDK itself, and adaptive
 * retry so throttling slows the client down instead of failing it.
 */
export function defaultClients(
  region: string | undefined,
  credentials?: AwsCredentialIdentityProvider,
): {
  emr: EMRClient;
  emrWrite: EMRClient;
  s3: S3Client;
} {
  const r = region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  const common = {
    ...(r ? { region: r } : {}),
    ...(credentials ? { credentials } : {}),
    retryMode: 'adaptive',
    maxAttempts: 6,
  } as const;
  return {
    emr: new EMRClient(common),
    emrWrite: new EMRClient({ ...common, maxAttempts: 1 }),
    s3: createS3Client({ ...(r ? { region: r } : {}), ...(credentials ? { credentials } : {}) }),
  };
}

/** credentialsFor is the renewing OIDC provider of `emr.auth`, or undefined for the standard chain. */
export function credentialsFor(
  deps: EmrDeps,
  plan: DeployPlan | undefined,
  region: string | undefined,
): AwsCredentialIdentityProvider | undefined {
  const auth = plan?.config.emr?.auth;
  if (!auth) return undefined;
  const r = region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  return oidcRoleCredentials(auth, {
    getIdToken: deps.getIdToken,
    setSecret: (v) => runner.setSecret(v),
    ...(r ? { region: r } : {}),
    log: (l) => deps.log.info(l),
  });
}
