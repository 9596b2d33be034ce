// The failed step's log as EMR lays it out (docs/protocols.md 3.7): the step's stderr is the YARN client's and
// names the application; the driver's stderr is the last AM container's under containers/<application>/.
import { gzipSync } from 'node:zlib';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, test } from 'vitest';
import { rootCauseFromLog } from '../../../src/deploy/root-cause.js';
import { stepLogTail } from '../../../src/targets/emr/log-tail.js';
import type { Handle } from '../../../src/targets/target.js';
import { awsError, virtualClock } from './fixtures.js';

const APP = 'application_1795630000000_0007';
const PREFIX = 'emr/j-2AXXXXXXGAPLF/';
const STEP_KEY = `${PREFIX}steps/s-1234567890ABC/stderr.gz`;
const STEP_ERR = [
  `26/12/07 10:00:00 INFO Client: Submitted application ${APP}`,
  '\t diagnostics: User class threw exception: java.lang.IllegalStateException: boom',
  '\t final status: FAILED',
  `Exception in thread "main" org.apache.spark.SparkException: Application ${APP} finished with failed status`,
  '\tat org.apache.spark.deploy.yarn.Client.run(Client.scala:1342)',
].join('\n');
const DRIVER_ERR = [
  '26/12/07 10:00:05 INFO SparkContext: Running Spark version 3.5.6',
  'Exception in thread "main" java.lang.IllegalStateException: boom with token=hunter2',
  '\tat com.etl.Main$.main(Main.scala:10)',
].join('\n');

const handle = (): Handle => ({
  target: 'emr',
  submissionId: 's-1234567890ABC',
  data: {
    clusterId: 'j-2AXXXXXXGAPLF',
    region: 'eu-west-1',
    stepName: 'etl-prod-abc1234-1',
    transient: 'false',
    logUri: 's3://etl-logs/emr/',
    appMode: 'batch',
    healthyAfterMs: '60000',
    timeoutMs: '3600000',
    submittedAt: '1795630000000',
  },
});
const body = (text: string) => ({ Body: { transformToByteArray: async () => gzipSync(text) } as never });

const client = new S3Client({ region: 'eu-west-1' });
const s3 = mockClient(client);
afterEach(() => s3.reset());
const deps = { clock: virtualClock(), logFetchDelaysMs: [0, 1000] };

describe('stepLogTail', () => {
  test("the driver's stderr from the last AM attempt's container, named by the step's stderr", async () => {
    s3.on(GetObjectCommand).rejects(awsError('NoSuchKey', 404));
    s3.on(GetObjectCommand, { Bucket: 'etl-logs', Key: STEP_KEY }).resolves(body(STEP_ERR));
    s3.on(ListObjectsV2Command, { Bucket: 'etl-logs', Prefix: `${PREFIX}containers/${APP}/` }).resolves({
      CommonPrefixes: [
        { Prefix: `${PREFIX}containers/${APP}/container_e03_1795630000000_0007_01_000001/` },
        { Prefix: `${PREFIX}containers/${APP}/container_e03_1795630000000_0007_02_000001/` },
        { Prefix: `${PREFIX}containers/${APP}/container_e03_1795630000000_0007_02_000002/` },
      ],
    });
    s3.on(GetObjectCommand, {
      Bucket: 'etl-logs',
      Key: `${PREFIX}containers/${APP}/container_e03_1795630000000_0007_02_000001/stderr.gz`,
    }).resolves(body(DRIVER_ERR));
    s3.on(GetObjectCommand, {
      Bucket: 'etl-logs',
      Key: `${PREFIX}containers/${APP}/container_e03_1795630000000_0007_01_000001/stderr.gz`,
    }).resolves(body('Exception in thread "main" java.lang.RuntimeException: attempt 1'));
    const h = handle();
    const tail = await stepLogTail(client, deps, h, 50);
    expect(tail).not.toContain('attempt 1');
    // Redaction happens where text leaves the action (src/util/redact.ts), not here.
    expect(tail).toContain('IllegalStateException: boom with token=hunter2');
    expect(h.applicationId).toBe(APP);
    // The root cause is the driver's exception, not the YARN client's "finished with failed status".
    expect(rootCauseFromLog(tail ?? '', 'driver stderr')?.summary).toBe(
      'IllegalStateException: boom with token=hunter2',
    );
  });

  test('without s3:ListBucket the attempts are guessed from the application id', async () => {
    s3.on(GetObjectCommand).rejects(awsError('NoSuchKey', 404));
    s3.on(GetObjectCommand, { Key: STEP_KEY }).resolves(body(STEP_ERR));
    s3.on(ListObjectsV2Command).rejects(awsError('AccessDenied', 403));
    s3.on(GetObjectCommand, {
      Key: `${PREFIX}containers/${APP}/container_1795630000000_0007_01_000001/stderr.gz`,
    }).resolves(body(DRIVER_ERR));
    expect(await stepLogTail(client, deps, handle(), 50)).toContain('boom with token');
  });

  test("the step's stderr when no container log arrives", async () => {
    s3.on(GetObjectCommand).rejects(awsError('NoSuchKey', 404));
    s3.on(GetObjectCommand, { Key: STEP_KEY }).resolves(body(STEP_ERR));
    s3.on(ListObjectsV2Command).resolves({});
    const tail = await stepLogTail(client, deps, handle(), 50);
    expect(tail).toContain('finished with failed status');
    // The AM's diagnostics in the client's report still name the cause.
    expect(rootCauseFromLog(tail ?? '', 'step stderr')?.summary).toBe('IllegalStateException: boom');
  });

  test('a step that submitted nothing: its stderr is the whole story', async () => {
    s3.on(GetObjectCommand).rejects(awsError('NoSuchKey', 404));
    const err = `Exception in thread "main" java.io.FileNotFoundException: No such file or directory 's3://b/app.jar'`;
    s3.on(GetObjectCommand, { Key: STEP_KEY }).resolves(body(err));
    expect(await stepLogTail(client, deps, handle(), 50)).toBe(err);
    expect(s3.commandCalls(ListObjectsV2Command)).toHaveLength(0);
  });
});
