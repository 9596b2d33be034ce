import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { actionNode } from '../helpers/run-action.js';

// dist/ as a runner loads it: ES modules (scripts/bundle.mjs, esbuild's code splitting) under Node 24.
const dist = new URL('../../dist/', import.meta.url).pathname;
const node = actionNode();

describe('dist/', () => {
  const work = mkdtempSync(join(tmpdir(), 'spark-deploy-bundle-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('runs under Node 24, the runtime action.yml names', () => {
    const action = readFileSync(new URL('../../action.yml', import.meta.url), 'utf8');
    expect(action).toMatch(/using: ['"]?node24/);
    expect(spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout).toMatch(/^v24\./);
    expect(JSON.parse(readFileSync(join(dist, 'package.json'), 'utf8'))).toEqual({ type: 'module' });
  });

  it('has chunks that all load (every import between them resolves)', () => {
    const chunks = readdirSync(join(dist, 'chunks')).filter((f) => f.endsWith('.js'));
    expect(chunks.length).toBeGreaterThan(3);
    const script = `for (const f of ${JSON.stringify(chunks)}) await import(${JSON.stringify(join(dist, 'chunks'))} + '/' + f);`;
    const r = spawnSync(node, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  /** dryRun runs dist/index.js on a config (dry run, no stages, environment local). */
  function dryRun(config: string, env: Record<string, string> = {}) {
    mkdirSync(join(work, '.github'), { recursive: true });
    writeFileSync(join(work, '.github/spark-deploy.yml'), config);
    for (const f of ['output', 'state', 'summary']) writeFileSync(join(work, f), '');
    return spawnSync(node, [join(dist, 'index.js')], {
      cwd: work,
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH,
        GITHUB_WORKSPACE: work,
        GITHUB_OUTPUT: join(work, 'output'),
        GITHUB_STATE: join(work, 'state'),
        GITHUB_STEP_SUMMARY: join(work, 'summary'),
        RUNNER_TEMP: work,
        'INPUT_DRY-RUN': 'true',
        INPUT_STAGES: 'none',
        INPUT_ENVIRONMENT: 'local',
        ...env,
      },
    });
  }
  const CONFIG =
    'defaults:\n  target: standalone\n  app: { name: etl, mainClass: com.etl.Main }\nenvironments:\n  local:\n    standalone: { masters: [http://127.0.0.1:6066] }\n';

  it('validates a Plan in a dry run, anchors and aliases included', () => {
    for (const config of [CONFIG, CONFIG.replace('app: {', 'app: &app {')]) {
      const r = dryRun(config);
      expect(r.stdout).toContain('plan is valid');
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
    }
  });

  it('reports a config error with file, line and key, and no stack trace', () => {
    const r = dryRun('defaults:\n  target: standalone\n  ap: {}\n', { INPUT_ENVIRONMENT: '' });
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(
      /::error .*\.github\/spark-deploy\.yml:3:3: defaults\.ap: unknown key \(did you mean "app"\?\)/,
    );
    expect(r.stderr).toBe('');
    expect(r.stdout).not.toMatch(/\n\s+at /);
  });

  it('reports an unclosed bracket at the line where it opens', () => {
    const r = dryRun('defaults:\n  target: standalone\n  app:\n    args: [--config, x\n    name: etl\n');
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/::error .*line=4.*spark-deploy\.yml:4:11: malformed YAML: .*\(opened here\)/);
  });
});
