import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { goodEntries } from '../helpers/jar-fixtures.js';
import { annotations, runAction } from '../helpers/run-action.js';
import { writeZip } from '../helpers/zip-writer.js';

const workspaces: string[] = [];
afterAll(() => {
  for (const w of workspaces) rmSync(w, { recursive: true, force: true });
});

function workspaceWith(config: string, name = 'spark-deploy.yml'): string {
  const ws = mkdtempSync(join(tmpdir(), 'spark-deploy-plan-e2e-'));
  workspaces.push(ws);
  mkdirSync(join(ws, '.github'));
  writeFileSync(join(ws, '.github', name), config);
  return ws;
}

const GOOD = `defaults:
  target: standalone
  app: { name: etl, mainClass: com.etl.Main }
environments:
  local:
    standalone: { masters: [http://127.0.0.1:6066] }
  staging:
    standalone: { masters: [http://127.0.0.1:6066] }
`;

describe('config mistakes stop the run before anything runs', () => {
  it.each([
    [
      'unknown key (with suggestion)',
      GOOD.replace('mainClass', 'mainClas'),
      {},
      '.github/spark-deploy.yml:3:21: defaults.app.mainClas: unknown key (did you mean "mainClass"?)',
      { file: '.github/spark-deploy.yml', line: '3', col: '21' },
    ],
    [
      'wrong type',
      `${GOOD}    spark: { executor: { instances: many } }\n`,
      {},
      '.github/spark-deploy.yml:9:37: environments.staging.spark.executor.instances: expected a number, got the string "many"',
      { file: '.github/spark-deploy.yml', line: '9', col: '37' },
    ],
    [
      'unknown environment',
      GOOD,
      { environment: 'stagging' },
      '.github/spark-deploy.yml:4:1: environments: input `environment` is "stagging" but the config has no such environment (did you mean "staging"?); defined: local, staging',
      { file: '.github/spark-deploy.yml', line: '4', col: '1' },
    ],
    [
      'literal password',
      `${GOOD}    image: { registryAuth: { username: ci, password: "hunter2" } }\n`,
      {},
      ".github/spark-deploy.yml:9:54: environments.staging.image.registryAuth.password: a credential is written in the config file; store it as a secret and write { fromEnv: NAME } here, with NAME set from the secret in the workflow step's env",
      { file: '.github/spark-deploy.yml', line: '9', col: '54' },
    ],
    [
      'malformed YAML',
      GOOD.replace(
        'standalone: { masters: [http://127.0.0.1:6066] }',
        'standalone: { masters: [http://127.0.0.1:6066 }',
      ),
      {},
      /^\.github\/spark-deploy\.yml:6:\d+: malformed YAML: /,
      { file: '.github/spark-deploy.yml', line: '6' },
    ],
  ])('%s: one line naming file, line and key; exit 1', async (_name, config, inputs, message, props) => {
    const ws = workspaceWith(config);
    const run = await runAction({
      workspace: ws,
      inputs: { environment: 'staging', stages: 'build,deploy', ...inputs },
    });
    expect(run.code).toBe(1);
    const errors = annotations(run.stdout).filter((a) => a.level === 'error');
    // One annotation, at the config line: the failure is that finding, not repeated without a file.
    expect(errors).toHaveLength(1);
    const located = errors.filter((e) => e.props.file);
    expect(located).toHaveLength(1);
    expect(located[0]?.props).toMatchObject(props);
    const failure = located[0]?.message ?? '';
    expect(failure.split('\n')).toHaveLength(1);
    if (typeof message === 'string') expect(failure).toBe(message);
    else expect(failure).toMatch(message);
    // Nothing ran: no stage started, no sbt, no hint of the secret.
    expect(run.stdout).not.toMatch(/spark-deploy: build|sbt/);
    expect(run.stdout + run.stderr + run.summary).not.toContain('hunter2');
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it("a target's config error found at deploy: annotated once, at its line (not again with the target's prefix)", async () => {
    const ws = workspaceWith(
      GOOD.replace(
        'staging:\n    standalone: { masters: [http://127.0.0.1:6066] }',
        'staging:\n    standalone: { masters: [http://127.0.0.1:6066], jar: { stage: s3 } }',
      ),
    );
    writeZip(join(ws, 'app.jar'), goodEntries());
    const run = await runAction({
      workspace: ws,
      inputs: { environment: 'staging', stages: 'deploy', jar: 'app.jar', 'dry-run': 'true' },
    });
    expect(run.code).toBe(1);
    const errors = annotations(run.stdout).filter((a) => a.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]?.props).toMatchObject({ file: '.github/spark-deploy.yml', line: '8' });
    expect(errors[0]?.message).toMatch(/standalone\.jar\.s3: is required with stage: s3/);
  });

  it('validates the plan only with dry-run and no stages, exit 0', async () => {
    const ws = workspaceWith(GOOD);
    const run = await runAction({
      workspace: ws,
      inputs: { environment: 'local', stages: 'none', 'dry-run': 'true' },
    });
    expect(run.code, run.stdout).toBe(0);
    expect(run.stdout).toContain(
      'plan is valid: spark-deploy: etl · local · standalone (dry run) (no stages to run)',
    );
    expect(readFileSync(join(run.dir, 'summary.md'), 'utf8')).toContain(
      '## spark-deploy: etl · local · standalone (dry run)',
    );
  });

  it('says so once when there is no token', async () => {
    const ws = workspaceWith(GOOD);
    const run = await runAction({ workspace: ws, inputs: { environment: 'local', stages: 'none' } });
    expect(run.stdout.match(/no github-token: skipping GitHub API reporting/g)).toHaveLength(1);
  });

  it('refuses a bad input value with the input name', async () => {
    const ws = workspaceWith(GOOD);
    const run = await runAction({ workspace: ws, inputs: { stages: 'build,deplyo' } });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      '::error::input `stages`: unknown stage "deplyo"; expected a comma list of build, verify, image, deploy (or none)',
    );
  });
});
