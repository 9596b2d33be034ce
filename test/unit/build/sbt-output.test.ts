import { describe, expect, it } from 'vitest';
import { compilerFindings, parseCompilerMessages, parseTaskErrors } from '../../../src/build/sbt-output.js';

// Shapes from real sbt 1.11 / Scala 2.12 output (test/fixtures/sbt-compile-error/EXPECTED.md) and the
// Scala 3 reporter's format (dotty `MessageRendering`).
const SCALA2 = `[info] compiling 2 Scala sources to /w/app/target/scala-2.12/classes ...
[error] /w/app/src/main/scala/com/example/Broken.scala:5:20: type mismatch;
[error]  found   : String("forty-two")
[error]  required: Int
[error]   val total: Int = "forty-two"
[error]                    ^
[warn] /w/app/src/main/scala/com/example/Warnings.scala:6:24: Procedure syntax is deprecated. Convert procedure \`log\` to method by adding \`: Unit =\`.
[warn]   def log(msg: String) { println(msg) }
[warn]                        ^
[warn] one warning found
[error] one error found
[error] (Compile / compileIncremental) Compilation failed
[error] Total time: 3 s, completed Nov 25, 2026, 6:00:00 PM`;

const SCALA3 = `[error] -- [E007] Type Mismatch Error: /w/app/src/main/scala/A.scala:3:15 -----------
[error] 3 |  val x: Int = "a"
[error]   |               ^^^
[error]   |               Found:    ("a" : String)
[error]   |               Required: Int
[error]   |
[error]   | longer explanation available when compiling with \`-explain\`
[error] -- Error: /w/app/src/main/scala/B.scala:1:0 ---------------------------------
[error] 1 |pakage b
[error]   |^^^^^^
[error]   |Illegal start of toplevel definition
[error] two errors found`;

describe('parseCompilerMessages', () => {
  it('parses Scala 2 errors and warnings with their continuation lines', () => {
    expect(parseCompilerMessages(SCALA2)).toEqual([
      {
        severity: 'error',
        path: '/w/app/src/main/scala/com/example/Broken.scala',
        line: 5,
        column: 20,
        message: 'type mismatch;\n found   : String("forty-two")\n required: Int',
      },
      {
        severity: 'warning',
        path: '/w/app/src/main/scala/com/example/Warnings.scala',
        line: 6,
        column: 24,
        message: 'Procedure syntax is deprecated. Convert procedure `log` to method by adding `: Unit =`.',
      },
    ]);
  });

  it('parses Scala 3 errors', () => {
    const m = parseCompilerMessages(SCALA3);
    expect(m.map((x) => [x.path, x.line, x.column])).toEqual([
      ['/w/app/src/main/scala/A.scala', 3, 15],
      ['/w/app/src/main/scala/B.scala', 1, 0],
    ]);
    expect(m[0]?.message).toBe(
      'Type Mismatch Error\nFound:    ("a" : String)\nRequired: Int\nlonger explanation available when compiling with `-explain`',
    );
    expect(m[1]?.message).toBe('Error\nIllegal start of toplevel definition');
  });

  it('strips ANSI colours and handles CRLF', () => {
    const colored =
      '\u001b[0m[\u001b[0m\u001b[31merror\u001b[0m] \u001b[0m\u001b[0m/w/A.scala:1:2: not found: value foo\u001b[0m\r\n';
    expect(parseCompilerMessages(colored)).toEqual([
      { severity: 'error', path: '/w/A.scala', line: 1, column: 2, message: 'not found: value foo' },
    ]);
  });

  it('parses javac errors relayed by zinc and messages without a column', () => {
    const log =
      "[error] /w/src/main/java/J.java:3:1: error: ';' expected\n[error] /w/build.sbt:4: error: not found: value foo";
    expect(parseCompilerMessages(log).map((m) => [m.path, m.line, m.column, m.message])).toEqual([
      ['/w/src/main/java/J.java', 3, 1, "error: ';' expected"],
      ['/w/build.sbt', 4, undefined, 'error: not found: value foo'],
    ]);
  });

  it('ignores lines that are not compiler messages', () => {
    expect(
      parseCompilerMessages(
        '[info] done compiling\n[error] (Test / test) sbt.TestsFailedException: Tests unsuccessful',
      ),
    ).toEqual([]);
  });
});

describe('parseTaskErrors', () => {
  it('lists failed sbt tasks once each', () => {
    expect(parseTaskErrors(`${SCALA2}\n[error] (Compile / compileIncremental) Compilation failed`)).toEqual([
      '(Compile / compileIncremental) Compilation failed',
    ]);
  });
});

describe('compilerFindings', () => {
  it('makes repo-relative findings and drops paths outside the workspace', () => {
    const f = compilerFindings(parseCompilerMessages(SCALA2), (p) =>
      p.startsWith('/w/') ? p.slice(3) : undefined,
    );
    expect(f[0]).toEqual({
      stage: 'build',
      severity: 'error',
      title: 'Compile error: type mismatch;',
      message: 'type mismatch;\n found   : String("forty-two")\n required: Int',
      file: 'app/src/main/scala/com/example/Broken.scala',
      line: 5,
      column: 20,
      rule: 'build/compile-error',
    });
    const outside = compilerFindings(
      parseCompilerMessages('[error] /elsewhere/A.scala:1:1: boom'),
      () => undefined,
    );
    expect(outside[0]?.file).toBeUndefined();
  });
});

describe('real sbt output (test/fixtures/sbt-output)', () => {
  it('finds exactly the fixture compile error and warning', async () => {
    const { readFileSync } = await import('node:fs');
    const log = readFileSync(new URL('../../fixtures/sbt-output/compile-error.txt', import.meta.url), 'utf8');
    expect(
      parseCompilerMessages(log).map((m) => [
        m.severity,
        m.path.replace(/^.*\/src\//, 'src/'),
        m.line,
        m.column,
      ]),
    ).toEqual([
      ['error', 'src/main/scala/com/example/Broken.scala', 5, 20],
      ['warning', 'src/main/scala/com/example/Warnings.scala', 6, 24],
    ]);
  });

  it('finds no compiler message in a failing-test log', async () => {
    const { readFileSync } = await import('node:fs');
    const log = readFileSync(new URL('../../fixtures/sbt-output/failing-test.txt', import.meta.url), 'utf8');
    expect(parseCompilerMessages(log)).toEqual([]);
    expect(parseTaskErrors(log)).toEqual(['(Test / test) sbt.TestsFailedException: Tests unsuccessful']);
  });
});

describe('parseTaskErrors on an sbt-assembly failure', () => {
  it('takes the message from the line after an empty `(clash / assembly) `', async () => {
    const { readFileSync } = await import('node:fs');
    const log = readFileSync(
      new URL('../../fixtures/sbt-output/assembly-merge-conflict.txt', import.meta.url),
      'utf8',
    );
    expect(parseTaskErrors(log)).toEqual([
      '(clash / assembly) Deduplicate found different file contents in the following:',
    ]);
  });
});
