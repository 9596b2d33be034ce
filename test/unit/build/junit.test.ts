import { cpSync, mkdtempSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseJUnitXml, readJUnitReports } from '../../../src/build/junit.js';
import { parseFrames } from '../../../src/build/test-location.js';
import { findSourceFile } from '../../../src/build/test-sources.js';

// A real report written by sbt 1.11's JUnitXmlReportPlugin for test/fixtures/sbt-failing-test.
const REAL = new URL('../../fixtures/sbt-output/TEST-failing.xml', import.meta.url).pathname;

/** ownFrame is the innermost frame of the suite's own class. */
const ownFrame = (f: { suite: string; details: string }) => {
  const fr = parseFrames(f.details).find((x) => x.className === f.suite);
  return fr ? { fileName: fr.fileName, line: fr.line } : undefined;
};

describe('parseJUnitXml', () => {
  it('reads totals and each failed test of a real sbt report', () => {
    const r = parseJUnitXml(readFileSync(REAL, 'utf8'));
    expect(r.totals).toEqual({ suites: 1, tests: 3, failures: 2, errors: 0, skipped: 0, aborted: 0 });
    expect(r.failed.map((f) => [f.suite, f.name, f.kind, f.message, ownFrame(f)])).toEqual([
      [
        'com.example.CalculatorSpec',
        'multiply is checked against a wrong product',
        'failure',
        '12 did not equal 13',
        { fileName: 'CalculatorSpec.scala', line: 11 },
      ],
      [
        'com.example.CalculatorSpec',
        'greet mentions the expected name',
        'failure',
        '"Hello, Ada!" did not contain "Grace" greeting should mention Grace',
        { fileName: 'CalculatorSpec.scala', line: 15 },
      ],
    ]);
  });

  it('reads testsuites roots, errors and skipped tests', () => {
    const xml = `<?xml version="1.0"?><testsuites>
      <testsuite name="a.A" tests="2"><testcase classname="a.A" name="x"><error message="boom" type="java.lang.RuntimeException">java.lang.RuntimeException: boom
	at a.A.f(A.scala:7)</error></testcase><testcase classname="a.A" name="y"><skipped/></testcase></testsuite>
      <testsuite name="b.B" tests="1"><testcase classname="b.B" name="z"/></testsuite></testsuites>`;
    const r = parseJUnitXml(xml);
    expect(r.totals).toEqual({ suites: 2, tests: 3, failures: 0, errors: 1, skipped: 1, aborted: 0 });
    expect(r.failed[0]).toMatchObject({ suite: 'a.A', name: 'x', kind: 'error', message: 'boom' });
    expect(ownFrame(r.failed[0] as never)).toEqual({ fileName: 'A.scala', line: 7 });
  });

  it('takes the message from the body when the attribute is missing', () => {
    const r = parseJUnitXml(
      '<testsuite name="s"><testcase name="t" classname="s"><failure>first line\nsecond</failure></testcase></testsuite>',
    );
    expect(r.failed[0]?.message).toBe('first line');
  });
});

describe('readJUnitReports', () => {
  it('ignores reports older than the run and unparseable files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'junit-'));
    cpSync(REAL, join(dir, 'TEST-new.xml'));
    cpSync(REAL, join(dir, 'TEST-old.xml'));
    const old = new Date(Date.now() - 3_600_000);
    utimesSync(join(dir, 'TEST-old.xml'), old, old);
    writeFileSync(join(dir, 'TEST-broken.xml'), '<testsuite><testcase');
    const r = readJUnitReports([dir], Date.now() - 60_000);
    expect(r.totals.tests).toBe(3);
    expect(r.failed).toHaveLength(2);
  });
});

describe('findSourceFile', () => {
  it('finds the test source by package, skipping target/', () => {
    const root = new URL('../../fixtures/sbt-failing-test', import.meta.url).pathname;
    expect(findSourceFile(root, 'CalculatorSpec.scala', 'com.example.CalculatorSpec')).toBe(
      join(root, 'src/test/scala/com/example/CalculatorSpec.scala'),
    );
    expect(findSourceFile(root, 'Nope.scala', 'x.Nope')).toBeUndefined();
  });
});
