// The deploy config the README shows (what a new user copies first) loads, and renders for every environment
// it defines: a dry run of the deploy stage with the JAR given, as Quick start 1 and 3 deploy it.
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { removeWorkspaces, runInWorkspace } from '../helpers/pipeline-run.js';

afterAll(removeWorkspaces);

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const block = /```yaml\n(# yaml-language-server: \$schema=[^\n]*deploy-config[^\n]*\n[\s\S]*?)```/.exec(
  readme,
)?.[1];
const environments = Object.keys(
  (parseDocument(block ?? '').toJS() as { environments?: Record<string, unknown> }).environments ?? {},
);

describe("the README's deploy config", () => {
  it('is in the README, with environments', () => {
    expect(block).toBeDefined();
    expect(environments).toEqual(expect.arrayContaining(['development', 'staging']));
  });

  it.each(environments)('environment %s renders (dry run of the deploy stage)', async (environment) => {
    const files: Record<string, string> = { '.github/spark-deploy.yml': block ?? '' };
    for (const env of environments) files[`configs/${env}.json`] = '{}\n';
    const run = await runInWorkspace(
      files,
      { environment, stages: 'deploy', jar: 'app.jar', 'dry-run': 'true' },
      { SPARK_REST_AUTHORIZATION: 'Bearer readme-test' },
    );
    expect(run.error, run.log.join('\n')).toBeUndefined();
    expect(run.log.join('\n')).toMatch(/^dry run: /m);
  });
});
