// The shared setup of the EMR end-to-end files (emr-moto, emr-double, emr-action-*): moto
// (scripts/local-moto.sh) as the S3 and the EMR request-shape check, the SDK's standard environment pointed
// at it, a temp dir with a JAR, a fresh bucket, and the deploy plan the target-module tests submit. dir, jar,
// artifact and s3 are set by useEmrWorkspace's beforeAll: the tests read them through ES module live
// bindings, so they see the values once the hook has run.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll } from 'vitest';
import type { DeployConfig } from '../../src/plan/plan.js';
import type { Artifact } from '../../src/stage.js';
import { defaultClients } from '../../src/targets/emr/deps.js';
import type { EmrDeps } from '../../src/targets/emr/index.js';
import type { DeployPlan, Status } from '../../src/targets/target.js';
import { component, httpOk } from './components.js';

export const MOTO = `http://127.0.0.1:${process.env.LOCAL_MOTO_PORT ?? '5055'}`;
export const motoUp = component(
  'moto server',
  // S3 ListBuckets: cheap. /moto-api/data.json serialises every backend and fails on some moto models.
  () => httpOk(`${MOTO}/`),
  `nothing answers at ${MOTO}; start it with scripts/local-moto.sh start`,
);

export const REGION = 'us-east-1';
export const BUCKET = `sda-e2e-${randomBytes(4).toString('hex')}`;
export const saved: Record<string, string | undefined> = {};
export const ENV: Record<string, string | undefined> = {
  // Fake credentials for the emulators only, through the SDK's standard chain.
  AWS_ACCESS_KEY_ID: 'testing',
  AWS_SECRET_ACCESS_KEY: 'testing',
  AWS_SESSION_TOKEN: 'testing',
  AWS_REGION: REGION,
  AWS_DEFAULT_REGION: REGION,
  AWS_ENDPOINT_URL: MOTO,
  AWS_ENDPOINT_URL_S3: MOTO,
  AWS_ENDPOINT_URL_EMR: undefined,
  AWS_PROFILE: undefined,
  AWS_CONFIG_FILE: '/dev/null',
  AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
  AWS_EC2_METADATA_DISABLED: 'true',
};
export function setEnv(vars: Record<string, string | undefined>) {
  for (const [k, v] of Object.entries(vars)) {
    if (!(k in saved)) saved[k] = process.env[k];
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
}

export let dir = '';
export function file(name: string, bytes: Buffer): { path: string; sha256: string } {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return { path, sha256: createHash('sha256').update(bytes).digest('hex') };
}

export const quiet = { info: () => undefined, warning: () => undefined, debug: () => undefined };
export const fast: Partial<EmrDeps> = {
  backoff: { initialMs: 20, maxMs: 100, factor: 1.5 },
  errorBackoff: { initialMs: 20, maxMs: 200, factor: 2 },
  logFetchDelaysMs: [0, 50],
  interruptedGraceMs: 200,
  log: quiet,
};

export function plan(
  emr: DeployConfig['emr'],
  app: Partial<DeployConfig['app']> = {},
  runId = '77',
): DeployPlan {
  return {
    command: 'deploy',
    stages: ['deploy'],
    workspace: dir,
    workingDirectory: dir,
    sbtTasks: [],
    javaRelease: 17,
    wait: true,
    timeoutMs: 120_000,
    cancelOnAbort: true,
    dryRun: false,
    target: 'emr',
    environment: 'e2e',
    config: {
      target: 'emr',
      app: { name: 'etl-pipeline', mainClass: 'com.etl.Main', mode: 'batch', healthyAfter: 60, ...app },
      spark: {
        version: '3.5.6',
        scalaVersion: '2.12',
        javaRelease: 17,
        executor: { memory: '4g', cores: 2 },
        dynamicAllocation: { enabled: true, maxExecutors: 10 },
      },
      emr,
    },
    context: {
      workspace: dir,
      sha: 'abc1234def5678',
      ref: 'refs/heads/main',
      refName: 'main',
      runId,
      runAttempt: '1',
      serverUrl: 'https://github.com',
      apiUrl: 'https://api.github.com',
      eventName: 'push',
    },
    secrets: [],
  };
}

export async function collect(
  it: AsyncIterable<Status>,
  stopAfter = Number.POSITIVE_INFINITY,
): Promise<Status[]> {
  const out: Status[] = [];
  for await (const s of it) {
    out.push(s);
    if (out.length >= stopAfter) break;
  }
  return out;
}

export let jar: { path: string; sha256: string };
export let artifact: Artifact;
export let s3: S3Client;

/** clusterId is a fresh EMR-shaped cluster id (j- and 13 of [0-9A-Z]). */
export function clusterId(): string {
  return `j-${randomBytes(7).toString('hex').toUpperCase().slice(0, 13)}`;
}

/**
 * useEmrWorkspace registers the hooks of the files' outer describe: a temp dir with the JAR, and the bucket
 * on moto (created with the emulators' environment, which is then put back).
 */
export function useEmrWorkspace(): void {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'emr-e2e-'));
    jar = file('etl-pipeline-assembly-1.0.0.jar', randomBytes(64 * 1024));
    artifact = {
      jarPath: jar.path,
      jarDisplayPath: 'target/etl-pipeline-assembly-1.0.0.jar',
      sizeBytes: 64 * 1024,
      sha256: jar.sha256,
      mainClass: 'com.etl.Main',
    };
    setEnv(ENV);
    s3 = defaultClients(REGION).s3;
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    setEnv(saved);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
}
