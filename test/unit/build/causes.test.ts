import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { strategyFor } from '../../../src/build/causes/assembly.js';
import { repositoryRoot } from '../../../src/build/causes/dependencies.js';
import { detectCauses } from '../../../src/build/causes/index.js';
import { minimumScala } from '../../../src/build/causes/scala-jdk.js';

/** project writes a build into a temp workspace (under app/) and returns its directory and a log reader. */
function project(files: Record<string, string>) {
  const workspace = mkdtempSync(join(tmpdir(), 'causes-'));
  const dir = join(workspace, 'app');
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  mkdirSync(dir, { recursive: true });
  const detect = (fixture: string) =>
    detectCauses(
      readFileSync(new URL(`../../fixtures/sbt-output/${fixture}`, import.meta.url), 'utf8').replaceAll(
        '<ROOT>',
        dir,
      ),
      dir,
      (p) => (p.startsWith(workspace) ? relative(workspace, p) : undefined),
    );
  return { dir, detect };
}

const rules = (f: { rule?: string }[]) => f.map((x) => x.rule);

describe('sbt causes on real sbt 1.11 logs', () => {
  it('merge conflict: the file, where it came from and the merge-strategy line, not an empty "(assembly) "', () => {
    const { detect } = project({
      'build.sbt':
        'ThisBuild / scalaVersion := "2.12.18"\nlazy val root = project\nlazy val clash = project\n',
    });
    const f = detect('assembly-merge-conflict.txt');
    expect(rules(f)).toEqual(['build/assembly-merge-conflict']);
    expect(f[0]?.title).toBe('Assembly merge conflict: conf/settings.properties');
    expect(f[0]?.message).toContain(
      'conf/settings.properties: project multi-clash-assembly-0.3.0 (2 modules of this build',
    );
    expect(f[0]?.message).toContain('assembly / assemblyMergeStrategy := {');
    expect(f[0]?.message).toContain('case PathList("conf", "settings.properties") => MergeStrategy.first');
    // `(clash / assembly)` failed: the annotation is at that project's definition.
    expect(f[0]).toMatchObject({ file: 'app/build.sbt', line: 3 });
  });

  it('merge conflict between library JARs (sbt-assembly 2.x) and in the 0.14/1.x format', () => {
    const { detect: _unused, dir } = project({});
    const log2 = `[error] Deduplicate found different file contents in the following:
[error]   Jar name = logback-classic-1.4.14.jar, jar org = ch.qos.logback, entry target = module-info.class
[error]   Jar name = logback-core-1.4.14.jar, jar org = ch.qos.logback, entry target = module-info.class
[error] Deduplicate found different file contents in the following:
[error]   Jar name = netty-all-4.1.17.Final.jar, jar org = io.netty, entry target = META-INF/io.netty.versions.properties
[error]   Jar name = netty-handler-4.1.17.Final.jar, jar org = io.netty, entry target = META-INF/io.netty.versions.properties`;
    const f2 = detectCauses(log2, dir, () => undefined);
    expect(f2[0]?.title).toBe('Assembly merge conflict: module-info.class and 1 more');
    expect(f2[0]?.message).toContain(
      'module-info.class: logback-classic-1.4.14.jar (ch.qos.logback), logback-core-1.4.14.jar (ch.qos.logback)',
    );
    expect(f2[0]?.message).toContain('case x if x.endsWith("module-info.class") => MergeStrategy.discard');
    expect(f2[0]?.message).toContain(
      'case PathList("META-INF", "io.netty.versions.properties") => MergeStrategy.first',
    );
    const log1 = `[error] java.lang.RuntimeException: deduplicate: different file contents found in the following:
[error] /home/u/.ivy2/cache/commons-logging/commons-logging/jars/commons-logging-1.1.1.jar:org/apache/commons/logging/impl/SimpleLog.class
[error] /home/u/.ivy2/cache/org.slf4j/jcl-over-slf4j/jars/jcl-over-slf4j-1.6.4.jar:org/apache/commons/logging/impl/SimpleLog.class`;
    const f1 = detectCauses(log1, dir, () => undefined);
    expect(f1[0]?.message).toContain(
      'org/apache/commons/logging/impl/SimpleLog.class: commons-logging-1.1.1.jar, jcl-over-slf4j-1.6.4.jar',
    );
    expect(f1[0]?.message).toMatch(/same class: better exclude one of them/);
  });

  it("merge conflict of the build's own modules in sbt-assembly 1.2.0 (bare paths)", () => {
    const { detect } = project({ 'build.sbt': 'lazy val clash = project\n' });
    const f = detect('assembly-1.2.0-merge-conflict.txt');
    expect(f.map((x) => [x.rule, x.title, x.line])).toEqual([
      ['build/assembly-merge-conflict', 'Assembly merge conflict: conf/settings.properties', 1],
    ]);
    expect(f[0]?.message).toContain('conf/settings.properties: project (2 modules of this build');
  });

  it('missing sbt-assembly: the addSbtPlugin line for project/plugins.sbt', () => {
    const { detect } = project({
      'build.sbt': 'name := "x"\n',
      'project/plugins.sbt': '\n',
      'project/build.properties': 'sbt.version=1.11.7\n',
    });
    const f = detect('missing-assembly-plugin.txt');
    expect(rules(f)).toEqual(['build/missing-assembly-plugin']);
    expect(f[0]?.message).toContain('addSbtPlugin("com.eed3si9n" % "sbt-assembly" % "2.3.1")');
    expect(f[0]?.file).toBe('app/project/plugins.sbt');
  });

  it('build.sbt syntax error: an annotation at its line', () => {
    const { detect } = project({ 'build.sbt': 'x\n' });
    const f = detect('build-sbt-syntax.txt');
    expect(f).toEqual([
      expect.objectContaining({
        rule: 'build/build-definition',
        title: "build.sbt does not parse: ')' expected but eof found.",
        file: 'app/build.sbt',
        line: 5,
      }),
    ]);
  });

  it('unresolved dependency: the module and the repositories tried', () => {
    const { detect } = project({
      'build.sbt':
        'name := "unresolved"\nlibraryDependencies += "com.example.missing" %% "no-such-lib" % "1.2.3"\n',
    });
    const f = detect('unresolved-dependency.txt');
    expect(rules(f)).toEqual(['build/unresolved-dependency']);
    expect(f[0]).toMatchObject({
      title: 'Unresolved dependency: com.example.missing:no-such-lib_2.12:1.2.3',
      file: 'app/build.sbt',
      line: 2,
    });
    expect(f[0]?.message).toContain('Looked in:\n  <HOME>/.ivy2/local\n  https://repo1.maven.org/maven2/\n');
    expect(f[0]?.message).toContain('published for Scala 2.12');
  });

  it('unresolved sbt plugin: its coordinates without the attributes, where it is declared, a version on Central', () => {
    const { detect } = project({
      'build.sbt': 'ThisBuild / scalaVersion := "2.12.14"\n',
      'project/build.properties': 'sbt.version=1.11.7\n',
      'project/project.sbt': 'addSbtPlugin("com.eed3si9n" % "sbt-assembly" % "0.14.10")\n',
    });
    const f = detect('unresolved-sbt-plugin.txt');
    // The Scala 2.12.14-on-JDK-17 guess is dropped: the failure is explained.
    expect(rules(f)).toEqual(['build/unresolved-dependency']);
    expect(f[0]).toMatchObject({
      title: 'Unresolved sbt plugin: com.eed3si9n:sbt-assembly:0.14.10',
      file: 'app/project/project.sbt',
      line: 1,
    });
    expect(f[0]?.message).toContain('Looked in:\n  <HOME>/.ivy2/local\n  https://repo1.maven.org/maven2/\n');
    expect(f[0]?.message).toContain('looked up for sbt 1.0 and Scala 2.12');
    expect(f[0]?.message).toContain('addSbtPlugin("com.eed3si9n" % "sbt-assembly" % "2.3.1")');
  });

  it('a Scala older than the JDK is only a warning guess when nothing else explains the failure', () => {
    const { dir } = project({ 'build.sbt': 'ThisBuild / scalaVersion := "2.12.14"\n' });
    const log =
      '[info] welcome to sbt 1.11.7 (Eclipse Adoptium Java 17.0.9)\n[error] (Compile / compileIncremental) Compilation failed';
    const guess = detectCauses(log, dir, () => 'app/build.sbt');
    expect(guess.map((f) => [f.rule, f.severity, f.title])).toEqual([
      ['build/scala-jdk', 'warning', 'Scala 2.12.14 does not support JDK 17: use Scala 2.12.15 or later'],
    ]);
    expect(detectCauses(log, dir, () => undefined, { explained: true })).toEqual([]);
  });

  it('forked test JVM that cannot start: the option and the build line that sets it', () => {
    const { detect } = project({
      'build.sbt':
        'name := "forkopt"\nTest / fork := true\nTest / javaOptions ++= Seq("-Xmx1g", "-XX:MaxPermSize=2048M")\n',
    });
    const f = detect('fork-jvm-option.txt');
    expect(rules(f)).toEqual(['build/jvm-start']);
    expect(f[0]).toMatchObject({
      title: 'JVM option -XX:MaxPermSize=2048M stops the test JVM from starting',
      file: 'app/build.sbt',
      line: 3,
    });
    expect(f[0]?.message).toMatch(
      /PermGen was removed in Java 8[\s\S]*"Tests unsuccessful" that follows is this/,
    );
  });

  it("sbt's own JVM that cannot start: points at .jvmopts", () => {
    const { detect } = project({ 'build.sbt': '', '.jvmopts': '-Xmx2g\n-XX:MaxPermSize=2048M\n' });
    const f = detect('jvmopts-sbt-jvm.txt');
    expect(f[0]).toMatchObject({
      title: 'JVM option -XX:MaxPermSize=2048M stops the sbt JVM from starting',
      file: 'app/.jvmopts',
      line: 2,
    });
  });

  it('JDK module access in tests: the --add-opens flags and where they go', () => {
    const { detect } = project({ 'build.sbt': 'name := "addopens"\n' });
    const f = detect('jdk-module-access.txt');
    expect(rules(f)).toEqual(['build/jdk-module-access']);
    expect(f[0]?.title).toBe(
      'JDK module access denied in tests: needs --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED',
    );
    expect(f[0]?.message).toMatch(/no `Test \/ fork := true`[\s\S]*\.jvmopts/);
    const forked = project({ 'build.sbt': 'name := "addopens"\nTest / fork := true\n' }).detect(
      'jdk-module-access.txt',
    );
    expect(forked[0]).toMatchObject({ file: 'app/build.sbt', line: 2 });
    expect(forked[0]?.message).toContain(
      'Test / javaOptions ++= Seq("--add-opens=java.base/java.nio=ALL-UNNAMED"',
    );
  });

  it("JDK module access in a forked test JVM: quotes the exception, not sbt's ForkError wrapper", () => {
    const { dir } = project({ 'build.sbt': 'fork in Test := true\n' });
    const log =
      '[info]   sbt.ForkMain$ForkError: sbt.ForkMain$ForkError: java.lang.reflect.InaccessibleObjectException: Unable to make private java.nio.DirectByteBuffer(long,int) accessible: module java.base does not "opens java.nio" to unnamed module @6b2e46af';
    const f = detectCauses(log, dir, (p) => p.slice(dirname(dir).length + 1));
    expect(f[0]).toMatchObject({ rule: 'build/jdk-module-access', file: 'app/build.sbt', line: 1 });
    expect(f[0]?.message).toContain('(java.lang.reflect.InaccessibleObjectException: Unable to make private');
  });

  it('Scala 2.12.8 on JDK 17: the version that fixes it', () => {
    const { detect } = project({
      'build.sbt': 'ThisBuild / scalaVersion := "2.12.8"\nname := "scala2128"\n',
    });
    const f = detect('scala-2.12.8-jdk17.txt');
    expect(rules(f)).toEqual(['build/scala-jdk']);
    expect(f[0]).toMatchObject({
      severity: 'error',
      title: 'Scala 2.12.8 does not support JDK 17: use Scala 2.12.15 or later',
      file: 'app/build.sbt',
      line: 1,
    });
  });

  it('finds nothing in a compile error or a plain test failure', () => {
    const { detect } = project({ 'build.sbt': 'ThisBuild / scalaVersion := "2.12.18"\n' });
    expect(detect('compile-error.txt')).toEqual([]);
    expect(detect('failing-test.txt')).toEqual([]);
    // …while the test-locations run, whose suite aborts on sun.nio.ch, names that cause alone.
    expect(detect('test-locations.txt').map((f) => f.title)).toEqual([
      'JDK module access denied in tests: needs --add-opens=java.base/sun.nio.ch=ALL-UNNAMED',
    ]);
  });
});

describe('cause helpers', () => {
  it.each([
    [17, '2.12.8', '2.12.15'],
    [17, '2.13.5', '2.13.6'],
    [21, '2.13.12', '2.13.11'],
    [19, '2.12.1', '2.12.15'],
    [11, '2.11.8', '2.11.12'],
    [25, '3.3.1', '3.3.6'],
    [8, '2.12.8', undefined],
  ])('minimumScala(JDK %i, %s) = %s', (jdk, v, want) => {
    expect(minimumScala(jdk, v)).toBe(want);
  });

  it('repositoryRoot cuts the module path off what was tried', () => {
    expect(
      repositoryRoot(
        'https://repo1.maven.org/maven2/com/example/missing/lib_2.12/1.0/lib_2.12-1.0.pom',
        'com.example.missing:lib_2.12:1.0',
      ),
    ).toBe('https://repo1.maven.org/maven2/');
  });

  it('strategyFor: concat for config, discard for module-info, filterDistinctLines for services', () => {
    expect(strategyFor('reference.conf').line).toBe('case "reference.conf" => MergeStrategy.concat');
    expect(strategyFor('META-INF/versions/9/module-info.class').line).toContain('MergeStrategy.discard');
    expect(strategyFor('META-INF/services/a.B').line).toBe(
      'case PathList("META-INF", "services", "a.B") => MergeStrategy.filterDistinctLines',
    );
  });
});
