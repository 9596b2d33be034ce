import { existsSync, readFileSync } from 'node:fs';
import { basename, isAbsolute } from 'node:path';
import { findSourceFile } from './test-sources.js';

/** StackFrame is one `at pkg.Class.method(File.scala:12)` line of a stack trace. */
export interface StackFrame {
  className: string;
  method: string;
  fileName: string;
  line: number;
}

/** SourceLocation is an absolute source file and a 1-based line. */
export interface SourceLocation {
  path: string;
  line: number;
}

const FRAME = /at ([\w$.]+)\.([\w$<>]+)\(([\w$-]+\.(?:scala|java|kt)):(\d+)\)/g;

/** parseFrames reads the frames of a stack trace, innermost first. */
export function parseFrames(details: string): StackFrame[] {
  return [...details.matchAll(FRAME)].map((m) => ({
    className: m[1] ?? '',
    method: m[2] ?? '',
    fileName: m[3] ?? '',
    line: Number(m[4]),
  }));
}

const belongsTo = (className: string, suite: string) =>
  className === suite || className.startsWith(`${suite}$`);

/**
 * isMixinForwarder tells the forwarder Scala generates in a class for a method of a trait it mixes in
 * (`Suite.check(Suite.scala:6)` right after `Helpers.check$(Helpers.scala:7)`): its line is the class
 * declaration, not code anyone wrote.
 */
function isMixinForwarder(frames: StackFrame[], i: number): boolean {
  const inner = frames[i - 1];
  const f = frames[i] as StackFrame;
  return inner !== undefined && inner.method === `${f.method}$` && inner.className !== f.className;
}

const fileCache = new Map<string, string[] | undefined>();
function sourceLines(path: string): string[] | undefined {
  if (!fileCache.has(path)) {
    try {
      fileCache.set(path, readFileSync(path, 'utf8').split(/\r?\n/));
    } catch {
      fileCache.set(path, undefined);
    }
  }
  return fileCache.get(path);
}

/** isDeclarationLine tells a `class/object/trait X` line, where synthetic frames (forwarders, constructors) point. */
function isDeclarationLine(path: string, line: number): boolean {
  const text = sourceLines(path)?.[line - 1];
  return (
    text !== undefined &&
    /^\s*(?:(?:final|abstract|sealed|case|private|protected|implicit)\s+)*(?:class|object|trait)\s/.test(text)
  );
}

// munit: the message starts with `/abs/path/Suite.scala:35`; ScalaTest's console adds `(Suite.scala:35)`.
const MUNIT_PREFIX = /^((?:[A-Za-z]:)?[^\s:]+\.(?:scala|java)):(\d+)\b/;
const SCALATEST_SUFFIX = /\(([\w$-]+\.(?:scala|java)):(\d+)\)\s*$/;

/** testDeclarationLine finds where a test is declared in its suite by its name (`test("…")`, `"…" in`, `it("…")`). */
export function testDeclarationLine(path: string, testName: string): number | undefined {
  const lines = sourceLines(path);
  if (!lines || !testName) return undefined;
  // FlatSpec/WordSpec/FreeSpec names join the subject and the text: try the whole name, then its tail.
  const tails = [
    testName,
    ...testName
      .split(/ (?:should|must|can|when|which|that|in) /)
      .slice(1)
      .reverse(),
  ];
  for (const name of tails) {
    const needle = JSON.stringify(name).slice(1, -1);
    const i = lines.findIndex((l) => l.includes(`"${needle}"`) || l.includes(`"""${name}"""`));
    if (i >= 0) return i + 1;
  }
  return undefined;
}

/**
 * locateFailure finds where a failed test should be annotated: the innermost frame in the suite's own
 * classes that is code (not a mixin forwarder or a class line); else the test's declaration when the
 * failure was raised elsewhere (a helper trait); else the location munit or ScalaTest put in the message.
 */
export function locateFailure(
  root: string,
  failure: { suite: string; name?: string; message: string; details: string },
): SourceLocation | undefined {
  const simple = failure.suite.split('.').pop() ?? failure.suite;
  const frames = parseFrames(failure.details);
  const own = frames.map((f, i) => ({ f, i })).filter(({ f }) => belongsTo(f.className, failure.suite));
  for (const { f, i } of own) {
    if (isMixinForwarder(frames, i)) continue;
    const path = findSourceFile(root, f.fileName, failure.suite);
    if (!path || isDeclarationLine(path, f.line)) continue;
    return { path, line: f.line };
  }
  const suiteFile =
    (own[0] && findSourceFile(root, own[0].f.fileName, failure.suite)) ??
    findSourceFile(root, `${simple}.scala`, failure.suite) ??
    findSourceFile(root, `${simple}.java`, failure.suite);
  const munit =
    MUNIT_PREFIX.exec(failure.message.trim()) ?? MUNIT_PREFIX.exec(failure.details.replace(/^[\w.$]+: /, ''));
  const reported = munit
    ? { fileName: basename(munit[1] ?? ''), line: Number(munit[2]) }
    : ((m) => (m ? { fileName: m[1] ?? '', line: Number(m[2]) } : undefined))(
        SCALATEST_SUFFIX.exec(failure.message),
      );
  if (reported && suiteFile && basename(suiteFile) === reported.fileName)
    return { path: suiteFile, line: reported.line };
  const declared = suiteFile && failure.name ? testDeclarationLine(suiteFile, failure.name) : undefined;
  if (suiteFile && declared) return { path: suiteFile, line: declared };
  if (reported) {
    const abs = munit?.[1];
    const path =
      abs && isAbsolute(abs) && existsSync(abs)
        ? abs
        : findSourceFile(root, reported.fileName, failure.suite);
    if (path) return { path, line: reported.line };
  }
  // A suite that aborted in code it mixes in (a shared `beforeAll`): the suite's own declaration.
  if (suiteFile && failure.name === undefined) {
    const line = sourceLines(suiteFile)?.findIndex((l) =>
      new RegExp(`\\b(?:class|object)\\s+${simple.replace(/\$/g, '\\$')}\\b`).test(l),
    );
    if (line !== undefined && line >= 0) return { path: suiteFile, line: line + 1 };
  }
  return undefined;
}

/** clearLocationCache forgets source files read so far (one build stage run reads each once). */
export function clearLocationCache(): void {
  fileCache.clear();
}
