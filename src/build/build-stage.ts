import { isAbsolute, relative, resolve, sep } from 'node:path';
import { Output } from '../constants.js';
import type { Finding } from '../findings.js';
import type { Artifact, Reporter } from '../stage.js';
import { ActionError } from '../util/errors.js';
import { globFiles } from '../util/glob.js';
import { sha256File } from '../util/hash.js';
import { discoverJar } from './discover-jar.js';
import { type JUnitResult, readJUnitReports, sourceFrame } from './junit.js';
import { compilerFindings, parseCompilerMessages, parseTaskErrors, stripAnsi } from './sbt-output.js';
import { runSbt } from './sbt-runner.js';
import { findSourceFile } from './test-sources.js';

export interface BuildStageInput {
  workspace: string;
  workingDirectory: string;
  sbtTasks: string[];
  /** The `jar` input (path or glob), if any. */
  jarPattern?: string;
  /** sbt executable (default `sbt` from PATH). */
  sbtCommand?: string;
  signal?: AbortSignal;
  onLine(line: string): void;
  warn(message: string): void;
}

export interface BuildStageResult {
  artifact?: Artifact;
  tests: JUnitResult['totals'];
  findings: Finding[];
}

/** repoPath maps an absolute path to a workspace-relative one, or undefined when it is outside. */
export function repoPath(workspace: string, p: string): string | undefined {
  const abs = isAbsolute(p) ? p : resolve(workspace, p);
  const rel = relative(workspace, abs);
  if (rel.startsWith('..') || isAbsolute(rel)) return undefined;
  return rel.split(sep).join('/');
}

function testFindings(input: BuildStageInput, junit: JUnitResult): Finding[] {
  return junit.failed.map((f) => {
    const frame = sourceFrame(f);
    const file = frame ? findSourceFile(input.workingDirectory, frame.fileName, f.suite) : undefined;
    const path = file ? repoPath(input.workspace, file) : undefined;
    const simple = f.suite.split('.').pop() ?? f.suite;
    return {
      stage: 'build',
      severity: 'error',
      title: `Test failed: ${simple} ${f.name}`.slice(0, 250),
      message: f.message || f.type || 'test failed',
      ...(path ? { file: path } : {}),
      ...(path && frame ? { line: frame.line } : {}),
      rule: f.kind === 'error' ? 'build/test-error' : 'build/test-failure',
    } satisfies Finding;
  });
}

/**
 * runBuildStage runs sbt, turns compiler output and JUnit reports into findings, and on success finds the
 * assembly JAR and hashes it. A failed build throws an ActionError that leads with the first errors.
 */
export async function runBuildStage(input: BuildStageInput, reporter: Reporter): Promise<BuildStageResult> {
  const started = Date.now();
  const run = await runSbt({
    ...(input.sbtCommand ? { command: input.sbtCommand } : {}),
    cwd: input.workingDirectory,
    tasks: input.sbtTasks,
    ...(input.signal ? { signal: input.signal } : {}),
    onLine: input.onLine,
  });
  const reportDirs = globFiles('**/target/test-reports/*.xml', input.workingDirectory)
    .map((f) => f.slice(0, f.lastIndexOf(sep)))
    .filter((d, i, a) => a.indexOf(d) === i);
  // Reports from an earlier run stay on disk when `clean` is not among the tasks: only this run's count.
  const junit = readJUnitReports(reportDirs, started - 2000);
  const findings = [
    ...compilerFindings(parseCompilerMessages(run.log), (p) => repoPath(input.workspace, p)),
    ...testFindings(input, junit),
  ];
  for (const f of findings) reporter.finding(f);
  if (input.signal?.aborted) throw new ActionError('build: cancelled');
  if (run.exitCode !== 0) {
    const errors = findings.filter((f) => f.severity === 'error');
    const lines = errors.slice(0, 5).map((f) => {
      const where = f.file ? `${f.file}${f.line ? `:${f.line}` : ''}${f.column ? `:${f.column}` : ''}: ` : '';
      return `  ${where}${f.title.replace(/^Compile error: /, '')}${f.rule?.startsWith('build/test') ? ` — ${f.message.split('\n')[0]}` : ''}`;
    });
    if (errors.length > 5)
      lines.push(`  … and ${errors.length - 5} more (see the annotations and the job summary)`);
    if (lines.length === 0) {
      const tasks = parseTaskErrors(run.log).slice(0, 3);
      const tail = stripAnsi(run.log).trimEnd().split('\n').slice(-15);
      lines.push(...(tasks.length ? tasks : tail).map((l) => `  ${l}`));
    }
    const kind = errors.some((f) => f.rule === 'build/compile-error')
      ? `${errors.filter((f) => f.rule === 'build/compile-error').length} compile error(s)`
      : junit.failed.length > 0
        ? `${junit.failed.length} of ${junit.totals.tests} test(s) failed`
        : `exit code ${run.exitCode}`;
    throw new ActionError(`build: sbt ${input.sbtTasks.join(' ')} failed: ${kind}\n${lines.join('\n')}`, []);
  }
  const wantsJar = input.jarPattern !== undefined || input.sbtTasks.some((t) => /assembly/.test(t));
  if (!wantsJar) return { tests: junit.totals, findings };
  const jar = discoverJar(input.workingDirectory, input.jarPattern, input.warn);
  const sha256 = await sha256File(jar.path, input.signal);
  const display = repoPath(input.workspace, jar.path) ?? jar.path;
  reporter.output(Output.jarPath, display);
  reporter.output(Output.jarSha256, sha256);
  return {
    artifact: { jarPath: jar.path, jarDisplayPath: display, sizeBytes: jar.sizeBytes, sha256 },
    tests: junit.totals,
    findings,
  };
}
