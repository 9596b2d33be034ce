import type { Finding } from '../../findings.js';
import { body, buildFiles, type CauseContext, type CauseDetector, findInBuild, where } from './context.js';

// What a JVM prints when its options stop it from starting.
const BAD_OPTION =
  /^(?:Unrecognized VM option '([^']+)'|Unrecognized option: (\S+)|Error: VM option '([^']+)' is)/;
const NO_JVM = /Error: Could not create the Java Virtual Machine|Error occurred during initialization of VM/;

// Options removed from the JVM, with what replaced them.
const REMOVED: [RegExp, string][] = [
  [
    /^(?:Max)?PermSize=/,
    'PermGen was removed in Java 8, so delete it; `-XX:MaxMetaspaceSize` is the closest, rarely needed',
  ],
  [
    /^[+-]?(?:UseConcMarkSweepGC|CMS\w*)/,
    'the CMS collector was removed in Java 14, so delete it; G1 is the default',
  ],
  [/^[+-]?UseParNewGC/, 'ParNew was removed in Java 10, so delete it'],
  [/^[+-]?(?:AggressiveOpts|UseSplitVerifier)/, 'it was removed from current JVMs, so delete it'],
];

function advice(option: string): string {
  const bare = option.replace(/^-XX:/, '');
  return (
    REMOVED.find(([re]) => re.test(bare))?.[1] ??
    'this JVM does not accept it: delete it or make it match the JDK the build runs on'
  );
}

function jvmStart(ctx: CauseContext): Finding[] {
  if (
    !/Unrecognized (?:VM )?option|Error: VM option|Could not create the Java Virtual Machine|initialization of VM/.test(
      ctx.text,
    )
  )
    return [];
  const i = ctx.lines.findIndex(
    (l) => (l.includes('option') || l.includes('Option')) && BAD_OPTION.test(body(l).trim()),
  );
  const failedToStart = NO_JVM.test(ctx.text);
  if (i < 0 && !failedToStart) return [];
  const m = i >= 0 ? BAD_OPTION.exec(body(ctx.lines[i] ?? '').trim()) : null;
  const option = m ? (m[1] ?? m[2] ?? m[3] ?? '') : '';
  // sbt's own JVM dies before its banner; a forked test or run JVM dies after sbt has started.
  const upTo = i >= 0 ? i : ctx.lines.length;
  let sbtStarted = false;
  for (let k = 0; k < upTo && !sbtStarted; k++) {
    const l = ctx.lines[k] ?? '';
    sbtStarted =
      l.startsWith('[info]') && /welcome to sbt|loading project definition|set current project/.test(l);
  }
  const files = buildFiles(ctx.workingDirectory);
  const needle = option ? (option.replace(/^[+-]/, '').split('=')[0] ?? option) : '';
  const at = needle
    ? findInBuild(files, new RegExp(needle.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    : undefined;
  const env = ['SBT_OPTS', 'JAVA_OPTS', 'JAVA_TOOL_OPTIONS'].filter(
    (k) => needle && process.env[k]?.includes(needle),
  );
  const from = at
    ? `it is set in ${at.file.name}:${at.line} (\`${at.text}\`)`
    : env.length
      ? `it comes from the ${env.join(', ')} environment variable`
      : sbtStarted
        ? 'look for it in `javaOptions` (build.sbt, project/*.scala) and in .jvmopts, SBT_OPTS, JAVA_OPTS'
        : 'look for it in .jvmopts, .sbtopts, SBT_OPTS, JAVA_OPTS and JAVA_TOOL_OPTIONS';
  const who = sbtStarted
    ? 'The forked JVM (Test / fork or run / fork) could not start'
    : 'sbt could not start its JVM';
  const opt = option ? `-XX:${option}`.replace(/^-XX:(-|--)/, '$1') : '';
  return [
    {
      stage: 'build',
      severity: 'error',
      title: option
        ? `JVM option ${opt} stops the ${sbtStarted ? 'test JVM' : 'sbt JVM'} from starting`
        : `${who}`,
      message: `${who}${option ? `: the option ${opt} is not recognised (${advice(option)})` : ''}; ${from}.${sbtStarted ? ' No test ran: the "Tests unsuccessful" that follows is this, not failing tests.' : ''}`,
      ...where(ctx, at),
      rule: 'build/jvm-start',
    },
  ];
}

// JDK 16+ encapsulates the JDK's internals: reflection needs `--add-opens`, a linked reference `--add-exports`.
const NOT_OPEN = /module ([\w.]+) does not "opens ([\w.]+)" to unnamed module/;
const NOT_EXPORTED = /module ([\w.]+) does not export ([\w.]+) to unnamed module/;

function moduleAccess(ctx: CauseContext): Finding[] {
  if (!ctx.text.includes('to unnamed module')) return [];
  const flags = new Map<string, string>();
  for (const line of ctx.lines) {
    if (!line.includes('to unnamed module')) continue;
    const open = NOT_OPEN.exec(line);
    if (open) flags.set(`--add-opens=${open[1]}/${open[2]}=ALL-UNNAMED`, line);
    const exp = NOT_EXPORTED.exec(line);
    if (exp) flags.set(`--add-opens=${exp[1]}/${exp[2]}=ALL-UNNAMED`, line);
  }
  if (flags.size === 0) return [];
  const files = buildFiles(ctx.workingDirectory);
  const forked = findInBuild(files, /\bfork\b(?:\s+in\s+\w+)?\s*:=\s*true/);
  const list = [...flags.keys()];
  const seq = `Seq(${list.map((f) => JSON.stringify(f)).join(', ')})`;
  const where1 = forked
    ? `Tests run in a forked JVM (${forked.file.name}:${forked.line}), so add them there:\n  Test / javaOptions ++= ${seq}`
    : `Tests run inside sbt's JVM (no \`Test / fork := true\`), so either fork them and pass the flags:\n  Test / fork := true\n  Test / javaOptions ++= ${seq}\nor give them to sbt's JVM: one per line in .jvmopts, or in SBT_OPTS`;
  const first = (flags.values().next().value ?? '').replace(/(?:sbt\.ForkMain\$ForkError: )+/g, '');
  // Test frameworks decorate the line (`==> X Suite.test 0.01s java.lang…`): quote from the exception on.
  const sample = first
    .slice(Math.max(0, first.search(/[\w$.]+(?:Exception|Error): /)))
    .trim()
    .slice(0, 300);
  return [
    {
      stage: 'build',
      severity: 'error',
      title: `JDK module access denied in tests: needs ${list.join(' ')}`,
      message: `Java 16+ closes the JDK's internals, and code under test reaches into them (${sample}). Spark and its libraries need this on Java 17; spark-submit adds the flags itself, a test JVM does not. ${where1}\n(For a local SparkSession in tests, pass the whole list spark-submit uses: Spark's launcher class JavaModuleOptions.)`,
      ...where(ctx, forked),
      rule: 'build/jdk-module-access',
    },
  ];
}

/** JVM_DETECTORS recognise JVMs that cannot start and JDK module encapsulation errors. */
export const JVM_DETECTORS: CauseDetector[] = [
  { rule: 'build/jvm-start', detect: jvmStart },
  { rule: 'build/jdk-module-access', detect: moduleAccess },
];
