// Why a job failed, from the log a target already fetched: the deepest `Caused by:` of the last exception
// (or the exception itself), with a hint for the failures whose fix is known (a class missing from the JAR,
// a Scala or dependency version mismatch, memory). Data, not a regex over the error text later on.
import { yarnCause } from './yarn-cause.js';

/** RootCause is the one line a person should read first, and where it came from. */
export interface RootCause {
  /** `Class: message` of the deepest cause (simple class name for java.lang and Spark's own). */
  summary: string;
  /** Fully qualified class of the deepest cause. */
  exception: string;
  /** Its message (first line), possibly empty. */
  message: string;
  /** The chain from the outermost exception to the deepest cause, `Class: message` each. */
  chain: string[];
  /** What usually fixes it, when the cause is one of the known kinds. */
  hint?: string;
  /** Which log it was read from (e.g. "driver stderr"). */
  source: string;
}

// `java.lang.IllegalStateException: msg`, `org.apache.spark.sql.AnalysisException: msg`, `scala.MatchError: x`
const THROWABLE =
  /^((?:[a-zA-Z_$][\w$]*\.)+[A-Z][\w$]*(?:Exception|Error|Throwable|Failure)[\w$]*)(?::\s?(.*))?$/;
const THREAD = /^Exception in thread "[^"]*" (.*)$/;
const CAUSED_BY = /^Caused by: (.*)$/;
// YARN cluster mode (docs/protocols.md 3.7): the application master reports the exception the user's main
// threw as `User class threw exception: <throwable>` (its log, and the client's `diagnostics:` line), and the
// client on the submitting host then dies of a wrapper that names no cause.
const AM_USER_CLASS = /\bUser class threw exception: (.*)$/;
const YARN_WRAPPER = /^org\.apache\.spark\.SparkException$/;
const YARN_WRAPPER_MESSAGE = /^Application application_\d+_\d+ (?:finished with failed status|is killed)$/;
// log4j's layout before a message: `26/12/07 13:36:46 ERROR Executor: ` (Spark's default), ISO dates, levels.
const LOG_PREFIX =
  /^(?:\d{2,4}[-/]\d{2}[-/]\d{2}[ T][\d:.,]+\s+)?(?:TRACE|DEBUG|INFO|WARN|ERROR|FATAL)\s+[\w$.-]+:\s/;

interface Parsed {
  exception: string;
  message: string;
}

function parseThrowable(text: string): Parsed | undefined {
  const m = THROWABLE.exec(text.trim());
  if (!m) return undefined;
  return { exception: m[1] ?? '', message: (m[2] ?? '').trim() };
}

function shortName(cls: string): string {
  return /^(?:java\.(?:lang|io|util)|scala|org\.apache\.spark)\./.test(cls)
    ? (cls.split('.').pop() ?? cls)
    : cls;
}

function render(p: Parsed): string {
  return p.message ? `${shortName(p.exception)}: ${p.message}` : shortName(p.exception);
}

/** hintFor says what usually fixes a cause of a known kind. */
export function hintFor(p: Parsed): string | undefined {
  const { exception: e, message: m } = p;
  if (e === 'java.lang.OutOfMemoryError') {
    return /Java heap space|GC overhead/.test(m)
      ? 'the JVM ran out of heap: raise spark.driver.memory (or spark.executor.memory), or collect less to the driver'
      : 'the JVM ran out of memory: raise the memory settings (spark.driver.memory, spark.executor.memoryOverhead)';
  }
  if (e === 'java.lang.ClassNotFoundException' || e === 'java.lang.NoClassDefFoundError') {
    const cls = m.replace(/\//g, '.').replace(/^Could not initialize class /, '');
    if (/^scala\./.test(cls))
      return `${cls} is a Scala class the cluster's Scala library lacks: the JAR was built for another Scala binary version than the cluster's Spark`;
    return `${cls} is neither in the JAR nor on the cluster's classpath: build an assembly JAR (sbt assembly), or ship the dependency with spark.jars / spark.jars.packages`;
  }
  if (e === 'java.lang.NoSuchMethodError' || e === 'java.lang.AbstractMethodError') {
    if (/\bscala\./.test(m))
      return "a Scala library method is missing at run time: the JAR was built for another Scala binary version than the cluster's Spark (check scalaVersion in build.sbt against spark.scalaVersion)";
    return 'a library on the cluster has another version than the one the app was compiled against: mark it "provided" at the cluster\'s version, or shade it in the assembly';
  }
  if (e.endsWith('.UnsupportedClassVersionError'))
    return "the JAR was compiled for a newer Java than the cluster runs: lower the build's release (javacOptions / scalacOptions -release) or set spark.javaRelease";
  return undefined;
}

interface Block {
  /** The exception the main thread died of (`Exception in thread "main"`, YARN's `User class threw exception`). */
  thread: boolean;
  /** The exception the user class threw, as YARN's diagnostics quote it. */
  user?: boolean;
  chain: Parsed[];
}

/** isYarnWrapper: the YARN client's `Application <id> finished with failed status`, which names no cause. */
function isYarnWrapper(b: Block): boolean {
  const head = b.chain[0];
  return (
    b.chain.length === 1 &&
    !!head &&
    YARN_WRAPPER.test(head.exception) &&
    YARN_WRAPPER_MESSAGE.test(head.message)
  );
}

/** exceptionBlocks splits log text into top-level exceptions, each with its `Caused by:` chain, in order. */
function exceptionBlocks(lines: readonly string[]): Block[] {
  const blocks: Block[] = [];
  let current: Parsed[] | undefined;
  for (const raw of lines) {
    const line = raw.replace(/\r$/, '');
    const thread = THREAD.exec(line);
    const caused = CAUSED_BY.exec(line);
    const amUser = AM_USER_CLASS.exec(line);
    if (amUser) {
      const p = parseThrowable(amUser[1] ?? '');
      current = p ? [p] : undefined;
      if (current) blocks.push({ thread: true, user: true, chain: current });
    } else if (thread) {
      const p = parseThrowable(thread[1] ?? '');
      current = p ? [p] : undefined;
      if (current) blocks.push({ thread: true, chain: current });
    } else if (caused && current) {
      const p = parseThrowable(caused[1] ?? '');
      if (p) current.push(p);
    } else if (/^Driver stacktrace:/.test(line) && current) {
      // Spark's SparkException quotes the failed task's trace (with its own `Caused by:`s) in its message,
      // then gives the driver's: the chain is the driver's.
      current.splice(1);
    } else if (/^\s+at |^\s+\.\.\. \d+ more|^\s*$/.test(line)) {
      // still inside the current exception
    } else {
      const bare = line.replace(LOG_PREFIX, '');
      const p = bare === line || /^\s*ERROR\b|ERROR /.test(line) ? parseThrowable(bare) : undefined;
      const head = current?.[0];
      if (p && current?.length === 1 && head?.exception === p.exception && head.message === p.message) {
        // The AM logs the exception again with its stack trace (logError(msg, cause)): the same block.
      } else if (p) {
        current = [p];
        blocks.push({ thread: false, chain: current });
      } else if (LOG_PREFIX.test(line)) current = undefined;
      // other lines: a message's continuation, still inside the current exception
    }
  }
  return blocks;
}

/**
 * rootCauseFromLog reads a JVM log (a driver's or a step's stderr) and returns the deepest cause of its last
 * exception, preferring the one the main thread died of; undefined when the log holds no exception.
 */
export function rootCauseFromLog(text: string, source: string): RootCause | undefined {
  const lines = text.split('\n');
  const blocks = exceptionBlocks(lines);
  const telling = blocks.filter((b) => !isYarnWrapper(b));
  const block =
    (
      telling.findLast((b) => b.user) ??
      telling.findLast((b) => b.thread) ??
      telling.at(-1) ??
      blocks.findLast((b) => b.thread) ??
      blocks.at(-1)
    )?.chain ?? [];
  const deepest = block.at(-1);
  // spark-submit's own `Application … finished with failed status` says nothing: YARN's report may.
  const yarn = !deepest || YARN_WRAPPER_MESSAGE.test(deepest.message) ? yarnCause(lines) : undefined;
  if (yarn)
    return {
      summary: yarn.summary,
      exception: '',
      message: yarn.summary,
      chain: [yarn.summary],
      ...(yarn.hint ? { hint: yarn.hint } : {}),
      source,
    };
  if (!deepest) return errorLine(lines, source);
  const hint = hintFor(deepest);
  return {
    summary: render(deepest),
    exception: deepest.exception,
    message: deepest.message,
    chain: block.map(render),
    ...(hint ? { hint } : {}),
    source,
  };
}

// An app that reports its own failure and exits (`System.exit(1)`, `sys.exit(1)`) prints no stack trace:
// its last line that says something failed is the cause, unless it is Spark's own INFO/WARN chatter.
const SAYS_FAILED =
  /\b(?:error|fail(?:ed|ure|s)?|exception|not found|no such|denied|refused|invalid|cannot|could not|unable)\b/i;
const CHATTER =
  /^(?:\S+\s+\S+\s+)?(?:TRACE|DEBUG|INFO|WARN)\s|^Launch Command:|^Using Spark's default log4j|^\s+at |^={10,}/;

function errorLine(lines: readonly string[], source: string): RootCause | undefined {
  const line = lines.findLast((l) => l.trim() !== '' && !CHATTER.test(l) && SAYS_FAILED.test(l));
  if (!line) return undefined;
  const summary = line.replace(LOG_PREFIX, '').trim().slice(0, 500);
  return { summary, exception: '', message: summary, chain: [summary], source };
}

/** causeLine is the cause as one line: the deepest cause, and the message of the one it explains. */
export function causeLine(c: RootCause): string {
  const outer = c.chain.length > 1 ? c.chain[c.chain.length - 2] : undefined;
  const context = outer?.includes(': ') ? outer.slice(outer.indexOf(': ') + 2) : undefined;
  return context && context !== c.message && !context.includes(c.message)
    ? `${c.summary} (in: ${context})`
    : c.summary;
}
