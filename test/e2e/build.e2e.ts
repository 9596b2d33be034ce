import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { component, hasCommand } from '../helpers/components.js';
import { annotations, runAction } from '../helpers/run-action.js';

const root = resolve(new URL('../..', import.meta.url).pathname);
const sbt = component(
  'sbt',
  () => hasCommand('sbt', ['--script-version']),
  'run `bash scripts/install-sbt.sh` and put its --print-path on PATH',
);

/** copyProject copies a project into a temp workspace, without build output, so tests never write to the repo. */
function copyProject(rel: string): { workspace: string; dir: string } {
  const workspace = mkdtempSync(join(tmpdir(), 'spark-deploy-e2e-'));
  const dir = join(workspace, rel);
  cpSync(join(root, rel), dir, {
    recursive: true,
    filter: (src) => !/[/\\](target|\.bsp|spark-warehouse)([/\\]|$)/.test(src.slice(root.length)),
  });
  return { workspace, dir };
}

describe.skipIf(!sbt)('build stage with real sbt', () => {
  it('builds the example app: jar-path, jar-sha256, summary, and a JAR whose manifest names com.etl.Main', async () => {
    const { workspace, dir } = copyProject('examples/etl-app');
    try {
      const run = await runAction({
        workspace,
        inputs: { stages: 'build', 'working-directory': 'examples/etl-app' },
      });
      expect(run.code, run.stdout + run.stderr).toBe(0);
      expect(run.outputs['jar-path']).toMatch(
        /^examples\/etl-app\/target\/scala-2\.12\/etl-pipeline-assembly-1\.0\.0\.jar$/,
      );
      const jar = join(workspace, run.outputs['jar-path'] ?? '');
      const sha = execFileSync('sha256sum', [jar], { encoding: 'utf8' }).split(' ')[0];
      expect(run.outputs['jar-sha256']).toBe(sha);
      const manifest = execFileSync('unzip', ['-p', jar, 'META-INF/MANIFEST.MF'], { encoding: 'utf8' });
      expect(manifest).toMatch(/^Main-Class: com\.etl\.Main\r?$/m);
      expect(execFileSync('unzip', ['-Z1', jar], { encoding: 'utf8' }).split('\n')).toContain(
        'com/etl/Main.class',
      );
      expect(run.summary).toMatch(/\| build \| ✅ success \| [\d.]+ (s|min)/);
      expect(run.summary).toMatch(/\d+\/\d+ tests passed/);
      expect(existsSync(join(dir, 'target/test-reports'))).toBe(true);
    } finally {
      rmSync(workspace, { recursive: true, force: true });
    }
  });

  it('annotates a compile error at its repo-relative file and line, and fails', async () => {
    const { workspace } = copyProject('test/fixtures/sbt-compile-error');
    try {
      const run = await runAction({
        workspace,
        inputs: {
          stages: 'build',
          'working-directory': 'test/fixtures/sbt-compile-error',
          'sbt-tasks': 'compile',
        },
      });
      expect(run.code).toBe(1);
      const errors = annotations(run.stdout).filter((a) => a.level === 'error' && a.props.file);
      expect(errors).toEqual([
        {
          level: 'error',
          props: {
            title: 'Compile error: type mismatch;',
            file: 'test/fixtures/sbt-compile-error/src/main/scala/com/example/Broken.scala',
            line: '5',
            col: '20',
          },
          message: 'type mismatch;\n found   : String("forty-two")\n required: Int',
        },
      ]);
      const warnings = annotations(run.stdout).filter((a) => a.level === 'warning' && a.props.file);
      expect(warnings.map((w) => [w.props.file, w.props.line, w.props.col])).toEqual([
        ['test/fixtures/sbt-compile-error/src/main/scala/com/example/Warnings.scala', '6', '24'],
      ]);
      expect(run.stdout).toMatch(
        /::error::build: sbt compile failed: 1 compile error\(s\)%0A {2}test\/fixtures\/sbt-compile-error\/src\/main\/scala\/com\/example\/Broken\.scala:5:20: type mismatch;/,
      );
    } finally {
      rmSync(workspace, { recursive: true, force: true });
    }
  });

  it('annotates each failed test with its message, and fails', async () => {
    const { workspace } = copyProject('test/fixtures/sbt-failing-test');
    try {
      const run = await runAction({
        workspace,
        inputs: {
          stages: 'build',
          'working-directory': 'test/fixtures/sbt-failing-test',
          'sbt-tasks': 'test',
        },
      });
      expect(run.code).toBe(1);
      const failed = annotations(run.stdout).filter(
        (a) => a.level === 'error' && a.props.title?.startsWith('Test failed'),
      );
      const file = 'test/fixtures/sbt-failing-test/src/test/scala/com/example/CalculatorSpec.scala';
      expect(failed.map((f) => [f.props.title, f.props.file, f.props.line, f.message]).sort()).toEqual([
        [
          'Test failed: CalculatorSpec greet mentions the expected name',
          file,
          '15',
          '"Hello, Ada!" did not contain "Grace" greeting should mention Grace',
        ],
        [
          'Test failed: CalculatorSpec multiply is checked against a wrong product',
          file,
          '11',
          '12 did not equal 13',
        ],
      ]);
      expect(run.stdout).toMatch(/build: sbt test failed: 2 of 3 test\(s\) failed/);
      expect(run.summary).toMatch(/Findings \(2 errors/);
    } finally {
      rmSync(workspace, { recursive: true, force: true });
    }
  });
});
