import type { Finding } from '../findings.js';

/** CompilerMessage is one compiler error or warning as sbt printed it. */
export interface CompilerMessage {
  severity: 'error' | 'warning';
  /** Path exactly as sbt printed it (absolute, usually). */
  path: string;
  line: number;
  column?: number;
  message: string;
}

// ANSI escape sequences, and the colour codes left behind when an XML writer dropped their ESC byte
// (sbt's JUnit XML of a munit failure holds `[91m-1[0m`).
// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escape sequences are control characters.
const ANSI = /\u001b\[[0-9;?]*[A-Za-z]|\u001b|\[(?:\d{1,3};)*\d{1,3}m/g;
const PREFIX = /^\[(error|warn|info|success|debug)\]\s?(.*)$/;
// Scala 2 and javac (through zinc): `/abs/File.scala:12:5: message` (column optional).
const SCALA2 = /^((?:[A-Za-z]:)?[^\s:][^:]*\.(?:scala|java|sbt)):(\d+):(?:(\d+):)?\s*(.*)$/;
// Scala 3: `-- [E007] Type Mismatch Error: /abs/File.scala:5:15 -----`
const SCALA3 =
  /^--\s*(?:\[E\d+\]\s*)?(.*?):\s*((?:[A-Za-z]:)?[^\s:][^:]*\.(?:scala|java)):(\d+):(\d+)\s*-*\s*$/;
const SUMMARY =
  /^(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten) (?:errors?|warnings?) found$|^\(.*\) |^Total time:|^Compilation failed|^stack trace is suppressed|^Failed tests:|^Error during tests:|^Tests: succeeded|^\s*$/;

/** stripAnsi removes terminal colour codes sbt and test frameworks print (also ones whose ESC was lost). */
export function stripAnsi(s: string): string {
  // Most lines have neither: skip the replace (a log is up to 32 MB, read by several parsers).
  if (s.indexOf('\u001b') < 0 && !ANSI_HINT.test(s)) return s;
  return s.replace(ANSI, '');
}
const ANSI_HINT = /\[\d/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escape sequences are control characters.
const ESCAPES = /\u001b\[[0-9;?]*[A-Za-z]|\u001b/g;

let cached: { log: string; lines: string[] } | undefined;
/**
 * logLines splits sbt's log into lines without ANSI codes or CR. The build stage hands the same log (up to
 * 32 MB) to several parsers: the split is done once and kept for the last log seen.
 */
export function logLines(log: string): string[] {
  if (cached?.log !== log) {
    // A console log keeps its ESC bytes, so only whole escape sequences need removing (cheaper on 32 MB).
    let text = log.includes('\u001b') ? log.replace(ESCAPES, '') : log;
    if (text.includes('\r')) text = text.replace(/\r(?=\n)/g, '');
    cached = { log, lines: text.split('\n') };
  }
  return cached.lines;
}

/**
 * parseCompilerMessages extracts compiler errors and warnings from sbt's log, for Scala 2 (`file:line:col:
 * message` followed by continuation lines, the source line and a caret) and Scala 3 (`-- Error: file:l:c`
 * followed by `|`-prefixed lines).
 */
export function parseCompilerMessages(log: string): CompilerMessage[] {
  const out: CompilerMessage[] = [];
  let current: (CompilerMessage & { scala3: boolean; lines: string[] }) | undefined;
  const flush = () => {
    if (!current) return;
    const { scala3, lines, ...msg } = current;
    let body = lines;
    if (!scala3) {
      // Scala 2 ends a message with the offending source line and a caret line: drop both.
      const caret = body.findIndex((l) => /^\s*\^\s*$/.test(l));
      if (caret >= 0) body = body.slice(0, Math.max(0, caret - 1));
    }
    msg.message = [msg.message, ...body]
      .filter((l) => l.trim() !== '')
      .join('\n')
      .trim();
    out.push(msg);
    current = undefined;
  };
  for (const raw of logLines(log)) {
    // Only [error] and [warn] lines can hold a compiler message: skip the regex for the rest.
    if (!raw.startsWith('[error]') && !raw.startsWith('[warn]')) {
      flush();
      continue;
    }
    const m = PREFIX.exec(raw);
    if (!m) {
      flush();
      continue;
    }
    const level = m[1];
    const text = m[2] ?? '';
    if (level !== 'error' && level !== 'warn') {
      flush();
      continue;
    }
    const severity = level === 'error' ? 'error' : 'warning';
    const s3 = SCALA3.exec(text.trim());
    if (s3) {
      flush();
      current = {
        severity,
        path: s3[2] ?? '',
        line: Number(s3[3]),
        column: Number(s3[4]),
        message: (s3[1] ?? '').trim(),
        scala3: true,
        lines: [],
      };
      continue;
    }
    const s2 = SCALA2.exec(text);
    if (s2) {
      flush();
      current = {
        severity,
        path: s2[1] ?? '',
        line: Number(s2[2]),
        ...(s2[3] ? { column: Number(s2[3]) } : {}),
        message: s2[4] ?? '',
        scala3: false,
        lines: [],
      };
      continue;
    }
    if (!current || current.severity !== severity || SUMMARY.test(text.trim())) {
      flush();
      continue;
    }
    if (current.scala3) {
      // `5 |  code` lines quote the source; `  |  ^^^` mark it; `  |  text` carry the message.
      const bar = /^\s*(\d+)?\s*\|\s?(.*)$/.exec(text);
      if (!bar) {
        flush();
        continue;
      }
      const content = bar[2] ?? '';
      if (bar[1] || /^\s*\^+\s*$/.test(content)) continue;
      current.lines.push(content.trim());
    } else current.lines.push(text);
  }
  flush();
  return dedupe(out);
}

function dedupe(list: CompilerMessage[]): CompilerMessage[] {
  const seen = new Set<string>();
  return list.filter((m) => {
    const key = `${m.severity}|${m.path}|${m.line}|${m.column}|${m.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * parseTaskErrors returns sbt's task-level failures (`[error] (Compile / compileIncremental) ...`). A task
 * whose message is on the next lines (sbt-assembly prints `(assembly) ` then the merge error) gets that line.
 */
export function parseTaskErrors(log: string): string[] {
  const out: string[] = [];
  const lines = logLines(log);
  for (let i = 0; i < lines.length; i++) {
    const m = /^\[error\]\s+\(([^)]+)\)\s*(.*)$/.exec(lines[i] ?? '');
    if (!m) continue;
    let text = (m[2] ?? '').trim();
    for (let j = i + 1; !text && j < lines.length && j <= i + 3; j++) {
      text = /^\[error\]\s+(.*)$/.exec(lines[j] ?? '')?.[1]?.trim() ?? '';
    }
    out.push(`(${m[1]}) ${text}`.trim());
  }
  return [...new Set(out)];
}

/** compilerFindings turns compiler messages into findings with workspace-relative paths. */
export function compilerFindings(
  messages: CompilerMessage[],
  toRepoPath: (abs: string) => string | undefined,
): Finding[] {
  return messages.map((m) => {
    const file = toRepoPath(m.path);
    const first = m.message.split('\n')[0] ?? m.message;
    return {
      stage: 'build',
      severity: m.severity,
      title: `${m.severity === 'error' ? 'Compile error' : 'Compiler warning'}: ${first}`.slice(0, 250),
      message: m.message,
      ...(file ? { file } : {}),
      line: m.line,
      ...(m.column ? { column: m.column } : {}),
      rule: m.severity === 'error' ? 'build/compile-error' : 'build/compile-warning',
    };
  });
}
