// Generated JARs for the verify stage: one good JAR and one JAR per defect, each expected to produce
// exactly one finding. Unit tests and the lead's end-to-end test share them.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ExpectedMainClass } from '../../src/jar/verify.js';
import { writeZip, type ZipEntryInput, type ZipWriteOptions } from './zip-writer.js';

/** Options a fixture needs for verifyJar / runVerifyStage. */
export interface FixtureOptions {
  javaRelease: number;
  expectedMainClass?: ExpectedMainClass;
  maxSizeMb?: number;
  allowBundledSpark?: boolean;
}

/** JarFixture is one generated JAR and the single finding the verify stage must report for it. */
export interface JarFixture {
  /** Short id, e.g. good, signature-files, truncated. */
  name: string;
  path: string;
  /** The only rule expected (undefined: no findings at all). */
  expectRule?: string;
  expectSeverity?: 'error' | 'warning' | 'notice';
  options: FixtureOptions;
}

/** manifestBytes writes a manifest the way jar tools do: wrapped at 72 bytes, continuation lines start with a space. */
export function manifestBytes(
  attrs: [string, string][],
  opts: { lineEnd?: string; width?: number } = {},
): Buffer {
  const eol = Buffer.from(opts.lineEnd ?? '\r\n', 'latin1');
  const width = opts.width ?? 72;
  const out: Buffer[] = [];
  for (const [name, value] of [['Manifest-Version', '1.0'], ...attrs] as [string, string][]) {
    // Wrap by bytes, as the JDK's writers before 11 did, even inside a UTF-8 character.
    const line = Buffer.from(`${name}: ${value}`, 'utf8');
    out.push(line.subarray(0, width), eol);
    for (let i = width; i < line.length; i += width - 1) {
      out.push(Buffer.from(' '), line.subarray(i, i + width - 1), eol);
    }
  }
  out.push(eol);
  return Buffer.concat(out);
}

/** classBytes returns a minimal class file with the given major version (enough for the header check). */
export function classBytes(major: number, body = 'class body'): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(0xcafebabe, 0);
  head.writeUInt16BE(0, 4);
  head.writeUInt16BE(major, 6);
  return Buffer.concat([head, Buffer.from(body.repeat(20))]);
}

const MAIN = 'com.etl.Main';

/** goodEntries are the entries of a small, correct Spark app assembly JAR. */
export function goodEntries(
  overrides: { mainClass?: string | null; mainMajor?: number } = {},
): ZipEntryInput[] {
  const mainClass = overrides.mainClass === undefined ? MAIN : overrides.mainClass;
  const attrs: [string, string][] = [['Created-By', 'sbt-assembly']];
  if (mainClass !== null) attrs.push(['Main-Class', mainClass]);
  return [
    { name: 'META-INF/MANIFEST.MF', data: manifestBytes(attrs) },
    { name: 'META-INF/', method: 'stored' },
    { name: 'com/', method: 'stored' },
    { name: 'com/etl/', method: 'stored' },
    { name: 'com/etl/Main.class', data: classBytes(overrides.mainMajor ?? 52, 'main') },
    { name: 'com/etl/Main$.class', data: classBytes(52, 'main$') },
    { name: 'com/etl/Pipeline.class', data: classBytes(52, 'pipeline') },
    { name: 'com/etl/Other.class', data: classBytes(52, 'other') },
    { name: 'application.conf', data: 'etl { input = "s3://bucket/in" }\n' },
    { name: 'META-INF/services/org.apache.spark.sql.sources.DataSourceRegister', data: 'com.etl.Source\n' },
  ];
}

interface Spec {
  name: string;
  expectRule?: string;
  expectSeverity?: 'error' | 'warning' | 'notice';
  entries?: ZipEntryInput[];
  zip?: ZipWriteOptions;
  /** Raw file content instead of a zip. */
  raw?: Buffer;
  options?: Partial<FixtureOptions>;
}

function specs(): Spec[] {
  const good = goodEntries();
  const err = (name: string, rule: string, rest: Omit<Spec, 'name' | 'expectRule'>): Spec => ({
    name,
    expectRule: rule,
    expectSeverity: 'error',
    ...rest,
  });
  return [
    { name: 'good', entries: good },
    { name: 'good-zip64', entries: good, zip: { zip64: 'always' } },
    { name: 'good-launcher-script', entries: good, zip: { prefix: '#!/bin/sh\nexec java -jar "$0" "$@"\n' } },
    {
      name: 'good-expected-main-class',
      entries: good,
      options: { expectedMainClass: { value: MAIN, from: 'input' } },
    },
    {
      name: 'good-main-class-from-input',
      entries: goodEntries({ mainClass: null }),
      options: { expectedMainClass: { value: MAIN, from: 'input' } },
    },
    err('no-main-class', 'verify/no-main-class', { entries: goodEntries({ mainClass: null }) }),
    err('main-class-mismatch', 'verify/main-class-mismatch', {
      entries: good,
      options: {
        expectedMainClass: {
          value: 'com.etl.Gone',
          from: 'config',
          file: '.github/spark-deploy.yml',
          line: 4,
        },
      },
    }),
    err('main-class-missing', 'verify/main-class-missing', {
      entries: good.filter((e) => e.name !== 'com/etl/Main.class'),
    }),
    err('class-version', 'verify/class-version', {
      entries: goodEntries({ mainMajor: 65 }),
      options: { javaRelease: 17 },
    }),
    err('main-class-invalid', 'verify/main-class-invalid', {
      entries: [
        ...good.filter((e) => e.name !== 'com/etl/Main.class'),
        { name: 'com/etl/Main.class', data: 'not a class' },
      ],
    }),
    err('bad-manifest', 'verify/bad-manifest', {
      entries: [
        { name: 'META-INF/MANIFEST.MF', data: 'Manifest-Version: 1.0\nMain-Class:com.etl.Main\n\n' },
        ...good.slice(1),
      ],
      options: { expectedMainClass: { value: MAIN, from: 'input' } },
    }),
    err('signature-files', 'verify/signature-files', {
      entries: [
        ...good,
        { name: 'META-INF/BCKEY.SF', data: 'Signature-Version: 1.0\r\n\r\n' },
        { name: 'META-INF/BCKEY.DSA', data: 'sig' },
        { name: 'META-INF/SIGNER.EC', data: 'sig' },
      ],
    }),
    {
      name: 'bundled-spark',
      expectRule: 'verify/bundled-spark',
      expectSeverity: 'warning',
      entries: [
        ...good,
        { name: 'org/apache/spark/SparkContext.class', data: classBytes(52, 'sc') },
        { name: 'org/apache/spark/rdd/RDD.class', data: classBytes(52, 'rdd') },
      ],
    },
    {
      name: 'bundled-scala',
      expectRule: 'verify/bundled-scala',
      expectSeverity: 'notice',
      entries: [
        ...good,
        { name: 'scala/Predef.class', data: classBytes(52, 'predef') },
        { name: 'scala/Option.class', data: classBytes(52, 'option') },
      ],
    },
    {
      name: 'bundled-spark-allowed',
      entries: [...good, { name: 'org/apache/spark/SparkContext.class', data: classBytes(52, 'sc') }],
      options: { allowBundledSpark: true },
    },
    err('duplicate-entry', 'verify/duplicate-entry', {
      entries: [...good, { name: 'com/etl/Pipeline.class', data: classBytes(52, 'pipeline 2') }],
    }),
    err('unsafe-path-parent', 'verify/unsafe-path', {
      entries: [...good, { name: '../../etc/cron.d/evil', data: 'x' }],
    }),
    err('unsafe-path-absolute', 'verify/unsafe-path', {
      entries: [...good, { name: '/tmp/evil.sh', data: 'x' }],
    }),
    err('unsafe-path-backslash', 'verify/unsafe-path', {
      entries: [...good, { name: 'com\\etl\\Windows.class', data: classBytes(52, 'w') }],
    }),
    err('encrypted', 'verify/encrypted', {
      entries: [...good, { name: 'secrets.properties', data: 'password=x', encrypted: true }],
    }),
    err('unsupported-method', 'verify/unsupported-method', {
      entries: [...good, { name: 'data.bin', data: 'bzip2?', method: 'stored', methodOverride: 12 }],
    }),
    err('bad-entry-name', 'verify/bad-entry-name', {
      entries: [...good, { name: Buffer.from([0x64, 0x61, 0x74, 0x8e, 0x2e, 0x74, 0x78, 0x74]), data: 'x' }],
    }),
    err('truncated', 'verify/truncated', { entries: good, zip: { truncateAt: 700 } }),
    err('not-a-zip', 'verify/not-a-zip', {
      raw: Buffer.from('<!DOCTYPE html><html><body>404 Not Found</body></html>\n'),
    }),
    err('empty', 'verify/empty', { entries: [] }),
    err('empty-file', 'verify/empty', { raw: Buffer.alloc(0) }),
    err('too-large', 'verify/too-large', { entries: good, options: { maxSizeMb: 0.001 } }),
  ];
}

/** writeJarFixtures writes the good JAR and one JAR per defect into dir and describes them. */
export function writeJarFixtures(dir: string): JarFixture[] {
  return specs().map((s) => {
    const path = join(dir, `${s.name}.jar`);
    if (s.raw) writeFileSync(path, s.raw);
    else writeZip(path, s.entries ?? [], s.zip);
    const fixture: JarFixture = { name: s.name, path, options: { javaRelease: 17, ...s.options } };
    if (s.expectRule) fixture.expectRule = s.expectRule;
    if (s.expectSeverity) fixture.expectSeverity = s.expectSeverity;
    return fixture;
  });
}
