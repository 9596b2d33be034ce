// The verify stage: check the assembly JAR before any image is built or anything deployed, hash it, and
// report. Findings never throw here; the pipeline fails the run on error findings.

import { mkdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Output } from '../constants.js';
import { type Finding, formatFindingLine } from '../findings.js';
import type { Artifact, Reporter } from '../stage.js';
import { ActionError, errorMessage } from '../util/errors.js';
import { sha256File } from '../util/hash.js';
import { redact } from '../util/redact.js';
import { buildVerifyReport, renderJarSection, type VerifyReport } from './report.js';
import type { VerifyRuntime } from './runtime.js';
import { type ExpectedMainClass, type JarFacts, verifyJar } from './verify.js';

export type { VerifyReport } from './report.js';

export interface VerifyStageInput {
  artifact: Artifact;
  expectedMainClass?: ExpectedMainClass;
  /** Highest class-file release the runtime runs. */
  javaRelease: number;
  /** Config verify.maxSizeMb (default: no limit). */
  maxSizeMb?: number;
  /** Config verify.allowBundledSpark (default false). */
  allowBundledSpark?: boolean;
  /** The runtime the JAR will run on (runtimeFromPlan); default: the action's default runtime, as a guess. */
  runtime?: VerifyRuntime;
  /** Directory the JSON report is written to (RUNNER_TEMP in production). */
  reportDir: string;
  /** Log lines for the stage's log group: what was checked and every finding, as soon as known. */
  log?: (line: string) => void;
  signal?: AbortSignal;
}

export interface VerifyStageResult {
  /** The input artifact with sha256, mainClass and javaRelease filled in when known. */
  artifact: Artifact;
  report: VerifyReport;
  reportPath: string;
  findings: Finding[];
}

/** File name of the JSON report in reportDir. */
export const VERIFY_REPORT_FILE = 'spark-deploy-verify-report.json';

function ioError(jar: string, err: unknown): ActionError {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') {
    return new ActionError(
      `verify: ${jar} does not exist; run the build stage first or point the jar input at the assembly JAR`,
    );
  }
  if (code === 'EISDIR') return new ActionError(`verify: ${jar} is a directory, not a JAR file`);
  return new ActionError(`verify: cannot read ${jar}: ${errorMessage(err)}`);
}

/** runVerifyStage verifies and hashes the artifact's JAR concurrently, writes the report and reports findings. */
export async function runVerifyStage(
  input: VerifyStageInput,
  reporter: Reporter,
): Promise<VerifyStageResult> {
  const { artifact } = input;
  const jar = artifact.jarDisplayPath;
  try {
    const st = await stat(artifact.jarPath);
    if (!st.isFile()) throw Object.assign(new Error('not a file'), { code: 'EISDIR' });
  } catch (err) {
    throw ioError(jar, err);
  }
  const hashStart = performance.now();
  // The hash streams the whole file while the rules read a few megabytes of it; the build stage's hash of
  // the same file is reused (it also wrote the jar-sha256 output).
  const known = artifact.sha256;
  const hashing = (known ? Promise.resolve(known) : sha256File(artifact.jarPath, input.signal)).then(
    (sha) => ({
      sha,
      ms: performance.now() - hashStart,
    }),
  );
  hashing.catch(() => {});
  let verification: Awaited<ReturnType<typeof verifyJar>>;
  let hashed: { sha: string; ms: number };
  try {
    verification = await verifyJar(artifact.jarPath, {
      displayPath: jar,
      javaRelease: input.javaRelease,
      ...(input.expectedMainClass ? { expectedMainClass: input.expectedMainClass } : {}),
      ...(input.maxSizeMb !== undefined ? { maxSizeMb: input.maxSizeMb } : {}),
      ...(input.allowBundledSpark !== undefined ? { allowBundledSpark: input.allowBundledSpark } : {}),
      ...(input.runtime ? { runtime: input.runtime } : {}),
      ...(input.signal ? { signal: input.signal } : {}),
    });
    hashed = await hashing;
  } catch (err) {
    if (input.signal?.aborted) throw err;
    throw ioError(jar, err);
  }
  const { facts, findings } = verification;
  if (!known) reporter.output(Output.jarSha256, hashed.sha);

  const report = buildVerifyReport({
    jarDisplayPath: jar,
    facts,
    findings,
    javaRelease: input.javaRelease,
    sha256: hashed.sha,
    verifyMs: verification.durationMs,
    sha256Ms: hashed.ms,
  });
  const reportPath = join(input.reportDir, VERIFY_REPORT_FILE);
  try {
    await mkdir(input.reportDir, { recursive: true });
    await writeFile(reportPath, redact(`${JSON.stringify(report, null, 2)}\n`));
  } catch (err) {
    throw new ActionError(`verify: cannot write the report to ${reportPath}: ${errorMessage(err)}`);
  }
  reporter.output(Output.verifyReport, reportPath);
  for (const f of findings) reporter.finding(f);
  if (input.log) {
    for (const line of describeChecks(facts)) input.log(line);
    for (const f of findings) input.log(`${f.severity}: ${f.rule ?? 'verify'}: ${formatFindingLine(f)}`);
    input.log(
      findings.length
        ? `verify: ${findings.length} finding${findings.length === 1 ? '' : 's'}`
        : 'verify: no findings',
    );
  }
  reporter.section('JAR', renderJarSection(report));

  const verified: Artifact = { ...artifact, sizeBytes: facts.sizeBytes, sha256: hashed.sha };
  const mc = facts.mainClass;
  if (mc?.present) verified.mainClass = mc.name;
  if (mc?.header) verified.javaRelease = mc.header.release;
  return { artifact: verified, report, reportPath, findings };
}

/** describeChecks says in a few log lines what verify read and against which runtime. */
export function describeChecks(facts: JarFacts): string[] {
  const lines = [
    `verify: ${facts.entries.toLocaleString('en-US')} entries, ${facts.classes.toLocaleString('en-US')} classes, ${(facts.sizeBytes / 1048576).toFixed(1)} MB`,
  ];
  const rt = facts.runtime;
  if (!rt) return lines;
  const r = rt.runtime;
  lines.push(
    `verify: runtime Spark ${r.sparkVersion}, Scala ${r.scalaVersion}${r.source === 'default' ? ' (the default: no deploy config)' : ''}`,
  );
  const c = rt.classReleases;
  lines.push(
    `verify: class-file versions of ${c.checked.toLocaleString('en-US')} classes read in ${c.ms.toFixed(0)} ms (newest: Java ${c.maxRelease || '?'})`,
  );
  const s = rt.scala;
  lines.push(
    s.binary
      ? `verify: built for Scala ${s.binary} (by ${s.decidedBy}; ${s.classesRead} application classes read)`
      : `verify: no sign of the Scala version the JAR is built for (${s.classesRead} application classes read)`,
  );
  const l = rt.link;
  if (l) {
    lines.push(
      `verify: links of ${l.followed} application classes checked against the Spark ${l.sparkIndex} index in ${l.ms.toFixed(0)} ms${l.complete ? '' : ' (budget reached: the rest unchecked)'}`,
    );
  }
  return lines;
}
