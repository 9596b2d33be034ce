// GitHub reporting end to end: the bundled action (dist/) against the fake GitHub REST API, which checks
// every request against @octokit/openapi, and the fake Spark standalone master for deploys. No sbt and no
// Spark needed: the failing build is a stub `sbt` on PATH that prints 120 compile errors the way sbt does.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type FakeGitHub, startFakeGitHub } from '../helpers/fake-github.js';
import { type FakeSpark, startFakeSpark } from '../helpers/fake-spark-rest.js';
import { goodEntries } from '../helpers/jar-fixtures.js';
import { normaliseRun } from '../helpers/normalise.js';
import { annotations, runAction } from '../helpers/run-action.js';
import { writeZip } from '../helpers/zip-writer.js';

const SHA = '89abcdef0123456789abcdef0123456789abcdef';
let workspace = '';
let spark: FakeSpark;
let github: FakeGitHub | undefined;

beforeAll(async () => {
  workspace = mkdtempSync(join(tmpdir(), 'spark-deploy-report-e2e-'));
  spark = await startFakeSpark();
});
afterAll(async () => {
  await spark.close();
  rmSync(workspace, { recursive: true, force: true });
});
afterEach(async () => {
  if (github) expect(github.violations).toEqual([]);
  await github?.close();
  github = undefined;
});

function env(extra: Record<string, string> = {}): Record<string, string> {
  if (!github) throw new Error('start the fake GitHub first');
  return {
    GITHUB_API_URL: github.url,
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_REPOSITORY: 'acme/etl',
    GITHUB_SHA: SHA,
    GITHUB_RUN_ID: '4242',
    ...extra,
  };
}

/** stubSbt writes an `sbt` that prints n compile errors like sbt 1.x (-Dsbt.log.noformat=true) and fails. */
function stubSbt(dir: string, n: number): string {
  const bin = join(dir, 'bin');
  mkdirSync(bin, { recursive: true });
  const lines = Array.from(
    { length: n },
    (_, i) =>
      `echo "[error] $PWD/src/main/scala/com/etl/${i % 2 ? 'Pipeline' : 'Main'}.scala:${i + 1}:7: not found: value x${i}"`,
  );
  writeFileSync(
    join(bin, 'sbt'),
    [
      '#!/bin/sh',
      'echo "[info] compiling 2 Scala sources to $PWD/target/scala-2.12/classes ..."',
      ...lines,
      `echo "[error] ${n} errors found"`,
      'echo "[error] (Compile / compileIncremental) Compilation failed"',
      'exit 1',
      '',
    ].join('\n'),
  );
  chmodSync(join(bin, 'sbt'), 0o755);
  return bin;
}

/** previewWorkspace writes a config with a `preview` environment on the fake master and a good JAR. */
function previewWorkspace(): string {
  const ws = mkdtempSync(join(workspace, 'preview-'));
  mkdirSync(join(ws, '.github'), { recursive: true });
  writeFileSync(
    join(ws, '.github/spark-deploy.yml'),
    [
      'version: 1',
      'defaults:',
      '  app: { name: "etl-{{environment}}", mainClass: com.etl.Main }',
      '  spark: { version: 3.5.6, scalaVersion: "2.12", javaRelease: 17 }',
      'environments:',
      '  preview:',
      '    target: standalone',
      '    app: { name: "etl-pr-{{pr}}" }',
      '    standalone:',
      `      masters: [${spark.url}]`,
      `      webUi: ${spark.url}`,
      '',
    ].join('\n'),
  );
  mkdirSync(join(ws, 'target'), { recursive: true });
  writeZip(join(ws, 'target/etl-assembly.jar'), goodEntries());
  return ws;
}

const previewRun = (ws: string, extraEnv: Record<string, string> = {}) =>
  runAction({
    workspace: ws,
    eventName: 'pull_request',
    event: { number: 7, pull_request: { number: 7, head: { sha: SHA } } },
    inputs: {
      stages: 'verify,deploy',
      jar: 'target/etl-assembly.jar',
      environment: 'preview',
      preview: 'auto',
      'github-token': 'ghs_e2etoken',
    },
    env: env(extraEnv),
  });

describe('GitHub reporting (bundled action, fake GitHub API)', () => {
  it('failing build with 120 findings: one check run, 120 annotations in three requests, failure', async () => {
    github = await startFakeGitHub();
    const ws = mkdtempSync(join(workspace, 'build-'));
    writeFileSync(join(ws, 'build.sbt'), 'scalaVersion := "2.12.18"\n');
    const bin = stubSbt(ws, 120);
    const run = await runAction({
      workspace: ws,
      inputs: { stages: 'build', 'sbt-tasks': 'compile', 'github-token': 'ghs_e2etoken' },
      env: env({ PATH: `${bin}:${process.env.PATH}` }),
    });
    expect(run.code, run.stdout + run.stderr).toBe(1);
    expect(github.checkRuns).toHaveLength(1);
    const cr = github.checkRuns[0];
    expect(cr).toMatchObject({
      name: 'spark-deploy',
      head_sha: SHA,
      status: 'completed',
      conclusion: 'failure',
    });
    expect(cr?.annotations).toHaveLength(120);
    expect(cr?.annotationRequests).toBe(3);
    expect(github.calls('checks/update')).toHaveLength(3);
    expect(cr?.annotations[0]).toMatchObject({
      path: 'src/main/scala/com/etl/Main.scala',
      start_line: 1,
      annotation_level: 'failure',
    });
    // The workflow-command annotations are still there, and the summary lists every finding.
    expect(annotations(run.stdout).filter((a) => a.level === 'error' && a.props.file)).toHaveLength(120);
    expect(run.summary).toContain('<details><summary>120 findings</summary>');
    expect(run.summary).toContain(`| Check run | <https://github.com/acme/etl/runs/${cr?.id}> |`);
    expect(run.stdout).not.toContain('not yet supported');
    await expect(
      run.summary.replace(/\d+(\.\d+)? (ms|s)\b|\d+ min \d+ s/g, '<duration>'),
    ).toMatchFileSnapshot('__snapshots__/build-failure-120-findings.md');
  });

  it('preview: deploys, statuses end in success with environment_url; a second run edits the same comment', async () => {
    github = await startFakeGitHub({ comments: [{ issue: 7, body: 'Looks good', user: 'alice' }] });
    const ws = previewWorkspace();
    const first = await previewRun(ws);
    expect(first.code, first.stdout + first.stderr).toBe(0);
    expect(first.outputs['deployment-id']).toBe(String(github.deployments[0]?.id));
    const d = github.deployments[0];
    expect(d?.request).toMatchObject({
      ref: SHA,
      environment: 'preview-pr-7',
      transient_environment: true,
      production_environment: false,
      required_contexts: [],
      auto_merge: false,
    });
    expect(d?.statuses.map((s) => s.state)).toEqual(['in_progress', 'success']);
    expect(d?.statuses[1]).toMatchObject({
      log_url: 'https://github.com/acme/etl/actions/runs/4242',
      environment_url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\//),
    });
    expect(github.checkRuns[0]).toMatchObject({ name: 'spark-deploy / preview', conclusion: 'success' });
    const mine = () =>
      github?.comments.filter((c) => c.body.startsWith('<!-- spark-deploy-action:preview -->')) ?? [];
    expect(mine()).toHaveLength(1);
    expect(mine()[0]?.body).toContain('### ✅ Deployed: preview of `etl-pr-7` for #7 (`preview`)');
    const commentId = mine()[0]?.id;

    const second = await previewRun(ws, { GITHUB_RUN_ID: '4243' });
    expect(second.code, second.stdout + second.stderr).toBe(0);
    expect(mine()).toHaveLength(1);
    expect(mine()[0]?.id).toBe(commentId);
    expect(mine()[0]?.body).toContain('https://github.com/acme/etl/actions/runs/4243');
    expect(github.calls('issues/create-comment')).toHaveLength(1);
    expect(github.comments).toHaveLength(2); // alice's and ours
    expect(github.deployments.map((x) => x.statuses.at(-1)?.state)).toEqual(['success', 'success']);
  });

  it('a config with a syntax error: a completed, failed check run named from the inputs, annotated at its line', async () => {
    github = await startFakeGitHub();
    const ws = previewWorkspace();
    writeFileSync(
      join(ws, '.github/spark-deploy.yml'),
      [
        'version: 1',
        'environments:',
        '  production:',
        '    target: standalone',
        `    standalone: { masters: [${spark.url}]`,
        '    app: { name: etl }',
        '',
      ].join('\n'),
    );
    const run = await runAction({
      workspace: ws,
      inputs: { environment: 'production', 'github-token': 'ghs_e2etoken' },
      env: env({ GITHUB_WORKFLOW_REF: 'acme/etl/.github/workflows/deploy.yml@refs/heads/main' }),
    });
    expect(run.code, run.stdout + run.stderr).toBe(1);
    expect(github.checkRuns).toHaveLength(1);
    const cr = github.checkRuns[0];
    expect(cr).toMatchObject({
      name: 'spark-deploy / production',
      head_sha: SHA,
      status: 'completed',
      conclusion: 'failure',
    });
    expect(cr?.output?.title).toMatch(
      /^Failed before deploying: \.github\/spark-deploy\.yml:5:\d+: malformed YAML/,
    );
    expect(cr?.annotations).toEqual([
      expect.objectContaining({
        path: '.github/spark-deploy.yml',
        start_line: 5,
        annotation_level: 'failure',
      }),
    ]);
    // One error annotation in the log, at its line (not a second copy without a file).
    const errors = annotations(run.stdout).filter((a) => a.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]?.props).toMatchObject({ file: '.github/spark-deploy.yml', line: '5' });
    expect(github.deployments).toEqual([]);
    expect(run.stdout.replace(/^::add-mask::.*$/gm, '')).not.toContain('ghs_e2etoken');
  });

  it('an input that does not parse: the failed check run points at the calling workflow', async () => {
    github = await startFakeGitHub();
    const ws = previewWorkspace();
    const run = await runAction({
      workspace: ws,
      inputs: { environment: 'preview', wait: 'maybe', 'github-token': 'ghs_e2etoken' },
      env: env({ GITHUB_WORKFLOW_REF: 'acme/etl/.github/workflows/deploy.yml@refs/heads/main' }),
    });
    expect(run.code, run.stdout + run.stderr).toBe(1);
    expect(github.checkRuns).toHaveLength(1);
    expect(github.checkRuns[0]).toMatchObject({ name: 'spark-deploy / preview', conclusion: 'failure' });
    expect(github.checkRuns[0]?.output?.title).toContain('input `wait`: expected true or false, got "maybe"');
    expect(github.checkRuns[0]?.annotations[0]).toMatchObject({ path: '.github/workflows/deploy.yml' });
  });

  it('fork (read-only token): completes with fallbacks, says so once, no failure from reporting', async () => {
    github = await startFakeGitHub({ forbidden: true });
    const ws = previewWorkspace();
    const run = await previewRun(ws);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const warnings = annotations(run.stdout).filter(
      (a) => a.level === 'warning' && /GitHub reporting/.test(a.message),
    );
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.message).toMatch(/403 Resource not accessible by integration/);
    expect(run.outputs['deployment-id']).toBeUndefined();
    expect(run.outputs.state).toBe('SUCCEEDED');
    expect(run.summary).toContain('> [!WARNING]');
    expect(github.checkRuns).toEqual([]);
    await expect(normaliseRun(run.summary)).toMatchFileSnapshot('__snapshots__/fork-fallback-summary.md');
  });
});
