import { mkdirSync, mkdtempSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { discoverJar } from '../../../src/build/discover-jar.js';
import { parseBuiltJars } from '../../../src/build/sbt-jars.js';
import { manifestBytes } from '../../helpers/jar-fixtures.js';
import { writeZip } from '../../helpers/zip-writer.js';

const fixture = (name: string) =>
  readFileSync(new URL(`../../fixtures/sbt-output/${name}`, import.meta.url), 'utf8');

/** jar writes a small JAR with an optional Main-Class and the given classes (dotted names). */
function jar(path: string, mainClass: string | undefined, classes: string[]): string {
  mkdirSync(dirname(path), { recursive: true });
  writeZip(path, [
    { name: 'META-INF/MANIFEST.MF', data: manifestBytes(mainClass ? [['Main-Class', mainClass]] : []) },
    ...classes.map((c) => ({ name: `${c.replace(/\./g, '/')}.class`, data: 'cafebabe' })),
  ]);
  return path;
}

/** multiModule lays out the JARs the multi-module fixture's `assembly` built (as in assembly-multi-module.txt). */
function multiModule(): { root: string; log: string } {
  const root = mkdtempSync(join(tmpdir(), 'discover-'));
  jar(join(root, 'target/scala-2.12/multi-root-assembly-0.3.0.jar'), undefined, []);
  jar(join(root, 'core/target/scala-2.12/multi-core-assembly-0.3.0.jar'), undefined, [
    'com.example.core.Greeting',
  ]);
  jar(join(root, 'app/target/scala-2.12/pipeline-app.jar'), 'com.example.app.PipelineMain', [
    'com.example.app.PipelineMain',
    'com.example.core.Greeting',
  ]);
  jar(join(root, 'jobs/target/scala-2.12/multi-jobs-assembly-0.3.0.jar'), 'com.example.jobs.ReportJob', [
    'com.example.jobs.ReportJob',
    'com.example.core.Greeting',
  ]);
  return { root, log: fixture('assembly-multi-module.txt').replaceAll('<ROOT>', root) };
}

const noWarn = (m: string) => {
  throw new Error(`unexpected warning: ${m}`);
};

describe('parseBuiltJars (real sbt 1.11 / sbt-assembly 2.3.1 output)', () => {
  it('lists every JAR of a multi-module assembly, custom assemblyJarName included', () => {
    expect(parseBuiltJars(fixture('assembly-multi-module.txt'))).toEqual([
      '<ROOT>/target/scala-2.12/multi-root-assembly-0.3.0.jar',
      '<ROOT>/core/target/scala-2.12/multi-core-assembly-0.3.0.jar',
      '<ROOT>/app/target/scala-2.12/pipeline-app.jar',
      '<ROOT>/jobs/target/scala-2.12/multi-jobs-assembly-0.3.0.jar',
    ]);
  });

  it('reads the up-to-date lines of a second run', () => {
    expect(parseBuiltJars(fixture('assembly-up-to-date.txt'))).toHaveLength(4);
  });

  it('finds nothing in `package` output: sbt 1.4+ prints no path for it', () => {
    expect(parseBuiltJars(fixture('package-multi-module.txt'))).toEqual([]);
  });

  it('sbt-assembly 1.2.0 on sbt 1.11 prints nothing for a fresh JAR, then `Assembly up to date:`', () => {
    const log = fixture('assembly-1.2.0-multi-module.txt');
    const [fresh, again] = log.split(/(?<=\[success\] Total time[^\n]*\n)/);
    expect(parseBuiltJars(fresh ?? '')).toEqual([]);
    expect(parseBuiltJars(again ?? '')).toEqual(['<ROOT>/app/target/scala-2.12/pipeline-app.jar']);
  });

  it('reads sbt-assembly 0.14/1.x and old sbt lines, and skips sources/javadoc JARs', () => {
    const log = [
      '[info] Packaging /w/app/target/scala-2.11/app-assembly-1.0.jar ...',
      '[info] Done packaging.',
      '[info] Assembly up to date: /w/lib/target/scala-2.11/lib-assembly-1.0.jar',
      '[info] Packaging /w/app/target/scala-2.11/app_2.11-1.0-sources.jar ...',
      '\u001b[0m[\u001b[0m\u001b[0minfo\u001b[0m] \u001b[0m\u001b[0mBuilt: /w/x/target/scala-2.13/x.jar\u001b[0m',
    ].join('\n');
    expect(parseBuiltJars(log)).toEqual([
      '/w/app/target/scala-2.11/app-assembly-1.0.jar',
      '/w/lib/target/scala-2.11/lib-assembly-1.0.jar',
      '/w/x/target/scala-2.13/x.jar',
    ]);
  });
});

describe('discoverJar', () => {
  it('picks the JAR whose manifest names the expected main class among the four sbt built', async () => {
    const { root, log } = multiModule();
    const found = await discoverJar({
      workingDirectory: root,
      sbtLog: log,
      mainClass: 'com.example.app.PipelineMain',
      warn: noWarn,
    });
    expect(found).toMatchObject({ path: join(root, 'app/target/scala-2.12/pipeline-app.jar'), how: 'sbt' });
  });

  it('falls back to the JAR that holds the main class when no manifest names it', async () => {
    const { root, log } = multiModule();
    jar(join(root, 'app/target/scala-2.12/pipeline-app.jar'), undefined, ['com.example.app.PipelineMain']);
    const found = await discoverJar({
      workingDirectory: root,
      sbtLog: log,
      mainClass: 'com.example.app.PipelineMain',
      warn: noWarn,
    });
    expect(found.path).toBe(join(root, 'app/target/scala-2.12/pipeline-app.jar'));
  });

  it('is an error listing the candidates when several hold the main class', async () => {
    const { root, log } = multiModule();
    await expect(
      discoverJar({
        workingDirectory: root,
        sbtLog: log,
        mainClass: 'com.example.core.Greeting',
        warn: noWarn,
      }),
    ).rejects.toThrow(
      /sbt built 4 JARs and 3 of them hold the main class com\.example\.core\.Greeting:\n {2}target\/scala-2\.12\/multi-root-assembly-0\.3\.0\.jar \(no Main-Class[^\n]*\n {2}core\/[^\n]*\n {2}app\/target\/scala-2\.12\/pipeline-app\.jar \(Main-Class com\.example\.app\.PipelineMain[\s\S]*Set the `jar` input/,
    );
  });

  it('without a main class, takes the only JAR with a Main-Class, else lists them all', async () => {
    const { root, log } = multiModule();
    await expect(discoverJar({ workingDirectory: root, sbtLog: log, warn: noWarn })).rejects.toThrow(
      /2 of them have a Main-Class[\s\S]*or set the `main-class` input/,
    );
    const one = log
      .split('\n')
      .filter((l) => !l.includes('multi-jobs'))
      .join('\n');
    expect((await discoverJar({ workingDirectory: root, sbtLog: one, warn: noWarn })).path).toBe(
      join(root, 'app/target/scala-2.12/pipeline-app.jar'),
    );
  });

  it('says which main class none of them holds', async () => {
    const { root, log } = multiModule();
    await expect(
      discoverJar({ workingDirectory: root, sbtLog: log, mainClass: 'com.example.Nope', warn: noWarn }),
    ).rejects.toThrow(/none holds the main class com\.example\.Nope/);
  });

  it('honours the jar input first, whatever sbt printed', async () => {
    const { root, log } = multiModule();
    const found = await discoverJar({
      workingDirectory: root,
      pattern: 'jobs/target/scala-2.12/*.jar',
      sbtLog: log,
      mainClass: 'com.example.app.PipelineMain',
      warn: noWarn,
    });
    expect(found).toMatchObject({
      path: join(root, 'jobs/target/scala-2.12/multi-jobs-assembly-0.3.0.jar'),
      how: 'input',
    });
  });

  it('takes the `jar-path` output (workspace-relative) as `jar` under a working directory, saying so', async () => {
    const ws = mkdtempSync(join(tmpdir(), 'discover-ws-'));
    const app = jar(join(ws, 'etl/target/scala-2.12/etl-assembly-1.0.jar'), 'etl.Main', ['etl.Main']);
    const lines: string[] = [];
    const found = await discoverJar({
      workingDirectory: join(ws, 'etl'),
      workspace: ws,
      pattern: 'etl/target/scala-2.12/etl-assembly-1.0.jar',
      warn: noWarn,
      info: (l) => lines.push(l),
    });
    expect(found).toMatchObject({ path: app, how: 'input' });
    expect(lines.join('\n')).toMatch(
      /matches nothing under the working directory .*etl; using it relative to the workspace/,
    );
    // Relative to the working directory still wins, and says nothing.
    const local = jar(join(ws, 'etl/etl/target/scala-2.12/etl-assembly-1.0.jar'), 'etl.Main', ['etl.Main']);
    lines.length = 0;
    const first = await discoverJar({
      workingDirectory: join(ws, 'etl'),
      workspace: ws,
      pattern: 'etl/target/scala-2.12/etl-assembly-1.0.jar',
      warn: noWarn,
      info: (l) => lines.push(l),
    });
    expect(first.path).toBe(local);
    expect(lines).toEqual([]);
    await expect(
      discoverJar({ workingDirectory: join(ws, 'etl'), workspace: ws, pattern: 'nope/*.jar', warn: noWarn }),
    ).rejects.toThrow(
      /no file matches "nope\/\*\.jar" in .*etl nor in the workspace .*relative to `working-directory`/,
    );
  });

  it("finds a thin `package` JAR of a module when sbt printed no path, preferring this run's files", async () => {
    const root = mkdtempSync(join(tmpdir(), 'discover-'));
    const old = jar(join(root, 'app/target/scala-2.12/app_2.12-0.1.jar'), 'com.example.app.Main', [
      'com.example.app.Main',
    ]);
    const past = new Date(Date.now() - 3_600_000);
    utimesSync(old, past, past);
    jar(join(root, 'jobs/target/scala-2.12/jobs_2.12-0.1.jar'), 'com.example.jobs.Job', [
      'com.example.jobs.Job',
    ]);
    jar(join(root, 'jobs/target/scala-2.12/jobs_2.12-0.1-sources.jar'), undefined, []);
    const found = await discoverJar({
      workingDirectory: root,
      sbtLog: fixture('package-multi-module.txt'),
      since: Date.now() - 60_000,
      warn: noWarn,
    });
    expect(found).toMatchObject({
      path: join(root, 'jobs/target/scala-2.12/jobs_2.12-0.1.jar'),
      how: 'glob',
    });
  });

  it('takes the newest of globbed JARs that hold the main class, with a warning naming the others', async () => {
    const root = mkdtempSync(join(tmpdir(), 'discover-'));
    const old = jar(join(root, 'target/scala-2.12/app-assembly-0.1.jar'), 'a.Main', ['a.Main']);
    const other = jar(join(root, 'legacy/target/scala-2.12/legacy-assembly-0.1.jar'), 'a.Main', ['a.Main']);
    const past = new Date(Date.now() - 3_600_000);
    utimesSync(old, past, past);
    utimesSync(other, past, past);
    jar(join(root, 'target/scala-2.12/app-assembly-0.2.jar'), 'a.Main', ['a.Main']);
    const warnings: string[] = [];
    const found = await discoverJar({
      workingDirectory: root,
      mainClass: 'a.Main',
      warn: (m) => warnings.push(m),
    });
    // One per project: 0.1 is an older leftover beside 0.2; legacy/ is another project, named in the warning.
    expect(found.path).toBe(join(root, 'target/scala-2.12/app-assembly-0.2.jar'));
    expect(warnings.join()).toMatch(
      /using the newest, target\/scala-2\.12\/app-assembly-0\.2\.jar[\s\S]*legacy\/target\/scala-2\.12\/legacy-assembly-0\.1\.jar/,
    );
    expect(warnings.join()).not.toContain('app-assembly-0.1.jar');
  });

  it('ignores JARs under target/ that sbt did not report (leftovers of earlier builds)', async () => {
    const { root, log } = multiModule();
    jar(join(root, 'app/target/scala-2.12/multi-app-assembly-0.2.0.jar'), 'com.example.app.PipelineMain', [
      'com.example.app.PipelineMain',
    ]);
    const found = await discoverJar({
      workingDirectory: root,
      sbtLog: log,
      mainClass: 'com.example.app.PipelineMain',
      warn: noWarn,
    });
    expect(found.path).toBe(join(root, 'app/target/scala-2.12/pipeline-app.jar'));
  });

  it('keeps the thin JAR of a project when the build ran `package` and not `assembly`', async () => {
    const root = mkdtempSync(join(tmpdir(), 'discover-'));
    const thin = jar(join(root, 'jobs/target/scala-2.12/jobs_2.12-1.0.jar'), 'a.Main', ['a.Main']);
    jar(join(root, 'jobs/target/scala-2.12/jobs-assembly-1.0.jar'), 'a.Main', ['a.Main', 'lib.A', 'lib.B']);
    const found = await discoverJar({ workingDirectory: root, sbtLog: '', wants: 'package', warn: noWarn });
    expect(found).toMatchObject({ path: thin, how: 'glob' });
  });

  it('labels its errors with the stage that looked, when no build ran', async () => {
    const root = mkdtempSync(join(tmpdir(), 'discover-'));
    await expect(discoverJar({ workingDirectory: root, stage: 'verify', warn: noWarn })).rejects.toThrow(
      /^verify: no JAR found: the build stage produced none in this run/,
    );
  });

  it('keeps one JAR per project: the assembly over the thin JAR `package` wrote beside it', async () => {
    const root = mkdtempSync(join(tmpdir(), 'discover-'));
    const thin = jar(join(root, 'target/scala-2.12/app_2.12-1.0.jar'), 'a.Main', ['a.Main']);
    const fat = jar(join(root, 'target/scala-2.12/app-assembly-1.0.jar'), 'a.Main', [
      'a.Main',
      'lib.A',
      'lib.B',
      'lib.C',
    ]);
    const log = `[info] Packaging ${thin} ...\n[info] Done packaging.\n[info] Packaging ${fat} ...\n[info] Done packaging.`;
    const found = await discoverJar({
      workingDirectory: root,
      sbtLog: log,
      mainClass: 'a.Main',
      warn: noWarn,
    });
    expect(found).toMatchObject({ path: fat, how: 'sbt' });
  });

  it('explains when there is no JAR at all', async () => {
    const root = mkdtempSync(join(tmpdir(), 'discover-'));
    writeFileSync(join(root, 'build.sbt'), '');
    await expect(discoverJar({ workingDirectory: root, sbtLog: '', warn: noWarn })).rejects.toThrow(
      /no JAR found: sbt printed no `Built: …jar` line[\s\S]*`assembly`[\s\S]*`jar` input/,
    );
  });
});
