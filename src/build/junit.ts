import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';

/** TestFailure is one failed (or errored) test case from a JUnit XML report. */
export interface TestFailure {
  suite: string;
  name: string;
  kind: 'failure' | 'error';
  message: string;
  type?: string;
  /** The stack trace or details sbt wrote inside the element. */
  details: string;
}

/** TestTotals are the counts over all reports. */
export interface TestTotals {
  suites: number;
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
}

export interface JUnitResult {
  totals: TestTotals;
  failed: TestFailure[];
}

type XmlNode = Record<string, unknown>;
const asArray = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const text = (v: unknown): string => {
  if (v === undefined || v === null) return '';
  if (typeof v === 'object') return String((v as XmlNode)['#text'] ?? '');
  return String(v);
};

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseAttributeValue: false,
  parseTagValue: false,
  trimValues: false,
  processEntities: true,
});

/** parseJUnitXml reads one JUnit XML document (a testsuite or a testsuites root). */
export function parseJUnitXml(xml: string): JUnitResult {
  const doc = parser.parse(xml) as XmlNode;
  const suites = [
    ...asArray(doc.testsuite as XmlNode | XmlNode[] | undefined),
    ...asArray((doc.testsuites as XmlNode | undefined)?.testsuite as XmlNode | XmlNode[] | undefined),
  ];
  const totals: TestTotals = { suites: 0, tests: 0, failures: 0, errors: 0, skipped: 0 };
  const failed: TestFailure[] = [];
  for (const suite of suites) {
    totals.suites++;
    const suiteName = String(suite['@name'] ?? '');
    for (const tc of asArray(suite.testcase as XmlNode | XmlNode[] | undefined)) {
      totals.tests++;
      const name = String(tc['@name'] ?? '');
      const className = String(tc['@classname'] ?? suiteName);
      if (tc.skipped !== undefined) totals.skipped++;
      for (const kind of ['failure', 'error'] as const) {
        for (const el of asArray(tc[kind] as unknown)) {
          if (kind === 'failure') totals.failures++;
          else totals.errors++;
          const node = (typeof el === 'object' && el !== null ? el : {}) as XmlNode;
          const details = text(el);
          failed.push({
            suite: className,
            name,
            kind,
            message: String(node['@message'] ?? details.split('\n')[0] ?? '').trim(),
            ...(node['@type'] ? { type: String(node['@type']) } : {}),
            details: details.trim(),
          });
        }
      }
    }
  }
  return { totals, failed };
}

/** readJUnitReports parses every *.xml under the given directories (sbt: target/test-reports), newer than `since`. */
export function readJUnitReports(dirs: string[], since = 0): JUnitResult {
  const result: JUnitResult = {
    totals: { suites: 0, tests: 0, failures: 0, errors: 0, skipped: 0 },
    failed: [],
  };
  const visit = (dir: string) => {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    for (const name of names.sort()) {
      const p = join(dir, name);
      const st = statSync(p);
      if (st.isDirectory()) visit(p);
      else if (name.endsWith('.xml') && st.mtimeMs >= since) {
        let one: JUnitResult;
        try {
          one = parseJUnitXml(readFileSync(p, 'utf8'));
        } catch {
          continue; // A report being written by a crashed JVM is not ours to fail on.
        }
        for (const k of Object.keys(result.totals) as (keyof TestTotals)[]) result.totals[k] += one.totals[k];
        result.failed.push(...one.failed);
      }
    }
  };
  for (const d of dirs) visit(d);
  return result;
}

/**
 * sourceFrame finds the test's own frame in a stack trace: `(FooSpec.scala:12)` in a frame of the suite's
 * class, so the annotation can point at the failing assertion.
 */
export function sourceFrame(failure: TestFailure): { fileName: string; line: number } | undefined {
  const simple = failure.suite.split('.').pop() ?? failure.suite;
  const frames = [...failure.details.matchAll(/at ([\w$.]+)\(([\w$-]+\.(?:scala|java)):(\d+)\)/g)];
  const own =
    frames.find((f) => (f[1] ?? '').startsWith(`${failure.suite}`)) ??
    frames.find((f) => (f[2] ?? '').startsWith(`${simple}.`));
  if (!own) return undefined;
  return { fileName: own[2] ?? '', line: Number(own[3]) };
}
