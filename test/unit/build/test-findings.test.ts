import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseJUnitXml } from '../../../src/build/junit.js';
import { stripAnsi } from '../../../src/build/sbt-output.js';
import { abortedInConsole, testFindings } from '../../../src/build/test-findings.js';
import { locateFailure } from '../../../src/build/test-location.js';

// Real reports and console of test/fixtures/sbt-test-locations (sbt 1.11.7, ScalaTest 3.2.19, munit 1.0.0),
// captured with <ROOT> standing for the project directory; the sources are the fixture's own.
const project = new URL('../../fixtures/sbt-test-locations', import.meta.url).pathname;
const workspace = dirname(dirname(dirname(project)));
const read = (name: string) =>
  readFileSync(new URL(`../../fixtures/sbt-output/${name}`, import.meta.url), 'utf8').replaceAll(
    '<ROOT>',
    project,
  );
const junit = (...names: string[]) => {
  const parsed = names.map((n) => parseJUnitXml(read(`TEST-locations-${n}.xml`)));
  return {
    totals: parsed
      .map((p) => p.totals)
      .reduce((a, b) => ({
        suites: a.suites + b.suites,
        tests: a.tests + b.tests,
        failures: a.failures + b.failures,
        errors: a.errors + b.errors,
        skipped: a.skipped + b.skipped,
        aborted: a.aborted + b.aborted,
      })),
    failed: parsed.flatMap((p) => p.failed),
    aborted: parsed.flatMap((p) => p.aborted),
  };
};
const toRepoPath = (p: string) => relative(workspace, p);
const file = (rel: string) => `test/fixtures/sbt-test-locations/src/test/scala/com/example/${rel}`;

describe('test findings at the test line (real sbt reports)', () => {
  it('ScalaTest: a failure raised in a mixed-in helper trait is placed at the test, not the class line', () => {
    const r = junit('RowsSpec');
    const f = testFindings({ workspace, workingDirectory: project, junit: r, log: '', toRepoPath });
    expect(f).toEqual([
      {
        stage: 'build',
        severity: 'error',
        title: 'Test failed: RowsSpec parse drops the header',
        message: 'Array("id,name", "1,x") had size 2 instead of expected size 1 expected 1 rows',
        file: file('RowsSpec.scala'),
        line: 12,
        rule: 'build/test-failure',
      },
    ]);
  });

  it('munit: its location prefix in the suite gives the line; in a helper, the test declaration does', () => {
    const f = testFindings({
      workspace,
      workingDirectory: project,
      junit: junit('HeaderSuite'),
      log: '',
      toRepoPath,
    });
    expect(f.map((x) => [x.title, x.file, x.line])).toEqual([
      ['Test failed: HeaderSuite header is trimmed', file('HeaderSuite.scala'), 10],
      ['Test failed: HeaderSuite a direct munit assertion', file('HeaderSuite.scala'), 15],
    ]);
    // ANSI colour codes (their ESC dropped by sbt's XML writer) are gone, machine paths made relative.
    for (const x of f) {
      expect(x.message).not.toMatch(/\[\d+m/);
      expect(x.message).not.toContain('\u001b');
      expect(x.message).not.toContain(workspace);
    }
    expect(f[1]?.message).toMatch(
      /^test\/fixtures\/sbt-test-locations\/src\/test\/scala\/com\/example\/HeaderSuite\.scala:15\n/,
    );
    expect(f[0]?.message).toContain(
      'src/test/scala/com/example/checks/HeaderChecks.scala:6 values are not equal',
    );
  });

  it('an aborted suite is one "suite aborted" finding with its cause, not a failed test with a bogus name', () => {
    const r = junit('WarehouseSpec', 'RowsSpec');
    expect(r.totals).toMatchObject({ tests: 2, failures: 1, errors: 0, aborted: 1 });
    expect(r.failed.map((x) => x.name)).toEqual(['parse drops the header']);
    const f = testFindings({
      workspace,
      workingDirectory: project,
      junit: r,
      log: read('test-locations.txt'),
      toRepoPath,
    });
    expect(f[0]).toMatchObject({
      severity: 'error',
      file: file('WarehouseSpec.scala'),
      line: 10,
      rule: 'build/test-suite-aborted',
    });
    expect(f[0]?.title).toMatch(
      /^Suite WarehouseSpec aborted: IllegalAccessError: class com\.example\.WarehouseSpec \(in unnamed module @0x\w+\) cannot access class sun\.nio\.ch\.DirectBuffer .{20,}…$/,
    );
    expect(f[0]?.message).toMatch(
      /^com\.example\.WarehouseSpec failed outside its tests \(constructor, beforeAll or afterAll\), so its tests did not run: java\.lang\.IllegalAccessError: class com\.example\.WarehouseSpec .* does not export sun\.nio\.ch to unnamed module/,
    );
    expect(f.filter((x) => x.rule === 'build/test-suite-aborted')).toHaveLength(1);
  });

  it("reads ScalaTest's console ABORTED block when no report has the suite", () => {
    const aborted = abortedInConsole(read('test-locations.txt'));
    expect(aborted.map((a) => [a.suite, a.type])).toEqual([
      ['com.example.WarehouseSpec', 'java.lang.IllegalAccessError'],
    ]);
    expect(aborted[0]?.message).toMatch(
      /^class com\.example\.WarehouseSpec .* cannot access class sun\.nio\.ch\.DirectBuffer/,
    );
    const f = testFindings({
      workspace,
      workingDirectory: project,
      junit: { totals: junit('RowsSpec').totals, failed: [], aborted: [] },
      log: read('test-locations.txt'),
      toRepoPath,
    });
    expect(f.map((x) => [x.rule, x.file, x.line])).toEqual([
      ['build/test-suite-aborted', file('WarehouseSpec.scala'), 10],
    ]);
  });
});

describe('locateFailure', () => {
  it("skips frames of the suite's class line (mixin forwarders) even without their trait frame", () => {
    const details = `boom
	at com.example.RowsSpec.assertRowCount(RowsSpec.scala:6)
	at com.example.RowsSpec.$anonfun$new$1(RowsSpec.scala:8)`;
    expect(locateFailure(project, { suite: 'com.example.RowsSpec', message: 'boom', details })).toEqual({
      path: join(project, 'src/test/scala/com/example/RowsSpec.scala'),
      line: 8,
    });
  });

  it("uses ScalaTest's (File.scala:N) when no frame is the suite's", () => {
    expect(
      locateFailure(project, {
        suite: 'com.example.RowsSpec',
        name: 'not a declared name',
        message: '1 did not equal 2 (RowsSpec.scala:11)',
        details: '',
      }),
    ).toEqual({ path: join(project, 'src/test/scala/com/example/RowsSpec.scala'), line: 11 });
  });

  it('stripAnsi removes escapes and the bare codes left when ESC was dropped', () => {
    expect(stripAnsi('\u001b[91m-1\u001b[0m [92m+3[0m =[1m>')).toBe('-1 +3 =>');
  });
});

describe('a suite aborted in a forked JVM, in a mixed-in beforeAll', () => {
  // The shape sbt 1.11 writes for a forked ScalaTest suite whose shared SparkSession trait fails on Java 17
  // (seen on a public Spark 3.1 app; names here are the fixture's).
  const xml = `<?xml version='1.0' encoding='UTF-8'?>
<testsuite name="com.example.RowsSpec" tests="1" errors="1" failures="0" skipped="0">
  <testcase classname="com.example.RowsSpec" name="(It is not a test it is a sbt.testing.SuiteSelector)" time="0.0">
    <error message="sbt.ForkMain$ForkError: java.lang.ExceptionInInitializerError: null" type="sbt.ForkMain$ForkError">sbt.ForkMain$ForkError: sbt.ForkMain$ForkError: java.lang.ExceptionInInitializerError: null
	at com.example.checks.RowChecks.beforeAll(RowChecks.scala:7)
	at com.example.checks.RowChecks.beforeAll$(RowChecks.scala:6)
	at com.example.RowsSpec.beforeAll(RowsSpec.scala:6)
	at com.example.RowsSpec.run(RowsSpec.scala:6)
Caused by: sbt.ForkMain$ForkError: sbt.ForkMain$ForkError: java.lang.reflect.InaccessibleObjectException: Unable to make private java.nio.DirectByteBuffer(long,int) accessible: module java.base does not "opens java.nio" to unnamed module @6b2e46af
	... 22 more
</error>
  </testcase>
</testsuite>`;

  it('names the real exception and its cause, at the suite declaration (not a forwarder frame)', () => {
    const r = parseJUnitXml(xml);
    expect(r.aborted[0]).toMatchObject({
      type: 'java.lang.ExceptionInInitializerError',
      message:
        'caused by java.lang.reflect.InaccessibleObjectException: Unable to make private java.nio.DirectByteBuffer(long,int) accessible: module java.base does not "opens java.nio" to unnamed module @6b2e46af',
    });
    const f = testFindings({ workspace, workingDirectory: project, junit: r, log: '', toRepoPath });
    expect(f.map((x) => [x.title.slice(0, 95), x.file, x.line])).toEqual([
      [
        'Suite RowsSpec aborted: ExceptionInInitializerError: caused by java.lang.reflect.InaccessibleOb',
        file('RowsSpec.scala'),
        6,
      ],
    ]);
  });
});
