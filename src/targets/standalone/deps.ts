import { spawn as nodeSpawn } from 'node:child_process';
import type { S3Client } from '@aws-sdk/client-s3';
import { createS3Client, type S3ClientOptions } from '../../s3/client.js';
import type { FetchLike } from '../../util/http.js';
import { type Backoff, type Clock, systemClock } from '../../util/poll.js';
import * as core from '../../util/runner.js';
import type { DeployPlan, Handle } from '../target.js';
import { defaultSparkSubmit, type SparkVersion } from './provision.js';
import type { SparkSubmitCommand } from './spark-client.js';
import type { SpawnFn } from './spark-submit.js';

/** Logger is where the target reports progress; it never receives sparkProperties values or header values. */
export interface Logger {
  info(message: string): void;
  warning(message: string): void;
  debug(message: string): void;
}

/** StandaloneDeps are the target's edges, injected so tests use fakes. Every field has a default. */
export interface StandaloneDeps {
  /** HTTP client (default: global fetch). */
  fetch: FetchLike;
  /** Time and sleep (default: the system clock). */
  clock: Clock;
  /**
   * The S3 client for `jar.stage: s3` (default createS3Client: the standard credential chain, endpoint and
   * region from the config or the environment). Pass a factory to give it other credentials.
   */
  s3Client: (opts: S3ClientOptions) => S3Client;
  /** Runs spark-submit for `mode: spark-submit` (default: node:child_process). */
  spawn: SpawnFn;
  /** Progress output (default: the runner's log). */
  log: Logger;
  /** The spark-submit to run (default: PATH, then SPARK_HOME, else the pinned client provisioned; provision.ts). */
  sparkSubmit: (spark: SparkVersion) => Promise<SparkSubmitCommand>;
  /**
   * The Plan, for a target that did not submit in this process (the post step's cancel, `command: status`):
   * it supplies standalone.headers, the masters and web UI for `find`. submit() sets it too.
   */
  plan?: DeployPlan;
  /** Called the moment a submission id exists, before submit() returns (save it as state here). */
  onHandle?: (handle: Handle) => void;
  /** Timeout of one HTTP request (default 10 000 ms, as Spark's own client). */
  requestTimeoutMs: number;
  /** Status polling pace (default 1 s growing ×1.5 to 10 s). */
  backoff: Backoff;
  /** After a create got no answer, how long to let it land before looking for it in /json/ (default 2000 ms). */
  createSettleMs: number;
  /** Consecutive failed status polls tolerated before giving up (default 8). */
  maxPollFailures: number;
}

/** spawnProcess runs a program, collecting its output; it rejects only when it cannot start. */
export const spawnProcess: SpawnFn = (command, args, opts) =>
  new Promise((resolvePromise, reject) => {
    const child = nodeSpawn(command, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.on('error', (err) => {
      if (opts.signal?.aborted) resolvePromise({ exitCode: null, stdout, stderr });
      else reject(err);
    });
    child.on('close', (code) => resolvePromise({ exitCode: code, stdout, stderr }));
  });

const coreLogger: Logger = { info: core.info, warning: core.warning, debug: core.debug };

/** withDefaults fills every dependency the caller did not pass. */
export function withDefaults(partial: Partial<StandaloneDeps> = {}): StandaloneDeps {
  const fetchFn: FetchLike = partial.fetch ?? ((input, init) => fetch(input, init));
  const log = partial.log ?? coreLogger;
  return {
    fetch: fetchFn,
    clock: partial.clock ?? systemClock,
    spawn: partial.spawn ?? spawnProcess,
    s3Client: partial.s3Client ?? ((opts) => createS3Client(opts)),
    log,
    // The client's jars come from Maven Central: the global fetch, not the one injected for the master.
    sparkSubmit:
      partial.sparkSubmit ??
      ((spark) => defaultSparkSubmit(spark, { fetch: (i, n) => fetch(i, n), log: log.info })),
    ...(partial.plan ? { plan: partial.plan } : {}),
    ...(partial.onHandle ? { onHandle: partial.onHandle } : {}),
    requestTimeoutMs: partial.requestTimeoutMs ?? 10_000,
    backoff: partial.backoff ?? { initialMs: 1000, maxMs: 10_000, factor: 1.5 },
    createSettleMs: partial.createSettleMs ?? 2000,
    maxPollFailures: partial.maxPollFailures ?? 8,
  };
}
