import { sep } from 'node:path';
import type { Finding } from '../findings.js';
import type { JUnitResult, SuiteAbort } from './junit.js';
import { logLines } from './sbt-output.js';
import { locateFailure } from './test-location.js';

export interface TestFindingsInput {
  workspace: string;
  workingDirectory: string;
  junit: JUnitResult;
  /** sbt's log: suites ScalaTest reports as `*** ABORTED ***` without a JUnit report still count. */
  log: string;
  toRepoPath(abs: string): string | undefined;
}

/** abortedInConsole reads ScalaTest's `Suite *** ABORTED ***` blocks: the suite, then its exception and frames. */
export function abortedInConsole(log: string): SuiteAbort[] {
  const lines = logLines(log);
  const out: SuiteAbort[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i]?.includes('*** ABORTED ***')) continue;
    const m = /^(?:\[\w+\] )?([\w$.]+) \*\*\* ABORTED \*\*\*/.exec(lines[i] ?? '');
    if (!m?.[1]) continue;
    const block: string[] = [];
    for (let j = i + 1; j < lines.length; j++) {
      const b = /^(?:\[\w+\] )? {2}(\S.*)$/.exec(lines[j] ?? '');
      if (!b?.[1]) break;
      block.push(b[1]);
    }
    const first = block[0] ?? '';
    const ex = /^([\w$.]+(?:Exception|Error|Throwable)): ?(.*)$/.exec(first);
    out.push({
      suite: m[1],
      message: ex ? (ex[2] ?? '') : first,
      ...(ex?.[1] ? { type: ex[1] } : {}),
      details: block.map((l) => (l.startsWith('at ') ? `\t${l}` : l)).join('\n'),
    });
  }
  return out;
}

/** relativize turns absolute workspace paths inside a message (munit's `/abs/Suite.scala:35`) repo-relative. */
function relativize(text: string, workspace: string): string {
  return text.split(`${workspace}${sep}`).join('');
}

const simpleName = (cls: string) => cls.split('.').pop() ?? cls;

/**
 * testFindings turns failed tests and aborted suites into findings at the line of the test (see
 * locateFailure); an aborted suite is one finding, not one failed test per report entry.
 */
export function testFindings(input: TestFindingsInput): Finding[] {
  const at = (loc: { path: string; line: number } | undefined) => {
    const file = loc ? input.toRepoPath(loc.path) : undefined;
    return file && loc ? { file, line: loc.line } : {};
  };
  const failed = input.junit.failed.map(
    (f): Finding => ({
      stage: 'build',
      severity: 'error',
      title: `Test failed: ${simpleName(f.suite)} ${f.name}`.slice(0, 250),
      message: relativize(f.message || f.type || 'test failed', input.workspace),
      ...at(locateFailure(input.workingDirectory, f)),
      rule: f.kind === 'error' ? 'build/test-error' : 'build/test-failure',
    }),
  );
  const seen = new Set(input.junit.aborted.map((a) => a.suite));
  const aborted = [...input.junit.aborted, ...abortedInConsole(input.log).filter((a) => !seen.has(a.suite))]
    .filter((a, i, all) => all.findIndex((b) => b.suite === a.suite) === i)
    .map((a): Finding => {
      const full = `${a.type ? `${simpleName(a.type)}: ` : ''}${a.message}`.trim() || 'no message';
      const cause = full.length > 160 ? `${full.slice(0, 159)}…` : full;
      return {
        stage: 'build',
        severity: 'error',
        title: `Suite ${simpleName(a.suite)} aborted: ${cause}`,
        message: relativize(
          `${a.suite} failed outside its tests (constructor, beforeAll or afterAll), so its tests did not run: ${a.type ? `${a.type}: ` : ''}${a.message}`,
          input.workspace,
        ),
        ...at(locateFailure(input.workingDirectory, a)),
        rule: 'build/test-suite-aborted',
      };
    });
  return [...aborted, ...failed];
}
