import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// The contract between the two levels of dist/ (scripts/bundle.mjs): chunks take start-up modules from a
// registry both entry files publish, and a dry run loads no chunk at all (the start-up budget).
const dist = new URL('../../dist/', import.meta.url).pathname;
const chunkFiles = readdirSync(join(dist, 'chunks')).filter((f) => f.endsWith('.js'));
const REGISTRY = 'globalThis[Symbol.for("spark-deploy-action.modules")]';

function registryKeysUsedBy(code: string): string[] {
  const keys = new Set<string>();
  for (const m of code.matchAll(/globalThis\[Symbol\.for\("spark-deploy-action\.modules"\)\]\["([^"]+)"\]/g))
    keys.add(m[1] ?? '');
  return [...keys];
}

describe('dist/', () => {
  const work = mkdtempSync(join(tmpdir(), 'spark-deploy-bundle-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('has chunks that use start-up modules only through the registry, and both entries publish them', () => {
    const used = new Set(
      chunkFiles.flatMap((f) => registryKeysUsedBy(readFileSync(join(dist, 'chunks', f), 'utf8'))),
    );
    expect(used.size).toBeGreaterThan(5);
    for (const entry of ['index.js', 'post/index.js']) {
      const code = readFileSync(join(dist, entry), 'utf8');
      expect(code).toContain(`${REGISTRY}={`);
      for (const key of used) expect(code, `${entry} publishes ${key}`).toContain(`"${key}":`);
    }
  });

  // Records every file Node compiles as a CommonJS module.
  const hook = join(work, 'hook.cjs');
  writeFileSync(
    hook,
    `const M = require('node:module'); const c = M.prototype._compile; const seen = [];
     M.prototype._compile = function (code, file) { seen.push(file); return c.call(this, code, file); };
     process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(join(work, 'loaded.json'))}, JSON.stringify(seen)));`,
  );

  /** dryRun runs dist/index.js on a config (dry run, no stages, environment local); lists the dist files it loaded. */
  function dryRun(config: string, env: Record<string, string> = {}) {
    mkdirSync(join(work, '.github'), { recursive: true });
    writeFileSync(join(work, '.github/spark-deploy.yml'), config);
    for (const f of ['output', 'state', 'summary']) writeFileSync(join(work, f), '');
    const r = spawnSync(process.execPath, ['-r', hook, join(dist, 'index.js')], {
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
    const loaded = (JSON.parse(readFileSync(join(work, 'loaded.json'), 'utf8')) as string[])
      .filter((f) => f.startsWith(dist))
      .map((f) => f.slice(dist.length));
    return { ...r, loaded };
  }
  const CONFIG =
    'defaults:\n  target: standalone\n  app: { name: etl, mainClass: com.etl.Main }\nenvironments:\n  local:\n    standalone: { masters: [http://127.0.0.1:6066] }\n';

  it('loads no chunk for a dry run that only validates the Plan', () => {
    const r = dryRun(CONFIG);
    expect(r.stdout).toContain('plan is valid');
    expect(r.status).toBe(0);
    expect(r.loaded).toEqual(['index.js']);
  });

  it('loads the chunk behind an import() and its registry modules when a config needs the full YAML parser', () => {
    // An anchor is outside yaml-lite's subset: the yaml chunk is loaded, and still parses the file.
    const r = dryRun(CONFIG.replace('app: {', 'app: &app {'));
    expect(r.stdout).toContain('plan is valid');
    expect(r.status).toBe(0);
    expect(r.loaded).toContain('chunks/plan-yaml-source.js');
  });

  it('reports a config error found by the lazily loaded zod check with file, line and key', () => {
    const r = dryRun('defaults:\n  target: standalone\n  ap: {}\n', { INPUT_ENVIRONMENT: '' });
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(
      /::error .*\.github\/spark-deploy\.yml:3:3: defaults\.ap: unknown key \(did you mean "app"\?\)/,
    );
    expect(r.stderr).toBe('');
    expect(r.loaded).toContain('chunks/plan-zod-check.js');
  });
});
