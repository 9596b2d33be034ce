// EMR target module end to end against the EMR double (test/helpers/fake-emr.ts), with S3 on moto
// (scripts/local-moto.sh) and the real AWS SDK clients: what moto does not do (docs/protocols.md 3.6), steps
// that finish, FailureDetails with the stderr tail from S3, CancelSteps, termination after failure,
// throttling bursts, an ambiguous 500. Shared setup: test/helpers/emr-e2e.ts.
import { gzipSync } from 'node:zlib';
import { EMRClient } from '@aws-sdk/client-emr';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createEmrTarget } from '../../src/targets/emr/index.js';
import type { Handle } from '../../src/targets/target.js';
import { systemClock } from '../../src/util/poll.js';
import {
  artifact,
  BUCKET,
  clusterId,
  collect,
  ENV,
  fast,
  motoUp,
  plan,
  quiet,
  s3,
  saved,
  setEnv,
  useEmrWorkspace,
} from '../helpers/emr-e2e.js';
import { type FakeEmr, startFakeEmr } from '../helpers/fake-emr.js';

describe.skipIf(!motoUp)('EMR', () => {
  useEmrWorkspace();

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
});
