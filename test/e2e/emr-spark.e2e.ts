// The EMR target end to end with steps that really run: the bundled action (dist/, `npm run bundle` first)
// stages the JAR and config on moto's S3 and adds the step to the EMR double (test/helpers/fake-emr.ts with
// a runner, docs/protocols.md 3.7), which localises them from moto into a container directory and runs the
// step's spark-submit with the local Spark (scripts/local-spark.sh home). Needs moto
// (scripts/local-moto.sh start), the Spark home, and the example JAR (sbt; global-setup builds it).
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import {
  AddJobFlowStepsCommand,
  DescribeStepCommand,
  EMRClient,
  ListClustersCommand,
  type Step,
} from '@aws-sdk/client-emr';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { component, hasCommand, httpOk } from '../helpers/components.js';
import { emrDoubleEnv } from '../helpers/emr-env.js';
import { type FakeEmr, startFakeEmr } from '../helpers/fake-emr.js';
import { type ActionRun, type ActionRunOptions, annotations, runAction } from '../helpers/run-action.js';
import { buildSmokeJar } from '../helpers/smoke-jar.js';
import { sparkHome } from '../helpers/spark-home.js';

const root = resolve(import.meta.dirname, '../..');
const MOTO = `http://127.0.0.1:${process.env.LOCAL_MOTO_PORT ?? '5055'}`;
const REGION = 'us-east-1';
const SHA = 'feedface1234567890feedface1234567890feed';
const exampleJar = inject('exampleJar');

const ready =
  component(
    'moto server',
    () => httpOk(`${MOTO}/`),
    `nothing answers at ${MOTO}; run scripts/local-moto.sh start`,
  ) &&
  component('the example JAR', () => exampleJar !== '', 'sbt builds it (bash scripts/install-sbt.sh)') &&
  component('javac', () => hasCommand('javac', ['-version']), 'install a JDK 17');
const SPARK_HOME = ready ? sparkHome() : undefined;
const sparkReady =
  ready &&
  component('the local Spark home', () => SPARK_HOME !== undefined, 'bash scripts/local-spark.sh home');

describe.skipIf(!sparkReady)('EMR steps run by the local Spark (bundled action, moto S3)', () => {
  const BUCKET = `sda-emr-run-${randomBytes(4).toString('hex')}`;
  const logUri = `s3://${BUCKET}/logs/`;
  let dir = '';
  let fake: FakeEmr;
  let s3: S3Client;
  let smokeJar = '';
  let runs = 0;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'emr-spark-e2e-'));
    s3 = new S3Client({
      region: REGION,
      endpoint: MOTO,
      forcePathStyle: true,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    });
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    fake = await startFakeEmr({
      runner: { s3, s3Endpoint: MOTO, sparkHome: SPARK_HOME as string, workDir: join(dir, 'cluster') },
    });
    smokeJar = buildSmokeJar(join(dir, 'smoke'));
  }, 120_000);
  afterAll(async () => {
    await fake?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /**
   * workspace is examples/etl-app's deploy config (environment production) on this bucket and cluster, its
   * production config with the data paths on this machine (the local Spark has no s3a), and a JAR.
   */
  function workspace(cluster: { name: string } | 'transient', app?: { mainClass: string; args: string[] }) {
    const ws = mkdtempSync(join(dir, 'ws-'));
    let config = readFileSync(join(root, 'examples/etl-app/.github/spark-deploy.yml'), 'utf8').replaceAll(
      'acme-etl-artifacts',
      BUCKET,
    );
    const line = '      clusterName: etl-production\n';
    expect(config).toContain(line);
    config = config.replace(
      line,
      cluster === 'transient'
        ? `      cluster:\n        releaseLabel: emr-7.5.0\n        logUri: "${logUri}"\n`
        : `      clusterName: ${cluster.name}\n`,
    );
    if (app) {
      const main = '    mainClass: com.etl.Main\n';
      expect(config).toContain(main);
      config = config.replace(main, `    mainClass: ${app.mainClass}\n`);
      config = config.replace(
        '  production:\n    target: emr\n',
        `  production:\n    target: emr\n    app:\n      args: ${JSON.stringify(app.args)}\n`,
      );
    }
    mkdirSync(join(ws, '.github'), { recursive: true });
    writeFileSync(join(ws, '.github/spark-deploy.yml'), config);
    const data = join(dir, 'data');
    mkdirSync(data, { recursive: true });
    for (const f of ['orders.csv', 'customers.json'])
      copyFileSync(join(root, 'examples/etl-app/data', f), join(data, f));
    const pipeline = JSON.parse(readFileSync(join(root, 'examples/etl-app/configs/production.json'), 'utf8'));
    pipeline.input.path = `file://${data}/orders.csv`;
    for (const t of pipeline.transformations) if (t.input) t.input.path = `file://${data}/customers.json`;
    const out = join(ws, 'out', 'customer_revenue');
    pipeline.output.path = `file://${out}`;
    mkdirSync(join(ws, 'configs'), { recursive: true });
    writeFileSync(join(ws, 'configs/production.json'), JSON.stringify(pipeline, null, 2));
    mkdirSync(join(ws, 'target'), { recursive: true });
    const jar = join(ws, 'target/etl-pipeline-assembly-1.0.0.jar');
    copyFileSync(app ? smokeJar : exampleJar, jar);
    return { ws, jar, out };
  }

  function existingCluster(): { id: string; name: string } {
    const c = {
      id: `j-${randomBytes(7).toString('hex').toUpperCase().slice(0, 13)}`,
      name: `etl-production-${randomBytes(3).toString('hex')}`,
    };
    fake.addCluster({ ...c, logUri });
    return c;
  }

  async function deploy(ws: string, jar: string, opts: Partial<ActionRunOptions> = {}): Promise<ActionRun> {
    runs++;
    const r = await runAction({
      workspace: ws,
      ...opts,
      inputs: { environment: 'production', stages: 'verify,deploy', jar, 'timeout-minutes': '5' },
      env: emrDoubleEnv({ region: REGION, moto: MOTO, emr: fake.endpoint, sha: SHA, runId: 7000 + runs }),
    });
    rmSync(r.dir, { recursive: true, force: true });
    return r;
  }
  const text = (r: ActionRun) => `${r.stdout}\n${r.stderr}`;
  const errorsOf = (r: ActionRun) =>
    annotations(r.stdout)
      .filter((a) => a.level === 'error')
      .map((a) => a.message);
  /** readContainerStdout is the driver's stdout so far, from the one AM container of an application. */
  const readContainerStdout = (appDir: string) =>
    readdirSync(appDir)
      .map((c) => join(appDir, c, 'stdout'))
      .filter((f) => existsSync(f))
      .map((f) => readFileSync(f, 'utf8'))
      .join('');
  const clusterOf = (name: string) => [...fake.clusters.values()].find((c) => c.Name === name);
  async function log(key: string): Promise<string> {
    const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    return gunzipSync(
      Buffer.from(await (got.Body?.transformToByteArray() ?? Promise.resolve(new Uint8Array()))),
    ).toString('utf8');
  }

  test('the example app, environment production: runs from the moto-staged JAR and config, COMPLETED', async () => {
    const c = existingCluster();
    const { ws, jar, out } = workspace(c);
    const r = await deploy(ws, jar);
    expect(r.code, text(r)).toBe(0);
    const [step] = fake.clusters.get(c.id)?.steps ?? [];
    expect(step?.live?.State).toBe('COMPLETED');
    expect(step?.Name).toBe(`etl-pipeline-production-${SHA.slice(0, 7)}-${7000 + runs}`);
    const args = step?.Config.Args ?? [];
    // The config is shipped with --files and named as YARN localises it: by its bare name.
    expect(args).toContain(`s3://${BUCKET}/configs/${SHA}/production.json`);
    expect(args.slice(-2)).toEqual(['--config', 'production.json']);
    expect(r.outputs).toMatchObject({ state: 'SUCCEEDED', 'submission-id': step?.Id });
    // The job really ran: its output, and its driver's stdout archived with the AM container's logs.
    expect(existsSync(join(out, '_SUCCESS'))).toBe(true);
    const appId = step?.live?.appId as string;
    const stepErr = await log(`logs/${c.id}/steps/${step?.Id}/stderr.gz`);
    expect(stepErr).toContain(`Submitted application ${appId}`);
    expect(stepErr).toContain('final status: SUCCEEDED');
    const [, ts, n] = /^application_(\d+)_(\d+)$/.exec(appId) ?? [];
    const driverOut = await log(`logs/${c.id}/containers/${appId}/container_${ts}_${n}_01_000001/stdout.gz`);
    expect(driverOut).toMatch(/ETL OK: wrote \d+ rows to file:/);
    expect(fake.clusters.get(c.id)?.State).toBe('WAITING');
  }, 300_000);

  test('a transient cluster runs its step to COMPLETED and terminates (ALL_STEPS_COMPLETED)', async () => {
    const { ws, jar } = workspace('transient', { mainClass: 'SmokeJob', args: ['pi', '1'] });
    const r = await deploy(ws, jar);
    expect(r.code, text(r)).toBe(0);
    const c = clusterOf(`etl-pipeline-production-${SHA.slice(0, 7)}-${7000 + runs}`);
    expect(c?.steps[0]?.live?.State).toBe('COMPLETED');
    expect(c?.State).toBe('TERMINATED');
    expect(c?.StateChangeReason?.Code).toBe('ALL_STEPS_COMPLETED');
    expect(r.outputs.state).toBe('SUCCEEDED');
  }, 300_000);

  test('a failing app on a transient cluster: FAILED with its exception from the logs in moto, cluster terminated', async () => {
    const { ws, jar } = workspace('transient', { mainClass: 'SmokeJob', args: ['fail'] });
    const r = await deploy(ws, jar);
    expect(r.code, text(r)).toBe(1);
    const name = `etl-pipeline-production-${SHA.slice(0, 7)}-${7000 + runs}`;
    const c = clusterOf(name);
    const step = c?.steps[0];
    expect(step?.live?.State).toBe('FAILED');
    expect(step?.live?.FailureDetails).toMatchObject({
      Reason: expect.stringMatching(
        /SparkException: Application application_\d+_\d+ finished with failed status/,
      ),
      LogFile: `${logUri}${c?.Id}/steps/${step?.Id}/stderr.gz`,
    });
    // The cause is the driver's exception, read from the AM container's stderr.gz in moto.
    const [error] = errorsOf(r);
    expect(error).toMatch(/ended FAILED \(FAILED\): IllegalStateException: SmokeJob failed on purpose/);
    expect(r.summary).toContain('SmokeJob failed on purpose');
    expect(c?.State).toMatch(/^TERMINATED/);
  }, 300_000);

  test('cancelling the run cancels the step, ends its process and terminates the transient cluster', async () => {
    const { ws, jar } = workspace('transient', { mainClass: 'SmokeJob', args: ['sleep', '600'] });
    const ac = new AbortController();
    let seen = '';
    let watching = false;
    const name = `etl-pipeline-production-${SHA.slice(0, 7)}-${7000 + runs + 1}`;
    // Cancel once the driver is really up: SmokeJob prints "sleeping" after its first Spark job.
    const abortWhenSleeping = async () => {
      for (let i = 0; i < 600 && !ac.signal.aborted; i++) {
        const live = clusterOf(name)?.steps[0]?.live;
        const stdout = live?.appId
          ? join(dir, 'cluster', clusterOf(name)?.Id ?? '', 'containers', live.appId)
          : '';
        if (stdout && existsSync(stdout) && /sleeping/.test(readContainerStdout(stdout))) ac.abort();
        else await new Promise((r) => setTimeout(r, 200));
      }
    };
    const r = await deploy(ws, jar, {
      signal: ac.signal,
      onOutput: (t: string) => {
        seen += t;
        if (!watching && seen.includes('state: RUNNING')) {
          watching = true;
          void abortWhenSleeping();
        }
      },
    });
    expect(ac.signal.aborted, text(r)).toBe(true);
    const c = clusterOf(name);
    const step = c?.steps[0];
    expect(step?.cancelled).toBe(true);
    const pid = step?.live?.run?.pid() as number;
    expect(pid).toBeGreaterThan(0);
    // The process group is gone once the step settled.
    for (let i = 0; i < 100 && step?.live?.State !== 'CANCELLED'; i++)
      await new Promise((r) => setTimeout(r, 200));
    expect(step?.live?.State).toBe('CANCELLED');
    expect(() => process.kill(pid, 0)).toThrow();
    expect(c?.State).toMatch(/^TERMINATED/);
  }, 300_000);

  test('a JAR missing from S3 fails the step before anything runs: FailureDetails name the object', async () => {
    const c = existingCluster();
    const emr = new EMRClient({
      region: REGION,
      endpoint: fake.endpoint,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    });
    const missing = `s3://${BUCKET}/jars/nothing-here.jar`;
    const { StepIds } = await emr.send(
      new AddJobFlowStepsCommand({
        JobFlowId: c.id,
        Steps: [
          {
            Name: 'missing',
            ActionOnFailure: 'CONTINUE',
            HadoopJarStep: {
              Jar: 'command-runner.jar',
              Args: ['spark-submit', '--deploy-mode', 'cluster', '--class', 'A', missing],
            },
          },
        ],
      }),
    );
    let step: Step | undefined;
    for (let i = 0; i < 100 && step?.Status?.State !== 'FAILED'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      step = (await emr.send(new DescribeStepCommand({ ClusterId: c.id, StepId: StepIds?.[0] }))).Step;
    }
    expect(step?.Status?.FailureDetails).toEqual({
      Reason: `java.io.FileNotFoundException: No such file or directory '${missing}'`,
      Message: `Exception in thread "main" java.io.FileNotFoundException: No such file or directory '${missing}'`,
      LogFile: `${logUri}${c.id}/steps/${StepIds?.[0]}/stderr.gz`,
    });
    expect(await log(`logs/${c.id}/steps/${StepIds?.[0]}/stderr.gz`)).not.toContain('Submitted application');
    expect(fake.clusters.get(c.id)?.State).toBe('WAITING');
  });

  test('scripts/local-emr.sh: a server on 127.0.0.1 that runs the steps it is given; status and stop', async () => {
    const port = await new Promise<number>((ok) => {
      const srv = createServer().listen(0, '127.0.0.1', () => {
        const p = (srv.address() as { port: number }).port;
        srv.close(() => ok(p));
      });
    });
    const env = {
      ...process.env,
      LOCAL_EMR_PORT: String(port),
      LOCAL_MOTO_PORT: new URL(MOTO).port,
      LOCAL_EMR_STATE_DIR: join(dir, 'local-emr'),
      LOCAL_EMR_LOG_URI: logUri,
      LOCAL_EMR_CLUSTERS: 'etl-production',
      SPARK_HOME: SPARK_HOME as string,
    };
    const sh = (cmd: string) =>
      execFileSync('bash', [join(root, 'scripts/local-emr.sh'), cmd], {
        env,
        encoding: 'utf8',
        timeout: 120_000,
      });
    expect(sh('start')).toBe(`AWS_ENDPOINT_URL_EMR=http://127.0.0.1:${port}\n`);
    try {
      expect(sh('status')).toBe(`AWS_ENDPOINT_URL_EMR=http://127.0.0.1:${port}\n`);
      const emr = new EMRClient({
        region: REGION,
        endpoint: `http://127.0.0.1:${port}`,
        credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
      });
      const clusters =
        (await emr.send(new ListClustersCommand({ ClusterStates: ['WAITING'] }))).Clusters ?? [];
      const cluster = clusters.find((c) => c.Name === 'etl-production');
      expect(cluster?.Id).toMatch(/^j-[0-9A-Z]{13}$/);
      await s3.send(
        new PutObjectCommand({ Bucket: BUCKET, Key: 'local-emr/smoke.jar', Body: readFileSync(smokeJar) }),
      );
      const { StepIds } = await emr.send(
        new AddJobFlowStepsCommand({
          JobFlowId: cluster?.Id,
          Steps: [
            {
              Name: 'pi',
              ActionOnFailure: 'CONTINUE',
              HadoopJarStep: {
                Jar: 'command-runner.jar',
                Args: [
                  'spark-submit',
                  '--deploy-mode',
                  'cluster',
                  '--master',
                  'yarn',
                  '--class',
                  'SmokeJob',
                  `s3://${BUCKET}/local-emr/smoke.jar`,
                  'pi',
                  '1',
                ],
              },
            },
          ],
        }),
      );
      let state = '';
      for (let i = 0; i < 300 && !['COMPLETED', 'FAILED', 'CANCELLED'].includes(state); i++) {
        await new Promise((r) => setTimeout(r, 500));
        state = (await emr.send(new DescribeStepCommand({ ClusterId: cluster?.Id, StepId: StepIds?.[0] })))
          .Step?.Status?.State as string;
      }
      expect(state).toBe('COMPLETED');
    } finally {
      sh('stop');
    }
    expect(() => sh('status')).toThrow();
  }, 300_000);
});
