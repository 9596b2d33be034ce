// The bundled action (dist/) as a runner runs it, for the emr-action-* files: S3 on moto, EMR on the double
// (test/helpers/fake-emr.ts), a workspace copying examples/etl-app's deploy config, and the readers of what
// the runs did. fake, motoS3 and runs are set by useEmrAction's hooks and run(); the tests read them through
// ES module live bindings.
import { createHash, randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, expect } from 'vitest';
import { BUCKET, clusterId, dir, MOTO, REGION } from './emr-e2e.js';
import { emrDoubleEnv } from './emr-env.js';
import { type FakeEmr, startFakeEmr } from './fake-emr.js';
import { goodEntries } from './jar-fixtures.js';
import { type ActionRun, type ActionRunOptions, annotations, runAction } from './run-action.js';
import { writeZip } from './zip-writer.js';

export const root = resolve(new URL('../..', import.meta.url).pathname);
export const SHA = 'c0ffee1234567890c0ffee1234567890c0ffee12';
export const JAR_KEY = `jars/${SHA}/etl-pipeline-assembly.jar`;
export const CONFIG_KEY = `configs/${SHA}/production.json`;
export let fake: FakeEmr;
export let motoS3: S3Client;
export let runs = 0;
export const logUri = `s3://${BUCKET}/logs/`;

/** useEmrAction registers the hooks of a bundled-action describe: the EMR double, the test's own moto client. */
export function useEmrAction(): void {
  beforeAll(async () => {
    fake = await startFakeEmr();
    // The test's own view of moto, independent of the environment the action runs with.
    motoS3 = new S3Client({
      region: REGION,
      endpoint: MOTO,
      forcePathStyle: true,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    });
  });
  afterAll(async () => {
    await fake.close();
  });
}

/**
 * workspace copies examples/etl-app's deploy config (environment production, target emr) with the bucket
 * and the cluster replaced, its production config file, and a generated JAR whose Main-Class is
 * com.etl.Main (no sbt: the `jar` input names it).
 */
export function workspace(cluster: { name: string } | { transient: true }): { ws: string; jar: string } {
  const ws = mkdtempSync(join(dir, 'ws-'));
  let config = readFileSync(join(root, 'examples/etl-app/.github/spark-deploy.yml'), 'utf8').replaceAll(
    'acme-etl-artifacts',
    BUCKET,
  );
  const line = '      clusterName: etl-production\n';
  expect(config).toContain(line);
  config = config.replace(
    line,
    'name' in cluster
      ? `      clusterName: ${cluster.name}\n`
      : [
          '      cluster:',
          '        releaseLabel: emr-7.5.0',
          `        logUri: "${logUri}"`,
          '        instanceGroups:',
          '          - { role: MASTER, instanceType: m5.xlarge, count: 1 }',
          '          - { role: CORE, instanceType: m5.xlarge, count: 2 }',
          '          - { role: TASK, instanceType: m5.xlarge, count: 2, market: SPOT }',
          '        idleTimeoutSeconds: 1800',
          '',
        ].join('\n'),
  );
  mkdirSync(join(ws, '.github'), { recursive: true });
  writeFileSync(join(ws, '.github/spark-deploy.yml'), config);
  mkdirSync(join(ws, 'configs'), { recursive: true });
  copyFileSync(join(root, 'examples/etl-app/configs/production.json'), join(ws, 'configs/production.json'));
  mkdirSync(join(ws, 'target'), { recursive: true });
  const jarPath = join(ws, 'target/etl-pipeline-assembly-1.0.0.jar');
  writeZip(jarPath, goodEntries());
  return { ws, jar: jarPath };
}

/** existingCluster adds a WAITING cluster with a log URI to the double under a unique name. */
export function existingCluster(): { id: string; name: string } {
  const c = { id: clusterId(), name: `etl-production-${randomBytes(3).toString('hex')}` };
  fake.addCluster({ ...c, logUri });
  return c;
}

/** run runs the bundled action (main, then post) as a push to main, with the SDK's standard environment. */
export async function run(
  ws: string,
  inputs: Record<string, string>,
  opts: Partial<ActionRunOptions> & {
    env?: Record<string, string>;
    inspect?: (r: ActionRun) => void;
  } = {},
): Promise<ActionRun> {
  runs++;
  const r = await runAction({
    workspace: ws,
    ...opts,
    inputs: { environment: 'production', 'timeout-minutes': '2', ...inputs },
    env: { ...awsEnv(), ...opts.env },
  });
  opts.inspect?.(r);
  // Its temp dir (GITHUB_OUTPUT, GITHUB_STATE, the summary, RUNNER_TEMP) has been read into `r`.
  rmSync(r.dir, { recursive: true, force: true });
  return r;
}
/** awsEnv is the SDK's standard environment (S3 on moto, EMR on the double) plus the commit. */
export function awsEnv(): Record<string, string> {
  return emrDoubleEnv({ region: REGION, moto: MOTO, emr: fake.endpoint, sha: SHA, runId: 9000 + runs });
}
export const deploy = (ws: string, jar: string, extra: Record<string, string> = {}, opts = {}) =>
  run(ws, { stages: 'verify,deploy', jar, ...extra }, opts);

export const stepsOf = (id: string) => fake.clusters.get(id)?.steps ?? [];
export const ops = (op: string) => fake.requests.filter((r) => r.op === op);
export const text = (r: ActionRun) =>
  `${r.stdout}\n${r.stderr}\n--- post ---\n${r.post.stdout}${r.post.stderr}`;
/** deployAbortedWhenRunning runs the bundled action and sends it SIGTERM once it logs the step RUNNING. */
export async function deployAbortedWhenRunning(ws: string, jarPath: string) {
  const ac = new AbortController();
  let seen = '';
  const r = await deploy(
    ws,
    jarPath,
    {},
    {
      signal: ac.signal,
      onOutput: (t: string) => {
        seen += t;
        if (seen.includes('state: RUNNING')) ac.abort();
      },
    },
  );
  expect(ac.signal.aborted, text(r)).toBe(true);
  return r;
}
export const errorsOf = (r: ActionRun) =>
  annotations(r.stdout)
    .filter((a) => a.level === 'error')
    .map((a) => a.message);
export const head = (key: string) => motoS3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
export const sha256Of = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
export const consoleUrl = (id: string) =>
  `https://${REGION}.console.aws.amazon.com/emr/home?region=${REGION}#/clusterDetails/${id}`;
