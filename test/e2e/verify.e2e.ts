// The verify stage run as a runner does (dist/index.js, INPUT_STAGES=verify, INPUT_JAR=<jar>): the real
// example JAR passes; each generated defective JAR fails with exactly its finding; warnings alone pass.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { type JarFixture, writeJarFixtures } from '../helpers/jar-fixtures.js';
import { annotations, runAction } from '../helpers/run-action.js';

const root = resolve(new URL('../..', import.meta.url).pathname);
const ws = mkdtempSync(join(tmpdir(), 'spark-deploy-verify-e2e-'));
afterAll(() => rmSync(ws, { recursive: true, force: true }));
const fixtures = writeJarFixtures(ws);

/** inputsFor maps a fixture's verify options onto what a user sets: inputs, or the config file. */
function inputsFor(f: JarFixture): Record<string, string> {
  const inputs: Record<string, string> = {
    stages: 'verify',
    jar: f.path,
    'java-release': String(f.options.javaRelease),
  };
  const expected = f.options.expectedMainClass;
  const layer: string[] = [];
  if (expected?.from === 'input') inputs['main-class'] = expected.value;
  if (expected?.from === 'config') layer.push(`  app: { mainClass: ${expected.value} }`);
  const verify: string[] = [];
  if (f.options.maxSizeMb !== undefined) verify.push(`maxSizeMb: ${f.options.maxSizeMb}`);
  if (f.options.allowBundledSpark !== undefined)
    verify.push(`allowBundledSpark: ${f.options.allowBundledSpark}`);
  if (verify.length) layer.push(`  verify: { ${verify.join(', ')} }`);
  const dir = join(ws, `ws-${f.name}`);
  mkdirSync(join(dir, '.github'), { recursive: true });
  if (layer.length) writeFileSync(join(dir, '.github/spark-deploy.yml'), `defaults:\n${layer.join('\n')}\n`);
  inputs['working-directory'] = dir;
  return inputs;
}

describe('verify stage through the bundled action', () => {
  it.each(fixtures.map((f) => [f.name, f] as const))('%s', async (_name, f) => {
    const run = await runAction({ workspace: ws, inputs: inputsFor(f) });
    const found = annotations(run.stdout).filter(
      (a) => a.props.title && a.level !== 'notice' && !a.message.startsWith('verify:'),
    );
    const failed = f.expectSeverity !== 'warning' && f.expectRule !== undefined;
    expect(run.code, run.stdout).toBe(failed ? 1 : 0);
    if (f.expectRule === undefined) expect(found).toEqual([]);
    else {
      expect(found, run.stdout).toHaveLength(1);
      expect(found[0]?.level).toBe(f.expectSeverity === 'warning' ? 'warning' : 'error');
    }
    const report = run.outputs['verify-report'] ?? '';
    expect(existsSync(report), `verify-report output: "${report}"`).toBe(true);
    const json = JSON.parse(readFileSync(report, 'utf8')) as { findings: { rule?: string }[] };
    expect(json.findings.map((x) => x.rule)).toEqual(f.expectRule ? [f.expectRule] : []);
  });

  // Built once per run by test/e2e/global-setup.ts (empty only locally without sbt).
  const exampleJar = inject('exampleJar');
  it.skipIf(!exampleJar)(
    'passes the real example JAR with main class and Java release in the summary',
    async () => {
      const run = await runAction({
        workspace: root,
        inputs: { stages: 'verify', 'working-directory': 'examples/etl-app', jar: exampleJar },
      });
      expect(run.code, run.stdout).toBe(0);
      expect(run.summary).toContain('com.etl.Main');
      expect(run.summary).toMatch(/Java (8|11|17)/);
      expect(run.outputs['jar-sha256']).toMatch(/^[0-9a-f]{64}$/);
    },
  );
});
