// The pull-request preview flow end to end, as .github/workflows/spark-preview.yml runs it: the bundled
// action against the real local Spark (scripts/local-spark.sh) and the fake GitHub REST API (every request
// checked against @octokit/openapi). A streaming job stands in for the app, so "remote resources gone"
// means what it means on a cluster: no driver of the preview is left running.
//   opened      -> deploy the preview (etl-staging-pr-12) + one sticky comment + a deployment
//   synchronize -> redeploy: a new driver replaces the old one; the same comment is edited
//   closed      -> command cleanup: the preview's driver is killed, its deployments inactive; the
//                  environment's own job (etl-staging, running all along) is untouched
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeGitHub, startFakeGitHub } from '../helpers/fake-github.js';
import { normaliseRun } from '../helpers/normalise.js';
import { runAction } from '../helpers/run-action.js';
import { smokeConfig } from '../helpers/smoke-config.js';
import { buildSmokeJar } from '../helpers/smoke-jar.js';

const REST = process.env.SPARK_REST_URL ?? 'http://127.0.0.1:6066';
const UI = process.env.SPARK_MASTER_UI_URL ?? 'http://127.0.0.1:8080';
const PR = 12;
const SHA_A = 'a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1';
const SHA_B = 'b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2';

interface MasterJson {
  activedrivers: { id: string; state: string }[];
  activeapps: { id: string; name: string }[];
}

async function master(): Promise<MasterJson | undefined> {
  try {
    const res = await fetch(`${UI}/json/`, { signal: AbortSignal.timeout(3000) });
    return (await res.json()) as MasterJson;
  } catch {
    return undefined;
  }
}

const up = (await master()) !== undefined;
if (!up && process.env.CI === 'true') {
  throw new Error(
    `preview e2e: no local Spark at ${UI}; CI must run \`bash scripts/local-spark.sh start\` first`,
  );
}
if (!up)
  console.warn(
    `preview e2e skipped: no local Spark at ${UI}; start it with \`bash scripts/local-spark.sh start\``,
  );

let ws = '';
let github: FakeGitHub;
const started: string[] = [];

/** activeApps lists the names of the master's running applications. */
async function activeApps(): Promise<string[]> {
  return ((await master())?.activeapps ?? []).map((a) => a.name).sort();
}

async function kill(id: string) {
  await fetch(`${REST}/v1/submissions/kill/${id}`, { method: 'POST' }).catch(() => undefined);
}

function run(o: { action?: string; sha: string; runId: string; command?: string; preview?: boolean }) {
  const pull = o.preview !== false;
  return runAction({
    workspace: ws,
    eventName: pull ? 'pull_request' : 'push',
    event: pull
      ? { action: o.action, number: PR, pull_request: { number: PR, head: { sha: o.sha } } }
      : { after: o.sha },
    inputs: {
      ...(o.command ? { command: o.command } : { stages: 'verify,deploy', jar: 'smoke.jar' }),
      environment: 'staging',
      ...(pull ? { preview: 'auto' } : {}),
      'timeout-minutes': '5',
      'github-token': 'ghs_previewe2etoken',
    },
    env: {
      GITHUB_API_URL: github.url,
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_REPOSITORY: 'acme/etl',
      GITHUB_SHA: o.sha,
      GITHUB_RUN_ID: o.runId,
    },
  });
}

const ours = () => github.comments.filter((c) => c.body.startsWith('<!-- spark-deploy-action:staging -->'));

describe.skipIf(!up)('PR preview flow: opened, synchronize, closed (real Spark, fake GitHub)', () => {
  beforeAll(async () => {
    ws = mkdtempSync(join(tmpdir(), 'spark-deploy-preview-e2e-'));
    buildSmokeJar(ws, 'smoke.jar');
    mkdirSync(join(ws, '.github'));
    writeFileSync(
      join(ws, '.github/spark-deploy.yml'),
      smokeConfig({
        rest: REST,
        ui: UI,
        appLines: ['args: [sleep, "900"]', 'mode: streaming', 'healthyAfter: 10'],
      }),
    );
    github = await startFakeGitHub();
  });

  afterAll(async () => {
    for (const id of started) await kill(id);
    await github?.close();
    rmSync(ws, { recursive: true, force: true });
  });

  it('deploys the preview, redeploys it in place of the old run, and cleans it up on close', async () => {
    // The environment's own job, running all along: cleanup of the preview must not touch it.
    const env = await run({ sha: SHA_A, runId: '900', preview: false });
    expect(env.code, env.stdout + env.stderr).toBe(0);
    const envDriver = env.outputs['submission-id'] ?? '';
    started.push(envDriver);
    expect(env.outputs.state).toBe('RUNNING');

    // opened
    const opened = await run({ action: 'opened', sha: SHA_A, runId: '901' });
    expect(opened.code, opened.stdout + opened.stderr).toBe(0);
    const first = opened.outputs['submission-id'] ?? '';
    started.push(first);
    expect(first).toMatch(/^driver-\d{14}-\d{4}$/);
    expect(opened.outputs.state).toBe('RUNNING');
    expect(opened.outputs['spark-ui-url']).toMatch(/^http:\/\/127\.0\.0\.1:8080\//);
    expect(await activeApps()).toEqual(['etl-staging', 'etl-staging-pr-12']);
    expect(ours()).toHaveLength(1);
    const comment = ours()[0];
    expect(comment?.issue).toBe(PR);
    expect(comment?.body).toContain('etl-staging-pr-12');
    expect(comment?.body).toContain(SHA_A.slice(0, 7));
    // The links of the run itself, as the deploy stage found them on the real cluster.
    expect(comment?.body).toMatch(
      /\| Spark UI \| <http:\/\/127\.0\.0\.1:\d+\/app\/\?appId=app-\d{14}-\d{4}> \|/,
    );
    expect(comment?.body).toContain(`| Driver logs | <`);
    expect(comment?.body).toContain(`driverId=${first}&logType=stderr>`);
    await expect(normaliseRun(comment?.body ?? '')).toMatchFileSnapshot(
      '__snapshots__/preview-comment-deployed.md',
    );
    await expect(normaliseRun(opened.summary)).toMatchFileSnapshot(
      '__snapshots__/preview-summary-deployed.md',
    );
    const previewDeployments = () =>
      github.deployments.filter(
        (d) => (d.request as { environment?: string }).environment === `staging-pr-${PR}`,
      );
    expect(previewDeployments()).toHaveLength(1);
    expect(previewDeployments()[0]?.statuses.map((s) => s.state)).toEqual(['in_progress', 'success']);

    // synchronize: a new commit; the new driver replaces the first once it is healthy.
    const sync = await run({ action: 'synchronize', sha: SHA_B, runId: '902' });
    expect(sync.code, sync.stdout + sync.stderr).toBe(0);
    const second = sync.outputs['submission-id'] ?? '';
    started.push(second);
    expect(second).not.toBe(first);
    expect(sync.stdout).toContain(`replaced: cancelled ${first}`);
    expect(sync.summary).toContain(`replaced ${first}`);
    const drivers = (await master())?.activedrivers.map((d) => d.id) ?? [];
    expect(drivers).toContain(second);
    expect(drivers).toContain(envDriver);
    expect(drivers).not.toContain(first);
    expect(ours()).toHaveLength(1);
    expect(ours()[0]?.id).toBe(comment?.id);
    expect(ours()[0]?.body).toContain(SHA_B.slice(0, 7));
    expect(github.calls('issues/create-comment')).toHaveLength(1);

    // closed: cleanup kills the preview's driver and marks its deployments inactive.
    const closed = await run({ action: 'closed', sha: SHA_B, runId: '903', command: 'cleanup' });
    expect(closed.code, closed.stdout + closed.stderr).toBe(0);
    expect(closed.stdout).toContain(`cleanup: cancelled ${second}`);
    expect(closed.summary).toContain('## Cleanup');
    let apps: string[] = [];
    for (let i = 0; i < 20; i++) {
      apps = await activeApps();
      if (!apps.includes('etl-staging-pr-12')) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(apps).toEqual(['etl-staging']);
    const active = (await master())?.activedrivers.map((d) => d.id) ?? [];
    expect(active).toContain(envDriver);
    expect(active).not.toContain(second);
    for (const d of previewDeployments()) expect(d.statuses.at(-1)?.state).toBe('inactive');
    // The environment's own deployment is not the preview's business.
    // (its newest: a successful run with Spark metrics is kept by a second deployment, docs/protocols.md 4.5)
    const envDeployment = github.deployments.findLast(
      (d) => (d.request as { environment?: string }).environment === 'staging',
    );
    expect(envDeployment?.statuses.at(-1)?.state).toBe('success');
    expect(ours()).toHaveLength(1);
    expect(ours()[0]?.body).toMatch(/cleaned up/i);
    expect(github.violations).toEqual([]);
    for (const r of [env, opened, sync, closed]) {
      // Registered for masking (the runner's ::add-mask::), and printed nowhere else.
      const shown = (r.stdout + r.stderr + r.summary).replaceAll('::add-mask::ghs_previewe2etoken', '');
      expect(shown).not.toContain('ghs_previewe2etoken');
    }
  });
});
