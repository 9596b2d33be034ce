// The pipeline as the action runs it (buildPlan from a config file, then runPipeline): a target setting that
// is wrong stops the run before its first stage (not after a build of minutes), as the deploy stage's failure
// at the config line; a run without the build or verify stage still deploys the JAR's manifest Main-Class.
import { afterAll, describe, expect, it } from 'vitest';
import { AnnotatedError } from '../../src/util/errors.js';
import { removeWorkspaces, runInWorkspace } from '../helpers/pipeline-run.js';

afterAll(removeWorkspaces);

const CONFIG = `defaults:
  target: standalone
  app: { name: etl }
environments:
  staging:
    standalone: { masters: [https://spark.example:6066], jar: { stage: s3 } }
  good:
    standalone: { masters: [https://spark.example:6066], jar: { stage: url, url: 'https://artifacts.example/etl.jar' } }
  nomain:
    standalone: { masters: [http://127.0.0.1:6066] }
  emr:
    target: emr
    emr: { clusterId: j-ABC123, s3: { jar: 's3://artifacts/jars/' } }
  remote:
    kubernetes: { namespace: etl }
    image: { repository: registry.example/etl }
    target: kubernetes
`;

const run = (environment: string, stages: string, more: Record<string, string> = {}) =>
  runInWorkspace({ '.github/spark-deploy.yml': CONFIG }, { environment, stages, 'dry-run': 'true', ...more });

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

describe('a run without the build stage', () => {
  it('deploys the JAR manifest Main-Class without the verify stage, and sets jar-path and jar-sha256', async () => {
    const { error, log, outputs } = await run('nomain', 'deploy', { jar: 'app.jar' });
    expect(error).toBeUndefined();
    expect(log.join('\n')).toMatch(/"mainClass": "com\.etl\.Main"/);
    expect(outputs['jar-path']).toBe('app.jar');
    expect(outputs['jar-sha256']).toMatch(/^[0-9a-f]{64}$/);
  });

  it('skips the image stage for EMR when no image.repository is configured (EMR runs the JAR from S3)', async () => {
    const { error, report, log } = await run('emr', 'image,deploy', { jar: 'app.jar' });
    expect(error).toBeUndefined();
    expect(report.stages.map((s) => [s.stage, s.result])).toEqual([
      ['image', 'skipped'],
      ['deploy', 'success'],
    ]);
    expect(log.join('\n')).toMatch(/image: skipped: the emr target runs the JAR itself/);
  });
});
