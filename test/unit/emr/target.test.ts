import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  AddJobFlowStepsCommand,
  CancelStepsCommand,
  CreatePersistentAppUICommand,
  DescribeClusterCommand,
  DescribeStepCommand,
  EMRClient,
  GetPersistentAppUIPresignedURLCommand,
  ListClustersCommand,
  ListStepsCommand,
  RunJobFlowCommand,
  type Step,
  type StepSummary,
  TerminateJobFlowsCommand,
} from '@aws-sdk/client-emr';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { createEmrTarget } from '../../../src/targets/emr/index.js';
import type { Handle, Status } from '../../../src/targets/target.js';
import { ActionError, WatchLost } from '../../../src/util/errors.js';
import {
  awsError,
  artifact as baseArtifact,
  makePlan,
  type PlanOverrides,
  RecordingLog,
  virtualClock,
} from './fixtures.js';

const CLUSTER = 'j-2AXXXXXXGAPLF';
const STEP = 's-1234567890ABC';
const NAME = 'etl-pipeline-prod-abc1234-4242';

function setup(o: { deps?: Record<string, unknown> } = {}) {
  const emrClient = new EMRClient({ region: 'eu-west-1' });
  const s3Client = new S3Client({ region: 'eu-west-1' });
  const emr = mockClient(emrClient);
  const s3 = mockClient(s3Client);
  const clock = virtualClock();
  const log = new RecordingLog();
  const handles: Handle[] = [];
  const target = createEmrTarget({
    emr: emrClient,
    s3: s3Client,
    clock,
    log,
    random: () => 0.5,
    logFetchDelaysMs: [0],
    interruptedGraceMs: 60_000,
    onHandle: (h) => handles.push(h),
    ...o.deps,
  });
  s3.on(HeadObjectCommand).rejects(awsError('NotFound', 404));
  s3.on(PutObjectCommand).resolves({ ETag: '"x"' });
  emr.on(DescribeClusterCommand).resolves({
    Cluster: { Id: CLUSTER, Name: 'etl', Status: { State: 'WAITING' }, LogUri: 's3n://etl-logs/emr/' },
  });
  emr.on(AddJobFlowStepsCommand).resolves({ StepIds: [STEP] });
  return { emr, s3, clock, log, handles, target };
}

const step = (State: string, extra: Partial<NonNullable<Step['Status']>> = {}): { Step: Step } => ({
  Step: { Id: STEP, Name: NAME, Status: { State: State as never, ...extra } },
});

async function collect(it: AsyncIterable<Status>): Promise<Status[]> {
  const out: Status[] = [];
  for await (const s of it) out.push(s);
  return out;
}

function handleOf(o: Partial<Record<string, string>> = {}): Handle {
  return {
    target: 'emr',
    submissionId: STEP,
    data: {
      clusterId: CLUSTER,
      region: 'eu-west-1',
      stepName: NAME,
      transient: 'false',
      logUri: 's3://etl-logs/emr/',
      appMode: 'batch',
      healthyAfterMs: '60000',
      timeoutMs: String(60 * 60_000),
      submittedAt: String(1_795_630_000_000),
      ...o,
    } as Record<string, string>,
  };
}

// A real file to upload: the staging code stats and streams it.
const dir = mkdtempSync(join(tmpdir(), 'emr-target-'));
const bytes = Buffer.from('PK\u0003\u0004 not really a jar');
const artifact = {
  ...baseArtifact,
  jarPath: join(dir, 'etl-pipeline-assembly-1.0.0.jar'),
  sha256: createHash('sha256').update(bytes).digest('hex'),
};
beforeAll(() => writeFileSync(artifact.jarPath, bytes));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let env: ReturnType<typeof setup>;
beforeEach(() => {
  env = setup();
});

describe('submit to an existing cluster', () => {
  test('stages the JAR with its SHA-256, adds one command-runner step, hands the step over at once', async () => {
    const plan = makePlan();
    const handle = await env.target.submit(plan, artifact, new AbortController().signal);
    const put = env.s3.commandCalls(PutObjectCommand)[0]?.args[0].input;
    expect(put).toMatchObject({
      Bucket: 'etl-artifacts',
      Key: 'jars/abc1234/etl-pipeline-assembly-1.0.0.jar',
      Metadata: { sha256: artifact.sha256 },
      ChecksumSHA256: Buffer.from(artifact.sha256 as string, 'hex').toString('base64'),
    });
    const add = env.emr.commandCalls(AddJobFlowStepsCommand);
    expect(add).toHaveLength(1);
    expect(add[0]?.args[0].input).toMatchObject({
      JobFlowId: CLUSTER,
      Steps: [{ Name: NAME, ActionOnFailure: 'CONTINUE', HadoopJarStep: { Jar: 'command-runner.jar' } }],
    });
    expect(handle).toMatchObject({ target: 'emr', submissionId: STEP });
    expect(handle.data).toMatchObject({
      clusterId: CLUSTER,
      region: 'eu-west-1',
      transient: 'false',
      logUri: 's3n://etl-logs/emr/',
    });
    expect(env.handles).toEqual([handle]);
  });

  test('skips the upload when the object has the same SHA-256 in its metadata', async () => {
    env.s3.on(HeadObjectCommand).resolves({ Metadata: { sha256: artifact.sha256 } });
    await env.target.submit(makePlan(), artifact, new AbortController().signal);
    expect(env.s3.commandCalls(PutObjectCommand)).toHaveLength(0);
    expect(env.log.all()).toMatch(/already holds this file/);
  });

  test('skips the upload on a matching full-object checksum', async () => {
    env.s3
      .on(HeadObjectCommand)
      .resolves({ ChecksumSHA256: Buffer.from(artifact.sha256 as string, 'hex').toString('base64') });
    await env.target.submit(makePlan(), artifact, new AbortController().signal);
    expect(env.s3.commandCalls(PutObjectCommand)).toHaveLength(0);
  });

  test.each([
    [
      'AccessDenied',
      403,
      /S3 denied PutObject on s3:\/\/etl-artifacts\/jars\/abc1234\/etl-pipeline-assembly-1\.0\.0\.jar \(AccessDenied\).*s3:PutObject/,
    ],
    ['NoSuchBucket', 404, /S3 bucket "etl-artifacts" does not exist .*emr\.s3\.jar/],
  ])('S3 %s names bucket and key', async (code, status, re) => {
    env.s3.on(PutObjectCommand).rejects(awsError(code, status));
    const err = await env.target.submit(makePlan(), artifact, new AbortController().signal).catch((e) => e);
    expect(err).toBeInstanceOf(ActionError);
    expect(err.message).toMatch(re);
    expect(env.emr.commandCalls(AddJobFlowStepsCommand)).toHaveLength(0);
  });

  test('a cluster that does not accept steps is refused before anything is added', async () => {
    env.emr
      .on(DescribeClusterCommand)
      .resolves({ Cluster: { Id: CLUSTER, Status: { State: 'TERMINATED' } } });
    await expect(env.target.submit(makePlan(), artifact, new AbortController().signal)).rejects.toThrow(
      /cluster j-2AXXXXXXGAPLF is TERMINATED; steps can be added only while it is STARTING, BOOTSTRAPPING, RUNNING, WAITING/,
    );
    expect(env.emr.commandCalls(AddJobFlowStepsCommand)).toHaveLength(0);
  });

  const byName: PlanOverrides = { emr: { clusterName: 'etl', s3: { jar: 's3://etl-artifacts/jars/' } } };
  test.each([
    [[], /no active cluster is named "etl"/],
    [
      [
        { Id: 'j-AAA', Name: 'etl', Status: { State: 'WAITING' as const } },
        { Id: 'j-BBB', Name: 'etl', Status: { State: 'RUNNING' as const } },
      ],
      /2 active clusters are named "etl" \(j-AAA WAITING, j-BBB RUNNING\); set emr\.clusterId/,
    ],
  ])('clusterName resolving to %j is an error naming them', async (clusters, re) => {
    env.emr.on(ListClustersCommand).resolves({ Clusters: clusters });
    await expect(env.target.submit(makePlan(byName), artifact, new AbortController().signal)).rejects.toThrow(
      re,
    );
  });

  test('clusterName resolves among active clusters, across pages, exact name only', async () => {
    env.emr
      .on(ListClustersCommand)
      .resolvesOnce({
        Clusters: [{ Id: 'j-X', Name: 'etl-old', Status: { State: 'WAITING' } }],
        Marker: 'm1',
      })
      .resolvesOnce({ Clusters: [{ Id: CLUSTER, Name: 'etl', Status: { State: 'WAITING' } }] });
    const h = await env.target.submit(makePlan(byName), artifact, new AbortController().signal);
    expect(h.data.clusterId).toBe(CLUSTER);
    expect(env.emr.commandCalls(ListClustersCommand)[0]?.args[0].input.ClusterStates).toEqual([
      'STARTING',
      'BOOTSTRAPPING',
      'RUNNING',
      'WAITING',
    ]);
  });

  test('an ambiguous AddJobFlowSteps failure is followed by adopting the step that landed', async () => {
    env.emr.on(AddJobFlowStepsCommand).rejects(awsError('InternalServerError', 500));
    env.emr.on(ListStepsCommand).resolves({
      Steps: [
        {
          Id: 's-NEWER',
          Name: 'other',
          Status: { State: 'PENDING', Timeline: { CreationDateTime: new Date(1_795_630_001_000) } },
        },
        {
          Id: STEP,
          Name: NAME,
          Status: { State: 'PENDING', Timeline: { CreationDateTime: new Date(1_795_630_000_500) } },
        },
      ],
    });
    const h = await env.target.submit(makePlan(), artifact, new AbortController().signal);
    expect(h.submissionId).toBe(STEP);
    expect(env.emr.commandCalls(AddJobFlowStepsCommand)).toHaveLength(1);
    expect(env.log.all()).toMatch(/adopting step s-1234567890ABC/);
  });

  test('ambiguous failure, no such step listed: adds again, once', async () => {
    env.emr
      .on(AddJobFlowStepsCommand)
      .rejectsOnce(Object.assign(new Error('socket hang up'), { name: 'ECONNRESET' }))
      .resolves({ StepIds: [STEP] });
    env.emr.on(ListStepsCommand).resolves({
      Steps: [
        {
          Id: 's-OLD',
          Name: NAME,
          Status: { State: 'FAILED', Timeline: { CreationDateTime: new Date(1_795_600_000_000) } },
        },
      ],
    });
    const h = await env.target.submit(makePlan(), artifact, new AbortController().signal);
    expect(h.submissionId).toBe(STEP);
    expect(env.emr.commandCalls(AddJobFlowStepsCommand)).toHaveLength(2);
    expect(env.emr.commandCalls(ListStepsCommand)).toHaveLength(1);
  });

  test('throttled AddJobFlowSteps is retried without a lookup (a 4xx never took effect)', async () => {
    env.emr
      .on(AddJobFlowStepsCommand)
      .rejectsOnce(awsError('ThrottlingException', 400))
      .resolves({ StepIds: [STEP] });
    await env.target.submit(makePlan(), artifact, new AbortController().signal);
    expect(env.emr.commandCalls(AddJobFlowStepsCommand)).toHaveLength(2);
    expect(env.emr.commandCalls(ListStepsCommand)).toHaveLength(0);
  });

  test('a validation error fails at once with EMR message', async () => {
    env.emr
      .on(AddJobFlowStepsCommand)
      .rejects(awsError('InvalidRequestException', 400, 'Maximum number of steps reached'));
    await expect(env.target.submit(makePlan(), artifact, new AbortController().signal)).rejects.toThrow(
      /AddJobFlowSteps on cluster j-2AXXXXXXGAPLF failed: InvalidRequestException: Maximum number of steps reached/,
    );
    expect(env.emr.commandCalls(AddJobFlowStepsCommand)).toHaveLength(1);
  });

  test('a resolved secret in the step arguments is a warning finding', async () => {
    const plan = makePlan({ secrets: ['hunter2'], spark: { conf: { 'spark.db.pw': 'hunter2' } } });
    await env.target.submit(plan, artifact, new AbortController().signal);
    expect(env.target.findings.map((f) => f.rule)).toEqual(['emr/secret-in-step']);
    expect(env.log.all()).not.toContain('hunter2');
  });
});

describe('transient cluster', () => {
  const transient: PlanOverrides = {
    emr: {
      cluster: { releaseLabel: 'emr-7.5.0', logUri: 's3://etl-logs/emr/', idleTimeoutSeconds: 3600 },
      s3: { jar: 's3://etl-artifacts/jars/' },
    },
  };
  test('RunJobFlow carries the step; the step id comes from ListSteps', async () => {
    env.emr.on(RunJobFlowCommand).resolves({ JobFlowId: 'j-TRANSIENT' });
    env.emr
      .on(ListStepsCommand)
      .resolves({ Steps: [{ Id: 's-T', Name: NAME, Status: { State: 'PENDING' } }] });
    const h = await env.target.submit(makePlan(transient), artifact, new AbortController().signal);
    expect(h).toMatchObject({
      submissionId: 's-T',
      data: { clusterId: 'j-TRANSIENT', transient: 'true', logUri: 's3://etl-logs/emr/' },
    });
    const req = env.emr.commandCalls(RunJobFlowCommand)[0]?.args[0].input;
    expect(req?.Steps?.[0]?.Name).toBe(NAME);
    expect(req?.Instances?.KeepJobFlowAliveWhenNoSteps).toBe(false);
    expect(env.emr.commandCalls(AddJobFlowStepsCommand)).toHaveLength(0);
  });

  test('a failed step terminates the cluster', async () => {
    env.emr.on(DescribeStepCommand).resolves(step('FAILED', { FailureDetails: { Reason: 'Unknown Error' } }));
    env.emr.on(TerminateJobFlowsCommand).resolves({});
    const got = await collect(
      env.target.watch(handleOf({ transient: 'true' }), new AbortController().signal),
    );
    expect(got.at(-1)).toMatchObject({ phase: 'FAILED', terminal: true });
    expect(env.emr.commandCalls(TerminateJobFlowsCommand)[0]?.args[0].input).toEqual({
      JobFlowIds: [CLUSTER],
    });
  });

  test('a completed step leaves the cluster to end itself', async () => {
    env.emr.on(DescribeStepCommand).resolves(step('COMPLETED'));
    await collect(env.target.watch(handleOf({ transient: 'true' }), new AbortController().signal));
    expect(env.emr.commandCalls(TerminateJobFlowsCommand)).toHaveLength(0);
  });

  test('a cluster that dies under a pending step fails it with the cluster reason', async () => {
    env.emr.on(DescribeStepCommand).resolves(step('PENDING'));
    env.emr.on(DescribeClusterCommand).resolves({
      Cluster: {
        Id: CLUSTER,
        Status: {
          State: 'TERMINATED_WITH_ERRORS',
          StateChangeReason: { Code: 'BOOTSTRAP_FAILURE', Message: 'bootstrap action 1 failed' },
        },
      },
    });
    env.emr.on(TerminateJobFlowsCommand).resolves({});
    const got = await collect(
      env.target.watch(handleOf({ transient: 'true' }), new AbortController().signal),
    );
    expect(got.at(-1)).toMatchObject({
      phase: 'FAILED',
      terminal: true,
      message:
        'the cluster ended before the step ran: cluster TERMINATED_WITH_ERRORS (BOOTSTRAP_FAILURE: bootstrap action 1 failed)',
    });
  });

  test('cancel on abort: CancelSteps, then TerminateJobFlows', async () => {
    env.emr.on(CancelStepsCommand).resolves({ CancelStepsInfoList: [{ StepId: STEP, Status: 'SUBMITTED' }] });
    env.emr.on(TerminateJobFlowsCommand).resolves({});
    await env.target.cancel(handleOf({ transient: 'true' }));
    expect(env.emr.commandCalls(CancelStepsCommand)).toHaveLength(1);
    expect(env.emr.commandCalls(TerminateJobFlowsCommand)).toHaveLength(1);
  });
});

describe('watch', () => {
  test('expired credentials end the wait with why and how to fix it: no failure, no cancel', async () => {
    env.emr
      .on(DescribeStepCommand)
      .resolvesOnce(step('RUNNING'))
      .rejects(
        awsError('ExpiredTokenException', 400, 'The security token included in the request is expired'),
      );
    const seen: string[] = [];
    let thrown: unknown;
    try {
      for await (const s of env.target.watch(handleOf(), new AbortController().signal))
        seen.push(s.nativeState);
    } catch (err) {
      thrown = err;
    }
    expect(seen).toEqual(['RUNNING']);
    expect(thrown).toBeInstanceOf(WatchLost);
    expect((thrown as Error).message).toMatch(
      /AWS credentials expired .* while step s-1234567890ABC was RUNNING: the step was not cancelled .* outcome is unknown here, not a failure.*role-duration-seconds/,
    );
    expect(env.emr.commandCalls(CancelStepsCommand)).toHaveLength(0);
  });

  test('PENDING -> RUNNING -> COMPLETED, throttling absorbed with backoff', async () => {
    env.emr
      .on(DescribeStepCommand)
      .resolvesOnce(step('PENDING'))
      .rejectsOnce(awsError('ThrottlingException', 400, 'Rate exceeded'))
      .rejectsOnce(awsError('ThrottlingException', 400, 'Rate exceeded'))
      .resolvesOnce(step('RUNNING'))
      .resolvesOnce(step('RUNNING'))
      .resolves(step('COMPLETED', { Timeline: { EndDateTime: new Date(1_795_630_100_000) } }));
    const got = await collect(env.target.watch(handleOf(), new AbortController().signal));
    expect(got.map((s) => [s.nativeState, s.phase, s.terminal])).toEqual([
      ['PENDING', 'PENDING', false],
      ['RUNNING', 'RUNNING', false],
      ['COMPLETED', 'SUCCEEDED', true],
    ]);
    expect(got.at(-1)?.at).toBe(1_795_630_100_000);
    // 2 s × 1.5^n with equal jitter at 0.5 (75 %); error backoff 2 s × 2^n.
    expect(env.clock.slept).toEqual([1500, 1500, 3000, 1500, 2250]);
  });

  test('a burst of throttling and 5xx never fails the watch by itself', async () => {
    let n = 0;
    env.emr.on(DescribeStepCommand).callsFake(() => {
      n++;
      if (n < 20) throw awsError(n % 2 ? 'ThrottlingException' : 'ServiceUnavailable', n % 2 ? 400 : 503);
      return step('COMPLETED');
    });
    const got = await collect(env.target.watch(handleOf(), new AbortController().signal));
    expect(got.at(-1)?.phase).toBe('SUCCEEDED');
    expect(Math.max(...env.clock.slept)).toBeLessThanOrEqual(60_000);
  });

  test('FailureDetails becomes the message', async () => {
    env.emr.on(DescribeStepCommand).resolves(
      step('FAILED', {
        FailureDetails: {
          Reason: 'Unknown Error',
          Message: 'Exception in thread "main" java.lang.RuntimeException: boom',
          LogFile: 's3://etl-logs/emr/j-2AXXXXXXGAPLF/steps/s-1234567890ABC/stderr.gz',
        },
      }),
    );
    const got = await collect(env.target.watch(handleOf(), new AbortController().signal));
    expect(got.at(-1)).toMatchObject({
      phase: 'FAILED',
      nativeState: 'FAILED',
      message:
        'Unknown Error: Exception in thread "main" java.lang.RuntimeException: boom (log: s3://etl-logs/emr/j-2AXXXXXXGAPLF/steps/s-1234567890ABC/stderr.gz)',
    });
  });

  test('a reason repeated inside the message is said once', async () => {
    const reason =
      'org.apache.spark.SparkException: Application application_1_0001 finished with failed status';
    env.emr.on(DescribeStepCommand).resolves(
      step('FAILED', {
        FailureDetails: { Reason: reason, Message: `Exception in thread "main" ${reason}` },
      }),
    );
    const got = await collect(env.target.watch(handleOf(), new AbortController().signal));
    expect(got.at(-1)?.message).toBe(`Exception in thread "main" ${reason}`);
  });

  test('INTERRUPTED that persists becomes a terminal failure', async () => {
    env.emr.on(DescribeStepCommand).resolvesOnce(step('RUNNING')).resolves(step('INTERRUPTED'));
    const got = await collect(env.target.watch(handleOf(), new AbortController().signal));
    expect(got.at(-1)).toMatchObject({ phase: 'FAILED', nativeState: 'INTERRUPTED', terminal: true });
    expect(got.at(-1)?.message).toMatch(/^INTERRUPTED for \d+ s/);
  });

  test('INTERRUPTED that passes does not fail the step', async () => {
    env.emr
      .on(DescribeStepCommand)
      .resolvesOnce(step('INTERRUPTED'))
      .resolvesOnce(step('RUNNING'))
      .resolves(step('COMPLETED'));
    const got = await collect(env.target.watch(handleOf(), new AbortController().signal));
    expect(got.map((s) => s.nativeState)).toEqual(['INTERRUPTED', 'RUNNING', 'COMPLETED']);
    expect(got.at(-1)?.phase).toBe('SUCCEEDED');
  });

  test('abort ends the watch with the signal reason', async () => {
    env.emr.on(DescribeStepCommand).resolves(step('RUNNING'));
    const ac = new AbortController();
    const it = env.target.watch(handleOf(), ac.signal)[Symbol.asyncIterator]();
    expect((await it.next()).value).toMatchObject({ phase: 'RUNNING' });
    ac.abort(new Error('cancelled'));
    await expect(it.next()).rejects.toThrow('cancelled');
  });

  test('the deadline ends the watch with a timeout error', async () => {
    env.emr.on(DescribeStepCommand).resolves(step('RUNNING'));
    await expect(
      collect(env.target.watch(handleOf({ timeoutMs: '60000' }), new AbortController().signal)),
    ).rejects.toThrow(/did not finish within 1 min \(last state RUNNING\)/);
  });

  test('streaming: healthy after RUNNING for healthyAfter', async () => {
    env.emr.on(DescribeStepCommand).resolves(step('RUNNING'));
    const got = await collect(
      env.target.watch(
        handleOf({ appMode: 'streaming', healthyAfterMs: '30000' }),
        new AbortController().signal,
      ),
    );
    expect(got.at(-1)).toMatchObject({ phase: 'RUNNING', terminal: false });
    expect(got.at(-1)?.message).toMatch(/^healthy: RUNNING for 30 s/);
  });

  test('AccessDenied on DescribeStep fails with the code', async () => {
    env.emr
      .on(DescribeStepCommand)
      .rejects(
        awsError('AccessDeniedException', 400, 'not authorized to perform: elasticmapreduce:DescribeStep'),
      );
    await expect(collect(env.target.watch(handleOf(), new AbortController().signal))).rejects.toThrow(
      /DescribeStep s-1234567890ABC on cluster j-2AXXXXXXGAPLF failed: AccessDeniedException: not authorized/,
    );
  });
});

describe('cancel, logs, links, find, render', () => {
  test('cancel sends CancelSteps with SEND_INTERRUPT, retrying throttling', async () => {
    env.emr
      .on(CancelStepsCommand)
      .rejectsOnce(awsError('ThrottlingException', 400))
      .resolves({ CancelStepsInfoList: [{ StepId: STEP, Status: 'SUBMITTED' }] });
    await env.target.cancel(handleOf());
    const calls = env.emr.commandCalls(CancelStepsCommand);
    expect(calls).toHaveLength(2);
    expect(calls[1]?.args[0].input).toEqual({
      ClusterId: CLUSTER,
      StepIds: [STEP],
      StepCancellationOption: 'SEND_INTERRUPT',
    });
    expect(env.emr.commandCalls(TerminateJobFlowsCommand)).toHaveLength(0);
    expect(env.log.all()).toMatch(/cancel of step s-1234567890ABC: SUBMITTED/);
  });

  test('logTail reads stderr.gz from the log URI and finds the YARN application id', async () => {
    const plan = makePlan();
    const t = createEmrTarget({
      emr: new EMRClient({ region: 'eu-west-1' }),
      s3: new S3Client({ region: 'eu-west-1' }),
      plan,
      logFetchDelaysMs: [0],
    });
    const text = [
      ...Array.from({ length: 80 }, (_, i) => `line ${i}`),
      'INFO Client: Submitted application application_1732550000000_0007',
      'Exception in thread "main" org.apache.spark.SparkException: Application application_1732550000000_0007 finished with failed status',
    ].join('\n');
    const s3 = mockClient(S3Client);
    s3.on(GetObjectCommand).resolves({ Body: { transformToByteArray: async () => gzipSync(text) } as never });
    const h = handleOf();
    const tail = await t.logTail?.(h, 5);
    s3.restore();
    expect(tail?.split('\n')).toHaveLength(5);
    expect(h.applicationId).toBe('application_1732550000000_0007');
  });

  test('logTail says where the logs will be when stderr.gz is not there yet', async () => {
    env.s3.on(GetObjectCommand).rejects(awsError('NoSuchKey', 404));
    expect(await env.target.logTail?.(handleOf(), 50)).toMatch(
      /stderr not readable: .*not there \(yet\).*s3:\/\/etl-logs\/emr\/j-2AXXXXXXGAPLF\/steps\/s-1234567890ABC\//,
    );
  });

  test('links are the console and S3 logs pages: no presigned URL anywhere', () => {
    const links = env.target.links(handleOf());
    const page =
      'https://eu-west-1.console.aws.amazon.com/emr/home?region=eu-west-1#/clusterDetails/j-2AXXXXXXGAPLF';
    expect(links.console).toBe(page);
    // The Spark UI is opened from the cluster page (persistent History Server), never a presigned URL.
    expect(links.sparkUi).toBe(page);
    expect(JSON.stringify(links)).not.toMatch(/X-Amz-|Signature|presigned/i);
  });

  /** onClusterWithSteps is a target whose configured cluster runs and lists these steps. */
  const onClusterWithSteps = (steps: StepSummary[]) => {
    const t = createEmrTarget({
      emr: new EMRClient({ region: 'eu-west-1' }),
      s3: new S3Client({ region: 'eu-west-1' }),
      plan: makePlan(),
    });
    const emr = mockClient(EMRClient);
    emr.on(DescribeClusterCommand).resolves({ Cluster: { Id: CLUSTER, Status: { State: 'RUNNING' } } });
    emr.on(ListStepsCommand).resolves({ Steps: steps });
    return { t, emr };
  };

  test('find lists the app steps of the configured cluster', async () => {
    const { t, emr } = onClusterWithSteps([
      { Id: 's-A', Name: NAME, Status: { State: 'RUNNING' } },
      { Id: 's-B', Name: 'other-app-prod-1-2', Status: { State: 'RUNNING' } },
    ]);
    const found = await t.find({ app: 'etl-pipeline' });
    emr.restore();
    expect(found.map((h) => [h.submissionId, h.data.state])).toEqual([['s-A', 'RUNNING']]);
  });

  test('find without a preview leaves the previews of the environment alone; with one, only its steps', async () => {
    const { t, emr } = onClusterWithSteps([
      { Id: 's-P7', Name: 'etl-pipeline-pr-7-prod-abc1234-1', Status: { State: 'RUNNING' } },
      { Id: 's-P70', Name: 'etl-pipeline-pr-70-prod-abc1234-2', Status: { State: 'RUNNING' } },
      { Id: 's-E', Name: NAME, Status: { State: 'RUNNING' } },
    ]);
    const ids = async (sel: { app: string; preview?: number }) =>
      (await t.find(sel)).map((h) => h.submissionId);
    try {
      expect(await ids({ app: 'etl-pipeline' })).toEqual(['s-E']);
      expect(await ids({ app: 'etl-pipeline-pr-7', preview: 7 })).toEqual(['s-P7']);
      expect(await ids({ app: 'etl-pipeline-pr-70', preview: 70 })).toEqual(['s-P70']);
    } finally {
      emr.restore();
    }
  });

  test('render prints the AddJobFlowSteps request', async () => {
    const plan = makePlan();
    const [r] = await env.target.render(plan, artifact);
    expect(r?.kind).toBe(
      'EMR AddJobFlowSteps request; s3://etl-artifacts/jars/abc1234/etl-pipeline-assembly-1.0.0.jar is staged only when the action deploys (a render or dry run uploads and copies nothing)',
    );
    expect(JSON.parse(r?.text ?? '')).toMatchObject({ JobFlowId: CLUSTER, Steps: [{ Name: NAME }] });
    expect(env.emr.calls()).toHaveLength(0);
  });

  test('render prints RunJobFlow for a transient cluster', async () => {
    const plan = makePlan({
      emr: { cluster: { releaseLabel: 'emr-7.5.0' }, s3: { jar: 's3://etl-artifacts/jars/' } },
    });
    const [r] = await env.target.render(plan, artifact);
    expect(r?.kind).toMatch(
      /^EMR RunJobFlow request; s3:\/\/\S+\.jar is staged only when the action deploys/,
    );
    expect(JSON.parse(r?.text ?? '')).toMatchObject({ ReleaseLabel: 'emr-7.5.0', Steps: [{ Name: NAME }] });
  });
});

test('a config error surfaces before any AWS call', async () => {
  await expect(
    env.target.submit(makePlan({ emr: { clusterId: 'j-1' } }), artifact, new AbortController().signal),
  ).rejects.toThrow(/emr\.s3\.jar/);
  expect(env.emr.calls()).toHaveLength(0);
  expect(env.s3.calls()).toHaveLength(0);
});

describe('Spark UI', () => {
  test('a watch followed to the end points at the console page; no presigned URL is asked for or printed', async () => {
    const e = setup();
    e.emr.on(DescribeStepCommand).resolvesOnce(step('RUNNING')).resolves(step('COMPLETED'));
    const h = handleOf();
    const got = await collect(e.target.watch(h, new AbortController().signal));
    expect(got.at(-1)?.phase).toBe('SUCCEEDED');
    expect(e.emr.commandCalls(CreatePersistentAppUICommand)).toHaveLength(0);
    expect(e.emr.commandCalls(GetPersistentAppUIPresignedURLCommand)).toHaveLength(0);
    const ui = e.log.lines.filter((l) => l.message.includes('Spark UI'));
    expect(ui).toHaveLength(1);
    expect(ui[0]?.message).toContain(
      'https://eu-west-1.console.aws.amazon.com/emr/home?region=eu-west-1#/clusterDetails/j-2AXXXXXXGAPLF',
    );
    expect(ui[0]?.message).toMatch(/Spark History Server/);
  });

  test('a look at the first state only (status command) says nothing of the UI', async () => {
    const e = setup();
    e.emr.on(DescribeStepCommand).resolves(step('RUNNING'));
    const it = e.target.watch(handleOf(), new AbortController().signal)[Symbol.asyncIterator]();
    expect((await it.next()).value?.phase).toBe('RUNNING');
    await it.return?.(undefined);
    expect(e.log.lines.filter((l) => l.message.includes('Spark UI'))).toHaveLength(0);
  });
});
