// The example config's `development` environment (the one the README's first quick start deploys), loaded
// and planned as the action does, then rendered by the standalone target: what it would submit.
import { describe, expect, it } from 'vitest';
import { parseInputs } from '../../../src/inputs.js';
import { buildPlan } from '../../../src/plan/build-plan.js';
import { createStandaloneTarget } from '../../../src/targets/standalone/index.js';
import type { DeployPlan } from '../../../src/targets/target.js';
import { artifact, RecordingLog } from './fixtures.js';

const root = new URL('../../../', import.meta.url).pathname;

async function developmentPlan(): Promise<DeployPlan> {
  const inputs: Record<string, string> = {
    environment: 'development',
    'working-directory': 'examples/etl-app',
    'dry-run': 'true',
  };
  const plan = await buildPlan(
    parseInputs((n) => inputs[n] ?? ''),
    {
      workspace: root,
      sha: 'abcdef0123456789abcdef0123456789abcdef01',
      ref: 'refs/heads/main',
      refName: 'main',
      runId: '77',
      runAttempt: '1',
      serverUrl: 'https://github.com',
      apiUrl: 'https://api.github.com',
      eventName: 'push',
    },
    { env: { SPARK_REST_AUTHORIZATION: 'Bearer example-token' }, setSecret: () => {} },
  );
  expect(plan.target).toBe('standalone');
  return plan as DeployPlan;
}

describe('examples/etl-app/.github/spark-deploy.yml, environment development', () => {
  it('renders a REST submission of the JAR and config staged on S3 as s3a:// URIs', async () => {
    const p = await developmentPlan();
    const sha = p.context.sha;
    const target = createStandaloneTarget({ log: new RecordingLog(), plan: p });
    const [rendered] = await target.render(p, artifact);
    expect(rendered?.kind).toBe(
      `Spark REST CreateSubmissionRequest (POST https://spark-master-1.dev.internal:6066/v1/submissions/create | https://spark-master-2.dev.internal:6066/v1/submissions/create); s3://acme-etl-artifacts/jars/${sha}/etl-pipeline-assembly-1.0.0-0123456789ab.jar, s3://acme-etl-artifacts/jars/${sha}/config-c2ac1f5e2df3/development.json are staged only when the action deploys (a render or dry run uploads and copies nothing)`,
    );
    const req = JSON.parse(rendered?.text ?? '{}') as {
      appResource: string;
      appArgs: string[];
      mainClass: string;
      sparkProperties: Record<string, string>;
    };
    const jar = `s3a://acme-etl-artifacts/jars/${sha}/etl-pipeline-assembly-1.0.0-0123456789ab.jar`;
    expect(req.appResource).toBe(jar);
    expect(req.mainClass).toBe('com.etl.Main');
    // The driver finds the config under its own name among spark.files (SparkFiles), as com.etl.Main does.
    expect(req.appArgs).toEqual(['--config', 'development.json']);
    expect(req.sparkProperties['spark.jars']).toBe(jar);
    expect(req.sparkProperties['spark.files']).toMatch(
      new RegExp(`^s3a://acme-etl-artifacts/jars/${sha}/config-[0-9a-f]{12}/development\\.json$`),
    );
    // Passed through (the render masks it: its key names credentials).
    expect(req.sparkProperties).toHaveProperty('spark.hadoop.fs.s3a.aws.credentials.provider');
  });
});
