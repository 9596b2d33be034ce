// A target setting that is wrong stops the run before its first stage (not after a build of minutes), as the
// deploy stage's failure at the config line; settings that are right let the stages run as before.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseInputs } from '../../../src/inputs.js';
import { runPipeline } from '../../../src/pipeline.js';
import { buildPlan } from '../../../src/plan/build-plan.js';
import { RunReport } from '../../../src/report/run-report.js';
import { AnnotatedError } from '../../../src/util/errors.js';
import { runContext } from '../../helpers/plan.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const CONFIG = `defaults:
  target: standalone
  app: { name: etl, mainClass: com.etl.Main }
environments:
  staging:
    standalone: { masters: [https://spark.example:6066], jar: { stage: s3 } }
  good:
    standalone: { masters: [https://spark.example:6066], jar: { stage: url, url: 'https://artifacts.example/etl.jar' } }
  remote:
    kubernetes: { namespace: etl }
    image: { repository: registry.example/etl }
    target: kubernetes
`;

async function run(environment: string, stages: string) {
  const ws = mkdtempSync(join(tmpdir(), 'spark-deploy-preflight-'));
  dirs.push(ws);
  mkdirSync(join(ws, '.github'));
  writeFileSync(join(ws, '.github', 'spark-deploy.yml'), CONFIG);
  const inputs: Record<string, string> = { environment, stages, 'dry-run': 'true' };
  const plan = await buildPlan(
    parseInputs((n) => inputs[n] ?? ''),
    runContext(ws),
    {
      env: {},
      setSecret: () => {},
    },
  );
  const report = new RunReport(
    () => {},
    () => {},
  );
  const log: string[] = [];
  const io = {
    group: <T>(_: string, fn: () => Promise<T>) => fn(),
    info: (l: string) => log.push(l),
    notice: (l: string) => log.push(l),
    warning: (l: string) => log.push(l),
    saveHandle: () => {},
    markFinished: () => {},
    tempDir: ws,
  };
  const error = await runPipeline(plan, report, new AbortController().signal, io).then(
    () => undefined,
    (e: unknown) => e,
  );
  return { error, report, log };
}

describe('target settings are checked before the first stage', () => {
  it('stops a build-and-deploy run before sbt, at the config line, the build recorded as skipped', async () => {
    const { error, report, log } = await run('staging', 'build,verify,deploy');
    expect(error).toBeInstanceOf(AnnotatedError);
    expect((error as Error).message).toMatch(
      /^standalone: \.github\/spark-deploy\.yml:6:\d+: standalone\.jar\.s3: is required with stage: s3/,
    );
    expect((error as AnnotatedError).findings[0]).toMatchObject({
      file: '.github/spark-deploy.yml',
      line: 6,
    });
    expect(report.stages.map((s) => [s.stage, s.result])).toEqual([
      ['build', 'skipped'],
      ['verify', 'skipped'],
      ['deploy', 'failure'],
    ]);
    expect(log.join('\n')).not.toMatch(/sbt/);
  });

  it('checks them when only the Plan is validated (no stages)', async () => {
    const { error, report } = await run('staging', 'none');
    expect(error).toBeInstanceOf(AnnotatedError);
    expect(report.stages).toEqual([]);
  });

  it('lets the stages run when the settings are right (the build then fails on its own: no sbt project)', async () => {
    const { error, report } = await run('good', 'build,deploy');
    expect(error).not.toBeInstanceOf(AnnotatedError);
    expect(String((error as Error).message)).toMatch(/build/);
    expect(report.stages.map((s) => [s.stage, s.result])).toEqual([
      ['build', 'failure'],
      ['deploy', 'skipped'],
    ]);
  });

  it('kubernetes: no kubernetes.image and no image stage is found before the build; with the image stage, the build runs', async () => {
    const without = await run('remote', 'build,deploy');
    expect(without.error).toBeInstanceOf(AnnotatedError);
    expect((without.error as Error).message).toMatch(/kubernetes\.image: no image: run the image stage/);
    const withImage = await run('remote', 'build,image,deploy');
    expect(withImage.error).not.toBeInstanceOf(AnnotatedError);
    expect(withImage.report.stages.map((s) => [s.stage, s.result])).toEqual([
      ['build', 'failure'],
      ['image', 'skipped'],
      ['deploy', 'skipped'],
    ]);
  });
});
