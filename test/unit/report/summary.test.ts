// Job summary and preview comment of each reporting scenario, as file snapshots that read as Markdown.
import { describe, expect, it } from 'vitest';
import { renderPreviewComment } from '../../../src/report/github/comment.js';
import type { RunReport } from '../../../src/report/run-report.js';
import { formatBytes, renderSummary } from '../../../src/report/summary.js';
import { compileErrors, newReport, SHA, succeed } from './plan-fixture.js';

/** markdownProblems finds what breaks rendering: ragged tables, unbalanced <details> or code fences. */
function markdownProblems(md: string): string[] {
  const problems: string[] = [];
  const cells = (line: string) =>
    line
      .replace(/\\\|/g, '')
      .replace(/`[^`]*`/g, '')
      .split('|').length;
  let table: number | undefined;
  let fence: string | undefined;
  for (const [i, line] of md.split('\n').entries()) {
    const f = /^(`{3,})/.exec(line)?.[1];
    if (f && (!fence || f === fence)) {
      fence = fence ? undefined : f;
      continue;
    }
    if (fence) continue;
    if (line.startsWith('|')) {
      if (table === undefined) table = cells(line);
      else if (cells(line) !== table)
        problems.push(`line ${i + 1}: ${cells(line)} cells, header has ${table}: ${line}`);
    } else table = undefined;
  }
  if (fence) problems.push('unclosed code fence');
  const open = (md.match(/<details/g) ?? []).length;
  const close = (md.match(/<\/details>/g) ?? []).length;
  if (open !== close) problems.push(`${open} <details> but ${close} </details>`);
  return problems;
}

const HEADING = 'spark-deploy: etl · staging · standalone';

function scenario(fill: (r: RunReport) => void): string {
  const { report } = newReport();
  fill(report);
  const md = renderSummary(report, HEADING);
  expect(markdownProblems(md)).toEqual([]);
  return md;
}

// The snapshots of whole summaries are real runs' (test/e2e/__snapshots__: build-failure-120-findings,
// fork-fallback-summary, preview-summary-deployed, root-cause-summary); these check the renderer's rules.
describe('job summary', () => {
  it('failing build with 120 findings', async () => {
    const md = scenario((r) => {
      for (const f of compileErrors(120)) r.finding(f);
      r.finding({
        stage: 'plan',
        severity: 'warning',
        title: 'insecure REST endpoint | http',
        message: 'the master URL uses http:\nset tls',
      });
      r.stages.push(
        {
          stage: 'build',
          result: 'failure',
          durationMs: 83_200,
          detail: 'build: sbt assembly failed: 120 compile errors',
        },
        { stage: 'verify', result: 'skipped', durationMs: 0, detail: 'build failed' },
        { stage: 'deploy', result: 'skipped', durationMs: 0, detail: 'build failed' },
      );
      r.failure =
        'build: sbt assembly failed: 120 compile errors\n[error] Main.scala:1:7: not found: value x0';
      r.github = { checkRun: 'https://github.com/acme/etl/runs/1000', notes: [] };
    });
    expect(md).toContain('<details><summary>121 findings</summary>');
  });

  it('successful deploy', async () => {
    const md = scenario((r) => {
      succeed(r);
      r.artifact = {
        jarPath: '/ws/target/scala-2.12/etl-assembly-1.0.0.jar',
        jarDisplayPath: 'target/scala-2.12/etl-assembly-1.0.0.jar',
        sizeBytes: 33_246_114,
        sha256: 'a'.repeat(64),
        mainClass: 'com.etl.Main',
        javaRelease: 17,
      };
      r.output('jar-path', 'target/scala-2.12/etl-assembly-1.0.0.jar');
      r.github = {
        checkRun: 'https://github.com/acme/etl/runs/1000',
        deployment: { id: 1001, environment: 'staging', url: 'http://127.0.0.1:4040/' },
        notes: [],
      };
    });
    expect(md).toMatch(/^✅ build, verify, deploy in 1 min 35 s$/m);
  });

  it('fork: GitHub reporting fell back', async () => {
    const md = scenario((r) => {
      succeed(r);
      r.output('image', 'ghcr.io/acme/etl:pr-7');
      r.output('image-digest', `sha256:${'b'.repeat(64)}`);
      r.github = {
        notes: [
          "GitHub reporting: this token may not create check runs, deployments, PR comments (403 Resource not accessible by integration). Pull requests from forks always get a read-only token; otherwise grant `checks: write`, `deployments: write`, `pull-requests: write` in the workflow's permissions. Findings are annotated with workflow commands instead (GitHub shows at most 10 errors and 10 warnings per step); the job summary lists all 3.",
        ],
      };
    });
    expect(md).toContain(`\`ghcr.io/acme/etl@sha256:${'b'.repeat(64)}\``);
  });

  it('failed deploy with the remote log excerpt', async () => {
    const md = scenario((r) => {
      r.stages.push(
        { stage: 'build', result: 'success', durationMs: 59_000, detail: '12/12 tests passed' },
        { stage: 'deploy', result: 'failure', durationMs: 21_000, detail: 'deploy: driver-1 ended FAILED' },
      );
      r.output('target', 'standalone');
      r.output('submission-id', 'driver-1');
      r.output('state', 'FAILED');
      r.deployment({
        status: {
          phase: 'FAILED',
          nativeState: 'FAILED',
          message: 'Exception in thread "main" java.lang.RuntimeException: boom | at com.etl.Main',
          terminal: true,
        },
        links: {
          console: 'http://127.0.0.1:8080',
          logs: 'http://127.0.0.1:8081/logPage/?driverId=driver-1&logType=stderr',
        },
        logExcerpt: {
          title: 'Driver stderr (last 3 lines)',
          text: 'Exception in thread "main" java.lang.RuntimeException: boom\n\tat com.etl.Main$.main(Main.scala:12)\n```not a fence```',
        },
      });
      r.failure =
        'deploy: driver-1 ended FAILED (FAILED): boom\nDriver log: http://127.0.0.1:8081/logPage/?driverId=driver-1&logType=stderr';
    });
    expect(md).toContain('<details><summary>Driver stderr (last 3 lines)</summary>');
    // What a real failed run's summary looks like is the snapshot of test/e2e/root-cause.e2e.ts.
    expect(md).toContain(
      '| Driver logs | <http://127.0.0.1:8081/logPage/?driverId=driver-1&logType=stderr> |',
    );
  });

  it('keeps stage sections and does not repeat what they cover', () => {
    const md = scenario((r) => {
      succeed(r);
      r.section('Deployment', '| | |\n| --- | --- |\n| target | standalone |');
      r.section('Driver log (last 50 lines)', '<details open><summary>stderr</summary>\n\nx\n\n</details>');
      r.deployment({ links: {}, logExcerpt: { title: 'log', text: 'x' } });
    });
    expect(md.match(/### Deployment/g)).toHaveLength(1);
    expect(md).not.toContain('<summary>log</summary>');
  });

  it('stays under the 1 MiB step summary limit', () => {
    const md = scenario((r) => {
      for (let i = 0; i < 3000; i++)
        r.finding({ stage: 'build', severity: 'error', title: 't', message: 'x'.repeat(2000) });
      r.failure = 'build failed';
    });
    expect(md.length).toBeLessThan(1024 * 1024);
    expect(md).toContain('… and 2500 more');
  });

  it.each([
    [0, '0 B'],
    [1023, '1023 B'],
    [4300, '4.2 KiB (4,300 bytes)'],
    [33_246_114, '31.7 MiB (33,246,114 bytes)'],
  ])('formatBytes(%i) = %s', (n, s) => expect(formatBytes(n)).toBe(s));
});

describe('preview comment', () => {
  const base = {
    environment: 'preview',
    pr: 7,
    sha: SHA,
    app: 'etl',
    target: 'standalone',
    commitUrl: `https://github.com/acme/etl/commit/${SHA}`,
    runUrl: 'https://github.com/acme/etl/actions/runs/4242',
  };
  it.each([
    ['deploying', { state: 'deploying' as const, detail: 'run 4242 started' }],
    [
      'deployed',
      {
        state: 'deployed' as const,
        detail: 'SUCCEEDED (FINISHED)',
        sparkUi: 'http://spark.example.com:4040',
        console: 'http://spark.example.com:8080',
        image: `ghcr.io/acme/etl@sha256:${'b'.repeat(64)}`,
        submissionId: 'driver-20260115100000-0001',
        applicationId: 'app-20260115100001-0001',
        deploymentId: 1001,
      },
    ],
    ['failed', { state: 'failed' as const, detail: 'deploy: driver-1 ended FAILED | boom' }],
    ['cleaned-up', { state: 'cleaned-up' as const }],
  ])('%s', async (name, over) => {
    const md = renderPreviewComment({ ...base, ...over });
    expect(md.split('\n')[0]).toBe('<!-- spark-deploy-action:preview -->');
    expect(markdownProblems(md)).toEqual([]);
    // The deployed and failed comments of real runs are the snapshots of test/e2e/preview.e2e.ts and
    // test/e2e/root-cause.e2e.ts; these keep the states no real run here reaches on its own.
    if (name === 'deploying' || name === 'cleaned-up')
      await expect(md).toMatchFileSnapshot(`__snapshots__/preview-comment-${name}.md`);
  });
});
