import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { stripAnsi } from './sbt-output.js';

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

/** TestTotals are the counts over all reports; an aborted suite counts in `aborted`, not as a test. */
export interface TestTotals {
  suites: number;
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
  aborted: number;
}

/** SuiteAbort is a suite that failed outside any test (its constructor or beforeAll threw). */
export interface SuiteAbort {
  suite: string;
  message: string;
  type?: string;
  details: string;
}

export interface JUnitResult {
  totals: TestTotals;
  failed: TestFailure[];
  aborted: SuiteAbort[];
}

// sbt's JUnitXmlTestsListener writes an error outside any test as a testcase with this made-up name, and
// when the error escaped the framework (a LinkageError such as IllegalAccessError), once more with no name.
const SUITE_SELECTOR = /^\(It is not a test\b|^$/;

const emptyTotals = (): TestTotals => ({
  suites: 0,
  tests: 0,
  failures: 0,
  errors: 0,
  skipped: 0,
  aborted: 0,
});

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

const FORK_ERROR = /^(?:sbt\.ForkMain\$ForkError: )+/;
const THROWABLE = /^([\w$.]+(?:Exception|Error|Throwable|Failure)): ?([\s\S]*)$/;

/**
 * unwrapForked reports what a forked test JVM threw rather than sbt's `ForkMain$ForkError` wrapper around it,
 * and, for an exception without a message (`ExceptionInInitializerError: null`), its deepest cause.
 */
export function unwrapForked<T extends { message: string; type?: string; details: string }>(p: T): T {
  let { message, type } = p;
  if (!type || FORK_ERROR.test(`${type}: `)) {
    const inner = THROWABLE.exec(message.replace(FORK_ERROR, ''));
    if (inner?.[1]) {
      type = inner[1];
      message = inner[2] ?? '';
    }
  } else message = message.replace(FORK_ERROR, '');
  if (message === '' || message === 'null') {
    const causes = [...p.details.matchAll(/^Caused by: (.*)$/gm)];
    const deepest = causes.at(-1)?.[1]?.replace(FORK_ERROR, '');
    if (deepest) message = `caused by ${deepest}`;
  }
  return { ...p, message, ...(type ? { type } : {}) };
}

/** parseJUnitXml reads one JUnit XML document (a testsuite or a testsuites root). */
export function parseJUnitXml(xml: string): JUnitResult {
  const doc = parser.parse(xml) as XmlNode;
  const suites = [
    ...asArray(doc.testsuite as XmlNode | XmlNode[] | undefined),
    ...asArray((doc.testsuites as XmlNode | undefined)?.testsuite as XmlNode | XmlNode[] | undefined),
  ];
  const totals = emptyTotals();
  const failed: TestFailure[] = [];
  const aborted: SuiteAbort[] = [];
  const problem = (el: unknown) => {
    const node = (typeof el === 'object' && el !== null ? el : {}) as XmlNode;
    const details = stripAnsi(text(el)).trim();
    return unwrapForked({
      message: stripAnsi(String(node['@message'] ?? details.split('\n')[0] ?? '')).trim(),
      ...(node['@type'] ? { type: String(node['@type']) } : {}),
      details,
    });
  };
  for (const suite of suites) {
    totals.suites++;
    const suiteName = String(suite['@name'] ?? '');
    let suiteAborted = false;
    const abort = (el: unknown, className: string) => {
      if (!suiteAborted) totals.aborted++;
      suiteAborted = true;
      aborted.push({ suite: className, ...problem(el) });
    };
    for (const el of asArray(suite.error as unknown)) abort(el, suiteName);
    for (const tc of asArray(suite.testcase as XmlNode | XmlNode[] | undefined)) {
      const name = String(tc['@name'] ?? '');
      const className = String(tc['@classname'] ?? suiteName) || suiteName;
      if (SUITE_SELECTOR.test(name)) {
        for (const kind of ['error', 'failure'] as const)
          for (const el of asArray(tc[kind] as unknown)) abort(el, className);
        continue;
      }
      totals.tests++;
      if (tc.skipped !== undefined) totals.skipped++;
      for (const kind of ['failure', 'error'] as const) {
        for (const el of asArray(tc[kind] as unknown)) {
          if (kind === 'failure') totals.failures++;
          else totals.errors++;
          failed.push({ suite: className, name: stripAnsi(name), kind, ...problem(el) });
        }
      }
    }
  }
  return { totals, failed, aborted };
}

/** readJUnitReports parses every *.xml under the given directories (sbt: target/test-reports), newer than `since`. */
export function readJUnitReports(dirs: string[], since = 0): JUnitResult {
  const result: JUnitResult = { totals: emptyTotals(), failed: [], aborted: [] };
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
        result.aborted.push(...one.aborted);
      }
    }
  };
  for (const d of dirs) visit(d);
  return result;
}
