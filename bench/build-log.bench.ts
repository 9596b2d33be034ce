// Benchmark of the build stage's reading of sbt's log on failure, at the size runSbt keeps at most
// (32 MB): compiler messages, task errors, the JARs sbt reports, aborted suites and every cause detector.
// The log is real sbt captures (test/fixtures/sbt-output) repeated. Run from the repository root:
//   npm run bench -- build-log
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { detectCauses } from '../src/build/causes/index.js';
import { parseBuiltJars } from '../src/build/sbt-jars.js';
import { parseCompilerMessages, parseTaskErrors } from '../src/build/sbt-output.js';
import { abortedInConsole } from '../src/build/test-findings.js';

const LOG_MB = 32;
const RUNS = 5;
const TARGET_MS = 2000;
const CAPTURES = [
  'assembly-multi-module.txt',
  'assembly-merge-conflict.txt',
  'compile-error.txt',
  'fork-jvm-option.txt',
  'jdk-module-access.txt',
  'test-locations.txt',
  'unresolved-dependency.txt',
];

const root = mkdtempSync(join(tmpdir(), 'build-log-bench-'));
try {
  const dir = join(root, 'app');
  mkdirSync(join(dir, 'project'), { recursive: true });
  writeFileSync(join(dir, 'build.sbt'), 'ThisBuild / scalaVersion := "2.12.18"\nlazy val clash = project\n');
  const one = CAPTURES.map((c) =>
    readFileSync(join(process.cwd(), 'test/fixtures/sbt-output', c), 'utf8').replaceAll('<ROOT>', dir),
  ).join('\n');
  const log = one.repeat(Math.ceil((LOG_MB * 1024 * 1024) / one.length)).slice(0, LOG_MB * 1024 * 1024);
  const times: number[] = [];
  let counts = '';
  for (let i = 0; i < RUNS; i++) {
    // A different string each run (no cached split), and, as in the build stage, the causes read the log
    // joined with the test reports' text: a second split.
    const run = `${log}\n[info] run ${i}`;
    const t0 = performance.now();
    const compiler = parseCompilerMessages(run);
    const tasks = parseTaskErrors(run);
    const jars = parseBuiltJars(run);
    const aborted = abortedInConsole(run);
    const causes = detectCauses(`${run}\n`, dir, (p) => p.slice(root.length + 1));
    times.push(performance.now() - t0);
    counts = `${compiler.length} compiler messages, ${tasks.length} task errors, ${jars.length} JARs, ${aborted.length} aborted suites, ${causes.length} causes`;
  }
  const median = [...times].sort((a, b) => a - b)[Math.floor(RUNS / 2)] as number;
  console.log(`log: ${LOG_MB} MB, ${log.split('\n').length} lines (${counts})`);
  console.log(`parse + detect: median ${median.toFixed(0)} ms over ${RUNS} runs (target < ${TARGET_MS} ms)`);
  if (median > TARGET_MS) {
    console.error(`over target: ${median.toFixed(0)} ms > ${TARGET_MS} ms`);
    process.exitCode = 1;
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}
