// Apps as people write them, deployed by the bundled action (dist/, through scripts/run-action.mjs) to the
// real local Spark (scripts/local-spark.sh start): code that names its application with .appName(...)
// (overriding the submitted spark.app.name) and code that hard-codes .master("local[*]"), as batch and as
// streaming runs. The app is SmokeJob (scripts/local-spark/SmokeJob.java) compiled against the cluster's jars.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { component, httpOk } from '../helpers/components.js';
import { type ActionRun, annotations, runAction } from '../helpers/run-action.js';
import { buildSmokeJar } from '../helpers/smoke-jar.js';

const REST = 'http://127.0.0.1:6066';
const UI = 'http://127.0.0.1:8080';
const spark = component(
  'local Spark',
  () => httpOk(`${REST}/v1/submissions/status/probe`),
  'run `bash scripts/local-spark.sh start`',
);

interface Driver {
  id: string;
  state: string;
}
const drivers = async (): Promise<Driver[]> => {
  const j = (await (await fetch(`${UI}/json/`)).json()) as Record<string, Driver[]>;
  return [...(j.activedrivers ?? []), ...(j.completeddrivers ?? [])];
};
const kill = (id: string) => fetch(`${REST}/v1/submissions/kill/${id}`, { method: 'POST' });

describe.skipIf(!spark)(
  'apps that name themselves or hard-code local[*] (bundled action, real Spark)',
  () => {
    let ws = '';
    const started: string[] = [];

    beforeAll(() => {
      ws = mkdtempSync(join(tmpdir(), 'spark-deploy-apps-e2e-'));
      buildSmokeJar(ws, 'smoke-job.jar');
    });
    afterAll(async () => {
      // Nothing of ours keeps running on the shared cluster, whatever a test left.
      const live = new Set((await drivers()).filter((d) => d.state === 'RUNNING').map((d) => d.id));
      await Promise.all(started.filter((id) => live.has(id)).map(kill));
      if (ws) rmSync(ws, { recursive: true, force: true });
    });

    const deploy = async (
      name: string,
      args: string[],
      o: { streaming?: boolean; timeoutMinutes?: number } = {},
    ): Promise<ActionRun & { elapsed: number }> => {
      mkdirSync(join(ws, '.github'), { recursive: true });
      writeFileSync(
        join(ws, '.github/spark-deploy.yml'),
        [
          'version: 1',
          'defaults:',
          '  target: standalone',
          '  app:',
          `    name: "${name}-${Date.now()}"`,
          '    mainClass: SmokeJob',
          `    args: ${JSON.stringify(args)}`,
          ...(o.streaming ? ['    mode: streaming', '    healthyAfter: 10'] : []),
          '  spark:',
          '    version: 3.5.6',
          '    scalaVersion: "2.12"',
          '    javaRelease: 8',
          '    conf: { spark.cores.max: 1 }',
          '    driver: { memory: 512m }',
          '    executor: { memory: 512m }',
          '  standalone:',
          `    masters: [${REST}]`,
          `    webUi: ${UI}`,
          '    jar: { stage: local }',
          '',
        ].join('\n'),
      );
      const t0 = Date.now();
      const run = await runAction({
        workspace: ws,
        inputs: {
          stages: 'verify,deploy',
          jar: 'smoke-job.jar',
          'timeout-minutes': String(o.timeoutMinutes ?? 5),
        },
      });
      const id = run.outputs['submission-id'];
      if (id) started.push(id);
      return { ...run, elapsed: Date.now() - t0 };
    };

    it('batch, .appName("something-else"): application id and Spark UI link', async () => {
      const run = await deploy('apps-e2e-named', ['--app-name', 'something-else', 'pi', '2']);
      expect(run.code, run.stdout + run.stderr).toBe(0);
      expect(run.outputs.state).toBe('SUCCEEDED');
      expect(run.outputs['application-id']).toMatch(/^app-\d{14}-\d{4}$/);
      expect(run.outputs['spark-ui-url']).toBe(`${UI}/app/?appId=${run.outputs['application-id']}`);
      const app = (await (await fetch(`${UI}/json/`)).json()) as {
        completedapps: { id: string; name: string }[];
      };
      expect(app.completedapps.find((a) => a.id === run.outputs['application-id'])?.name).toBe(
        'something-else',
      );
      expect(run.summary).not.toContain('local mode');
    });

    it('streaming, .appName("something-else"): healthy and a success within healthyAfter, not killed', async () => {
      const run = await deploy('apps-e2e-stream', ['--app-name', 'something-else', 'sleep', '600'], {
        streaming: true,
        timeoutMinutes: 4,
      });
      expect(run.code, run.stdout + run.stderr).toBe(0);
      expect(run.outputs.state).toBe('RUNNING');
      expect(run.outputs['application-id']).toMatch(/^app-\d{14}-\d{4}$/);
      expect(run.outputs['spark-ui-url']).toContain(run.outputs['application-id']);
      expect(run.summary).toMatch(/healthy: RUNNING for 1\d s/);
      // Start-up, registration and healthyAfter (10 s), far from the 4 min timeout.
      expect(run.elapsed).toBeLessThan(120_000);
      const id = run.outputs['submission-id'] as string;
      expect((await drivers()).find((x) => x.id === id)?.state).toBe('RUNNING');

      // `status` and `cancel` find the job by what was submitted, with the application its code named.
      const status = await runAction({ workspace: ws, inputs: { command: 'status' } });
      expect(status.code, status.stdout + status.stderr).toBe(0);
      expect(status.outputs).toMatchObject({
        'submission-id': id,
        state: 'RUNNING',
        'application-id': run.outputs['application-id'],
      });
      const cancel = await runAction({ workspace: ws, inputs: { command: 'cancel' } });
      expect(cancel.code, cancel.stdout + cancel.stderr).toBe(0);
      expect(cancel.stdout).toContain(`cancel: cancelled ${id}`);
      await expect
        .poll(async () => (await drivers()).find((x) => x.id === id)?.state, {
          timeout: 30_000,
          interval: 1000,
        })
        .toBe('KILLED');
    });

    it('batch, .master("local[*]"): succeeds with a warning that Spark ran in local mode', async () => {
      const run = await deploy('apps-e2e-local', ['--master', 'local[*]', 'pi', '2']);
      expect(run.code, run.stdout + run.stderr).toBe(0);
      expect(run.outputs.state).toBe('SUCCEEDED');
      expect(run.outputs['application-id']).toBeUndefined();
      const warning = annotations(run.stdout).find((a) => a.props.title === 'Spark ran in local mode');
      expect(warning?.level).toBe('warning');
      expect(warning?.message).toMatch(
        /runs Spark in local mode: its log shows Spark's executor starting inside/,
      );
      expect(warning?.message).toContain('.master("local[*]")');
      expect(run.summary).toContain('Spark ran in local mode');
    });

    it('streaming, .master("local[*]"): fails at once with a clear message; the post step kills it', async () => {
      const run = await deploy('apps-e2e-stream-local', ['--master', 'local[*]', 'sleep', '600'], {
        streaming: true,
        timeoutMinutes: 4,
      });
      expect(run.code).toBe(1);
      const error = annotations(run.stdout).find((a) => a.level === 'error');
      expect(error?.message).toMatch(
        /runs Spark in local mode: its log shows Spark's executor starting inside/,
      );
      expect(error?.message).toContain('not counted healthy');
      expect(run.elapsed).toBeLessThan(120_000);
      const id = run.outputs['submission-id'] as string;
      expect(run.post.stdout).toContain(`cancelled standalone submission ${id}`);
      await expect
        .poll(async () => (await drivers()).find((x) => x.id === id)?.state, {
          timeout: 30_000,
          interval: 1000,
        })
        .toBe('KILLED');
    });
  },
);
