// standalone.jar.stage: s3 end to end: the bundled action (dist/) deploys the example app's assembly JAR
// (built by global-setup.ts with real sbt) with the example config's `development` environment, pointed at
// the local cluster that reads s3a:// (LOCAL_SPARK_S3_ENDPOINT=<moto> bash scripts/local-spark.sh start):
// the JAR and configs/development.json go up to moto, the real worker downloads the JAR through hadoop-aws,
// the driver gets the config through spark.files, the ETL job reads its input from and writes its output to
// moto through s3a, FINISHED, SUCCEEDED. Then what must fail cleanly: a bucket the credentials cannot write
// (moto denies another account's bucket, as AWS does) and a cluster without hadoop-aws (the plain local
// cluster of scripts/local-spark.sh).
import { createHash, randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { parse, stringify } from 'yaml';
import { component, httpOk } from '../helpers/components.js';
import { type ActionRun, annotations, runAction } from '../helpers/run-action.js';

const root = resolve(new URL('../..', import.meta.url).pathname);
const MOTO = `http://127.0.0.1:${process.env.LOCAL_MOTO_PORT ?? '5055'}`;
const S3_REST = process.env.SPARK_S3_REST_URL ?? 'http://127.0.0.1:6366';
const S3_UI = process.env.SPARK_S3_MASTER_UI_URL ?? 'http://127.0.0.1:8380';
const PLAIN_REST = process.env.SPARK_REST_URL ?? 'http://127.0.0.1:6066';
const PLAIN_UI = process.env.SPARK_MASTER_UI_URL ?? 'http://127.0.0.1:8080';
const REGION = 'us-east-1';
const SHA = 'feedface1234567890feedface1234567890feed';

const exampleJar = inject('exampleJar');
if (!exampleJar) console.warn('skipping standalone-s3: no example JAR (global-setup.ts needs sbt on PATH)');
const moto = component(
  'moto server',
  () => httpOk(`${MOTO}/`),
  'start it with `bash scripts/local-moto.sh start`',
);
const s3Spark = component(
  'local Spark with hadoop-aws',
  () => httpOk(`${S3_REST}/v1/submissions/status/probe`),
  `nothing answers at ${S3_REST}; start it with \`LOCAL_SPARK_S3_ENDPOINT=${MOTO} bash scripts/local-spark.sh start\``,
);
const plainSpark = component(
  'local Spark',
  () => httpOk(`${PLAIN_REST}/v1/submissions/status/probe`),
  'start it with `bash scripts/local-spark.sh start`',
);

interface MasterJson {
  activedrivers: { id: string; state: string }[];
  completeddrivers: { id: string; state: string; worker?: string }[];
  workers: { id: string; webuiaddress: string }[];
}
const masterJson = async (ui: string) => (await (await fetch(`${ui}/json/`)).json()) as MasterJson;

describe.skipIf(!moto || !s3Spark || !exampleJar)('standalone.jar.stage: s3 with the bundled action', () => {
  const bucket = `etl-s3-e2e-${randomBytes(4).toString('hex')}`;
  const foreign = `${bucket}-foreign`;
  // configs/development.json's data bucket, made unique: moto is shared by every test run on the machine.
  const data = `${bucket}-data`;
  let dir = '';
  const jar = exampleJar;
  let runs = 0;
  // The test's own view of moto, independent of the environment the action runs with.
  const s3 = new S3Client({
    region: REGION,
    endpoint: MOTO,
    forcePathStyle: true,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'standalone-s3-e2e-'));
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    // The example's input, where configs/development.json reads it (its description says so).
    await s3.send(new CreateBucketCommand({ Bucket: data }));
    for (const [file, key] of [
      ['orders.csv', 'raw/orders/orders.csv'],
      ['customers.json', 'raw/customers/customers.json'],
    ] as const) {
      const body = readFileSync(join(root, 'examples/etl-app/data', file));
      await s3.send(new PutObjectCommand({ Bucket: data, Key: key, Body: body }));
    }
    // A bucket of another account: moto (MOTO_S3_ALLOW_CROSSACCOUNT_ACCESS=false, scripts/local-moto.sh)
    // answers our default account's writes to it with AccessDenied, as AWS does without a bucket policy.
    const other = new S3Client({
      region: REGION,
      endpoint: MOTO,
      forcePathStyle: true,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    });
    other.middlewareStack.add(
      (next) => (args) => {
        (args.request as { headers: Record<string, string> }).headers['x-moto-account-id'] = '111122223333';
        return next(args);
      },
      { step: 'build' },
    );
    await other.send(new CreateBucketCommand({ Bucket: foreign }));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /**
   * workspace copies examples/etl-app's deploy config and its configs/development.json. The `development`
   * environment is kept as the example has it (stage: s3, the app's args, the headers, the s3a credentials
   * provider), with the masters and the buckets pointed at this machine (the local cluster, moto) and the
   * driver and executors sized for one small worker.
   */
  function workspace(o: { rest: string; ui: string; bucket: string }): string {
    const ws = mkdtempSync(join(dir, 'ws-'));
    const text = readFileSync(join(root, 'examples/etl-app/.github/spark-deploy.yml'), 'utf8');
    const config = parse(text.replaceAll('acme-etl-artifacts', o.bucket)) as {
      environments: Record<string, Record<string, Record<string, unknown>>>;
    };
    const dev = config.environments.development as Record<string, Record<string, unknown>>;
    expect(dev.standalone?.jar).toEqual({ stage: 's3', s3: `s3://${o.bucket}/jars/{{sha}}/` });
    dev.standalone = { ...dev.standalone, masters: [o.rest], webUi: o.ui };
    expect(dev.app).toEqual({ args: ['--config', 'development.json'] });
    dev.spark = {
      ...dev.spark,
      conf: { ...(dev.spark?.conf as object), 'spark.cores.max': 1 },
      driver: { cores: 1, memory: '512m' },
      executor: { cores: 1, memory: '512m', instances: 1 },
    };
    mkdirSync(join(ws, '.github'), { recursive: true });
    writeFileSync(join(ws, '.github/spark-deploy.yml'), stringify(config));
    mkdirSync(join(ws, 'configs'), { recursive: true });
    const appConfig = readFileSync(join(root, 'examples/etl-app/configs/development.json'), 'utf8');
    expect(appConfig).toContain('s3a://etl-dev-data/');
    writeFileSync(
      join(ws, 'configs/development.json'),
      appConfig.replaceAll('s3a://etl-dev-data/', `s3a://${data}/`),
    );
    mkdirSync(join(ws, 'target'), { recursive: true });
    copyFileSync(jar, join(ws, 'target/etl-pipeline-assembly-1.0.0.jar'));
    return ws;
  }

  async function deploy(ws: string): Promise<ActionRun> {
    runs++;
    const r = await runAction({
      workspace: ws,
      inputs: {
        environment: 'development',
        stages: 'verify,deploy',
        jar: 'target/etl-pipeline-assembly-1.0.0.jar',
        'timeout-minutes': '5',
      },
      env: {
        AWS_ACCESS_KEY_ID: 'testing',
        AWS_SECRET_ACCESS_KEY: 'testing',
        AWS_REGION: REGION,
        AWS_ENDPOINT_URL_S3: MOTO,
        AWS_CONFIG_FILE: '/dev/null',
        AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
        AWS_EC2_METADATA_DISABLED: 'true',
        SPARK_REST_AUTHORIZATION: 'Bearer local-test-token',
        GITHUB_SHA: SHA,
        GITHUB_REF: 'refs/heads/main',
        GITHUB_REF_NAME: 'main',
        GITHUB_RUN_ID: String(9300 + runs),
      },
    });
    rmSync(r.dir, { recursive: true, force: true });
    return r;
  }
  const text = (r: ActionRun) => `${r.stdout}\n${r.stderr}\n--- post ---\n${r.post.stdout}${r.post.stderr}`;
  const errorsOf = (r: ActionRun) =>
    annotations(r.stdout)
      .filter((a) => a.level === 'error')
      .map((a) => a.message);
  const jarKey = () => {
    const sha = createHashHex(readFileSync(jar));
    return `jars/${SHA}/etl-pipeline-assembly-1.0.0-${sha.slice(0, 12)}.jar`;
  };

  test('uploads the JAR and config, the worker fetches them through s3a: FINISHED, SUCCEEDED; a second deploy uploads nothing', async () => {
    const ws = workspace({ rest: S3_REST, ui: S3_UI, bucket });
    const first = await deploy(ws);
    expect(first.code, text(first)).toBe(0);
    expect(first.outputs).toMatchObject({ target: 'standalone', state: 'SUCCEEDED' });
    const id = first.outputs['submission-id'] as string;
    expect(id).toMatch(/^driver-\d{14}-\d{4}$/);
    const done = await masterJson(S3_UI);
    expect(done.completeddrivers.find((d) => d.id === id)?.state).toBe('FINISHED');
    expect(first.stdout).toContain('standalone: uploading');
    expect(first.stdout).toContain(`JAR staged at s3a://${bucket}/${jarKey()}`);

    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: jarKey() }));
    expect(head.ContentLength).toBe(readFileSync(jar).length);
    const cfgSha = createHashHex(readFileSync(join(ws, 'configs/development.json')));
    const cfgKey = `jars/${SHA}/config-${cfgSha.slice(0, 12)}/development.json`;
    const cfg = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: cfgKey }));
    expect(await cfg.Body?.transformToString()).toBe(
      readFileSync(join(ws, 'configs/development.json'), 'utf8'),
    );
    // The driver got both as s3a:// URIs: the worker downloaded the JAR, the driver fetched spark.files.
    const worker = done.workers.find((w) => w.id === done.completeddrivers.find((d) => d.id === id)?.worker);
    const log = await (await fetch(`${worker?.webuiaddress}/logPage/?driverId=${id}&logType=stderr`)).text();
    expect(log).toMatch(
      new RegExp(`Added file s3a://${bucket}/jars/${SHA}/config-[0-9a-f]{12}/development\\.json`),
    );
    // The ETL job itself ran on the config it was given: its output is in moto's data bucket.
    const out = await s3.send(
      new ListObjectsV2Command({ Bucket: data, Prefix: 'curated/customer_revenue/' }),
    );
    const keys = (out.Contents ?? []).map((o) => o.Key);
    expect(keys).toContain('curated/customer_revenue/_SUCCESS');
    expect(keys.some((k) => k?.endsWith('.parquet'))).toBe(true);

    const second = await deploy(ws);
    expect(second.code, text(second)).toBe(0);
    expect(second.outputs.state).toBe('SUCCEEDED');
    expect(second.stdout).not.toContain('standalone: uploading');
    expect(second.stdout).toContain(`s3://${bucket}/${jarKey()} already holds this file`);
    expect(second.stdout).toContain(`s3://${bucket}/${cfgKey} already holds this file`);
    const again = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: jarKey() }));
    expect(again.ETag).toBe(head.ETag);
    expect(again.LastModified).toEqual(head.LastModified);
  });

  test('a bucket the credentials cannot write: one error naming the bucket and the permission, no driver', async () => {
    const probe = await s3.send(new PutObjectCommand({ Bucket: foreign, Key: 'probe', Body: 'x' })).then(
      () => 'written',
      (e: { name?: string }) => e.name,
    );
    expect(
      probe,
      "moto must deny another account's bucket: restart it with scripts/local-moto.sh stop; start",
    ).toBe('AccessDenied');
    const before = await masterJson(S3_UI);
    const r = await deploy(workspace({ rest: S3_REST, ui: S3_UI, bucket: foreign }));
    expect(r.code, text(r)).not.toBe(0);
    const errors = errorsOf(r);
    expect(errors, text(r)).toHaveLength(1);
    expect(errors[0]).toMatch(
      new RegExp(
        `standalone: S3 denied PutObject on s3://${foreign}/jars/${SHA}/.*\\(AccessDenied\\).*s3:PutObject`,
      ),
    );
    expect(r.outputs['submission-id']).toBeUndefined();
    const after = await masterJson(S3_UI);
    expect(after.activedrivers.length + after.completeddrivers.length).toBe(
      before.activedrivers.length + before.completeddrivers.length,
    );
  });

  test.skipIf(!plainSpark)(
    'a cluster without hadoop-aws: the worker cannot fetch the JAR, one error saying to install hadoop-aws, nothing left running',
    async () => {
      const r = await deploy(workspace({ rest: PLAIN_REST, ui: PLAIN_UI, bucket }));
      expect(r.code, text(r)).not.toBe(0);
      expect(r.outputs.state).toBe('FAILED');
      const errors = errorsOf(r);
      expect(errors, text(r)).toHaveLength(1);
      expect(errors[0]).toContain('ERROR');
      expect(errors[0]).toContain('hadoop-aws is not on its classpath (S3AFileSystem not found)');
      expect(errors[0]).toContain('aws-java-sdk-bundle');
      const id = r.outputs['submission-id'] as string;
      const m = await masterJson(PLAIN_UI);
      expect(m.activedrivers.map((d) => d.id)).not.toContain(id);
      expect(m.completeddrivers.find((d) => d.id === id)?.state).toBe('ERROR');
    },
  );
});

function createHashHex(b: Buffer | string): string {
  return createHash('sha256').update(b).digest('hex');
}
