import { afterEach, describe, expect, it } from 'vitest';
import type { Plan } from '../../../src/plan/plan.js';
import { GitHubReporter, runConclusion, startGitHubReporting } from '../../../src/report/github/reporter.js';
import type { RunReport } from '../../../src/report/run-report.js';
import { type FakeGitHub, type FakeGitHubOptions, startFakeGitHub } from '../../helpers/fake-github.js';
import { compileErrors, makePlan, newReport, SHA, succeed } from './plan-fixture.js';

let fake: FakeGitHub | undefined;
afterEach(async () => {
  // Every request any test sent must match GitHub's OpenAPI description.
  if (fake) expect(fake.violations).toEqual([]);
  await fake?.close();
  fake = undefined;
});

async function run(
  opts: FakeGitHubOptions,
  planOver: Partial<Plan>,
  fill: (r: RunReport) => void,
  clientOver: { throttle?: boolean } = {},
) {
  fake = await startFakeGitHub(opts);
  const plan = makePlan(fake.url, planOver);
  const { report, outputs } = newReport();
  const warnings: string[] = [];
  const info: string[] = [];
  const io = { info: (l: string) => info.push(l), warning: (m: string) => warnings.push(m) };
  const reporter = await startGitHubReporting(plan, report, io, {
    clientOptions: { throttle: false, retryBaseMs: 1, ...clientOver },
    now: () => new Date('2026-01-15T10:05:00Z'),
  });
  expect(reporter).toBeInstanceOf(GitHubReporter);
  fill(report);
  await reporter?.finish(report);
  return { fake, report, outputs, warnings, info, plan };
}

describe('GitHub reporter against the fake GitHub API', () => {
  it('pull request: the check run, the deployment and the comment name the head commit, not the merge commit', async () => {
    const head = 'feedfacefeedfacefeedfacefeedfacefeedface';
    fake = await startFakeGitHub({});
    const base = makePlan(fake.url, { preview: 7, environment: 'preview' });
    const plan = { ...base, context: { ...base.context, eventName: 'pull_request', headSha: head } };
    const { report } = newReport();
    const io = { info: () => undefined, warning: () => undefined };
    const reporter = await startGitHubReporting(plan, report, io, { clientOptions: { throttle: false } });
    succeed(report);
    await reporter?.finish(report);
    expect(fake.calls('checks/create')[0]?.body).toMatchObject({ head_sha: head });
    expect(fake.deployments[0]?.request).toMatchObject({ ref: head });
    const comment = fake.calls('issues/create-comment')[0]?.body as { body?: string } | undefined;
    expect(comment?.body).toContain(`/commit/${head}`);
    expect(comment?.body).not.toContain(SHA);
  });

  it('successful deploy: check run in_progress → success, deployment in_progress → success with environment_url', async () => {
    const r = await run({}, {}, (report) => succeed(report));
    expect(r.warnings).toEqual([]);
    const [create] = r.fake.calls('checks/create');
    expect(create?.body).toMatchObject({
      name: 'spark-deploy / staging',
      head_sha: SHA,
      status: 'in_progress',
      details_url: 'https://github.com/acme/etl/actions/runs/4242',
    });
    expect(r.fake.checkRuns).toHaveLength(1);
    expect(r.fake.checkRuns[0]).toMatchObject({
      status: 'completed',
      conclusion: 'success',
      annotations: [],
    });
    expect(r.fake.checkRuns[0]?.output.title).toBe('Deployed to staging (0 errors, 0 warnings)');
    expect(r.fake.checkRuns[0]?.output.summary).toContain('| deploy | ✅ success | 33.5 s | FINISHED |');

    expect(r.fake.deployments).toHaveLength(1);
    const d = r.fake.deployments[0];
    expect(d?.request).toMatchObject({
      ref: SHA,
      auto_merge: false,
      required_contexts: [],
      environment: 'staging',
      transient_environment: false,
      production_environment: false,
      payload: { target: 'standalone', app: 'etl', environment: 'staging', run_id: '4242' },
    });
    expect(d?.statuses.map((s) => s.state)).toEqual(['in_progress', 'success']);
    expect(d?.statuses[1]).toMatchObject({
      environment_url: 'http://127.0.0.1:4040/',
      log_url: 'https://github.com/acme/etl/actions/runs/4242',
      description: 'FINISHED · driver-20260115100000-0001',
    });
    expect(r.outputs['deployment-id']).toBe(String(d?.id));
    expect(r.report.github).toMatchObject({ deployment: { id: d?.id, environment: 'staging' }, notes: [] });
    // Not a preview: no comment.
    expect(r.fake.calls('issues/list-comments')).toEqual([]);
  });

  it('120 findings: all annotated in three requests (50 + 50 + 20), failure conclusion, deployment error', async () => {
    const r = await run({}, {}, (report) => {
      for (const f of compileErrors(120)) report.finding(f);
      report.stages.push(
        { stage: 'build', result: 'failure', durationMs: 20_000, detail: 'build: sbt assembly failed' },
        { stage: 'verify', result: 'skipped', durationMs: 0, detail: 'build failed' },
        { stage: 'deploy', result: 'skipped', durationMs: 0, detail: 'build failed' },
      );
      report.failure = 'build: sbt assembly failed: 120 compile errors';
    });
    const updates = r.fake.calls('checks/update');
    expect(
      updates.map(
        (u) => ((u.body as { output: { annotations?: unknown[] } }).output.annotations ?? []).length,
      ),
    ).toEqual([50, 50, 20]);
    // Only the last request completes the run; the first two append while it is in progress.
    expect(updates.map((u) => (u.body as { status?: string }).status)).toEqual([
      undefined,
      undefined,
      'completed',
    ]);
    const cr = r.fake.checkRuns[0];
    expect(cr?.annotations).toHaveLength(120);
    expect(cr?.annotationRequests).toBe(3);
    expect(cr).toMatchObject({ conclusion: 'failure' });
    expect(cr?.output.title).toBe('Failed at build (120 errors, 0 warnings)');
    expect(cr?.annotations[7]).toEqual({
      path: 'src/main/scala/com/etl/Pipeline.scala',
      start_line: 8,
      end_line: 8,
      start_column: 7,
      end_column: 7,
      annotation_level: 'failure',
      title: 'Compile error: not found: value x7',
      message: 'not found: value x7',
    });
    const states = r.fake.deployments[0]?.statuses.map((s) => s.state);
    expect(states).toEqual(['in_progress', 'error']);
    expect(r.fake.deployments[0]?.statuses[1]?.description).toBe(
      'build: sbt assembly failed: 120 compile errors',
    );
  });

  it('fork token (403 everywhere): says so once, no deployment-id, run goes on', async () => {
    const r = await run({ forbidden: true }, { preview: 7, environment: 'preview' }, (report) => {
      succeed(report);
      report.finding(compileErrors(1)[0] as never);
    });
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]).toMatch(
      /may not create check runs, deployments, PR comments \(403 Resource not accessible by integration\).*forks.*`checks: write`, `deployments: write`, `pull-requests: write`.*workflow commands.*; the job summary lists all 1\./,
    );
    expect(r.outputs['deployment-id']).toBeUndefined();
    // After the first 403 an area is not asked again.
    expect(r.fake.calls('checks/create')).toHaveLength(1);
    expect(r.fake.calls('checks/update')).toHaveLength(0);
    expect(r.fake.calls('repos/create-deployment')).toHaveLength(1);
    expect(r.fake.calls('issues/create-comment')).toHaveLength(1);
    expect(r.report.github?.notes).toEqual(r.warnings);
  });

  it('409 on deployment creation: a clear warning, no status, check run unaffected', async () => {
    const r = await run({ deploymentAnswer: 409 }, {}, (report) => succeed(report));
    expect(r.warnings).toEqual([
      expect.stringMatching(
        /^GitHub deployment: GitHub refused the deployment with 409 Conflict \(".*status checks failed.*"\): a merge conflict or failed required status checks/,
      ),
    ]);
    expect(r.fake.calls('repos/create-deployment')).toHaveLength(1); // 409 is an answer, not retried
    expect(r.fake.calls('repos/create-deployment-status')).toEqual([]);
    expect(r.outputs['deployment-id']).toBeUndefined();
    expect(r.fake.checkRuns[0]?.conclusion).toBe('success');
  });

  it('202 auto-merge answer: no deployment was created, says why', async () => {
    const r = await run({ deploymentAnswer: 202 }, {}, (report) => succeed(report));
    expect(r.warnings).toEqual([
      expect.stringMatching(
        /merged the default branch into the ref instead of creating a deployment \("Auto-merged master/,
      ),
    ]);
    expect(r.fake.calls('repos/create-deployment-status')).toEqual([]);
  });

  it('5xx once then OK: retried, nothing lost', async () => {
    const r = await run(
      { failOnce: ['checks/create', 'repos/create-deployment-status', 'checks/update'] },
      {},
      (report) => succeed(report),
    );
    expect(r.warnings).toEqual([]);
    expect(r.fake.calls('checks/create').map((c) => c.status)).toEqual([502, 201]);
    expect(r.fake.calls('checks/update').map((c) => c.status)).toEqual([502, 200]);
    expect(r.fake.deployments[0]?.statuses.map((s) => s.state)).toEqual(['in_progress', 'success']);
    expect(r.fake.checkRuns).toHaveLength(1);
  });

  it('secondary rate limit once (throttling on): waits retry-after and retries', async () => {
    const r = await run(
      { secondaryRateLimitOnce: ['checks/create'] },
      { stages: ['build'] },
      (report) => {
        report.stages.push({ stage: 'build', result: 'success', durationMs: 1000, detail: 'ok' });
      },
      { throttle: true },
    );
    expect(r.fake.calls('checks/create').map((c) => c.status)).toEqual([403, 201]);
    expect(r.warnings).toEqual([expect.stringMatching(/secondary rate limit hit .*retrying in 1 s/)]);
    expect(r.fake.checkRuns[0]?.conclusion).toBe('success');
    expect(r.fake.checkRuns[0]?.output.title).toBe('Passed: build (0 errors, 0 warnings)');
    expect(r.fake.deployments).toEqual([]); // no deploy stage, no deployment
  });

  it('preview: creates one sticky comment, a second run edits it in place', async () => {
    fake = await startFakeGitHub({ comments: [{ issue: 7, body: 'LGTM', user: 'alice' }] });
    const plan = makePlan(fake.url, { preview: 7, environment: 'preview' });
    const io = { info: () => {}, warning: (m: string) => expect.fail(m) };
    for (const outcome of ['ok', 'failed'] as const) {
      const { report } = newReport();
      const rep = await startGitHubReporting(plan, report, io, { clientOptions: { throttle: false } });
      if (outcome === 'ok') succeed(report);
      else {
        report.stages.push({ stage: 'deploy', result: 'failure', durationMs: 9000, detail: 'driver FAILED' });
        report.failure = 'deploy: driver-1 ended FAILED (FAILED): java.lang.RuntimeException: boom';
      }
      await rep?.finish(report);
    }
    const mine = fake.comments.filter((c) => c.body.startsWith('<!-- spark-deploy-action:preview -->'));
    expect(mine).toHaveLength(1);
    expect(fake.comments).toHaveLength(2);
    expect(fake.calls('issues/create-comment')).toHaveLength(1);
    // deploying + deployed (run 1), deploying + failed (run 2): edits in place.
    expect(fake.calls('issues/update-comment')).toHaveLength(3);
    expect(mine[0]?.body).toContain('### ❌ Failed: preview of `etl` for #7 (`preview`)');
    expect(mine[0]?.body).toContain('java.lang.RuntimeException: boom');
    // Each preview is its own transient environment.
    expect(fake.deployments.map((d) => d.request)).toEqual([
      expect.objectContaining({ environment: 'preview-pr-7', transient_environment: true }),
      expect.objectContaining({ environment: 'preview-pr-7', transient_environment: true }),
    ]);
    expect(fake.deployments.map((d) => d.statuses.at(-1)?.state)).toEqual(['success', 'failure']);
  });

  it('cleanup marks the preview deployments inactive and says so in the comment; no check run', async () => {
    fake = await startFakeGitHub();
    const io = { info: () => {}, warning: (m: string) => expect.fail(m) };
    const deployPlan = makePlan(fake.url, { preview: 9, environment: 'preview' });
    for (let i = 0; i < 2; i++) {
      const { report } = newReport();
      const rep = await startGitHubReporting(deployPlan, report, io, { clientOptions: { throttle: false } });
      succeed(report);
      await rep?.finish(report);
    }
    const other = makePlan(fake.url, { environment: 'staging' });
    const { report: r0 } = newReport();
    const otherRep = await startGitHubReporting(other, r0, io, { clientOptions: { throttle: false } });
    succeed(r0);
    await otherRep?.finish(r0);
    const checkRunsBefore = fake.checkRuns.length;
    const { report } = newReport();
    const rep = await startGitHubReporting({ ...deployPlan, command: 'cleanup', stages: [] }, report, io, {
      clientOptions: { throttle: false },
    });
    await rep?.finish(report);
    expect(fake.checkRuns).toHaveLength(checkRunsBefore);
    expect(fake.calls('repos/list-deployments')[0]?.query).toEqual({
      environment: 'preview-pr-9',
      per_page: '100',
      page: '1',
    });
    const last = fake.deployments.map((d) => [d.request.environment, d.statuses.at(-1)?.state]);
    expect(last).toEqual([
      ['preview-pr-9', 'inactive'],
      ['preview-pr-9', 'inactive'],
      ['staging', 'success'],
    ]);
    expect(fake.comments).toHaveLength(1);
    expect(fake.comments[0]?.body).toContain('🧹 Cleaned up');
  });

  it('never publishes a presigned URL as environment_url: falls back to the console link', async () => {
    const presigned =
      'https://bucket.s3.amazonaws.com/ui?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIA&X-Amz-Signature=abc';
    const r = await run({}, {}, (report) => succeed(report, presigned));
    const final = r.fake.deployments[0]?.statuses[1];
    expect(final?.environment_url).toBe('http://127.0.0.1:8080/');
    expect(JSON.stringify(r.fake.requests.map((q) => q.body))).not.toContain('X-Amz-Signature');
  });

  it('an unreachable API becomes warnings and never throws', async () => {
    const plan = makePlan('http://127.0.0.1:9', {});
    const { report } = newReport();
    const warnings: string[] = [];
    const rep = await startGitHubReporting(
      plan,
      report,
      { info: () => {}, warning: (m) => warnings.push(m) },
      {
        clientOptions: { throttle: false, retries: 0 },
      },
    );
    succeed(report);
    await rep?.finish(report);
    expect(warnings.length).toBeGreaterThan(0);
    expect(warnings.every((w) => w.startsWith('GitHub reporting: could not'))).toBe(true);
    expect(report.github?.notes).toEqual(warnings);
  });
});

describe('runConclusion', () => {
  const cases: [string, (r: RunReport) => void, string][] = [
    ['success', () => {}, 'success'],
    ['failure', (r) => (r.failure = 'build: failed'), 'failure'],
    [
      'cancelled stage',
      (r) => {
        r.failure = 'cancelled by SIGTERM';
        r.stages.push({ stage: 'deploy', result: 'cancelled', durationMs: 1 });
      },
      'cancelled',
    ],
    [
      'deploy timeout',
      (r) => (r.failure = 'deploy: timed out after 30 min while driver-1 was RUNNING'),
      'timed_out',
    ],
    ['explicit timeout', (r) => r.deployment({ links: {}, timedOut: true }), 'timed_out'],
  ];
  it.each(cases)('%s', (_name, fill, expected) => {
    const { report } = newReport();
    fill(report);
    expect(runConclusion(report)).toBe(expected);
  });
});

describe('a failed job: the root cause leads the check run and the deployment status', () => {
  it('title, summary and description carry the cause read from the driver log', async () => {
    const cause = {
      summary: 'NumberFormatException: For input string: "x3"',
      exception: 'java.lang.NumberFormatException',
      message: 'For input string: "x3"',
      chain: ['RuntimeException: cannot load orders', 'NumberFormatException: For input string: "x3"'],
      source: 'driver stderr',
    };
    const r = await run({}, {}, (report) => {
      report.stages.push({ stage: 'deploy', result: 'failure', durationMs: 1000, detail: 'x' });
      report.deployment({
        links: {},
        status: { phase: 'FAILED', nativeState: 'FAILED', terminal: true },
        rootCause: cause,
      });
      report.failure = `deploy: d-1 ended FAILED (FAILED): ${cause.summary} (in: cannot load orders)`;
    });
    expect(r.fake.checkRuns[0]?.output.title).toBe(
      'Failed at deploy: NumberFormatException: For input string: "x3"',
    );
    expect(r.fake.checkRuns[0]?.output.summary).toContain(
      `> deploy: d-1 ended FAILED (FAILED): ${cause.summary}`,
    );
    expect(r.fake.deployments[0]?.statuses.at(-1)).toMatchObject({
      state: 'failure',
      description: 'NumberFormatException: For input string: "x3" (in: cannot load orders)',
    });
  });
});
