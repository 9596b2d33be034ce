// Fakes the runner for unit tests (as docker/build-push-action's setup.unit.ts does): every file the
// runner would provide points into a fresh temp dir, and no INPUT_* leaks in from the environment.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'spark-deploy-unit-'));
for (const key of Object.keys(process.env))
  if (key.startsWith('INPUT_') || key.startsWith('GITHUB_')) delete process.env[key];
const file = (name: string, content = '') => {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
};
process.env.GITHUB_OUTPUT = file('github_output');
process.env.GITHUB_STATE = file('github_state');
process.env.GITHUB_STEP_SUMMARY = file('step_summary');
process.env.GITHUB_ENV = file('github_env');
process.env.GITHUB_PATH = file('github_path');
process.env.GITHUB_EVENT_PATH = file('event.json', '{}');
process.env.RUNNER_TEMP = dir;
process.env.GITHUB_WORKSPACE = dir;
process.env.GITHUB_REPOSITORY = 'acme/etl';
process.env.GITHUB_SHA = '0123456789abcdef0123456789abcdef01234567';
process.env.GITHUB_RUN_ID = '4242';
