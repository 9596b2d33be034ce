// standalone.jar.stage: s3: where the JAR and config go (s3a:// for the workers), the upload through the
// shared S3 module (skip on the same SHA-256, clear errors), the S3 client's defaults, and the diagnosis of a
// worker that cannot fetch s3a:// (real Spark 3.5.6 status answers in test/fixtures/spark-rest).
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, test } from 'vitest';
import { createS3Client } from '../../../src/s3/client.js';
import { diagnoseJarFetch } from '../../../src/targets/standalone/fetch-diagnosis.js';
import { createStandaloneTarget } from '../../../src/targets/standalone/index.js';
import { resolveSettings } from '../../../src/targets/standalone/settings.js';
import { submissionIdFromSparkSubmit } from '../../../src/targets/standalone/spark-submit.js';
import { applyStaging, planStaging } from '../../../src/targets/standalone/staging.js';
import { statusOf } from '../../../src/targets/standalone/watch.js';
import { ActionError } from '../../../src/util/errors.js';
import { type FakeSpark, startFakeSpark } from '../../helpers/fake-spark-rest.js';
import { awsError } from '../emr/fixtures.js';
import { artifact, makePlan, type PlanOverrides, RecordingLog, virtualClock } from './fixtures.js';

const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`../../fixtures/spark-rest/${name}`, import.meta.url), 'utf8')) as {
    driverState: string;
    message: string;
  };

let ws = '';
beforeEach(() => {
  ws = mkdtempSync(join(tmpdir(), 'standalone-s3-'));
  writeFileSync(join(ws, 'prod.json'), '{"name":"prod"}');
});
afterEach(() => rmSync(ws, { recursive: true, force: true }));

const s3Plan = (jar: NonNullable<PlanOverrides['standalone']>['jar'], o: PlanOverrides = {}) =>
  makePlan({
    locate: true,
    workingDirectory: ws,
    standalone: { masters: ['https://m:6066'], jar },
    ...o,
  });
const plan = (p: ReturnType<typeof makePlan>) => planStaging(p, artifact, resolveSettings(p));
const configSha = () => createHash('sha256').update('{"name":"prod"}').digest('hex').slice(0, 12);

describe('planStaging with stage s3', () => {
  it('a prefix gets the content-addressed JAR name; workers get s3a:// URIs', () => {
    const sp = plan(s3Plan({ stage: 's3', s3: 's3://acme-artifacts/jars/abc123/' }));
    expect(sp).toMatchObject({
      stage: 's3',
      appResource: 's3a://acme-artifacts/jars/abc123/etl-pipeline-assembly-1.0.0-0123456789ab.jar',
      copies: [],
      uploads: [
        {
          from: artifact.jarPath,
          uri: 's3://acme-artifacts/jars/abc123/etl-pipeline-assembly-1.0.0-0123456789ab.jar',
          sha256: artifact.sha256,
        },
      ],
      s3: {},
    });
    expect(sp.configFile).toBeUndefined();
  });

  it('app.configFile goes beside the JAR under its own name, in a directory named by its hash', () => {
    const sp = plan(
      s3Plan({ stage: 's3', s3: 's3://acme-artifacts/jars/' }, { app: { configFile: 'prod.json' } }),
    );
    expect(sp.configFile).toBe(`s3a://acme-artifacts/jars/config-${configSha()}/prod.json`);
    expect(sp.uploads?.[1]).toEqual({
      from: join(ws, 'prod.json'),
      uri: `s3://acme-artifacts/jars/config-${configSha()}/prod.json`,
      sha256: createHash('sha256').update('{"name":"prod"}').digest('hex'),
    });
  });

  it('a full key is used as it is; region, endpoint and path style reach the client', () => {
    const sp = plan(
      s3Plan({
        stage: 's3',
        s3: 's3a://bucket/app.jar',
        region: 'eu-west-1',
        endpoint: 'http://minio:9000',
        pathStyle: false,
      }),
    );
    expect(sp.appResource).toBe('s3a://bucket/app.jar');
    expect(sp.s3).toEqual({ region: 'eu-west-1', endpoint: 'http://minio:9000', forcePathStyle: false });
  });

  it('a config file that cannot be read names app.configFile', () => {
    expect(() =>
      plan(s3Plan({ stage: 's3', s3: 's3://bkt1/jars/' }, { app: { configFile: 'missing.json' } })),
    ).toThrow(/app\.configFile: cannot read .*missing\.json/);
  });

  it('a leftover template is named', () => {
    expect(() => plan(s3Plan({ stage: 's3', s3: 's3://bkt1/jars/{{nope}}/' }))).toThrow(
      /standalone\.jar\.s3: "s3:\/\/bkt1\/jars\/\{\{nope\}\}\/" still holds a \{\{template\}\}/,
    );
  });
});

describe('uploading (applyStaging with stage s3)', () => {
  const s3 = mockClient(S3Client);
  afterEach(() => s3.reset());
  const io = (log = new RecordingLog()) => ({
    s3Client: () => new S3Client({ region: 'us-east-1' }),
    log: (l: string) => log.info(l),
  });

  it('uploads what S3 does not hold, with its SHA-256 as metadata; skips what it holds', async () => {
    writeFileSync(join(ws, 'app.jar'), 'PK-bytes');
    const p = s3Plan({ stage: 's3', s3: 's3://bkt1/jars/' }, { app: { configFile: 'prod.json' } });
    const sp = planStaging(p, { ...artifact, jarPath: join(ws, 'app.jar') }, resolveSettings(p));
    s3.on(HeadObjectCommand).rejects(awsError('NotFound', 404));
    s3.on(PutObjectCommand).resolves({});
    const log = new RecordingLog();
    await applyStaging(sp, io(log));
    const puts = s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input);
    expect(puts.map((i) => i.Key)).toEqual([
      'jars/app-0123456789ab.jar',
      `jars/config-${configSha()}/prod.json`,
    ]);
    expect(puts[0]?.Metadata).toEqual({ sha256: artifact.sha256 });
    expect(log.all()).toMatch(/standalone: uploading .* to s3:\/\/bkt1\/jars\/app-0123456789ab\.jar/);

    s3.reset();
    s3.on(HeadObjectCommand).callsFake((input: { Key: string }) => ({
      Metadata: {
        sha256: input.Key.endsWith('.jar')
          ? artifact.sha256
          : createHash('sha256').update('{"name":"prod"}').digest('hex'),
      },
    }));
    await applyStaging(sp, io());
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
  });

  test.each([
    [
      'AccessDenied',
      403,
      /^standalone: S3 denied PutObject on s3:\/\/bkt1\/jars\/etl-pipeline-assembly-1\.0\.0-0123456789ab\.jar \(AccessDenied\); .*s3:PutObject/,
    ],
    [
      'NoSuchBucket',
      404,
      /^standalone: S3 bucket "bkt1" does not exist \(PutObject .*\); create it or fix standalone\.jar\.s3$/,
    ],
    // Wrong keys are not a missing permission: the fix is the credentials, not the role's policy.
    [
      'InvalidAccessKeyId',
      403,
      /^standalone: S3 PutObject s3:\/\/bkt1\/\S+ failed: the AWS credentials on the runner are not valid \(InvalidAccessKeyId\)/,
    ],
    [
      'SignatureDoesNotMatch',
      403,
      /failed: the AWS credentials on the runner are not valid \(SignatureDoesNotMatch\)/,
    ],
    ['ExpiredToken', 400, /failed: the AWS session credentials on the runner have expired \(ExpiredToken\)/],
    // The SDK's chain found nothing: its error names no fix of its own.
    [
      'CredentialsProviderError',
      undefined,
      /failed: no AWS credentials were found on the runner .*aws-actions\/configure-aws-credentials.*id-token: write/,
    ],
  ])('%s: the target stops before submitting, with one error naming the fix', async (code, status, re) => {
    writeFileSync(join(ws, 'etl-pipeline-assembly-1.0.0.jar'), 'PK');
    const f: FakeSpark = await startFakeSpark({});
    try {
      s3.on(HeadObjectCommand).rejects(awsError('NotFound', 404));
      s3.on(PutObjectCommand).rejects(
        status === undefined
          ? // As @smithy/property-provider's CredentialsProviderError: a name, no service response.
            Object.assign(new Error('Could not load credentials from any providers'), { name: code })
          : awsError(code, status),
      );
      const target = createStandaloneTarget({
        clock: virtualClock(),
        log: new RecordingLog(),
        s3Client: () => new S3Client({ region: 'us-east-1' }),
      });
      const p = makePlan({
        workingDirectory: ws,
        standalone: { masters: [f.url], webUi: f.url, jar: { stage: 's3', s3: 's3://bkt1/jars/' } },
      });
      const a = { ...artifact, jarPath: join(ws, 'etl-pipeline-assembly-1.0.0.jar') };
      const err = await target.submit(p, a, new AbortController().signal).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ActionError);
      expect((err as Error).message).toMatch(re);
      expect(f.created).toBe(0);
    } finally {
      await f.close();
    }
  });
});

describe('createS3Client', () => {
  it('AWS_ENDPOINT_URL_S3 means an S3-compatible store: path-style', async () => {
    const c = createS3Client({ region: 'us-east-1' }, { AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:5055' });
    expect(c.config.forcePathStyle).toBe(true);
    expect((await c.config.endpoint?.())?.hostname).toBe('127.0.0.1');
  });

  it('the config endpoint wins; pathStyle false is kept; AWS itself is virtual-hosted', async () => {
    const c = createS3Client(
      { region: 'us-east-1', endpoint: 'https://minio.internal', forcePathStyle: false },
      { AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:5055' },
    );
    expect(c.config.forcePathStyle).toBe(false);
    expect((await c.config.endpoint?.())?.hostname).toBe('minio.internal');
    expect(createS3Client({ region: 'us-east-1' }, {}).config.forcePathStyle).toBe(false);
  });

  it('takes an injected credential provider (the seam for a renewing one)', async () => {
    let calls = 0;
    const c = createS3Client(
      {
        region: 'us-east-1',
        credentials: async () => {
          calls++;
          return { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' };
        },
      },
      {},
    );
    expect((await c.config.credentials()).accessKeyId).toBe('AKIDEXAMPLE');
    expect(calls).toBe(1);
  });
});

describe('a worker that cannot fetch an s3a:// JAR (real Spark 3.5.6 answers)', () => {
  it('no hadoop-aws on the worker: the cause says to install it and its SDK bundle', () => {
    const f = fixture('status-error-s3a-no-hadoop-aws.json');
    const s = statusOf(f.driverState, f.message);
    expect(s).toMatchObject({ phase: 'FAILED', nativeState: 'ERROR', terminal: true });
    expect(s.cause).toMatch(/^the worker cannot read s3a:\/\/ URIs: hadoop-aws is not on its classpath/);
    expect(s.cause).toContain('aws-java-sdk-bundle');
  });

  it("403 from S3: the cause names the object and the workers' own credentials", () => {
    const f = fixture('status-error-s3a-forbidden.json');
    const s = statusOf(f.driverState, f.message);
    expect(s.cause).toMatch(
      /^the worker was refused reading s3a:\/\/i17-foreign-probe\/jars\/app\.jar \(HTTP 403\)\. Fix: the workers fetch the JAR with their own Hadoop configuration/,
    );
  });

  it('other failures are left to the message; non-terminal states get no cause', () => {
    expect(diagnoseJarFetch('Exception from the cluster:\njava.nio.file.NoSuchFileException: /x.jar')).toBe(
      undefined,
    );
    const f = fixture('status-error-s3a-no-hadoop-aws.json');
    expect(statusOf('RUNNING', f.message).cause).toBeUndefined();
  });
});

describe('spark-submit (spark:// masters) without hadoop-aws on the runner', () => {
  it('says that spark-submit itself cannot read s3a:// and how to avoid it', () => {
    // test/fixtures/spark-submit/README.md says how it was captured.
    const stderr = readFileSync(
      new URL('../../fixtures/spark-submit/s3a-without-hadoop-aws.stderr', import.meta.url),
      'utf8',
    );
    expect(() => submissionIdFromSparkSubmit({ exitCode: 1, stdout: '', stderr })).toThrow(
      /^standalone: spark-submit cannot read s3a:\/\/ URIs \(S3AFileSystem not found\).*REST servers/,
    );
  });
});
