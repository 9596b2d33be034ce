// The Spark run against the last deploy, through deployment payloads on the fake GitHub API (validated
// against @octokit/openapi): the metrics come from the captured History Server answers, read by the same
// reportSparkRun the deploy stage calls.
import { afterEach, describe, expect, it } from 'vitest';
import { reportSparkRun } from '../../../src/metrics/report-run.js';
import { startGitHubReporting } from '../../../src/report/github/reporter.js';
import type { RunReport } from '../../../src/report/run-report.js';
import { type FakeGitHub, startFakeGitHub } from '../../helpers/fake-github.js';
import { type FakeSparkApi, SKEW_APP, SPILL_APP, startFakeSparkApi } from '../../helpers/fake-spark-api.js';
import { makePlan, newReport, SHA, succeed } from './plan-fixture.js';

let fake: FakeGitHub | undefined;
let shs: FakeSparkApi | undefined;
afterEach(async () => {
  if (fake) expect(fake.violations).toEqual([]);
  await fake?.close();
  await shs?.close();
  fake = undefined;
  shs = undefined;
});

/** deployRun reports one run as main.ts does: GitHub start, the stages (with the Spark run read), finish. */
async function deployRun(appId: string, fail = false) {
  if (!fake || !shs) throw new Error('start the fakes first');
  const plan = makePlan(fake.url);
  const { report, outputs } = newReport();
  const info: string[] = [];
  const warnings: string[] = [];
  const notices: string[] = [];
  const reporter = await startGitHubReporting(
    plan,
    report,
    { info: (l) => info.push(l), warning: (m) => warnings.push(m) },
    { clientOptions: { throttle: false, retryBaseMs: 1 } },
  );
  succeed(report);
  const url = shs.url;
  await reportSparkRun(
    {
      target: { name: 'standalone', metricsSource: () => ({ kind: 'history', url }) },
      handle: {
        target: 'standalone',
        submissionId: 'driver-20260115100000-0001',
        applicationId: appId,
        data: {},
      },
      batch: true,
      canCompare: true,
      log: (l) => info.push(l),
      notice: (m) => notices.push(m),
    },
    report,
  );
  if (fail) report.failure = 'deploy: driver-20260115100000-0001 ended FAILED (FAILED)';
  await reporter?.finish(report);
  return { report, outputs, info, warnings, notices };
}
const section = (r: RunReport) => r.sections.find((s) => s.title === 'Spark run')?.markdown ?? '';

describe('Spark run against the last deploy (fake GitHub, captured History Server answers)', () => {
  it('first deploy: nothing to compare; its numbers kept in a new deployment that replaces the first', async () => {
    fake = await startFakeGitHub();
    shs = await startFakeSparkApi({ apps: { [SKEW_APP]: 'skew', [SPILL_APP]: 'spill' } });
    const r = await deployRun(SKEW_APP);
    expect(r.warnings).toEqual([]);
    expect(r.notices).toEqual([]);
    expect(section(r.report)).toContain('No earlier successful deploy of etl to staging kept');
    expect(fake.deployments).toHaveLength(2);
    const [opened, kept] = fake.deployments;
    expect(opened?.statuses.map((s) => s.state)).toEqual(['in_progress', 'success', 'inactive']);
    expect(kept?.request).toMatchObject({
      environment: 'staging',
      payload: {
        app: 'etl',
        replaces: opened?.id,
        spark_run: {
          app_id: SKEW_APP,
          wall_ms: 124_179,
          input_bytes: 0,
          shuffle_read_bytes: 143_249_746,
          shuffle_write_bytes: 143_249_746,
          spill_bytes: 0,
          task_ms: 40_173,
        },
      },
    });
    expect(kept?.statuses.map((s) => s.state)).toEqual(['success']);
    expect(r.outputs['deployment-id']).toBe(String(kept?.id));
    expect(r.report.github?.deployment?.id).toBe(kept?.id);
  });

  it('second deploy: compared with the kept numbers, changes in per cent', async () => {
    fake = await startFakeGitHub();
    shs = await startFakeSparkApi({ apps: { [SKEW_APP]: 'skew', [SPILL_APP]: 'spill' } });
    await deployRun(SKEW_APP);
    const keptId = fake.deployments[1]?.id;
    const r = await deployRun(SPILL_APP);
    const md = section(r.report);
    expect(md).toContain(
      `Against the last successful deploy (deployment #${keptId}, ${SHA.slice(0, 7)}, \`${SKEW_APP}\`):`,
    );
    expect(md).toContain('| wall time | 2 min 04 s | 1 min 18 s | −37 % |');
    expect(md).toContain('| spill to disk | 0 B | 290.0 MiB | new |');
    expect(fake.calls('repos/list-deployments')).toHaveLength(2);
  });

  it('a failed run is compared but its numbers are not kept', async () => {
    fake = await startFakeGitHub();
    shs = await startFakeSparkApi({ apps: { [SKEW_APP]: 'skew', [SPILL_APP]: 'spill' } });
    await deployRun(SKEW_APP);
    const r = await deployRun(SPILL_APP, true);
    expect(section(r.report)).toContain('Against the last successful deploy');
    expect(fake.deployments).toHaveLength(3);
    expect(fake.deployments[2]?.statuses.map((s) => s.state)).toEqual(['in_progress', 'error']);
  });
});
