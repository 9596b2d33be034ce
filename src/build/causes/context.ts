import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Finding } from '../../findings.js';
import { logLines } from '../sbt-output.js';

/** CauseContext is what a cause detector reads: sbt's log and the project it ran in. */
export interface CauseContext {
  /** sbt's log, ANSI codes stripped, one entry per line (level prefixes such as `[error] ` kept). */
  lines: string[];
  /** The same, as one string: detectors look for their marker in it before reading lines. */
  text: string;
  workingDirectory: string;
  /** Maps an absolute path to a workspace-relative one, undefined outside the workspace. */
  toRepoPath(abs: string): string | undefined;
}

/** CauseDetector recognises one kind of sbt failure in the log and says what to change. */
export interface CauseDetector {
  /** The rule id of its findings, e.g. `build/assembly-merge-conflict`. */
  rule: string;
  /** Its warnings are guesses, dropped when something else explains the failure (default false). */
  guess?: boolean;
  detect(ctx: CauseContext): Finding[];
}

/** causeContext prepares a log for the detectors. */
export function causeContext(
  log: string,
  workingDirectory: string,
  toRepoPath: (abs: string) => string | undefined,
): CauseContext {
  const lines = logLines(log);
  return { lines, text: lines.join('\n'), workingDirectory, toRepoPath };
}

/** body drops sbt's `[level] ` prefix from a log line. */
export function body(line: string): string {
  return line.replace(/^\[(?:error|warn|info|success|debug)\] ?/, '');
}

/** BuildFile is one file of the build definition, read once. */
export interface BuildFile {
  /** Absolute path. */
  path: string;
  /** Path relative to the working directory, forward slashes (build.sbt, project/Deps.scala, .jvmopts). */
  name: string;
  lines: string[];
}

const MAX_BUILD_FILE = 512 * 1024;

/** buildFiles reads the build definition: *.sbt, project/*.scala|sbt, .jvmopts, .sbtopts (small files only). */
export function buildFiles(workingDirectory: string): BuildFile[] {
  const out: BuildFile[] = [];
  const add = (dir: string, prefix: string, keep: (name: string) => boolean) => {
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch {
      return;
    }
    for (const n of names) {
      if (!keep(n)) continue;
      try {
        const text = readFileSync(join(dir, n), 'utf8');
        if (text.length <= MAX_BUILD_FILE)
          out.push({ path: join(dir, n), name: `${prefix}${n}`, lines: text.split(/\r?\n/) });
      } catch {
        // a directory or an unreadable file is not part of what we can point at
      }
    }
  };
  add(workingDirectory, '', (n) => n.endsWith('.sbt') || n === '.jvmopts' || n === '.sbtopts');
  add(join(workingDirectory, 'project'), 'project/', (n) => n.endsWith('.scala') || n.endsWith('.sbt'));
  return out;
}

/** findInBuild returns the first build-file line matching `re` (comments skipped), with its 1-based number. */
export function findInBuild(
  files: BuildFile[],
  re: RegExp,
): { file: BuildFile; line: number; text: string } | undefined {
  for (const file of files) {
    const i = file.lines.findIndex((l) => !/^\s*(?:\/\/|#)/.test(l) && re.test(l));
    if (i >= 0) return { file, line: i + 1, text: (file.lines[i] ?? '').trim() };
  }
  return undefined;
}

/** where gives a finding's file/line for a build-file location, when it lies in the workspace. */
export function where(
  ctx: CauseContext,
  at: { file: BuildFile; line?: number } | undefined,
): Pick<Finding, 'file' | 'line'> {
  if (!at) return {};
  const file = ctx.toRepoPath(at.file.path);
  return file ? { file, ...(at.line ? { line: at.line } : {}) } : {};
}
