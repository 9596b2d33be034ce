// The root cause leads wherever a person looks first, from a real run: the bundled action deploys a pull
// request preview to the real local Spark (scripts/local-spark.sh) whose driver logs 150 lines and then dies
// of an exception two `Caused by:` deep; the fake GitHub API (every request checked against @octokit/openapi)
// records the check run, the deployment statuses and the PR comment. Nothing here is set by hand: what is
// asserted is what the run produced.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeGitHub, startFakeGitHub } from '../helpers/fake-github.js';
import { normaliseRun } from '../helpers/normalise.js';
import { annotations, runAction } from '../helpers/run-action.js';
import { smokeConfig } from '../helpers/smoke-config.js';
import { buildSmokeJar } from '../helpers/smoke-jar.js';

const REST = process.env.SPARK_REST_URL ?? 'http://127.0.0.1:6066';
const UI = process.env.SPARK_MASTER_UI_URL ?? 'http://127.0.0.1:8080';
const SHA = 'c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3';
const PR = 31;
const CAUSE = 'IllegalArgumentException: partition column dt not found in schema';

async function sparkUp(): Promise<boolean> {
  try {
    const res = await fetch(`${UI}/json/`, { signal: AbortSignal.timeout(3000) });
    const json = (await res.json()) as { aliveworkers?: number };
    return (json.aliveworkers ?? 0) > 0;
  } catch {
    return false;
  }
}

const up = await sparkUp();
if (!up && process.env.CI === 'true')
  throw new Error(
    `root-cause e2e: no local Spark at ${UI}; CI must run \`bash scripts/local-spark.sh start\` first`,
  );
if (!up)
  console.warn(
    `root-cause e2e skipped: no local Spark at ${UI}; start it with \`bash scripts/local-spark.sh start\``,
  );

let ws = '';
let github: FakeGitHub;

describe.skipIf(!up)('root cause first (real Spark, fake GitHub)', () => {
  beforeAll(async () => {
    ws = mkdtempSync(join(tmpdir(), 'spark-deploy-root-cause-e2e-'));
    buildSmokeJar(ws, 'smoke.jar');
    mkdirSync(join(ws, '.github'));
    writeFileSync(
      join(ws, '.github/spark-deploy.yml'),
      smokeConfig({ rest: REST, ui: UI, appLines: ['args: [fail-nested, "150"]'] }),
    );
    github = await startFakeGitHub();
  });

  afterAll(async () => {
    await github?.close();
    rmSync(ws, { recursive: true, force: true });
  });

  it('a driver failing two causes deep after 150 log lines: its cause in all five places', async () => {
    const run = await runAction({
      workspace: ws,
      eventName: 'pull_request',
      event: { action: 'opened', number: PR, pull_request: { number: PR, head: { sha: SHA } } },
      inputs: {
        stages: 'verify,deploy',
        jar: 'smoke.jar',
        environment: 'staging',
        preview: 'auto',
        'timeout-minutes': '5',
        'github-token': 'ghs_rootcausee2e',
      },
      env: {
        GITHUB_API_URL: github.url,
        GITHUB_SERVER_URL: 'https://github.com',
        GITHUB_REPOSITORY: 'acme/etl',
        GITHUB_SHA: 'ffffffffffffffffffffffffffffffffffffffff',
        GITHUB_RUN_ID: '3131',
      },
    });
    expect(run.code, run.stdout + run.stderr).toBe(1);

    // 1. The job summary's headline block (before any table or log tail).
    const headline = run.summary.split('\n').slice(0, 8).join('\n');
    expect(headline).toContain(CAUSE);
    // The log tail stays in the summary, collapsed since the cause leads.
    expect(run.summary).toMatch(
      /<details><summary>stderr<\/summary>[\s\S]*SmokeJob: reading partition 150 of 150/,
    );

    // 2. The check run: title and the first line of its summary.
    const cr = github.checkRuns.find((c) => c.name === 'spark-deploy / staging');
    expect(cr).toMatchObject({ head_sha: SHA, status: 'completed', conclusion: 'failure' });
    expect(cr?.output.title).toContain('partition column dt not found in schema');
    expect(cr?.output.summary?.split('\n')[0]).toContain(CAUSE);

    // 3. The deployment status description: GitHub keeps 140 characters; the cause is never cut.
    const dep = github.deployments.find(
      (d) => (d.request as { environment?: string }).environment === `staging-pr-${PR}`,
    );
    const final = dep?.statuses.at(-1) as { state?: string; description?: string } | undefined;
    expect(final?.state).toBe('failure');
    expect(final?.description?.length).toBeLessThanOrEqual(140);
    expect(final?.description).toContain('partition column dt not found in schema');

    // 4. The PR comment's state row, with the links of the run itself.
    const comment = github.comments.find((c) => c.body.startsWith('<!-- spark-deploy-action:staging -->'));
    expect(comment?.issue).toBe(PR);
    const stateRow = comment?.body.split('\n').find((l) => l.startsWith('| State |')) ?? '';
    expect(stateRow).toContain(CAUSE);
    expect(comment?.body).toMatch(/Spark UI \| <http:\/\/127\.0\.0\.1:\d+\/app\/\?appId=app-\d{14}-\d{4}>/);
    expect(comment?.body).toMatch(
      /Driver logs \| <http:\/\/127\.0\.0\.1:\d+\/logPage\/\?driverId=driver-\d{14}-\d{4}&logType=stderr>/,
    );

    // 5. The error annotation: short, cause first, the log tail not pasted in.
    const errors = annotations(run.stdout).filter((a) => a.level === 'error');
    expect(errors).toHaveLength(1);
    const message = errors[0]?.message ?? '';
    expect(message.split('\n')[0]).toContain(CAUSE);
    expect(message.split('\n').length).toBeLessThanOrEqual(10);
    expect(message).not.toContain('reading partition');

    expect(github.violations).toEqual([]);
    // What the reader sees, as this real run wrote it.
    await expect(normaliseRun(run.summary)).toMatchFileSnapshot('__snapshots__/root-cause-summary.md');
    await expect(normaliseRun(comment?.body ?? '')).toMatchFileSnapshot(
      '__snapshots__/root-cause-pr-comment.md',
    );
    await expect(normaliseRun([cr?.output.title, '', cr?.output.summary].join('\n'))).toMatchFileSnapshot(
      '__snapshots__/root-cause-check-run.md',
    );
  });
});
