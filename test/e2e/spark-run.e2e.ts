// How the Spark run went, read back by the bundled action from the real local Spark's History Server
// (scripts/local-spark.sh start: event logs on, History Server on LOCAL_SPARK_HISTORY_PORT, 18080 by
// default): the example app's real stages, a job built to skew one stage, a job that spills, and a second
// deploy compared with the first through the deployment payloads the fake GitHub API keeps.
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { component, httpOk } from '../helpers/components.js';
import { type FakeGitHub, startFakeGitHub } from '../helpers/fake-github.js';
import { type ActionRun, annotations, runAction } from '../helpers/run-action.js';
import { buildShapeJar } from '../helpers/shape-jar.js';

// The ports scripts/local-spark.sh starts on, overridable the same way it is.
const port = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const REST = `http://127.0.0.1:${port('LOCAL_SPARK_REST_PORT', 6066)}`;
const UI = `http://127.0.0.1:${port('LOCAL_SPARK_MASTER_UI_PORT', 8080)}`;
const HISTORY = `http://127.0.0.1:${port('LOCAL_SPARK_HISTORY_PORT', 18080)}`;
const SHA = 'c0ffee0000000000000000000000000000000042';
const root = resolve(import.meta.dirname, '../..');

const spark = component(
  'local Spark with its History Server',
  () => httpOk(`${REST}/v1/submissions/status/probe`) && httpOk(`${HISTORY}/api/v1/version`),
  'run `bash scripts/local-spark.sh start` (it starts the History Server too)',
);

interface SparkRunJson {
  appId: string;
  completed: boolean;
  stages: { stageId: number; name: string; durationMs: number; diskSpillBytes: number }[];
}

describe.skipIf(!spark)('Spark run metrics (bundled action, real Spark and History Server)', () => {
  let ws = '';
  const suffix = Date.now();

  beforeAll(() => {
    ws = mkdtempSync(join(tmpdir(), 'spark-deploy-run-e2e-'));
    buildShapeJar(ws);
  });
  afterAll(() => {
    if (ws) rmSync(ws, { recursive: true, force: true });
  });

  const config = (name: string, args: string[]) =>
    [
      'version: 1',
      'defaults:',
      '  app:',
      `    name: "${name}"`,
      '    mainClass: ShapeJob',
      `    args: ${JSON.stringify(args)}`,
      '  spark:',
      '    version: 3.5.6',
      '    scalaVersion: "2.12"',
      '    javaRelease: 8',
      '    conf: { spark.cores.max: 2 }',
      '    driver: { memory: 512m }',
      '    executor: { memory: 768m, cores: 2 }',
      '  standalone:',
      `    masters: [${REST}]`,
      `    webUi: ${UI}`,
      `    historyServer: ${HISTORY}`,
      '    jar: { stage: local }',
      'environments:',
      '  staging:',
      '    target: standalone',
      '',
    ].join('\n');

  const deploy = async (
    name: string,
    args: string[],
    github?: FakeGitHub,
  ): Promise<ActionRun & { metrics?: SparkRunJson }> => {
    mkdirSync(join(ws, '.github'), { recursive: true });
    writeFileSync(join(ws, '.github/spark-deploy.yml'), config(name, args));
    const run = await runAction({
      workspace: ws,
      inputs: {
        stages: 'verify,deploy',
        jar: 'shape-job.jar',
        environment: 'staging',
        'timeout-minutes': '8',
        ...(github ? { 'github-token': 'ghs_e2etoken' } : {}),
      },
      env: github
        ? {
            GITHUB_API_URL: github.url,
            GITHUB_SERVER_URL: 'https://github.com',
            GITHUB_REPOSITORY: 'acme/etl',
            GITHUB_SHA: SHA,
            GITHUB_RUN_ID: String(suffix),
          }
        : {},
    });
    const file = run.outputs['spark-metrics-path'];
    return {
      ...run,
      ...(file && existsSync(file)
        ? { metrics: JSON.parse(readFileSync(file, 'utf8')) as SparkRunJson }
        : {}),
    };
  };

  it('a skewed job is flagged with its stage and numbers; the second deploy is compared with the first', async () => {
    const github = await startFakeGitHub();
    try {
      const name = `shape-skew-${suffix}`;
      const first = await deploy(name, ['skew', '600000'], github);
      expect(first.code, first.stdout + first.stderr).toBe(0);
      const appId = first.outputs['application-id'];
      expect(first.metrics?.appId).toBe(appId);
      expect(first.metrics?.completed).toBe(true);
      expect(first.summary).toContain('### Spark run');
      expect(first.summary).toMatch(/```mermaid\ngantt\n/);
      expect(first.summary).toContain('save at ShapeJob.java');
      expect(first.summary).toContain('No earlier successful deploy');
      const skew = annotations(first.stdout).find((a) => /^Skewed stage \d+/.test(a.props.title ?? ''));
      expect(skew, first.stdout).toBeDefined();
      // The shuffle puts 95 % of 600 000 rows in one task of the sorting stage.
      expect(skew?.level).toBe('warning');
      expect(skew?.message).toMatch(
        /stage \d+ "save at ShapeJob\.java:\d+": the slowest task ran [\d.]+ m?s against/,
      );
      expect(skew?.message).toMatch(/the largest read was [\d.]+ MiB against a median of/);
      const hot = /the most records ([\d,]+) against a median of/.exec(skew?.message ?? '');
      expect(Number(hot?.[1]?.replaceAll(',', ''))).toBeGreaterThanOrEqual(570_000);
      // A shuffle's skew: the hot-key advice.
      expect(skew?.message).toContain('salt the hot key');
      if (process.env.SPARK_RUN_E2E_SUMMARY) writeFileSync(process.env.SPARK_RUN_E2E_SUMMARY, first.summary);
      // The run's numbers are kept in a deployment created once they are known; the first one retires.
      expect(github.deployments).toHaveLength(2);
      const [opened, kept] = github.deployments;
      expect(kept?.request.payload).toMatchObject({ app: name, spark_run: { app_id: appId } });
      expect(opened?.statuses.at(-1)).toMatchObject({ state: 'inactive' });
      expect(kept?.statuses.at(-1)).toMatchObject({ state: 'success' });
      expect(first.outputs['deployment-id']).toBe(String(kept?.id));

      const second = await deploy(name, ['skew', '600000'], github);
      expect(second.code, second.stdout + second.stderr).toBe(0);
      expect(second.summary).toContain(`Against the last successful deploy (deployment #${kept?.id}`);
      expect(second.summary).toContain(`\`${appId}\``);
      expect(second.summary).toMatch(/\| wall time \| [^|]+ \| [^|]+ \| (?:[+−]\d+ %|±0 %) \|/);
      expect(second.summary).toMatch(/\| shuffle read \| [\d.]+ MiB \| [\d.]+ MiB \| (?:[+−]\d+ %|±0 %) \|/);
      expect(github.violations).toEqual([]);
    } finally {
      await github.close();
    }
  });

  it('a job that spills is flagged; without a token the run is not compared (one notice)', async () => {
    const run = await deploy(`shape-spill-${suffix}`, ['spill', '200000']);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const spilled = run.metrics?.stages.filter((s) => s.diskSpillBytes > 0) ?? [];
    expect(spilled.length).toBeGreaterThan(0);
    const found = annotations(run.stdout).find((a) =>
      /^Spark spilled [\d.]+ [KMG]i?B to disk/.test(a.props.title ?? ''),
    );
    expect(found, run.stdout).toMatchObject({ level: 'warning' });
    expect(found?.message).toMatch(/stage \d+ "save at ShapeJob\.java:\d+" spilled [\d.]+ [KM]iB to disk/);
    expect(
      annotations(run.stdout).filter((a) => /not compared with the last deploy/.test(a.message)),
    ).toHaveLength(1);
  });

  const exampleJar = inject('exampleJar');
  it.skipIf(!exampleJar)("the example app's summary shows its real stages", async () => {
    const app = join(ws, 'etl-app');
    mkdirSync(join(app, '.github'), { recursive: true });
    mkdirSync(join(app, 'configs'), { recursive: true });
    const out = join(ws, 'etl-out');
    const local = JSON.parse(readFileSync(join(root, 'examples/etl-app/configs/local.json'), 'utf8'));
    local.input.path = join(root, 'examples/etl-app/data/orders.csv');
    local.transformations.find((t: { type: string }) => t.type === 'join').input.path = join(
      root,
      'examples/etl-app/data/customers.json',
    );
    local.output.path = out;
    writeFileSync(join(app, 'configs/local.json'), JSON.stringify(local));
    writeFileSync(
      join(app, '.github/spark-deploy.yml'),
      readFileSync(join(root, 'examples/etl-app/.github/spark-deploy.yml'), 'utf8')
        .replaceAll('http://127.0.0.1:6066', REST)
        .replaceAll('http://127.0.0.1:8080', `${UI}\n      historyServer: ${HISTORY}`),
    );
    copyFileSync(exampleJar, join(app, 'etl-assembly.jar'));
    const run = await runAction({
      workspace: app,
      inputs: {
        stages: 'verify,deploy',
        jar: 'etl-assembly.jar',
        environment: 'local',
        'timeout-minutes': '8',
      },
    });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const file = run.outputs['spark-metrics-path'] ?? '';
    const metrics = JSON.parse(readFileSync(file, 'utf8')) as SparkRunJson;
    expect(metrics.appId).toBe(run.outputs['application-id']);
    expect(metrics.stages.length).toBeGreaterThan(1);
    expect(run.summary).toContain('### Spark run');
    for (const s of metrics.stages) expect(run.summary).toContain(s.name);
  });
});
