// What the EMR watch learns beyond DescribeStep: the step a PENDING step waits behind (an EMR cluster runs
// StepConcurrencyLevel steps at once, default 1), and the YARN application id of a step that completed, read
// once from its stderr on S3 (DescribeStep carries none; docs/protocols.md 3.3, 3.7).
import { gzipSync } from 'node:zlib';
import {
  DescribeClusterCommand,
  DescribeStepCommand,
  EMRClient,
  ListStepsCommand,
} from '@aws-sdk/client-emr';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, test } from 'vitest';
import { reportSparkRun } from '../../../src/metrics/report-run.js';
import { RunReport } from '../../../src/report/run-report.js';
import { createEmrTarget } from '../../../src/targets/emr/index.js';
import type { Handle, Status } from '../../../src/targets/target.js';
import { awsError, RecordingLog, virtualClock } from './fixtures.js';

const CLUSTER = 'j-2AXXXXXXGAPLF';
const STEP = 's-1234567890ABC';
const OTHER = 's-RUNNING000001';
const SINCE = new Date('2026-12-07T10:00:00Z');
const APP = 'application_1795630000000_0003';

function setup(level: number | undefined, ours: string[]) {
  const emrClient = new EMRClient({ region: 'eu-west-1' });
  const s3Client = new S3Client({ region: 'eu-west-1' });
  const emr = mockClient(emrClient);
  const s3 = mockClient(s3Client);
  let n = 0;
  emr.on(DescribeStepCommand).callsFake(() => ({
    Step: { Id: STEP, Name: 'etl-prod-abc1234-1', Status: { State: ours[Math.min(n++, ours.length - 1)] } },
  }));
  emr.on(DescribeClusterCommand).resolves({
    Cluster: {
      Id: CLUSTER,
      Status: { State: 'RUNNING' },
      ...(level !== undefined ? { StepConcurrencyLevel: level } : {}),
    },
  });
  emr.on(ListStepsCommand).resolves({
    Steps: [
      { Id: STEP, Name: 'etl-prod-abc1234-1', Status: { State: 'PENDING' } },
      {
        Id: OTHER,
        Name: 'stream-prod-0ld0ld0-7',
        Status: { State: 'RUNNING', Timeline: { StartDateTime: SINCE } },
      },
    ],
  });
  s3.on(GetObjectCommand).rejects(awsError('NoSuchKey', 404));
  s3.on(GetObjectCommand, { Key: `emr/${CLUSTER}/steps/${STEP}/stderr.gz` }).resolves({
    Body: {
      transformToByteArray: async () =>
        gzipSync(`26/12/07 10:00:00 INFO Client: Submitted application ${APP}\n`),
    } as never,
  });
  const log = new RecordingLog();
  const target = createEmrTarget({
    emr: emrClient,
    s3: s3Client,
    clock: virtualClock(),
    log,
    random: () => 0.5,
    logFetchDelaysMs: [0],
  });
  return { target, log, s3 };
}

const handle = (timeoutMs = 3_600_000): Handle => ({
  target: 'emr',
  submissionId: STEP,
  data: {
    clusterId: CLUSTER,
    region: 'eu-west-1',
    stepName: 'etl-prod-abc1234-1',
    transient: 'false',
    logUri: 's3://etl-logs/emr/',
    appMode: 'batch',
    healthyAfterMs: '60000',
    timeoutMs: String(timeoutMs),
    submittedAt: '1795630000000',
  },
});

async function collect(it: AsyncIterable<Status>): Promise<Status[]> {
  const out: Status[] = [];
  for await (const s of it) out.push(s);
  return out;
}

const BEHIND = `PENDING behind step ${OTHER} (stream-prod-0ld0ld0-7), RUNNING since ${SINCE.toISOString()}; the cluster runs one step at a time`;

describe('a step PENDING behind another', () => {
  test.each([1, undefined])(
    'StepConcurrencyLevel %s: the status and a notice name the running step',
    async (level) => {
      const { target, log } = setup(level, ['PENDING', 'PENDING', 'RUNNING', 'COMPLETED']);
      const got = await collect(target.watch(handle(), new AbortController().signal));
      expect(got[0]).toMatchObject({ phase: 'PENDING', message: BEHIND });
      expect(got.map((s) => s.nativeState)).toEqual(['PENDING', 'RUNNING', 'COMPLETED']);
      expect(got[1]?.message).toBeUndefined();
      expect(log.lines.filter((l) => l.message.includes('behind'))).toEqual([
        { level: 'info', message: `emr: step ${STEP} is ${BEHIND}` },
      ]);
    },
  );

  test('the timeout error carries it', async () => {
    const { target } = setup(1, ['PENDING']);
    const watching = collect(target.watch(handle(60_000), new AbortController().signal));
    await expect(watching).rejects.toThrow(`(last state PENDING: ${BEHIND})`);
  });

  test('StepConcurrencyLevel 2 with one step running: no such hint', async () => {
    const { target } = setup(2, ['PENDING', 'COMPLETED']);
    const got = await collect(target.watch(handle(), new AbortController().signal));
    expect(got[0]?.message).toBeUndefined();
  });
});

describe('the application id of a step that completed', () => {
  test("is read once from the step's stderr and ends up in the last status", async () => {
    const { target, s3 } = setup(1, ['RUNNING', 'COMPLETED']);
    const got = await collect(target.watch(handle(), new AbortController().signal));
    expect(got.at(-1)).toMatchObject({ phase: 'SUCCEEDED', applicationId: APP });
    expect(s3.commandCalls(GetObjectCommand)).toHaveLength(1);
  });

  test("the run report then gives the target's own reason for no metrics", async () => {
    const { target } = setup(1, ['COMPLETED']);
    const h = handle();
    const got = await collect(target.watch(h, new AbortController().signal));
    const notices: string[] = [];
    await reportSparkRun(
      {
        target,
        handle: h,
        ...(got.at(-1) ? { last: got.at(-1) as Status } : {}),
        batch: true,
        canCompare: false,
        log: () => undefined,
        notice: (m) => notices.push(m),
      },
      new RunReport(() => undefined),
    );
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatch(/^emr: no Spark metrics: /);
  });
});
