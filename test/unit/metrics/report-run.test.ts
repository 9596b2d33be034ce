// reportSparkRun as the deploy stage calls it: where the metrics come from, the notices when they cannot,
// and the JSON file; plus the standalone target's answer to "where are they" (History Server, live UI).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { reportSparkRun } from '../../../src/metrics/report-run.js';
import { RunReport } from '../../../src/report/run-report.js';
import { emptyFacts, scanDriverLog } from '../../../src/targets/standalone/driver-log.js';
import { liveUiUrl, NO_SOURCE } from '../../../src/targets/standalone/metrics-source.js';
import type { Handle } from '../../../src/targets/target.js';
import { type FakeSparkApi, SKEW_APP, startFakeSparkApi } from '../../helpers/fake-spark-api.js';

let shs: FakeSparkApi | undefined;
let dir = '';
afterEach(async () => {
  await shs?.close();
  shs = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = '';
});
const handle = (applicationId?: string): Handle => ({
  target: 'standalone',
  submissionId: 'driver-20261207154821-0000',
  ...(applicationId ? { applicationId } : {}),
  data: {},
});

async function reportWith(o: {
  appId?: string;
  source?: 'none' | 'unreachable' | 'shs';
  canCompare?: boolean;
}) {
  const outputs: Record<string, string> = {};
  const report = new RunReport((k, v) => {
    outputs[k] = v;
  });
  const notices: string[] = [];
  dir = mkdtempSync(join(tmpdir(), 'spark-run-test-'));
  const url = o.source === 'shs' ? (shs?.url ?? '') : 'http://127.0.0.1:1';
  await reportSparkRun(
    {
      target: {
        name: 'standalone',
        metricsSource: () => (o.source === 'none' ? { missing: NO_SOURCE } : { kind: 'history', url }),
      },
      handle: handle(o.appId),
      batch: true,
      dir,
      canCompare: o.canCompare ?? true,
      log: () => undefined,
      notice: (m) => notices.push(m),
    },
    report,
  );
  return { report, outputs, notices };
}

describe('reportSparkRun', () => {
  it('reads the run: section, findings, the JSON file as output spark-metrics-path', async () => {
    shs = await startFakeSparkApi({ apps: { [SKEW_APP]: 'skew' } });
    const r = await reportWith({ appId: SKEW_APP, source: 'shs' });
    expect(r.notices).toEqual([]);
    expect(r.report.sections.map((s) => s.title)).toEqual(['Spark run']);
    expect(r.report.findings.map((f) => f.rule)).toEqual(['spark-run/skew']);
    const file = r.outputs['spark-metrics-path'] ?? '';
    expect(file).toBe(join(dir, `spark-run-${SKEW_APP}.json`));
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ appId: SKEW_APP, completed: true });
    expect(r.report.sparkRunFacts?.baseline.app_id).toBe(SKEW_APP);
  });

  it.each([
    [{ source: 'none' as const, appId: SKEW_APP }, NO_SOURCE],
    // The target's own reason first: without a source, a missing application id is not the point.
    [{ source: 'none' as const }, NO_SOURCE],
    [{ source: 'shs' as const }, 'Spark run: no metrics: the Spark application id of this run is not known'],
    [
      { source: 'unreachable' as const, appId: SKEW_APP },
      /^Spark run: no metrics: the History Server at http:\/\/127\.0\.0\.1:1: /,
    ],
  ])('%j: one notice, nothing else reported', async (o, notice) => {
    const r = await reportWith(o);
    expect(r.notices).toHaveLength(1);
    expect(r.notices[0]).toMatch(notice);
    expect(r.report.sections).toEqual([]);
    expect(r.report.findings).toEqual([]);
    expect(r.outputs['spark-metrics-path']).toBeUndefined();
  });

  it('without a token (or an environment) the run is shown, and not comparing it is one notice', async () => {
    shs = await startFakeSparkApi({ apps: { [SKEW_APP]: 'skew' } });
    const r = await reportWith({ appId: SKEW_APP, source: 'shs', canCompare: false });
    expect(r.report.sections).toHaveLength(1);
    expect(r.notices).toEqual([
      'Spark run: not compared with the last deploy: that needs a github-token (the numbers are kept in GitHub deployment payloads) and an environment',
    ]);
  });

  it('a target without a metrics source says so once', async () => {
    const notices: string[] = [];
    await reportSparkRun(
      {
        target: { name: 'kubernetes' },
        handle: handle('spark-1234'),
        batch: true,
        canCompare: true,
        log: () => undefined,
        notice: (m) => notices.push(m),
      },
      new RunReport(() => undefined),
    );
    expect(notices).toEqual([
      'kubernetes: no Spark metrics: this target has no reachable Spark monitoring REST API for the run (see docs/targets.md, "Spark run metrics")',
    ]);
  });
});

describe("the standalone driver's live UI", () => {
  it('is read from its log: the Jetty bind, then the port it got after a taken one', () => {
    const facts = scanDriverLog(emptyFacts(), [
      '26/12/07 15:48:36 INFO JettyUtils: Start Jetty 127.0.0.1:4040 for SparkUI',
      "26/12/07 15:48:37 WARN Utils: Service 'SparkUI' could not bind on port 4040. Attempting port 4041.",
      "26/12/07 15:48:37 INFO Utils: Successfully started service 'SparkUI' on port 4041.",
    ]);
    expect(facts.ui).toEqual({ host: '127.0.0.1', port: 4041 });
  });
  it.each([
    [{ host: '127.0.0.1', port: 4041 }, undefined, 'http://127.0.0.1:4041'],
    [{ host: '0.0.0.0', port: 4040 }, 'http://10.0.0.7:8081', 'http://10.0.0.7:4040'],
    [{ host: '0.0.0.0', port: 4040 }, undefined, undefined],
    [{ host: 'fe80::1', port: 4040 }, undefined, 'http://[fe80::1]:4040'],
  ])('liveUiUrl(%j, %s) = %s', (ui, worker, url) => expect(liveUiUrl(ui, worker)).toBe(url));
});
