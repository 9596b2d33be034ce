// Where spark-submit comes from: PATH, SPARK_HOME/bin, or a directory of Spark jars (SPARK_HOME/jars, the
// provisioned client) run as bin/spark-submit runs it (`java -cp <conf>:<jars>/* org.apache.spark.deploy.SparkSubmit`, with Spark's Java 17 flags).
import { accessSync, constants, existsSync, readdirSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';

/** SparkSubmitCommand is a runnable spark-submit: the program and the arguments before spark-submit's own. */
export interface SparkSubmitCommand {
  command: string;
  args: string[];
  /**
   * Spark's standalone client (org.apache.spark.deploy.Client: `kill <master> <driver>` through the RPC
   * gateway; spark-submit --kill speaks only REST): the program and its arguments before the client's own.
   */
  client: { command: string; args: string[] };
  /** Where it was found, for the log. */
  from: string;
}

/**
 * JAVA_MODULE_OPTIONS are the JVM flags of Spark's launcher (org.apache.spark.launcher.JavaModuleOptions,
 * Spark 3.3 to 4.0) that bin/spark-submit adds on Java 17; unknown ones are ignored on older JVMs.
 */
export const JAVA_MODULE_OPTIONS = [
  '-XX:+IgnoreUnrecognizedVMOptions',
  ...[
    'java.base/java.lang',
    'java.base/java.lang.invoke',
    'java.base/java.lang.reflect',
    'java.base/java.io',
    'java.base/java.net',
    'java.base/java.nio',
    'java.base/java.util',
    'java.base/java.util.concurrent',
    'java.base/java.util.concurrent.atomic',
    'java.base/jdk.internal.ref',
    'java.base/sun.nio.ch',
    'java.base/sun.nio.cs',
    'java.base/sun.security.action',
    'java.base/sun.util.calendar',
    'java.security.jgss/sun.security.krb5',
  ].map((p) => `--add-opens=${p}=ALL-UNNAMED`),
  '-Djdk.reflect.useDirectMethodHandle=false',
  // Spark 4.0 adds this one (and jdk.incubator.vector, a speed-up the client does not need).
  '-Dio.netty.tryReflectionSetAccessible=true',
];

const SUBMIT_CLASS = 'org.apache.spark.deploy.SparkSubmit';
const CLIENT_CLASS = 'org.apache.spark.deploy.Client';

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** onPath finds a program on PATH. */
export function onPath(program: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir && executable(join(dir, program))) return join(dir, program);
  }
  return undefined;
}

/** javaCommand is the java of JAVA_HOME, else the one on PATH. */
export function javaCommand(env: NodeJS.ProcessEnv): string {
  return env.JAVA_HOME ? join(env.JAVA_HOME, 'bin', 'java') : 'java';
}

/** jarsCommand runs SparkSubmit from a directory of Spark jars (and an optional conf directory). */
export function jarsCommand(
  jarsDir: string,
  env: NodeJS.ProcessEnv,
  confDir?: string,
  from = jarsDir,
): SparkSubmitCommand {
  const cp = [...(confDir ? [`${confDir}/`] : []), join(jarsDir, '*')].join(delimiter);
  const java = javaCommand(env);
  return {
    command: java,
    args: [...JAVA_MODULE_OPTIONS, '-cp', cp, SUBMIT_CLASS],
    client: { command: java, args: [...JAVA_MODULE_OPTIONS, '-cp', cp, CLIENT_CLASS] },
    from,
  };
}

/** binCommand is a Spark bin directory's spark-submit, with its spark-class for the standalone client. */
function binCommand(sparkSubmit: string): SparkSubmitCommand {
  return {
    command: sparkSubmit,
    args: [],
    client: { command: join(dirname(sparkSubmit), 'spark-class'), args: [CLIENT_CLASS] },
    from: sparkSubmit,
  };
}

/**
 * locateSparkSubmit finds an installed spark-submit: on PATH, in $SPARK_HOME/bin, or $SPARK_HOME/jars run
 * through java. Undefined when there is none.
 */
export function locateSparkSubmit(env: NodeJS.ProcessEnv = process.env): SparkSubmitCommand | undefined {
  const found = onPath('spark-submit', env);
  if (found) return binCommand(found);
  const home = env.SPARK_HOME;
  if (!home) return undefined;
  const bin = join(home, 'bin', 'spark-submit');
  if (executable(bin)) return binCommand(bin);
  const jars = join(home, 'jars');
  if (existsSync(jars) && readdirSync(jars).some((f) => /^spark-core_.*\.jar$/.test(f))) {
    return jarsCommand(jars, env, existsSync(join(home, 'conf')) ? join(home, 'conf') : undefined, home);
  }
  return undefined;
}
