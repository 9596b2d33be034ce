// Redeploying a streaming app to an existing EMR cluster, end to end: the bundled action (dist/, `npm run
// bundle` first) against the EMR double that really runs steps (test/helpers/fake-emr.ts with a runner,
// docs/protocols.md 3.7) on moto's S3. The double runs Cluster.StepConcurrencyLevel steps at once (default 1,
// as EMR): there the previous step must be cancelled before the new one is added, or the new one waits
// PENDING behind it until the timeout. Needs moto (scripts/local-moto.sh start), the local Spark home and javac.
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { component, hasCommand, httpOk } from '../helpers/components.js';
import { emrDoubleEnv } from '../helpers/emr-env.js';
import { type FakeEmr, startFakeEmr } from '../helpers/fake-emr.js';
import { type ActionRun, runAction } from '../helpers/run-action.js';
import { buildSmokeJar } from '../helpers/smoke-jar.js';
import { sparkHome } from '../helpers/spark-home.js';

const MOTO = `http://127.0.0.1:${process.env.LOCAL_MOTO_PORT ?? '5055'}`;
const REGION = 'us-east-1';
const SHA = 'c0ffee1234567890c0ffee1234567890c0ffee12';

const ready =
  component(
    'moto server',
    () => httpOk(`${MOTO}/`),
    `nothing answers at ${MOTO}; run scripts/local-moto.sh start`,
  ) && component('javac', () => hasCommand('javac', ['-version']), 'install a JDK 17');
const SPARK_HOME = ready ? sparkHome() : undefined;
const sparkReady =
  ready &&
  component('the local Spark home', () => SPARK_HOME !== undefined, 'bash scripts/local-spark.sh home');

describe.skipIf(!sparkReady)(
  'streaming redeploy on an existing EMR cluster (bundled action, real steps)',
  () => {
    const BUCKET = `sda-emr-steps-${randomBytes(4).toString('hex')}`;
    let dir = '';
    let fake: FakeEmr;
    let jar = '';
    let runs = 0;

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'emr-steps-e2e-'));
      const s3 = new S3Client({
        region: REGION,
        endpoint: MOTO,
        forcePathStyle: true,
        credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
      });
      await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
      fake = await startFakeEmr({
        runner: { s3, s3Endpoint: MOTO, sparkHome: SPARK_HOME as string, workDir: join(dir, 'cluster') },
      });
      jar = buildSmokeJar(join(dir, 'smoke'));
    }, 120_000);
    afterAll(async () => {
      await fake?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    /**
     * workspace deploys SmokeJob to the named cluster: `sleep 600` as a streaming app (healthy after 5 s), or
     * `pi 1` as a batch one.
     */
    function workspace(clusterName: string, mode: 'streaming' | 'batch' = 'streaming'): string {
      const ws = mkdtempSync(join(dir, 'ws-'));
      mkdirSync(join(ws, '.github'), { recursive: true });
      writeFileSync(
        join(ws, '.github/spark-deploy.yml'),
        [
          'version: 1',
          'defaults:',
          mode === 'streaming'
            ? '  app: { name: ticker, mainClass: SmokeJob, mode: streaming, healthyAfter: 5, args: [sleep, "600"] }'
            : '  app: { name: ticker, mainClass: SmokeJob, mode: batch, args: [pi, "1"] }',
          '  spark: { version: 3.5.6, scalaVersion: "2.12", javaRelease: 17 }',
          'environments:',
          '  production:',
          '    target: emr',
          '    emr:',
          `      region: ${REGION}`,
          `      clusterName: ${clusterName}`,
          `      s3: { jar: "s3://${BUCKET}/jars/{{run_id}}/ticker.jar" }`,
          '',
        ].join('\n'),
      );
      return ws;
    }

    async function deploy(ws: string): Promise<ActionRun> {
      runs++;
      const r = await runAction({
        workspace: ws,
        inputs: { environment: 'production', stages: 'deploy', jar, 'timeout-minutes': '3' },
        env: emrDoubleEnv({ region: REGION, moto: MOTO, emr: fake.endpoint, sha: SHA, runId: 8100 + runs }),
      });
      rmSync(r.dir, { recursive: true, force: true });
      return r;
    }
    const text = (r: ActionRun) => `${r.stdout}\n${r.stderr}`;
    const stateOf = (clusterId: string, stepId: string) =>
      fake.clusters.get(clusterId)?.steps.find((s) => s.Id === stepId)?.live?.State;

    function cluster(level?: number) {
      const c = {
        id: `j-${randomBytes(7).toString('hex').toUpperCase().slice(0, 13)}`,
        name: `ticker-${randomBytes(3).toString('hex')}`,
      };
      fake.addCluster({
        ...c,
        logUri: `s3://${BUCKET}/logs/`,
        ...(level ? { stepConcurrencyLevel: level } : {}),
      });
      return c;
    }

    test.each([
      ['StepConcurrencyLevel 1 (the default): the old step is cancelled first', undefined],
      ['StepConcurrencyLevel 2: the new step first, the old one retired once it is healthy', 2],
    ])(
      '%s; the new one runs',
      async (_, level) => {
        const c = cluster(level);
        const ws = workspace(c.name);
        const first = await deploy(ws);
        expect(first.code, text(first)).toBe(0);
        const old = first.outputs['submission-id'] ?? '';
        expect(stateOf(c.id, old)).toBe('RUNNING');

        const second = await deploy(ws);
        expect(second.code, text(second)).toBe(0);
        const now = second.outputs['submission-id'] ?? '';
        expect(now).not.toBe(old);
        const out = text(second);
        const cancelling = `emr: cluster ${c.id} runs one step at a time (StepConcurrencyLevel 1): cancelling the running step ${old} of ticker before adding the new one`;
        if (level === undefined) expect(out).toContain(cancelling);
        else expect(out).not.toContain('runs one step at a time');
        expect(out).toContain(`replaced: cancelled ${old} (RUNNING), the previous run of ticker`);
        // Cancelled before the submit, the old step has ended; retired after it, it ends soon (CANCEL_PENDING first).
        if (level !== undefined) await vi.waitFor(() => expect(stateOf(c.id, old)).toBe('CANCELLED'), 30_000);
        expect(stateOf(c.id, old)).toBe('CANCELLED');
        expect(stateOf(c.id, now)).toBe('RUNNING');
        const ids = fake.requests
          .filter((q) => q.op === 'AddJobFlowSteps' || q.op === 'CancelSteps')
          .slice(-2);
        expect(ids.map((q) => q.op)).toEqual(
          level === undefined ? ['CancelSteps', 'AddJobFlowSteps'] : ['AddJobFlowSteps', 'CancelSteps'],
        );
      },
      600_000,
    );

    test('a batch step that completed reports its application id, and the target says why it reads no metrics', async () => {
      const c = cluster();
      const r = await deploy(workspace(c.name, 'batch'));
      expect(r.code, text(r)).toBe(0);
      expect(r.outputs.state).toBe('SUCCEEDED');
      const step = fake.clusters.get(c.id)?.steps.find((s) => s.Id === r.outputs['submission-id']);
      expect(step?.live?.appId).toMatch(/^application_\d+_\d+$/);
      expect(r.outputs['application-id']).toBe(step?.live?.appId);
      expect(text(r)).toContain('emr: no Spark metrics: ');
      expect(text(r)).not.toContain('the Spark application id of this run is not known');
    }, 600_000);
  },
);
