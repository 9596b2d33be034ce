// The verify stage run as a runner does (dist/index.js, INPUT_STAGES=verify, INPUT_JAR=<jar>): the real
// example JAR passes; each generated defective JAR fails with exactly its finding; warnings alone pass.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { component, hasCommand } from '../helpers/components.js';
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
      (a) =>
        a.props.title &&
        (a.level !== 'notice' || f.expectSeverity === 'notice') &&
        !a.message.startsWith('verify:'),
    );
    const failed = f.expectSeverity === 'error' && f.expectRule !== undefined;
    expect(run.code, run.stdout).toBe(failed ? 1 : 0);
    if (f.expectRule === undefined) expect(found).toEqual([]);
    else {
      expect(found, run.stdout).toHaveLength(1);
      expect(found[0]?.level).toBe(f.expectSeverity);
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
      // No false positive from the runtime checks, and they really ran on the real JAR.
      expect(run.stdout).toMatch(
        /verify: built for Scala 2\.12 \(by bytecode; [1-9]\d* application classes read\)/,
      );
      expect(run.stdout).toMatch(
        /verify: links of [1-9]\d* application classes checked against the Spark 3\.5\.6\/2\.12 index/,
      );
      expect(run.stdout).toContain('verify: no findings');
    },
  );
});

// A real Scala 2.13 thin JAR (sbt package), built once: the runtime checks against the Spark a config names.
const sbt = component(
  'sbt',
  () => hasCommand('sbt', ['--script-version']),
  'run `bash scripts/install-sbt.sh` and put its --print-path on PATH',
);

describe.skipIf(!sbt)('verify stage on a real Scala 2.13 thin JAR (sbt package)', () => {
  const rel = 'test/fixtures/sbt-scala213-thin';
  const workspace = mkdtempSync(join(tmpdir(), 'spark-deploy-verify-213-'));
  const dir = join(workspace, rel);
  const jar = join(dir, 'target/scala-2.13/movies-etl_2.13-0.1.0.jar');
  afterAll(() => rmSync(workspace, { recursive: true, force: true }));
  beforeAll(() => {
    cpSync(join(root, rel), dir, {
      recursive: true,
      filter: (src) => !/[/\\](target|\.bsp)([/\\]|$)/.test(src.slice(root.length)),
    });
    execFileSync('sbt', ['-batch', '-Dsbt.log.noformat=true', 'package'], { cwd: dir, stdio: 'ignore' });
  }, 600_000);

  const verify = (mainClass: string, spark: string) => {
    mkdirSync(join(dir, '.github'), { recursive: true });
    writeFileSync(join(dir, '.github/spark-deploy.yml'), `defaults:\n  spark: { ${spark} }\n`);
    return runAction({
      workspace,
      inputs: {
        stages: 'verify',
        'working-directory': rel,
        jar: 'target/scala-2.13/movies-etl_2.13-0.1.0.jar',
        'main-class': mainClass,
      },
    });
  };
  const group = (stdout: string) =>
    /::group::spark-deploy: verify\n([\s\S]*?)::endgroup::/.exec(stdout)?.[1] ?? '';

  it('fails on the default Scala 2.12 runtime, naming both versions and the missing library, in the verify group', async () => {
    expect(existsSync(jar)).toBe(true);
    const run = await verify('com.acme.Needy', 'version: 3.5.6');
    expect(run.code, run.stdout).toBe(1);
    const errors = annotations(run.stdout).filter((a) => a.level === 'error' && a.props.title);
    expect(errors.map((a) => a.props.title)).toEqual([
      'The JAR is built for Scala 2.13 but the runtime, Spark 3.5.6, runs Scala 2.12',
      '2 classes the application needs are neither in the JAR nor on the runtime: com.typesafe.config.ConfigFactory, …',
    ]);
    // Item 7: the findings are in verify's own log group, not only in the annotations after the run.
    const log = group(run.stdout);
    expect(log).toContain('error: verify/scala-version:');
    expect(log).toContain('error: verify/missing-class:');
    expect(log).toMatch(/verify: runtime Spark 3\.5\.6, Scala 2\.12/);
  });

  it('passes the thin JAR whose main class needs only Scala and the JDK on a Scala 2.13 runtime', async () => {
    const run = await verify('com.acme.Plain', 'version: 3.5.6, scalaVersion: "2.13"');
    expect(run.code, run.stdout).toBe(0);
    expect(annotations(run.stdout).filter((a) => a.level !== 'notice')).toEqual([]);
    expect(group(run.stdout)).toContain('verify: no findings');
  });

  it('on Spark 4 (Scala 2.13) still finds the library the cluster lacks', async () => {
    const run = await verify('com.acme.Needy', 'version: 4.0.1');
    expect(run.code, run.stdout).toBe(1);
    const errors = annotations(run.stdout).filter((a) => a.level === 'error' && a.props.title);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.message).toContain('com.typesafe.config.ConfigFactory (needed by com.acme.Needy$)');
  });
});
