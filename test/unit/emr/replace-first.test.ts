// A streaming redeploy to an existing EMR cluster: where the cluster runs one step at a time
// (StepConcurrencyLevel 1, EMR's default) the previous step is cancelled, and seen to end, before the new one
// is added (else the new one waits PENDING behind it until the timeout); with more, the new step comes first
// and the old one is retired once the new one is healthy. The deploy stage over the real EMR target, EMR mocked.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AddJobFlowStepsCommand,
  CancelStepsCommand,
  DescribeClusterCommand,
  DescribeStepCommand,
  EMRClient,
  ListStepsCommand,
} from '@aws-sdk/client-emr';
import { HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runDeployStage } from '../../../src/deploy/deploy-stage.js';
import { RunReport } from '../../../src/report/run-report.js';
import { createEmrTarget } from '../../../src/targets/emr/index.js';
import { awsError, artifact as baseArtifact, makePlan, RecordingLog, virtualClock } from './fixtures.js';

const CLUSTER = 'j-2AXXXXXXGAPLF';
const OLD = 's-OLD0000000001';
const NEW = 's-NEW0000000002';
const OLD_NAME = 'etl-pipeline-prod-0ld0ld0-4141';

const dir = mkdtempSync(join(tmpdir(), 'emr-replace-'));
const bytes = Buffer.from('PK\u0003\u0004 not really a jar');
const artifact = {
  ...baseArtifact,
  jarPath: join(dir, 'etl-pipeline-assembly-1.0.0.jar'),
  sha256: createHash('sha256').update(bytes).digest('hex'),
};
beforeAll(() => writeFileSync(artifact.jarPath, bytes));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** redeploy runs the deploy stage of a streaming app on a cluster whose old step runs, and what EMR saw. */
async function redeploy(level: number | undefined) {
  const emrClient = new EMRClient({ region: 'eu-west-1' });
  const s3Client = new S3Client({ region: 'eu-west-1' });
  const emr = mockClient(emrClient);
  const s3 = mockClient(s3Client);
  s3.on(HeadObjectCommand).rejects(awsError('NotFound', 404));
  s3.on(PutObjectCommand).resolves({ ETag: '"x"' });
  const order: string[] = [];
  let oldState = 'RUNNING';
  let added = false;
  emr.on(DescribeClusterCommand).resolves({
    Cluster: {
      Id: CLUSTER,
      Name: 'etl',
      Status: { State: 'RUNNING' },
      ...(level !== undefined ? { StepConcurrencyLevel: level } : {}),
    },
  });
  emr.on(ListStepsCommand).callsFake(() => ({
    Steps: [
      ...(added ? [{ Id: NEW, Name: 'etl-pipeline-prod-abc1234-4242', Status: { State: 'RUNNING' } }] : []),
      { Id: OLD, Name: OLD_NAME, Status: { State: oldState, Timeline: { CreationDateTime: new Date(0) } } },
    ],
  }));
  emr.on(CancelStepsCommand).callsFake((input: { StepIds: string[] }) => {
    order.push(`CancelSteps ${input.StepIds.join(',')}`);
    oldState = 'CANCELLED';
    return { CancelStepsInfoList: input.StepIds.map((StepId) => ({ StepId, Status: 'SUBMITTED' })) };
  });
  emr.on(AddJobFlowStepsCommand).callsFake(() => {
    order.push('AddJobFlowSteps');
    added = true;
    return { StepIds: [NEW] };
  });
  emr.on(DescribeStepCommand).callsFake((input: { StepId: string }) => ({
    Step: {
      Id: input.StepId,
      Name: input.StepId === OLD ? OLD_NAME : 'etl-pipeline-prod-abc1234-4242',
      // On one step at a time the new one could only run once the old one ended.
      Status: { State: input.StepId === OLD ? oldState : 'RUNNING' },
    },
  }));
  const log = new RecordingLog();
  const plan = makePlan({ app: { mode: 'streaming', healthyAfter: 30 } });
  const target = createEmrTarget({
    emr: emrClient,
    s3: s3Client,
    clock: virtualClock(),
    log,
    random: () => 0.5,
    logFetchDelaysMs: [0],
    plan,
  });
  const lines: string[] = [];
  const warnings: string[] = [];
  const result = await runDeployStage(
    {
      plan,
      artifact,
      target,
      signal: new AbortController().signal,
      saveHandle: () => undefined,
      markFinished: () => undefined,
      log: (l) => lines.push(l),
      warn: (w) => warnings.push(w),
    },
    new RunReport(() => undefined),
  );
  return { order, lines, warnings, result, log };
}

describe('streaming redeploy on an existing EMR cluster', () => {
  test.each([
    ['StepConcurrencyLevel 1', 1],
    ['no StepConcurrencyLevel (EMR default 1)', undefined],
  ])('%s: the old step is cancelled before the new one is added, and said so', async (_, level) => {
    const r = await redeploy(level);
    expect(r.order).toEqual([`CancelSteps ${OLD}`, 'AddJobFlowSteps']);
    expect(r.lines).toContain(
      `emr: cluster ${CLUSTER} runs one step at a time (StepConcurrencyLevel 1): cancelling the running step ${OLD} of etl-pipeline before adding the new one`,
    );
    expect(r.lines).toContain(`replaced: cancelled ${OLD} (RUNNING), the previous run of etl-pipeline`);
    expect(r.result.detail).toBe(`healthy: RUNNING for 30 s; replaced ${OLD}`);
    expect(r.warnings).toEqual([]);
  });

  test('StepConcurrencyLevel 2: the new step first, the old one retired once the new one is healthy', async () => {
    const r = await redeploy(2);
    expect(r.order).toEqual(['AddJobFlowSteps', `CancelSteps ${OLD}`]);
    expect(r.lines.join('\n')).not.toMatch(/one step at a time/);
    expect(r.lines).toContain(`replaced: cancelled ${OLD} (RUNNING), the previous run of etl-pipeline`);
    expect(r.result.detail).toBe(`healthy: RUNNING for 30 s; replaced ${OLD}`);
  });
});
