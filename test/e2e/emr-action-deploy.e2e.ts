// The EMR target's deploy through the BUNDLED action (dist/, `npm run bundle` first), run the way a runner
// does with the SDK's standard environment: S3 on moto (scripts/local-moto.sh), EMR on the double
// (test/helpers/fake-emr.ts), a copy of examples/etl-app's deploy config. The deploy's own course: staging
// and following a step to COMPLETED (and uploading nothing again), FAILED with the cause from the stderr
// tail, abort by SIGTERM, transient clusters (terminated after failure and after abort), a throttling burst.
// Shared setup: test/helpers/emr-e2e.ts and test/helpers/emr-action-e2e.ts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, test } from 'vitest';
import {
  CONFIG_KEY,
  consoleUrl,
  deploy,
  deployAbortedWhenRunning,
  errorsOf,
  existingCluster,
  fake,
  head,
  JAR_KEY,
  logUri,
  motoS3,
  ops,
  root,
  runs,
  SHA,
  sha256Of,
  stepsOf,
  text,
  useEmrAction,
  workspace,
} from '../helpers/emr-action-e2e.js';
import { BUCKET, motoUp, REGION, useEmrWorkspace } from '../helpers/emr-e2e.js';

describe.skipIf(!motoUp)('EMR', () => {
  useEmrWorkspace();

  describe('the bundled action (dist/) with S3 on moto and EMR on the double', () => {
    useEmrAction();

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
  });
});
