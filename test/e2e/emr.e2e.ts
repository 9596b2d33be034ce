// EMR target end to end with the real AWS SDK clients (default credential chain, AWS_ENDPOINT_URL_*):
// - moto server (scripts/local-moto.sh) is the S3 (real signing, multipart, checksums, error shapes) and
//   the request-shape check for RunJobFlow / AddJobFlowSteps / DescribeCluster / ListClusters / ListSteps /
//   DescribeStep;
// - test/helpers/fake-emr.ts is the EMR for what moto does not do (docs/protocols.md 3.6): steps that finish,
//   FailureDetails, CancelSteps, termination after failure, throttling bursts, an ambiguous 500, the
//   persistent Spark UI.
// The last block runs the bundled action (dist/, `npm run bundle` first) the way a runner does, with the
// SDK's standard environment: S3 on moto, EMR on the double, a copy of examples/etl-app's deploy config.
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import {
  DescribeClusterCommand,
  DescribeStepCommand,
  EMRClient,
  ListStepsCommand,
  RunJobFlowCommand,
  TerminateJobFlowsCommand,
} from '@aws-sdk/client-emr';
import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { DeployConfig } from '../../src/plan/plan.js';
import { stageToS3 } from '../../src/s3/stage.js';
import type { Artifact } from '../../src/stage.js';
import { defaultClients } from '../../src/targets/emr/deps.js';
import { createEmrTarget, type EmrDeps } from '../../src/targets/emr/index.js';
import { findStepByName } from '../../src/targets/emr/submit.js';
import type { DeployPlan, Handle, Status } from '../../src/targets/target.js';
import { systemClock } from '../../src/util/poll.js';
import { canary, leaks } from '../helpers/canary.js';
import { component, httpOk } from '../helpers/components.js';
import { type FakeEmr, startFakeEmr } from '../helpers/fake-emr.js';
import { type FakeGitHub, startFakeGitHub } from '../helpers/fake-github.js';
import { goodEntries } from '../helpers/jar-fixtures.js';
import {
  type ActionRun,
  type ActionRunOptions,
  actionNode,
  annotations,
  runAction,
} from '../helpers/run-action.js';
import { writeZip } from '../helpers/zip-writer.js';

const MOTO = `http://127.0.0.1:${process.env.LOCAL_MOTO_PORT ?? '5055'}`;
const motoUp = component(
  'moto server',
  // S3 ListBuckets: cheap. /moto-api/data.json serialises every backend and fails on some moto models.
  () => httpOk(`${MOTO}/`),
  `nothing answers at ${MOTO}; start it with scripts/local-moto.sh start`,
);

const REGION = 'us-east-1';
const BUCKET = `sda-e2e-${randomBytes(4).toString('hex')}`;
const saved: Record<string, string | undefined> = {};
const ENV: Record<string, string | undefined> = {
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
function setEnv(vars: Record<string, string | undefined>) {
  for (const [k, v] of Object.entries(vars)) {
    if (!(k in saved)) saved[k] = process.env[k];
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
}

let dir = '';
function file(name: string, bytes: Buffer): { path: string; sha256: string } {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return { path, sha256: createHash('sha256').update(bytes).digest('hex') };
}

const quiet = { info: () => undefined, warning: () => undefined, debug: () => undefined };
const fast: Partial<EmrDeps> = {
  backoff: { initialMs: 20, maxMs: 100, factor: 1.5 },
  errorBackoff: { initialMs: 20, maxMs: 200, factor: 2 },
  logFetchDelaysMs: [0, 50],
  interruptedGraceMs: 200,
  log: quiet,
};

function plan(emr: DeployConfig['emr'], app: Partial<DeployConfig['app']> = {}, runId = '77'): DeployPlan {
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

async function collect(it: AsyncIterable<Status>, stopAfter = Number.POSITIVE_INFINITY): Promise<Status[]> {
  const out: Status[] = [];
  for await (const s of it) {
    out.push(s);
    if (out.length >= stopAfter) break;
  }
  return out;
}

let jar: { path: string; sha256: string };
let artifact: Artifact;
let s3: S3Client;

/** clusterId is a fresh EMR-shaped cluster id (j- and 13 of [0-9A-Z]). */
function clusterId(): string {
  return `j-${randomBytes(7).toString('hex').toUpperCase().slice(0, 13)}`;
}

describe.skipIf(!motoUp)('EMR', () => {
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

  describe('target module against moto (S3 + EMR request shapes)', () => {
    beforeAll(() => setEnv(ENV));
    afterAll(() => setEnv(saved));

    test('S3: uploads once with the SHA-256 as metadata and checksum; the same bytes again upload nothing', async () => {
      const uri = `s3://${BUCKET}/jars/abc1234/app.jar`;
      expect(await stageToS3({ client: s3, jarPath: jar.path, sha256: jar.sha256, uri })).toEqual({
        s3Uri: uri,
        uploaded: true,
      });
      const head = await s3.send(
        new HeadObjectCommand({ Bucket: BUCKET, Key: 'jars/abc1234/app.jar', ChecksumMode: 'ENABLED' }),
      );
      expect(head.Metadata?.sha256).toBe(jar.sha256);
      // moto keeps the x-amz-checksum-sha256 the PUT carried but does not return it on HEAD: the metadata
      // is what makes the second upload a no-op here (unit tests cover the checksum path).
      expect(await stageToS3({ client: s3, jarPath: jar.path, sha256: jar.sha256, uri })).toEqual({
        s3Uri: uri,
        uploaded: false,
      });
      const other = file('other.jar', randomBytes(1024));
      expect((await stageToS3({ client: s3, jarPath: other.path, sha256: other.sha256, uri })).uploaded).toBe(
        true,
      );
    });

    test('S3: a large file goes up in parts with progress lines, then is skipped', async () => {
      const big = file('big.jar', randomBytes(11 * 1024 * 1024 + 17));
      const uri = `s3://${BUCKET}/jars/big.jar`;
      const lines: string[] = [];
      const opts = { client: s3, jarPath: big.path, sha256: big.sha256, uri, partSize: 5 * 1024 * 1024 };
      expect((await stageToS3({ ...opts, log: (l) => lines.push(l) })).uploaded).toBe(true);
      expect(lines[0]).toMatch(/uploading 11\.0 MiB to .* in 3 parts/);
      expect(
        lines.some((l) => /100% \(11\.0 MiB of 11\.0 MiB\)/.test(l)),
        lines.join('\n'),
      ).toBe(true);
      expect((await stageToS3(opts)).uploaded).toBe(false);
    });

    test('S3: a missing bucket is named in the error (moto error shape)', async () => {
      const missing = `${BUCKET}-missing`;
      await expect(
        stageToS3({ client: s3, jarPath: jar.path, sha256: jar.sha256, uri: `s3://${missing}/x.jar` }),
      ).rejects.toThrow(new RegExp(`S3 bucket "${missing}" does not exist`));
      // moto keeps the refused object around without its bucket, which breaks its /moto-api/data.json
      // dump for everyone sharing the server: give it the bucket afterwards.
      await s3.send(new CreateBucketCommand({ Bucket: missing }));
    });

    test('transient cluster: moto accepts the RunJobFlow request; the step is found and followed', async () => {
      const target = createEmrTarget({ ...fast });
      const p = plan({
        region: REGION,
        cluster: {
          releaseLabel: 'emr-7.5.0',
          logUri: `s3://${BUCKET}/logs/`,
          instanceGroups: [
            { role: 'MASTER', instanceType: 'm5.xlarge', count: 1 },
            { role: 'CORE', instanceType: 'm5.xlarge', count: 2 },
            { role: 'TASK', instanceType: 'm5.xlarge', count: 4, market: 'SPOT', bidPrice: '0.10' },
          ],
          bootstrapActions: [{ name: 'deps', path: `s3://${BUCKET}/bootstrap.sh`, args: ['--fast'] }],
          tags: { team: 'data' },
          idleTimeoutSeconds: 3600,
          configurations: [
            { Classification: 'spark-defaults', Properties: { 'spark.sql.adaptive.enabled': 'true' } },
          ],
        },
        s3: { jar: `s3://${BUCKET}/jars/{{sha}}/`.replace('{{sha}}', 'abc1234') },
      });
      const h = await target.submit(p, artifact, new AbortController().signal);
      expect(h.data.clusterId).toMatch(/^j-[0-9A-Z]{13}$/);
      expect(h.submissionId).toMatch(/^s-[0-9A-Z]{13}$/);
      expect(h.data).toMatchObject({ transient: 'true', region: REGION, logUri: `s3://${BUCKET}/logs/` });

      const emr = new EMRClient({});
      const cluster = (await emr.send(new DescribeClusterCommand({ ClusterId: h.data.clusterId }))).Cluster;
      expect(cluster?.Name).toBe('etl-pipeline-e2e-abc1234-77');
      expect(cluster?.Tags).toEqual(expect.arrayContaining([{ Key: 'team', Value: 'data' }]));
      const step = (
        await emr.send(new DescribeStepCommand({ ClusterId: h.data.clusterId, StepId: h.submissionId }))
      ).Step;
      expect(step?.Config?.Jar).toBe('command-runner.jar');
      expect(step?.Config?.Args?.slice(0, 3)).toEqual(['spark-submit', '--deploy-mode', 'cluster']);
      expect(step?.Config?.Args).toContain(`s3://${BUCKET}/jars/abc1234/etl-pipeline-assembly-1.0.0.jar`);
      // moto's steps never leave RUNNING/PENDING (docs/protocols.md 3.6): the first observation is all we get.
      const [first] = await collect(target.watch(h, new AbortController().signal), 1);
      expect(['PENDING', 'RUNNING']).toContain(first?.phase);
      await emr.send(new TerminateJobFlowsCommand({ JobFlowIds: [h.data.clusterId] }));
    });

    test('existing cluster by id and by name: AddJobFlowSteps, ListClusters, ListSteps shapes accepted', async () => {
      const emr = new EMRClient({});
      const name = `sda-e2e-${randomBytes(3).toString('hex')}`;
      const created = await emr.send(
        new RunJobFlowCommand({
          Name: name,
          ReleaseLabel: 'emr-7.5.0',
          LogUri: `s3://${BUCKET}/logs/`,
          Applications: [{ Name: 'Spark' }],
          // A CORE group too: moto cannot describe (or dump) a cluster without one.
          Instances: {
            InstanceGroups: [
              { InstanceRole: 'MASTER', InstanceType: 'm5.xlarge', InstanceCount: 1 },
              { InstanceRole: 'CORE', InstanceType: 'm5.xlarge', InstanceCount: 1 },
            ],
            KeepJobFlowAliveWhenNoSteps: true,
          },
          ServiceRole: 'EMR_DefaultRole',
          JobFlowRole: 'EMR_EC2_DefaultRole',
        }),
      );
      const clusterId = created.JobFlowId as string;
      const target = createEmrTarget({ ...fast });
      const byId = await target.submit(
        plan({ clusterId, s3: { jar: `s3://${BUCKET}/jars/` } }, {}, '78'),
        artifact,
        new AbortController().signal,
      );
      expect(byId.data).toMatchObject({ clusterId, transient: 'false', logUri: `s3://${BUCKET}/logs/` });
      const byName = await target.submit(
        plan({ clusterName: name, s3: { jar: `s3://${BUCKET}/jars/` } }, {}, '79'),
        artifact,
        new AbortController().signal,
      );
      expect(byName.data.clusterId).toBe(clusterId);

      const steps = (await emr.send(new ListStepsCommand({ ClusterId: clusterId }))).Steps ?? [];
      expect(steps.map((s) => s.Name)).toEqual([
        'etl-pipeline-e2e-abc1234-79',
        'etl-pipeline-e2e-abc1234-78',
      ]);
      // The adoption lookup parses moto's ListSteps (epoch-second timestamps, newest first).
      const found = await findStepByName(emr, clusterId, 'etl-pipeline-e2e-abc1234-78', Date.now() - 60_000);
      expect(found?.Id).toBe(byId.submissionId);
      const handles = await createEmrTarget({
        ...fast,
        plan: plan({ clusterId, s3: { jar: 's3://bkt/' } }),
      }).find({
        app: 'etl-pipeline',
      });
      expect(handles.map((h) => h.submissionId).sort()).toEqual(
        [byId.submissionId, byName.submissionId].sort(),
      );
      await emr.send(new TerminateJobFlowsCommand({ JobFlowIds: [clusterId] }));
    });
  });

  describe('target module against the EMR double (state progression) with moto S3', () => {
    let fake: FakeEmr;
    const logUri = () => `s3://${BUCKET}/logs/`;
    beforeAll(async () => {
      fake = await startFakeEmr();
      setEnv({ ...ENV, AWS_ENDPOINT_URL_EMR: fake.endpoint });
    });
    afterAll(async () => {
      await fake.close();
      setEnv(saved);
    });

    const existing = () => {
      const id = clusterId();
      fake.addCluster({ id, name: 'etl', logUri: logUri() });
      return id;
    };

    test('stage, add, follow to COMPLETED; a second run uploads nothing', async () => {
      const clusterId = existing();
      fake.script = [{ State: 'PENDING' }, { State: 'RUNNING' }, { State: 'COMPLETED' }];
      const lines: string[] = [];
      const target = createEmrTarget({ ...fast, log: { ...quiet, info: (l) => lines.push(l) } });
      const p = plan({ clusterId, s3: { jar: `s3://${BUCKET}/jars/run/` } });
      const h = await target.submit(p, artifact, new AbortController().signal);
      const got = await collect(target.watch(h, new AbortController().signal));
      expect(got.map((s) => s.nativeState)).toEqual(['PENDING', 'RUNNING', 'COMPLETED']);
      expect(got.at(-1)?.phase).toBe('SUCCEEDED');
      expect(lines.some((l) => l.startsWith('emr: uploading'))).toBe(true);

      lines.length = 0;
      await target.submit(
        { ...p, context: { ...p.context, runId: '80' } },
        artifact,
        new AbortController().signal,
      );
      expect(lines.some((l) => l.startsWith('emr: uploading'))).toBe(false);
      expect(lines.some((l) => l.includes('already holds this file'))).toBe(true);
      // The SDK's DescribeStep parsed epoch-second timestamps into Dates.
      expect(typeof got.at(-1)?.at).toBe('number');
    });

    test('FAILED: FailureDetails in the status, stderr tail and YARN id from the log URI', async () => {
      const clusterId = existing();
      const target = createEmrTarget({ ...fast });
      fake.script = [
        { State: 'RUNNING' },
        {
          State: 'FAILED',
          FailureDetails: {
            Reason: 'Unknown Error',
            Message: 'java.lang.RuntimeException: boom',
            LogFile: 'stderr.gz',
          },
        },
      ];
      const h = await target.submit(
        plan({ clusterId, s3: { jar: `s3://${BUCKET}/jars/run/` } }, {}, '81'),
        artifact,
        new AbortController().signal,
      );
      const stderr = [
        'INFO Client: Submitted application application_1732550000000_0042',
        'Exception in thread "main" org.apache.spark.SparkException: Application application_1732550000000_0042 finished with failed status',
      ].join('\n');
      await s3.send(
        new PutObjectCommand({
          Bucket: BUCKET,
          Key: `logs/${clusterId}/steps/${h.submissionId}/stderr.gz`,
          Body: gzipSync(stderr),
        }),
      );
      const got = await collect(target.watch(h, new AbortController().signal));
      expect(got.at(-1)).toMatchObject({
        phase: 'FAILED',
        message: 'Unknown Error: java.lang.RuntimeException: boom (log: stderr.gz)',
      });
      const tail = await target.logTail?.(h, 50);
      expect(tail).toContain('finished with failed status');
      expect(h.applicationId).toBe('application_1732550000000_0042');
    });

    test('abort: CancelSteps (SEND_INTERRUPT), the step goes CANCEL_PENDING -> CANCELLED', async () => {
      const clusterId = existing();
      fake.script = [{ State: 'RUNNING' }];
      const target = createEmrTarget({ ...fast });
      const h = await target.submit(
        plan({ clusterId, s3: { jar: `s3://${BUCKET}/jars/run/` } }, {}, '82'),
        artifact,
        new AbortController().signal,
      );
      const ac = new AbortController();
      const first = await collect(target.watch(h, ac.signal), 1);
      expect(first[0]?.phase).toBe('RUNNING');
      ac.abort();
      await target.cancel(h);
      const cancel = fake.requests.find((r) => r.op === 'CancelSteps');
      expect(cancel?.body).toEqual({
        ClusterId: clusterId,
        StepIds: [h.submissionId],
        StepCancellationOption: 'SEND_INTERRUPT',
      });
      const after = await collect(target.watch(h, new AbortController().signal));
      expect(after.map((s) => s.nativeState)).toEqual(['CANCEL_PENDING', 'CANCELLED']);
      expect(after.at(-1)?.phase).toBe('CANCELLED');
    });

    test('transient cluster: a failed step terminates the cluster', async () => {
      fake.script = [
        { State: 'PENDING' },
        { State: 'RUNNING' },
        { State: 'FAILED', FailureDetails: { Reason: 'Unknown Error' } },
      ];
      const target = createEmrTarget({ ...fast });
      const h: Handle = await target.submit(
        plan(
          {
            cluster: { releaseLabel: 'emr-7.5.0', logUri: logUri() },
            s3: { jar: `s3://${BUCKET}/jars/run/` },
          },
          {},
          '83',
        ),
        artifact,
        new AbortController().signal,
      );
      const run = fake.requests.find((r) => r.op === 'RunJobFlow');
      expect(run?.body).toMatchObject({
        Instances: { KeepJobFlowAliveWhenNoSteps: false },
        Applications: [{ Name: 'Spark' }],
      });
      const got = await collect(target.watch(h, new AbortController().signal));
      expect(got.at(-1)?.phase).toBe('FAILED');
      expect(fake.requests.filter((r) => r.op === 'TerminateJobFlows').at(-1)?.body).toEqual({
        JobFlowIds: [h.data.clusterId],
      });
      expect(fake.clusters.get(h.data.clusterId)?.State).toBe('TERMINATED');
    });

    test('a ThrottlingException burst is absorbed', async () => {
      const clusterId = existing();
      fake.script = [{ State: 'RUNNING' }, { State: 'COMPLETED' }];
      // No SDK retries here: the target's own backoff must absorb every one of them.
      const target = createEmrTarget({ ...fast, emr: new EMRClient({ maxAttempts: 1 }) });
      const h = await target.submit(
        plan({ clusterId, s3: { jar: `s3://${BUCKET}/jars/run/` } }, {}, '84'),
        artifact,
        new AbortController().signal,
      );
      fake.throttled = 0;
      fake.throttle(12, 'DescribeStep');
      const got = await collect(target.watch(h, new AbortController().signal));
      expect(got.at(-1)?.phase).toBe('SUCCEEDED');
      expect(fake.throttled).toBe(12);
    });

    test('an ambiguous AddJobFlowSteps (500 after applying) is adopted: one step on the cluster', async () => {
      const clusterId = existing();
      fake.failAfterApplying('AddJobFlowSteps');
      const target = createEmrTarget({ ...fast, clock: systemClock });
      const h = await target.submit(
        plan({ clusterId, s3: { jar: `s3://${BUCKET}/jars/run/` } }, {}, '85'),
        artifact,
        new AbortController().signal,
      );
      const steps = fake.clusters.get(clusterId)?.steps ?? [];
      expect(steps).toHaveLength(1);
      expect(h.submissionId).toBe(steps[0]?.Id);
      expect(
        fake.requests.filter((r) => r.op === 'AddJobFlowSteps' && r.body.JobFlowId === clusterId),
      ).toHaveLength(1);
    });
  });

  describe('the bundled action (dist/) with S3 on moto and EMR on the double', () => {
    const root = resolve(new URL('../..', import.meta.url).pathname);
    const SHA = 'c0ffee1234567890c0ffee1234567890c0ffee12';
    const JAR_KEY = `jars/${SHA}/etl-pipeline-assembly.jar`;
    const CONFIG_KEY = `configs/${SHA}/production.json`;
    let fake: FakeEmr;
    let motoS3: S3Client;
    let github: FakeGitHub | undefined;
    let runs = 0;
    const logUri = `s3://${BUCKET}/logs/`;

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
      await github?.close();
    });

    /**
     * workspace copies examples/etl-app's deploy config (environment production, target emr) with the bucket
     * and the cluster replaced, its production config file, and a generated JAR whose Main-Class is
     * com.etl.Main (no sbt: the `jar` input names it).
     */
    function workspace(cluster: { name: string } | { transient: true }): { ws: string; jar: string } {
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
      copyFileSync(
        join(root, 'examples/etl-app/configs/production.json'),
        join(ws, 'configs/production.json'),
      );
      mkdirSync(join(ws, 'target'), { recursive: true });
      const jarPath = join(ws, 'target/etl-pipeline-assembly-1.0.0.jar');
      writeZip(jarPath, goodEntries());
      return { ws, jar: jarPath };
    }

    /** existingCluster adds a WAITING cluster with a log URI to the double under a unique name. */
    function existingCluster(): { id: string; name: string } {
      const c = { id: clusterId(), name: `etl-production-${randomBytes(3).toString('hex')}` };
      fake.addCluster({ ...c, logUri });
      return c;
    }

    /** run runs the bundled action (main, then post) as a push to main, with the SDK's standard environment. */
    async function run(
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
    function awsEnv(): Record<string, string> {
      return {
        AWS_ACCESS_KEY_ID: 'testing',
        AWS_SECRET_ACCESS_KEY: 'testing',
        AWS_SESSION_TOKEN: 'testing',
        AWS_REGION: REGION,
        AWS_ENDPOINT_URL_S3: MOTO,
        AWS_ENDPOINT_URL_EMR: fake.endpoint,
        AWS_CONFIG_FILE: '/dev/null',
        AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
        AWS_EC2_METADATA_DISABLED: 'true',
        GITHUB_SHA: SHA,
        GITHUB_REF: 'refs/heads/main',
        GITHUB_REF_NAME: 'main',
        GITHUB_RUN_ID: String(9000 + runs),
      };
    }
    const deploy = (ws: string, jar: string, extra: Record<string, string> = {}, opts = {}) =>
      run(ws, { stages: 'verify,deploy', jar, ...extra }, opts);

    const stepsOf = (id: string) => fake.clusters.get(id)?.steps ?? [];
    const ops = (op: string) => fake.requests.filter((r) => r.op === op);
    const text = (r: ActionRun) => `${r.stdout}\n${r.stderr}\n--- post ---\n${r.post.stdout}${r.post.stderr}`;
    /** deployAbortedWhenRunning runs the bundled action and sends it SIGTERM once it logs the step RUNNING. */
    async function deployAbortedWhenRunning(ws: string, jarPath: string) {
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
    const errorsOf = (r: ActionRun) =>
      annotations(r.stdout)
        .filter((a) => a.level === 'error')
        .map((a) => a.message);
    const head = (key: string) => motoS3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
    const sha256Of = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
    const consoleUrl = (id: string) =>
      `https://${REGION}.console.aws.amazon.com/emr/home?region=${REGION}#/clusterDetails/${id}`;

    test('(a) stages the JAR and config on S3, adds the step, follows it to COMPLETED; a second run uploads nothing', async () => {
      const c = existingCluster();
      const { ws, jar: jarPath } = workspace(c);
      fake.script = [{ State: 'PENDING' }, { State: 'RUNNING' }, { State: 'COMPLETED' }];
      const first = await deploy(ws, jarPath);
      expect(first.code, text(first)).toBe(0);

      const [step] = stepsOf(c.id);
      expect(stepsOf(c.id)).toHaveLength(1);
      expect(first.outputs).toMatchObject({
        target: 'emr',
        'submission-id': step?.Id,
        state: 'SUCCEEDED',
        'spark-ui-url': consoleUrl(c.id),
      });
      expect(step?.Name).toBe(`etl-pipeline-production-${SHA.slice(0, 7)}-${9000 + runs}`);
      expect(step?.ActionOnFailure).toBe('CONTINUE');
      expect(step?.Config.Jar).toBe('command-runner.jar');
      const args = step?.Config.Args ?? [];
      expect(args.slice(0, 3)).toEqual(['spark-submit', '--deploy-mode', 'cluster']);
      expect(args[args.indexOf('--class') + 1]).toBe('com.etl.Main');
      expect(args).toContain(`s3://${BUCKET}/${JAR_KEY}`);
      // The staged objects: the generated JAR with its SHA-256, and the app's config file.
      const jarHead = await head(JAR_KEY);
      expect(jarHead.Metadata?.sha256).toBe(sha256Of(jarPath));
      expect(jarHead.ContentLength).toBe(readFileSync(jarPath).length);
      const got = await motoS3.send(new GetObjectCommand({ Bucket: BUCKET, Key: CONFIG_KEY }));
      expect(await got.Body?.transformToString()).toBe(
        readFileSync(join(root, 'examples/etl-app/configs/production.json'), 'utf8'),
      );
      expect(first.stdout).toContain(`emr: uploading`);
      expect(first.stdout).toContain(`s3://${BUCKET}/${JAR_KEY}`);
      expect(first.summary).toContain(`\`${step?.Id}\``);
      expect(first.summary).toMatch(/SUCCEEDED \(native: COMPLETED\)/);
      expect(ops('CancelSteps')).toEqual([]);

      // Same commit, next run: both objects are already there, nothing goes up, a second step is added.
      fake.script = [{ State: 'RUNNING' }, { State: 'COMPLETED' }];
      const second = await deploy(ws, jarPath);
      expect(second.code, text(second)).toBe(0);
      expect(second.stdout).not.toContain('emr: uploading');
      expect(second.stdout).toContain(`s3://${BUCKET}/${JAR_KEY} already holds this file`);
      expect(second.stdout).toContain(`s3://${BUCKET}/${CONFIG_KEY} already holds this file`);
      const again = await head(JAR_KEY);
      expect(again.ETag).toBe(jarHead.ETag);
      expect(again.LastModified).toEqual(jarHead.LastModified);
      expect(stepsOf(c.id)).toHaveLength(2);
      expect(second.outputs['submission-id']).toBe(stepsOf(c.id)[1]?.Id);
      expect(second.outputs.state).toBe('SUCCEEDED');
    });

    test('(b) FAILED: the cause from the stderr tail leads the error, Reason and Message follow, the tail is in the summary', async () => {
      const c = existingCluster();
      const { ws, jar: jarPath } = workspace(c);
      const appId = 'application_1764750000000_0042';
      const stderr = [
        ...Array.from(
          { length: 80 },
          (_, i) => `26/12/03 08:00:${String(i % 60).padStart(2, '0')} INFO Client: line ${i}`,
        ),
        `26/12/03 08:01:00 INFO Client: Submitted application ${appId}`,
        `Exception in thread "main" org.apache.spark.SparkException: Application ${appId} finished with failed status`,
        '\tat org.apache.spark.deploy.yarn.Client.run(Client.scala:1342)',
      ].join('\n');
      // EMR copies step logs to the log URI; here they land the moment the step exists.
      const puts: Promise<unknown>[] = [];
      fake.onStep = (cid, sid) => {
        puts.push(
          motoS3.send(
            new PutObjectCommand({
              Bucket: BUCKET,
              Key: `logs/${cid}/steps/${sid}/stderr.gz`,
              Body: gzipSync(stderr),
            }),
          ),
        );
      };
      fake.script = [
        { State: 'RUNNING' },
        {
          State: 'FAILED',
          FailureDetails: {
            Reason: 'Unknown Error',
            Message: `Exception in thread "main" org.apache.spark.SparkException: Application ${appId} finished with failed status`,
          },
        },
      ];
      const r = await deploy(ws, jarPath);
      fake.onStep = undefined;
      await Promise.all(puts);
      expect(r.code, text(r)).toBe(1);
      const sid = stepsOf(c.id)[0]?.Id as string;
      expect(r.outputs).toMatchObject({ 'submission-id': sid, state: 'FAILED', 'application-id': appId });
      const [error] = errorsOf(r);
      // The cause leads, read from the step's stderr; EMR's FailureDetails follow; the log tail is in the
      // summary, not in the annotation.
      // The headline: the error's first line and the summary's caution block.
      const headline = `deploy: ${sid} ended FAILED (FAILED): SparkException: Application ${appId} finished with failed status`;
      expect(error?.split('\n')[0]).toContain(headline);
      expect(r.summary).toContain(`> [!CAUTION]\n> ${headline}`);
      expect(error).toContain('FAILED: Unknown Error: Exception in thread "main"');
      expect(error?.split('\n').length).toBeLessThanOrEqual(10);
      expect(error).not.toContain('at org.apache.spark.deploy.yarn.Client.run(Client.scala:1342)');
      expect(error).toContain(
        `https://s3.console.aws.amazon.com/s3/buckets/${BUCKET}?region=${REGION}&prefix=logs%2F${c.id}%2Fsteps%2F${sid}%2F`,
      );
      // The tail, not the whole log: the last 50 lines.
      expect(r.summary).toContain('at org.apache.spark.deploy.yarn.Client.run(Client.scala:1342)');
      expect(r.summary).toContain('INFO Client: line 79');
      expect(r.summary).not.toContain('INFO Client: line 10\n');
      expect(r.summary).toContain('Unknown Error: Exception in thread');
      expect(r.summary).toContain('Driver log (last 50 lines)');
      expect(r.summary).toContain(`Submitted application ${appId}`);
    });

    test('(c) abort: SIGTERM to the running action cancels the step with CancelSteps (SEND_INTERRUPT)', async () => {
      const c = existingCluster();
      const { ws, jar: jarPath } = workspace(c);
      fake.script = [{ State: 'PENDING' }, { State: 'RUNNING' }];
      const r = await deployAbortedWhenRunning(ws, jarPath);
      expect(r.code, text(r)).not.toBe(0);
      const sid = stepsOf(c.id)[0]?.Id;
      const cancels = ops('CancelSteps').filter((x) => x.body.ClusterId === c.id);
      expect(cancels.map((x) => x.body)).toEqual([
        { ClusterId: c.id, StepIds: [sid], StepCancellationOption: 'SEND_INTERRUPT' },
      ]);
      expect(r.outputs.state).toBe('CANCELLED');
      expect(errorsOf(r)[0]).toMatch(
        new RegExp(
          `deploy: the workflow run was cancelled while ${sid} was RUNNING.*; cancelled ${sid} \\(cancel-on-abort\\)`,
        ),
      );
      // The main step cancelled it itself, so the post step has nothing to do.
      expect(r.state.finished).toBe('true');
    });

    test('(d) transient cluster: RunJobFlow with the step; a failed step terminates the cluster', async () => {
      const { ws, jar: jarPath } = workspace({ transient: true });
      fake.script = [
        { State: 'PENDING' },
        { State: 'RUNNING' },
        {
          State: 'FAILED',
          FailureDetails: { Reason: 'Unknown Error', Message: 'java.lang.OutOfMemoryError' },
        },
      ];
      const before = ops('RunJobFlow').length;
      const puts: Promise<unknown>[] = [];
      fake.onStep = (cid, sid) => {
        const Key = `logs/${cid}/steps/${sid}/stderr.gz`;
        puts.push(
          motoS3.send(
            new PutObjectCommand({ Bucket: BUCKET, Key, Body: gzipSync('java.lang.OutOfMemoryError\n') }),
          ),
        );
      };
      const r = await deploy(ws, jarPath);
      fake.onStep = undefined;
      await Promise.all(puts);
      expect(r.code, text(r)).toBe(1);
      const runs = ops('RunJobFlow').slice(before);
      expect(runs).toHaveLength(1);
      const req = runs[0]?.body as Record<string, unknown> & { Steps: { Name: string }[] };
      expect(req).toMatchObject({
        ReleaseLabel: 'emr-7.5.0',
        LogUri: logUri,
        Applications: [{ Name: 'Spark' }],
        Instances: { KeepJobFlowAliveWhenNoSteps: false },
        AutoTerminationPolicy: { IdleTimeout: 1800 },
      });
      expect(req.Steps.map((x) => x.Name)).toEqual([req.Name]);
      const cid = [...fake.clusters.values()].find((x) => x.Name === req.Name)?.Id as string;
      expect(ops('TerminateJobFlows').map((x) => x.body)).toContainEqual({ JobFlowIds: [cid] });
      expect(fake.clusters.get(cid)?.State).toBe('TERMINATED');
      expect(r.stdout).toContain(`emr: terminating transient cluster ${cid}`);
      expect(errorsOf(r)[0]).toContain('Unknown Error: java.lang.OutOfMemoryError');
    });

    test('(d) transient cluster: abort cancels the step and terminates the cluster', async () => {
      const { ws, jar: jarPath } = workspace({ transient: true });
      fake.script = [{ State: 'PENDING' }, { State: 'RUNNING' }];
      const before = ops('RunJobFlow').length;
      const r = await deployAbortedWhenRunning(ws, jarPath);
      expect(r.code, text(r)).not.toBe(0);
      const name = ops('RunJobFlow')[before]?.body.Name;
      const cid = [...fake.clusters.values()].find((x) => x.Name === name)?.Id as string;
      const sid = stepsOf(cid)[0]?.Id;
      expect(
        ops('CancelSteps')
          .filter((x) => x.body.ClusterId === cid)
          .map((x) => x.body),
      ).toEqual([{ ClusterId: cid, StepIds: [sid], StepCancellationOption: 'SEND_INTERRUPT' }]);
      expect(ops('TerminateJobFlows').map((x) => x.body)).toContainEqual({ JobFlowIds: [cid] });
      expect(fake.clusters.get(cid)?.State).toBe('TERMINATED');
    });

    test('(e) a ThrottlingException burst on DescribeStep is absorbed: the deploy succeeds', async () => {
      const c = existingCluster();
      const { ws, jar: jarPath } = workspace(c);
      fake.script = [{ State: 'RUNNING' }, { State: 'COMPLETED' }];
      fake.throttled = 0;
      // More than the SDK's own attempts (6), so the target's backoff has to absorb the rest.
      fake.throttle(7, 'DescribeStep');
      const since = Date.now();
      const r = await deploy(ws, jarPath);
      expect(r.code, text(r)).toBe(0);
      expect(fake.throttled).toBe(7);
      // Backed off, not hammered: the burst was spread over at least the target's own minimum pause (1 s).
      const calls = ops('DescribeStep').filter((q) => q.at >= since);
      expect(calls.length).toBeGreaterThanOrEqual(9);
      expect((calls[6]?.at ?? 0) - (calls[0]?.at ?? 0)).toBeGreaterThanOrEqual(1000);
      expect(r.outputs.state).toBe('SUCCEEDED');
      expect(errorsOf(r)).toEqual([]);
    });

    test('(f) no presigned Spark UI URL is asked for, logged or published: the console page is', async () => {
      github = await startFakeGitHub();
      const c = existingCluster();
      const { ws, jar: jarPath } = workspace(c);
      fake.script = [{ State: 'RUNNING' }, { State: 'COMPLETED' }];
      const urls = fake.presignedUrls.length;
      const r = await deploy(
        ws,
        jarPath,
        { preview: 'auto', 'github-token': 'ghs_e2etoken' },
        {
          eventName: 'pull_request',
          event: { number: 7, pull_request: { number: 7, head: { sha: SHA } } },
          env: {
            GITHUB_API_URL: github.url,
            GITHUB_REPOSITORY: 'acme/etl',
            GITHUB_SERVER_URL: 'https://github.com',
          },
        },
      );
      expect(r.code, text(r)).toBe(0);
      expect(github.violations).toEqual([]);
      // A presigned URL is a credential and logs of public repositories are public: none is minted.
      expect(fake.presignedUrls.slice(urls)).toEqual([]);
      expect(r.stdout).toContain(`emr: Spark UI: open ${consoleUrl(c.id)}`);
      // The preview was reported: a deployment with statuses and the sticky comment.
      expect(github.comments.length).toBeGreaterThan(0);
      expect(github.deployments.at(-1)?.statuses.at(-1)).toMatchObject({
        state: 'success',
        environment_url: consoleUrl(c.id),
      });
      const everywhere = [
        r.summary,
        JSON.stringify(r.outputs),
        JSON.stringify(github.requests.map((q) => q.body ?? null)),
        JSON.stringify(github.comments),
      ];
      for (const place of [r.stdout, ...everywhere]) expect(place).not.toContain('emrappui-prod');
      expect(r.outputs['spark-ui-url']).toBe(consoleUrl(c.id));
      expect(r.summary).toContain(consoleUrl(c.id));
      await github.close();
      github = undefined;
    });

    test('(i) canaries in every door, printed back by a failing step, leave the action nowhere', async () => {
      github = await startFakeGitHub();
      const c = existingCluster();
      const { ws, jar: jarPath } = workspace(c);
      const doors = {
        conf: canary('conf'),
        awsSecret: canary('aws-secret'),
        awsSession: canary('aws-session'),
        github: `ghs_${canary('github').replaceAll('-', '')}`,
      };
      const all = Object.values(doors);
      const cfg = join(ws, '.github/spark-deploy.yml');
      const line = '      spark.serializer: org.apache.spark.serializer.KryoSerializer\n';
      writeFileSync(
        cfg,
        readFileSync(cfg, 'utf8').replace(
          line,
          `${line}      spark.canary.token: { fromEnv: CANARY_CONF }\n`,
        ),
      );
      // The job prints every canary back: in its stderr (the tail the report shows) and its failure message.
      const stderr = [
        ...all.map((v) => `26/12/03 08:00:00 INFO Main: leaking ${v}`),
        `Exception in thread "main" java.lang.IllegalStateException: bad credentials ${all.join(' ')}`,
      ].join('\n');
      const puts: Promise<unknown>[] = [];
      fake.onStep = (cid, sid) => {
        puts.push(
          motoS3.send(
            new PutObjectCommand({
              Bucket: BUCKET,
              Key: `logs/${cid}/steps/${sid}/stderr.gz`,
              Body: gzipSync(stderr),
            }),
          ),
        );
      };
      fake.script = [
        { State: 'RUNNING' },
        {
          State: 'FAILED',
          FailureDetails: { Reason: 'Unknown Error', Message: `failed with ${all.join(' ')}` },
        },
      ];
      let found: string[] = [];
      const r = await deploy(
        ws,
        jarPath,
        { 'github-token': doors.github },
        {
          env: {
            CANARY_CONF: doors.conf,
            AWS_SECRET_ACCESS_KEY: doors.awsSecret,
            AWS_SESSION_TOKEN: doors.awsSession,
            GITHUB_API_URL: github.url,
            GITHUB_REPOSITORY: 'acme/etl',
            GITHUB_SERVER_URL: 'https://github.com',
          },
          inspect: (run: ActionRun) => {
            found = leaks(
              run,
              all,
              (github?.requests ?? []).map((q) => JSON.stringify(q.body ?? null)),
            );
          },
        },
      );
      fake.onStep = undefined;
      await Promise.all(puts);
      expect(r.code, text(r)).toBe(1);
      // The failure was reported (check run with the tail) and the canaries were registered as masks.
      expect(github.requests.length).toBeGreaterThan(0);
      expect(r.summary).toContain('leaking ***');
      for (const v of all) expect(r.stdout).toContain(`::add-mask::${v}`);
      expect(found).toEqual([]);
      await github.close();
      github = undefined;
    });

    test('(h) the post step cancels a step left running by a main step that died', async () => {
      const c = existingCluster();
      const { ws, jar: jarPath } = workspace(c);
      fake.script = [{ State: 'RUNNING' }];
      // A main step that submits and returns leaves exactly the state a killed one leaves, but `finished`.
      const inputs = { environment: 'production', stages: 'verify,deploy', jar: jarPath, wait: 'false' };
      const main = await run(ws, inputs);
      expect(main.code, text(main)).toBe(0);
      const sid = stepsOf(c.id)[0]?.Id as string;
      expect(JSON.parse(main.state.handle ?? '{}')).toMatchObject({ target: 'emr', submissionId: sid });
      // Asynchronously: the EMR double answers from this process. A failing post step rejects.
      const post = await promisify(execFile)(actionNode(), [join(root, 'dist/post/index.js')], {
        timeout: 60_000,
        env: {
          ...Object.fromEntries(
            Object.entries(process.env).filter(([k]) => !k.startsWith('INPUT_') && !k.startsWith('STATE_')),
          ),
          ...awsEnv(),
          GITHUB_ACTIONS: 'true',
          GITHUB_WORKSPACE: ws,
          ...Object.fromEntries(Object.entries(inputs).map(([k, v]) => [`INPUT_${k.toUpperCase()}`, v])),
          ...Object.fromEntries(Object.entries(main.state).map(([k, v]) => [`STATE_${k}`, v])),
          STATE_finished: 'false',
        },
      });
      expect(
        ops('CancelSteps')
          .filter((x) => x.body.ClusterId === c.id)
          .map((x) => x.body),
      ).toEqual([{ ClusterId: c.id, StepIds: [sid], StepCancellationOption: 'SEND_INTERRUPT' }]);
      expect(post.stdout).toContain(`post: cancelled emr submission ${sid}`);
    });

    test('(g) status lists the environment steps; cleanup of a preview cancels only its running step', async () => {
      const c = existingCluster();
      const { ws, jar: jarPath } = workspace(c);
      fake.script = [{ State: 'RUNNING' }];
      const pr = {
        eventName: 'pull_request',
        event: { number: 9, pull_request: { number: 9, head: { sha: SHA } } },
      };
      // Two jobs left running (wait: false): the environment's own, and pull request #9's preview.
      const env = await deploy(ws, jarPath, { wait: 'false' });
      expect(env.code, text(env)).toBe(0);
      const preview = await deploy(ws, jarPath, { wait: 'false', preview: 'auto' }, pr);
      expect(preview.code, text(preview)).toBe(0);
      const [own, pre] = stepsOf(c.id);
      expect(pre?.Name).toMatch(/^etl-pipeline-production-pr-9-[0-9a-f]{7}-/);
      expect(env.outputs['submission-id']).toBe(own?.Id);
      expect(preview.outputs['submission-id']).toBe(pre?.Id);

      const status = await run(ws, { command: 'status' });
      expect(status.code, text(status)).toBe(0);
      expect(status.summary).toContain(`\`${own?.Id}\``);
      expect(status.summary).toMatch(/RUNNING \(RUNNING\)/);
      expect(status.summary).not.toContain(`\`${pre?.Id}\``);
      expect(status.outputs).toMatchObject({ 'submission-id': own?.Id, state: 'RUNNING' });

      const cancelsBefore = ops('CancelSteps').length;
      const cleanup = await run(ws, { command: 'cleanup', preview: '9' });
      expect(cleanup.code, text(cleanup)).toBe(0);
      expect(
        ops('CancelSteps')
          .slice(cancelsBefore)
          .map((x) => x.body),
      ).toEqual([{ ClusterId: c.id, StepIds: [pre?.Id], StepCancellationOption: 'SEND_INTERRUPT' }]);
      expect(cleanup.summary).toContain(`\`${pre?.Id}\``);
      expect(cleanup.summary).not.toContain(`\`${own?.Id}\``);
      expect(pre?.cancelled).toBe(true);
      expect(own?.cancelled).toBe(false);
      // Without a preview, cleanup refuses: it never removes an environment's jobs.
      const refused = await run(ws, { command: 'cleanup' });
      expect(refused.code).toBe(1);
      expect(errorsOf(refused)[0]).toContain('cleanup: the `preview` input is required');
    });
  });
});
