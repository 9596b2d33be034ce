// The rules that compare the JAR with its runtime, on generated JARs whose classes have real constant
// pools: every class's Java release, the Scala binary version and whether the main class links.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { VerifyRuntime } from '../../../src/jar/runtime.js';
import { verifyJar } from '../../../src/jar/verify.js';
import { classWithRefs, compileJava, javacAvailable } from '../../helpers/class-writer.js';
import { classBytes, manifestBytes } from '../../helpers/jar-fixtures.js';
import { writeZip, type ZipEntryInput } from '../../helpers/zip-writer.js';

const dir = mkdtempSync(join(tmpdir(), 'verify-runtime-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const rt = (over: Partial<VerifyRuntime> = {}): VerifyRuntime => ({
  sparkVersion: '3.5.6',
  scalaVersion: '2.12',
  source: 'config',
  extraClasspath: [],
  ...over,
});

let n = 0;
function jar(entries: ZipEntryInput[], name = `t${n++}.jar`, main = 'com.acme.Main'): string {
  const path = join(dir, name);
  writeZip(path, [{ name: 'META-INF/MANIFEST.MF', data: manifestBytes([['Main-Class', main]]) }, ...entries]);
  return path;
}

const cls = (name: string, refs: string[] = [], opts: { major?: number; descriptors?: string[] } = {}) => ({
  name: `${name}.class`,
  data: classWithRefs(name, refs, opts),
});

async function rules(path: string, runtime = rt(), javaRelease = 17) {
  const r = await verifyJar(path, { javaRelease, runtime });
  return { r, rules: r.findings.map((f) => `${f.severity} ${f.rule}`) };
}

describe('every class’s Java release', () => {
  it('reports 704 bundled classes compiled for Java 11 on a Java 8 runtime in one finding', async () => {
    const lib: ZipEntryInput[] = [];
    for (let i = 0; i < 704; i++)
      lib.push({ name: `org/lib/p${i % 7}/C${i}.class`, data: classBytes(55, `c${i}`) });
    const path = jar([cls('com/acme/Main', ['java/lang/String']), ...lib]);
    const { r, rules: got } = await rules(path, rt(), 8);
    expect(got).toEqual(['error verify/class-releases']);
    const f = r.findings[0];
    expect(f?.title).toBe('704 classes in the JAR need Java 11 but the runtime runs Java 8');
    expect(f?.message).toMatch(/704 for Java 11 \(of 705 classes read\), e\.g\. org\/lib\/p0\/C0\.class/);
    expect(r.facts.runtime?.classReleases).toMatchObject({ checked: 705, maxRelease: 11, tooNew: 704 });
  });

  it('judges multi-release entries by their version directory and skips module-info', async () => {
    const path = jar([
      cls('com/acme/Main'),
      { name: 'module-info.class', data: classBytes(53) },
      { name: 'META-INF/versions/11/org/lib/Fast.class', data: classBytes(55) },
      { name: 'META-INF/versions/9/module-info.class', data: classBytes(53) },
      { name: 'META-INF/versions/9/org/lib/Wrong.class', data: classBytes(55) },
    ]);
    // Java 8 loads none of the versioned entries.
    expect((await rules(path, rt(), 8)).rules).toEqual([]);
    // Java 10 loads versions/9 (compiled for 11: wrong) but not versions/11.
    const ten = await rules(path, rt(), 10);
    expect(ten.rules).toEqual(['error verify/class-releases']);
    expect(ten.r.findings[0]?.message).toContain('META-INF/versions/9/org/lib/Wrong.class');
    expect((await rules(path, rt(), 11)).rules).toEqual([]);
  });

  it('reads headers of stored, deflated and zip64 entries alike', async () => {
    const entries = [
      cls('com/acme/Main'),
      { name: 'org/a/Stored.class', data: classBytes(61), method: 'stored' as const },
      { name: 'org/a/Deflated.class', data: classBytes(61) },
    ];
    for (const zip64 of [false, true]) {
      const path = join(dir, `mixed-${zip64}.jar`);
      writeZip(
        path,
        [
          { name: 'META-INF/MANIFEST.MF', data: manifestBytes([['Main-Class', 'com.acme.Main']]) },
          ...entries,
        ],
        zip64 ? { zip64: 'always' } : {},
      );
      const { r } = await rules(path, rt(), 11);
      expect(r.findings[0]?.title).toBe('2 classes in the JAR need Java 17 but the runtime runs Java 11');
    }
  });

  it('does not count the main class twice when its own rule fired', async () => {
    const path = jar([
      cls('com/acme/Main', [], { major: 61 }),
      { name: 'org/x/A.class', data: classBytes(61) },
    ]);
    const { rules: got, r } = await rules(path, rt(), 11);
    expect(got).toEqual(['error verify/class-version', 'error verify/class-releases']);
    expect(r.findings[1]?.title).toMatch(/^1 class in the JAR needs? Java 17/);
  });
});

describe('Scala binary version', () => {
  const scala213 = ['scala/collection/immutable/ArraySeq$ofRef', 'scala/$less$colon$less'];
  const scala212 = ['scala/collection/TraversableOnce', 'scala/Predef$$less$colon$less'];

  it('fails a Scala 2.13 application on a 2.12 runtime, from its bytecode', async () => {
    const path = jar([cls('com/acme/Main', ['com/acme/Main$']), cls('com/acme/Main$', scala213)]);
    const { r, rules: got } = await rules(path);
    expect(got).toEqual(['error verify/scala-version']);
    const f = r.findings[0];
    expect(f?.title).toBe('The JAR is built for Scala 2.13 but the runtime, Spark 3.5.6, runs Scala 2.12');
    expect(f?.message).toContain('com.acme.Main$ references scala/collection/immutable/ArraySeq$ofRef');
    expect(f?.message).toContain('scalaVersion := "2.12.18"');
    expect(f?.message).toContain('spark.scalaVersion: "2.13"');
    // The same JAR passes on a 2.13 runtime, and on Spark 4.
    expect((await rules(path, rt({ scalaVersion: '2.13' }))).rules).toEqual([]);
  });

  it('fails a Scala 2.12 application on Spark 4 (Scala 2.13 only)', async () => {
    const path = jar([cls('com/acme/Main', scala212)]);
    const { r, rules: got } = await rules(path, rt({ sparkVersion: '4.0.1', scalaVersion: '2.13' }));
    expect(got).toEqual(['error verify/scala-version']);
    expect(r.findings[0]?.message).toContain('Spark 4.0.1 is built for Scala 2.13 only');
  });

  it('reads the bundled library.properties, pom.properties suffixes and the sbt paths', async () => {
    const bundled = [
      cls('com/acme/Main'),
      { name: 'library.properties', data: 'version.number=2.13.14\nmaven.version.number=2.13.14\n' },
      { name: 'scala/Predef.class', data: classBytes(52) },
      { name: 'META-INF/maven/org.typelevel/cats-core_2.13/pom.properties', data: 'version=2.10.0\n' },
    ];
    const path = jar(bundled);
    const { r, rules: got } = await rules(path);
    expect(got).toEqual(['error verify/scala-version']);
    expect(r.findings[0]?.message).toContain('it bundles scala-library 2.13.14 (library.properties)');
    expect(r.findings[0]?.message).toContain('org.typelevel:cats-core_2.13');

    const named = join(dir, 'target', 'scala-2.13');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(named, { recursive: true });
    const byPath = join(named, 'movies-etl_2.13-0.1.0.jar');
    writeZip(byPath, [
      { name: 'META-INF/MANIFEST.MF', data: manifestBytes([['Main-Class', 'com.acme.Main']]) },
      cls('com/acme/Main'),
    ]);
    const p = await rules(byPath);
    expect(p.rules).toEqual(['error verify/scala-version']);
    expect(p.r.findings[0]?.message).toMatch(
      /sbt wrote it to target\/scala-2\.13\/; its name movies-etl_2\.13-0\.1\.0\.jar/,
    );
  });

  it('only notes a bundled Scala library of the runtime’s version, without pointing at allowBundledSpark', async () => {
    const path = jar([
      cls('com/acme/Main', scala212),
      { name: 'library.properties', data: 'version.number=2.12.18\n' },
      { name: 'scala/Predef.class', data: classBytes(52) },
    ]);
    const { r, rules: got } = await rules(path);
    expect(got).toEqual(['notice verify/bundled-scala']);
    expect(r.findings[0]?.title).toContain('scala-library 2.12.18 is bundled');
    expect(r.findings[0]?.message).not.toContain('allowBundledSpark');
  });

  it('fails bundled libraries built for another Scala version', async () => {
    const path = jar([
      cls('com/acme/Main', scala212),
      { name: 'META-INF/maven/com.github.scopt/scopt_2.11/pom.properties', data: 'version=3.7.1\n' },
    ]);
    const { r, rules: got } = await rules(path);
    expect(got).toEqual(['error verify/scala-version']);
    expect(r.findings[0]?.title).toContain('1 bundled library built for Scala 2.11 on a Scala 2.12 runtime');
  });

  it('takes a Scala 3 JAR (TASTy files) as running on Scala 2.13 only', async () => {
    const path = jar([
      cls('com/acme/Main', ['scala/collection/immutable/ArraySeq']),
      { name: 'com/acme/Main.tasty', data: 'TASTy' },
    ]);
    const on212 = await rules(path);
    expect(on212.rules).toEqual(['error verify/scala-version']);
    expect(on212.r.findings[0]?.title).toContain('built for Scala 3 but the runtime');
    expect((await rules(path, rt({ scalaVersion: '2.13' }))).rules).toEqual([]);
  });

  it('warns instead of failing when the runtime is only the default guess', async () => {
    const path = jar([cls('com/acme/Main', scala213)]);
    expect((await rules(path, rt({ source: 'default' }))).rules).toEqual(['warning verify/scala-version']);
  });
});

describe('would it link?', () => {
  it('passes references to the JAR, Spark, Scala and the JDK', async () => {
    const path = jar([
      cls('com/acme/Main', ['com/acme/Job', 'java/lang/String', 'scala/Predef$']),
      cls('com/acme/Job', [
        'org/apache/spark/sql/SparkSession',
        'org/apache/spark/sql/Dataset',
        'com/fasterxml/jackson/databind/ObjectMapper',
        'org/apache/hadoop/fs/Path',
        'java/util/concurrent/ConcurrentHashMap',
        '[Lorg/apache/spark/sql/Row;',
      ]),
    ]);
    const { r, rules: got } = await rules(path);
    expect(got).toEqual([]);
    expect(r.facts.runtime?.link).toMatchObject({
      sparkIndex: '3.5.6/2.12',
      followed: 2,
      complete: true,
      missing: 0,
    });
  });

  it('fails a thin JAR whose application classes need a library the cluster lacks', async () => {
    const path = jar([
      cls('com/acme/Main', ['com/acme/db/Writer']),
      cls('com/acme/db/Writer', ['org/postgresql/Driver', 'com/typesafe/config/ConfigFactory']),
    ]);
    const { r, rules: got } = await rules(path);
    expect(got).toEqual(['error verify/missing-class']);
    const f = r.findings[0];
    expect(f?.title).toBe(
      '2 classes the application needs are neither in the JAR nor on the runtime: org.postgresql.Driver, …',
    );
    expect(f?.message).toContain('org.postgresql.Driver (needed by com.acme.db.Writer)');
    expect(f?.message).toContain('com.typesafe.config.ConfigFactory (needed by com.acme.db.Writer)');
    expect(f?.message).toContain('sbt package');
    expect(f?.message).toContain('spark.jars.packages');
  });

  it('does not follow a bundled library into its optional dependencies', async () => {
    const path = jar([
      cls('com/acme/Main', ['org/lib/Client']),
      cls('org/lib/Client', ['org/lib/optional/NotBundled', 'com/lmax/disruptor/RingBuffer']),
    ]);
    expect((await rules(path)).rules).toEqual([]);
  });

  it('warns instead of failing when spark.jars or similar may provide the class', async () => {
    const path = jar([cls('com/acme/Main', ['org/postgresql/Driver'])]);
    const { r, rules: got } = await rules(path, rt({ extraClasspath: ['spark.jars.packages'] }));
    expect(got).toEqual(['warning verify/missing-class']);
    expect(r.findings[0]?.message).toContain('unless spark.jars.packages provides them');
  });

  it('follows application classes in the default package', async () => {
    const path = jar(
      [cls('App', ['Helper']), cls('Helper', ['org/postgresql/Driver'])],
      'default-pkg.jar',
      'App',
    );
    const { r } = await rules(path);
    expect(r.findings.map((f) => f.rule)).toEqual(['verify/missing-class']);
    expect(r.findings[0]?.message).toContain('(needed by Helper)');
  });

  it.skipIf(!javacAvailable())('reads the references of javac-compiled classes', async () => {
    const classes = compileJava({
      'com/acme/Main.java':
        'package com.acme; public class Main { public static void main(String[] a) throws Exception { if (a.length > 5) new org.postgresql.Driver().connect(); System.out.println(new java.util.ArrayList<String>()); } }',
      'org/postgresql/Driver.java':
        'package org.postgresql; public class Driver { public void connect() {} }',
    });
    const main = classes.get('com/acme/Main.class');
    expect(main).toBeDefined();
    const path = jar([{ name: 'com/acme/Main.class', data: main as Buffer }]);
    const { r, rules: got } = await rules(path);
    expect(got).toEqual(['error verify/missing-class']);
    expect(r.findings[0]?.message).toContain('org.postgresql.Driver (needed by com.acme.Main)');
    // With the driver inside the JAR (an assembly), it links.
    const withDriver = jar([
      { name: 'com/acme/Main.class', data: main as Buffer },
      { name: 'org/postgresql/Driver.class', data: classes.get('org/postgresql/Driver.class') as Buffer },
    ]);
    expect((await rules(withDriver)).rules).toEqual([]);
  });
});
