// Redaction end to end on the real local Spark (scripts/local-spark.sh start), through the bundled action:
// canaries in the config's spark.conf, a REST header and the GitHub token; the job (SmokeJob `leak`) prints
// its whole conf back and fails with it in the exception. No canary may leave the action: log (the
// runner's ::add-mask:: lines aside), summary, outputs, state, GitHub request bodies, RUNNER_TEMP files.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canary, leaks } from '../helpers/canary.js';
import { component, httpOk } from '../helpers/components.js';
import { startFakeGitHub } from '../helpers/fake-github.js';
import { runAction } from '../helpers/run-action.js';
import { buildSmokeJar } from '../helpers/smoke-jar.js';

const REST = process.env.SPARK_REST_URL ?? 'http://127.0.0.1:6066';
const UI = process.env.SPARK_MASTER_UI_URL ?? 'http://127.0.0.1:8080';
const spark = component(
  'local Spark',
  () => httpOk(`${REST}/v1/submissions/status/probe`),
  'run `bash scripts/local-spark.sh start`',
);

describe.skipIf(!spark)('standalone: canaries printed back by a failing job leave the action nowhere', () => {
  let ws = '';
  beforeAll(() => {
    ws = mkdtempSync(join(tmpdir(), 'spark-deploy-canary-e2e-'));
    buildSmokeJar(ws, 'smoke-job.jar');
  });
  afterAll(() => {
    if (ws) rmSync(ws, { recursive: true, force: true });
  });

  it('spark.conf, REST header and GitHub token', async () => {
    const doors = {
      conf: canary('conf'),
      header: canary('rest-header'),
      github: `ghs_${canary('github').replaceAll('-', '')}`,
    };
    const all = Object.values(doors);
    mkdirSync(join(ws, '.github'), { recursive: true });
    writeFileSync(
      join(ws, '.github/spark-deploy.yml'),
      [
        'version: 1',
        'defaults:',
        '  target: standalone',
        '  app:',
        `    name: "canary-e2e-${Date.now()}"`,
        '    mainClass: SmokeJob',
        '    args: [leak]',
        '  spark:',
        '    version: 3.5.6',
        '    scalaVersion: "2.12"',
        '    javaRelease: 8',
        '    conf: { spark.cores.max: 1, spark.canary.secret: { fromEnv: CANARY_CONF } }',
        '    driver: { memory: 512m }',
        '    executor: { memory: 512m }',
        '  standalone:',
        `    masters: [${REST}]`,
        `    webUi: ${UI}`,
        '    headers: { X-Canary: { fromEnv: CANARY_HEADER } }',
        '    jar: { stage: local }',
        '',
      ].join('\n'),
    );
    const github = await startFakeGitHub();
    try {
      const r = await runAction({
        workspace: ws,
        inputs: {
          stages: 'verify,deploy',
          jar: 'smoke-job.jar',
          'timeout-minutes': '5',
          'github-token': doors.github,
        },
        env: {
          CANARY_CONF: doors.conf,
          CANARY_HEADER: doors.header,
          GITHUB_API_URL: github.url,
          GITHUB_REPOSITORY: 'acme/etl',
          GITHUB_SERVER_URL: 'https://github.com',
        },
      });
      try {
        expect(r.code, r.stdout).toBe(1);
        expect(r.outputs.state).toBe('FAILED');
        // The job did print the conf back, and the action redacted it.
        expect(r.summary).toContain('SmokeJob leaks its conf');
        expect(r.summary).toContain('***');
        expect(github.requests.length).toBeGreaterThan(0);
        for (const v of all) expect(r.stdout).toContain(`::add-mask::${v}`);
        expect(
          leaks(
            r,
            all,
            github.requests.map((q) => JSON.stringify(q.body ?? null)),
          ),
        ).toEqual([]);
      } finally {
        rmSync(r.dir, { recursive: true, force: true });
      }
    } finally {
      await github.close();
    }
  });
});
