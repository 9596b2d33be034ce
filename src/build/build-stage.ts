import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { Finding } from '../findings.js';
import type { Artifact, Reporter } from '../stage.js';
import { ActionError } from '../util/errors.js';
import { globFiles } from '../util/glob.js';
import { artifactOf } from './artifact.js';
import { detectCauses } from './causes/index.js';
import { discoverJar } from './discover-jar.js';
import { type JUnitResult, readJUnitReports } from './junit.js';
import { compilerFindings, parseCompilerMessages, parseTaskErrors, stripAnsi } from './sbt-output.js';
import { checkSbtProject } from './sbt-project.js';
import { runSbt } from './sbt-runner.js';
import { testFindings } from './test-findings.js';
import { clearLocationCache } from './test-location.js';

export interface BuildStageInput {
  workspace: string;
  workingDirectory: string;
  sbtTasks: string[];
  /** The `jar` input (path or glob), if any. */
  jarPattern?: string;
  /** The main class the plan expects (main-class input, else app.mainClass): chooses among several JARs. */
  mainClass?: string;
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

const where = (f: Finding) =>
  f.file ? `${f.file}${f.line ? `:${f.line}` : ''}${f.column ? `:${f.column}` : ''}: ` : '';

/** failureMessage leads with the causes found, then compile errors, aborted suites and failed tests. */
function failureMessage(
  input: BuildStageInput,
  exitCode: number,
  log: string,
  causes: Finding[],
  others: Finding[],
  junit: JUnitResult,
): string {
  const lead = causes.find((f) => f.severity === 'error');
  // The leading cause is the message's first line; listed again only when it points at a file.
  const errors = [...causes, ...others].filter((f) => f.severity === 'error' && (f !== lead || f.file));
  const compileErrors = errors.filter((f) => f.rule === 'build/compile-error').length;
  const lines = errors.slice(0, 5).map((f) => {
    const detail =
      f.rule?.startsWith('build/test') && f.rule !== 'build/test-suite-aborted'
        ? ` — ${f.message.split('\n')[0]}`
        : '';
    return `  ${where(f)}${f.title.replace(/^Compile error: /, '')}${detail}`;
  });
  if (errors.length > 5)
    lines.push(`  … and ${errors.length - 5} more (see the annotations and the job summary)`);
  if (lines.length === 0) {
    const tasks = parseTaskErrors(log).slice(0, 3);
    const tail = stripAnsi(log).trimEnd().split('\n').slice(-15);
    lines.push(...(tasks.length ? tasks : tail).map((l) => `  ${l}`));
  }
  const t = junit.totals;
  const tests = [
    junit.failed.length > 0 ? `${junit.failed.length} of ${t.tests} test(s) failed` : '',
    t.aborted > 0 ? `${t.aborted} suite(s) aborted` : '',
  ]
    .filter(Boolean)
    .join(', ');
  const kind = lead
    ? `${lead.title}${tests ? ` (${tests})` : ''}`
    : compileErrors > 0
      ? `${compileErrors} compile error(s)`
      : tests || `exit code ${exitCode}`;
  return `build: sbt ${input.sbtTasks.join(' ')} failed: ${kind}\n${lines.join('\n')}`;
}

/**
 * runBuildStage runs sbt, turns compiler output and JUnit reports into findings, and on success finds the
 * assembly JAR and hashes it. A failed build throws an ActionError that leads with the first errors.
 */
export async function runBuildStage(input: BuildStageInput, reporter: Reporter): Promise<BuildStageResult> {
  checkSbtProject(input.workingDirectory, input.workspace);
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
  const toRepoPath = (p: string) => repoPath(input.workspace, p);
  clearLocationCache();
  const others = [
    ...compilerFindings(parseCompilerMessages(run.log), toRepoPath),
    ...testFindings({
      workspace: input.workspace,
      workingDirectory: input.workingDirectory,
      junit,
      log: run.log,
      toRepoPath,
    }),
  ];
  // Causes are looked for only when sbt failed: on success the same words (a test printing a warning) mean nothing.
  const causes =
    run.exitCode !== 0
      ? detectCauses(
          [run.log, ...junit.failed.map((f) => f.details), ...junit.aborted.map((a) => a.details)].join('\n'),
          input.workingDirectory,
          toRepoPath,
          { explained: others.some((f) => f.severity === 'error') },
        )
      : [];
  const findings = [...causes, ...others];
  for (const f of findings) reporter.finding(f);
  if (input.signal?.aborted) throw new ActionError('build: cancelled');
  if (run.exitCode !== 0)
    throw new ActionError(failureMessage(input, run.exitCode, run.log, causes, others, junit), []);
  const wantsJar = input.jarPattern !== undefined || input.sbtTasks.some((t) => /assembly|package/i.test(t));
  if (!wantsJar) return { tests: junit.totals, findings };
  const jar = await discoverJar({
    workingDirectory: input.workingDirectory,
    ...(input.jarPattern !== undefined ? { pattern: input.jarPattern } : {}),
    sbtLog: run.log,
    ...(input.mainClass ? { mainClass: input.mainClass } : {}),
    since: started - 2000,
    wants: input.sbtTasks.some((t) => /assembly/i.test(t)) ? 'assembly' : 'package',
    workspace: input.workspace,
    warn: input.warn,
    info: input.onLine,
  });
  const display = repoPath(input.workspace, jar.path) ?? jar.path;
  input.onLine(
    `build: using ${display} (${jar.how === 'input' ? 'the `jar` input' : jar.how === 'sbt' ? 'the JAR sbt reported' : 'found under target/: sbt printed no JAR path'})`,
  );
  return {
    artifact: await artifactOf(jar, display, reporter, input.signal),
    tests: junit.totals,
    findings,
  };
}
