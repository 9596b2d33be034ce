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

describe('build stage before sbt', () => {
  it('a working directory without build.sbt fails at once, saying which directory and which input', async () => {
    const { workspace } = copyProject('test/fixtures/sbt-multi-module');
    try {
      const run = await runAction({
        workspace,
        inputs: { stages: 'build', 'working-directory': 'test/fixtures/sbt-multi-module/core' },
      });
      expect(run.code).toBe(1);
      expect(run.stdout).toContain(
        '::error::build: no sbt build in test/fixtures/sbt-multi-module/core (the `working-directory` input): it has no build.sbt',
      );
      expect(run.stdout).not.toMatch(/welcome to sbt/);
    } finally {
      rmSync(workspace, { recursive: true, force: true });
    }
  });
});

describe.skipIf(!sbt)('build stage on real projects (issue 13)', () => {
  const rel = 'test/fixtures/sbt-multi-module';
  it('multi-module build: the JAR sbt built that holds the main class, a thin `package` JAR, and a merge conflict named', async () => {
    // One copy, three sbt runs: assembly of the aggregate, a module's package, the clashing module's assembly.
    const { workspace } = copyProject(rel);
    try {
      const assembly = await runAction({
        workspace,
        inputs: {
          stages: 'build',
          'working-directory': rel,
          'sbt-tasks': 'assembly',
          'main-class': 'com.example.app.PipelineMain',
        },
      });
      expect(assembly.code, assembly.stdout + assembly.stderr).toBe(0);
      // Four JARs were built (root, core, app with its custom assemblyJarName, jobs): the one holding the main class.
      expect(assembly.stdout.match(/\[info\] Built: .*\.jar/g)).toHaveLength(4);
      expect(assembly.outputs['jar-path']).toBe(`${rel}/app/target/scala-2.12/pipeline-app.jar`);
      const jar = join(workspace, assembly.outputs['jar-path'] ?? '');
      expect(execFileSync('unzip', ['-Z1', jar], { encoding: 'utf8' }).split('\n')).toEqual(
        expect.arrayContaining(['com/example/app/PipelineMain.class', 'com/example/core/Greeting.class']),
      );

      const thin = await runAction({
        workspace,
        inputs: {
          stages: 'build',
          'working-directory': rel,
          'sbt-tasks': 'jobs/package',
          'main-class': 'com.example.jobs.ReportJob',
        },
      });
      expect(thin.code, thin.stdout + thin.stderr).toBe(0);
      expect(thin.outputs['jar-path']).toBe(`${rel}/jobs/target/scala-2.12/multi-jobs_2.12-0.3.0.jar`);
      expect(thin.stdout).toContain('(found under target/: sbt printed no JAR path)');

      const clash = await runAction({
        workspace,
        inputs: { stages: 'build', 'working-directory': rel, 'sbt-tasks': 'clash/assembly' },
      });
      expect(clash.code).toBe(1);
      const conflict = annotations(clash.stdout).find((a) =>
        a.props.title?.startsWith('Assembly merge conflict'),
      );
      expect(conflict).toMatchObject({
        level: 'error',
        props: {
          title: 'Assembly merge conflict: conf/settings.properties',
          file: `${rel}/build.sbt`,
          line: '35',
        },
      });
      expect(conflict?.message).toContain(
        'case PathList("conf", "settings.properties") => MergeStrategy.first',
      );
      expect(clash.stdout).toMatch(
        /::error::build: sbt clash\/assembly failed: Assembly merge conflict: conf\/settings\.properties%0A/,
      );
    } finally {
      rmSync(workspace, { recursive: true, force: true });
    }
  });

  it('a build without sbt-assembly gets the addSbtPlugin line', async () => {
    const { workspace } = copyProject('test/fixtures/sbt-failing-test');
    try {
      const run = await runAction({
        workspace,
        inputs: {
          stages: 'build',
          'working-directory': 'test/fixtures/sbt-failing-test',
          'sbt-tasks': 'assembly',
        },
      });
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(/::error::build: sbt assembly failed: sbt-assembly is not in the build%0A/);
      const a = annotations(run.stdout).find((x) => x.props.title === 'sbt-assembly is not in the build');
      expect(a?.message).toContain('addSbtPlugin("com.eed3si9n" % "sbt-assembly" % "2.3.1")');
    } finally {
      rmSync(workspace, { recursive: true, force: true });
    }
  });

  it('munit and ScalaTest failures in helper traits at the test line; an aborted suite as aborted; no ANSI', async () => {
    const dir = 'test/fixtures/sbt-test-locations';
    const { workspace } = copyProject(dir);
    try {
      const run = await runAction({
        workspace,
        inputs: { stages: 'build', 'working-directory': dir, 'sbt-tasks': 'test' },
      });
      expect(run.code).toBe(1);
      const src = `${dir}/src/test/scala/com/example`;
      const errors = annotations(run.stdout).filter((a) => a.level === 'error' && a.props.file);
      expect(
        errors
          .map((a) => [a.props.title?.replace(/ \(in unnamed module .*$/, ''), a.props.file, a.props.line])
          .sort(),
      ).toEqual([
        [
          'Suite WarehouseSpec aborted: IllegalAccessError: class com.example.WarehouseSpec',
          `${src}/WarehouseSpec.scala`,
          '10',
        ],
        ['Test failed: HeaderSuite a direct munit assertion', `${src}/HeaderSuite.scala`, '15'],
        ['Test failed: HeaderSuite header is trimmed', `${src}/HeaderSuite.scala`, '10'],
        ['Test failed: RowsSpec parse drops the header', `${src}/RowsSpec.scala`, '12'],
      ]);
      // The suite aborted on Java 17's module encapsulation: that cause leads, with the flag to add.
      const access = annotations(run.stdout).find((a) =>
        a.props.title?.startsWith('JDK module access denied'),
      );
      expect(access?.message).toContain(
        'Test / javaOptions ++= Seq("--add-opens=java.base/sun.nio.ch=ALL-UNNAMED")',
      );
      const ESC = String.fromCharCode(27);
      for (const a of errors) {
        expect(`${a.props.title} ${a.message}`).not.toMatch(/\[\d+m/);
        expect(`${a.props.title} ${a.message}`).not.toContain(ESC);
      }
      expect(run.stdout).toMatch(
        /build: sbt test failed: JDK module access denied in tests: needs --add-opens=java\.base\/sun\.nio\.ch=ALL-UNNAMED \(3 of 5 test\(s\) failed, 1 suite\(s\) aborted\)/,
      );
      expect(run.summary).not.toMatch(/It is not a test|\[\d+m/);
      expect(run.summary).not.toContain(ESC);
    } finally {
      rmSync(workspace, { recursive: true, force: true });
    }
  });
});
