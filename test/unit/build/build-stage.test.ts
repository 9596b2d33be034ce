import { chmodSync, cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBuildStage } from '../../../src/build/build-stage.js';
import type { Finding } from '../../../src/findings.js';
import { manifestBytes } from '../../helpers/jar-fixtures.js';
import { writeZip } from '../../helpers/zip-writer.js';

const outputFixture = (name: string) =>
  new URL(`../../fixtures/sbt-output/${name}`, import.meta.url).pathname;

/** fakeSbt is an executable that prints a captured sbt log (its <ROOT> made the project dir) and exits with `code`. */
function fakeSbt(dir: string, log: string, code: number): string {
  const bin = join(dir, '..', 'fake-sbt');
  writeFileSync(bin, `#!/bin/sh\nsed -e 's#<ROOT>#${dir}#g' '${outputFixture(log)}'\nexit ${code}\n`);
  chmodSync(bin, 0o755);
  return bin;
}

function workspace(buildSbt: string | undefined): { ws: string; dir: string } {
  const ws = mkdtempSync(join(tmpdir(), 'build-stage-'));
  const dir = join(ws, 'app');
  mkdirSync(dir, { recursive: true });
  if (buildSbt !== undefined) writeFileSync(join(dir, 'build.sbt'), buildSbt);
  return { ws, dir };
}

function run(
  ws: string,
  dir: string,
  sbtCommand: string,
  extra: { mainClass?: string; tasks?: string[] } = {},
) {
  const findings: Finding[] = [];
  const outputs = new Map<string, string>();
  const lines: string[] = [];
  const promise = runBuildStage(
    {
      workspace: ws,
      workingDirectory: dir,
      sbtTasks: extra.tasks ?? ['assembly'],
      sbtCommand,
      ...(extra.mainClass ? { mainClass: extra.mainClass } : {}),
      onLine: (l) => lines.push(l),
      warn: () => {},
    },
    { output: (k, v) => outputs.set(k, v), finding: (f) => findings.push(f), section: () => {} },
  );
  return { promise, findings, outputs, lines };
}

describe('runBuildStage', () => {
  it('fails before sbt when the working directory has no sbt build, naming builds found below it', async () => {
    const { ws, dir } = workspace(undefined);
    mkdirSync(join(dir, 'jobs/etl'), { recursive: true });
    writeFileSync(join(dir, 'jobs/etl/build.sbt'), '');
    const { promise } = run(ws, dir, '/nonexistent/sbt');
    await expect(promise).rejects.toThrow(
      'build: no sbt build in app (the `working-directory` input): it has no build.sbt (no *.sbt file and no project/*.scala). Builds found below it: app/jobs/etl; set `working-directory: app/jobs/etl`.',
    );
  });

  it('accepts a build defined only in project/*.scala', async () => {
    const { ws, dir } = workspace(undefined);
    mkdirSync(join(dir, 'project'));
    writeFileSync(join(dir, 'project/Build.scala'), '');
    const { promise } = run(ws, dir, fakeSbt(dir, 'compile-error.txt', 1), { tasks: ['compile'] });
    await expect(promise).rejects.toThrow(/compile error/);
  });

  it('an assembly merge conflict leads the error, instead of an empty "(assembly) "', async () => {
    const { ws, dir } = workspace('lazy val clash = project\n');
    const { promise, findings } = run(ws, dir, fakeSbt(dir, 'assembly-merge-conflict.txt', 1), {
      tasks: ['clash/assembly'],
    });
    await expect(promise).rejects.toThrow(
      /^build: sbt clash\/assembly failed: Assembly merge conflict: conf\/settings\.properties\n {2}app\/build\.sbt:1: Assembly merge conflict/,
    );
    expect(findings.map((f) => f.rule)).toEqual(['build/assembly-merge-conflict']);
  });

  it('a test JVM that cannot start is the cause, not "Tests unsuccessful"', async () => {
    const { ws, dir } = workspace('Test / fork := true\nTest / javaOptions += "-XX:MaxPermSize=2048M"\n');
    const { promise } = run(ws, dir, fakeSbt(dir, 'fork-jvm-option.txt', 1), { tasks: ['test'] });
    await expect(promise).rejects.toThrow(
      /^build: sbt test failed: JVM option -XX:MaxPermSize=2048M stops the test JVM from starting\n {2}app\/build\.sbt:2: /,
    );
  });

  it('takes the JAR sbt built that holds the main class, among several', async () => {
    const { ws, dir } = workspace('lazy val app = project\n');
    const jar = (rel: string, main?: string) => {
      mkdirSync(dirname(join(dir, rel)), { recursive: true });
      writeZip(join(dir, rel), [
        { name: 'META-INF/MANIFEST.MF', data: manifestBytes(main ? [['Main-Class', main]] : []) },
        ...(main ? [{ name: `${main.replace(/\./g, '/')}.class`, data: 'x' }] : []),
      ]);
    };
    jar('target/scala-2.12/multi-root-assembly-0.3.0.jar');
    jar('core/target/scala-2.12/multi-core-assembly-0.3.0.jar');
    jar('app/target/scala-2.12/pipeline-app.jar', 'com.example.app.PipelineMain');
    jar('jobs/target/scala-2.12/multi-jobs-assembly-0.3.0.jar', 'com.example.jobs.ReportJob');
    const r = run(ws, dir, fakeSbt(dir, 'assembly-multi-module.txt', 0), {
      mainClass: 'com.example.app.PipelineMain',
    });
    const result = await r.promise;
    expect(result.artifact?.jarDisplayPath).toBe('app/app/target/scala-2.12/pipeline-app.jar');
    expect(r.outputs.get('jar-path')).toBe('app/app/target/scala-2.12/pipeline-app.jar');
    expect(r.lines.at(-1)).toBe(
      'build: using app/app/target/scala-2.12/pipeline-app.jar (the JAR sbt reported)',
    );
  });

  it('aborted suites and failed tests are counted apart in the error', async () => {
    const { ws, dir } = workspace('name := "x"\n');
    cpSync(new URL('../../fixtures/sbt-test-locations/src', import.meta.url).pathname, join(dir, 'src'), {
      recursive: true,
    });
    mkdirSync(join(dir, 'target/test-reports'), { recursive: true });
    // The reports are written while "sbt" runs, as the real one does.
    const bin = join(ws, 'fake-sbt');
    const reports = ['HeaderSuite', 'RowsSpec', 'WarehouseSpec']
      .map(
        (n) =>
          `sed -e 's#<ROOT>#${dir}#g' '${outputFixture(`TEST-locations-${n}.xml`)}' > '${dir}/target/test-reports/TEST-com.example.${n}.xml'`,
      )
      .join('\n');
    writeFileSync(
      bin,
      `#!/bin/sh\n${reports}\nsed -e 's#<ROOT>#${dir}#g' '${outputFixture('test-locations.txt')}'\nexit 1\n`,
    );
    chmodSync(bin, 0o755);
    const { promise, findings } = run(ws, dir, bin, { tasks: ['test'] });
    await expect(promise).rejects.toThrow(
      /^build: sbt test failed: JDK module access denied in tests: needs --add-opens=java\.base\/sun\.nio\.ch=ALL-UNNAMED \(3 of 5 test\(s\) failed, 1 suite\(s\) aborted\)\n {2}app\/src\/test\/scala\/com\/example\/WarehouseSpec\.scala:10: Suite WarehouseSpec aborted: IllegalAccessError/,
    );
    expect(findings.map((f) => [f.rule, f.file, f.line])).toEqual([
      ['build/jdk-module-access', undefined, undefined],
      ['build/test-suite-aborted', 'app/src/test/scala/com/example/WarehouseSpec.scala', 10],
      ['build/test-failure', 'app/src/test/scala/com/example/HeaderSuite.scala', 10],
      ['build/test-failure', 'app/src/test/scala/com/example/HeaderSuite.scala', 15],
      ['build/test-failure', 'app/src/test/scala/com/example/RowsSpec.scala', 12],
    ]);
  });
});
