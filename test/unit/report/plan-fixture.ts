// Plans and run reports for the reporting tests: what buildPlan and the stages would produce.
import type { Finding } from '../../../src/findings.js';
import type { Plan } from '../../../src/plan/plan.js';
import { RunReport } from '../../../src/report/run-report.js';
import { basePlan, runContext } from '../../helpers/plan.js';

export { SHA } from '../../helpers/plan.js';

/** makePlan returns a deploy plan for acme/etl against the given API URL. */
export function makePlan(apiUrl: string, over: Partial<Plan> = {}): Plan {
  return {
    ...basePlan(),
    stages: ['build', 'verify', 'deploy'],
    githubToken: 'ghs_faketoken',
    environment: 'staging',
    target: 'standalone',
    config: { app: { name: 'etl', mode: 'batch', healthyAfter: 60 } } as Plan['config'],
    context: runContext('/ws', { apiUrl, runUrl: 'https://github.com/acme/etl/actions/runs/4242' }),
    ...over,
  };
}

/** newReport returns a RunReport that records outputs in `outputs`. */
export function newReport(): { report: RunReport; outputs: Record<string, string> } {
  const outputs: Record<string, string> = {};
  const report = new RunReport((k, v) => {
    outputs[k] = v;
  });
  return { report, outputs };
}

/** compileErrors returns n compile-error findings in n different lines of two files. */
export function compileErrors(n: number): Finding[] {
  return Array.from({ length: n }, (_, i) => ({
    stage: 'build' as const,
    severity: 'error' as const,
    title: `Compile error: not found: value x${i}`,
    message: `not found: value x${i}`,
    file: `src/main/scala/com/etl/${i % 2 ? 'Pipeline' : 'Main'}.scala`,
    line: i + 1,
    column: 7,
  }));
}

/** succeed fills a report as a successful build → verify → deploy to standalone would. */
export function succeed(report: RunReport, sparkUi = 'http://127.0.0.1:4040'): void {
  report.stages.push(
    { stage: 'build', result: 'success', durationMs: 61_000, detail: '12/12 tests passed; target/etl.jar' },
    { stage: 'verify', result: 'success', durationMs: 420, detail: 'com.etl.Main (Java 17)' },
    { stage: 'deploy', result: 'success', durationMs: 33_500, detail: 'FINISHED' },
  );
  report.output('target', 'standalone');
  report.output('submission-id', 'driver-20260115100000-0001');
  report.output('application-id', 'app-20260115100001-0001');
  report.output('state', 'SUCCEEDED');
  report.output('spark-ui-url', sparkUi);
  report.deployment({
    links: {
      sparkUi,
      console: 'http://127.0.0.1:8080',
      logs: 'http://127.0.0.1:8081/logPage/?driverId=driver-20260115100000-0001&logType=stderr',
    },
    status: { phase: 'SUCCEEDED', nativeState: 'FINISHED', terminal: true },
  });
}
