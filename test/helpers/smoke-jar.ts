// SmokeJob (scripts/local-spark/SmokeJob.java) compiled against the local Spark's own jars: a tiny real
// Spark job for the end-to-end tests (pi, write, sleep, fail), since spark-examples is not on Maven Central.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const SPARK_HOME =
  process.env.SPARK_HOME ?? join(process.env.HOME ?? '', '.cache/spark-deploy-action/spark-3.5.6');
const repo = resolve(import.meta.dirname, '../..');

/** buildSmokeJar compiles SmokeJob for Java 8 into dir and returns the JAR (Main-Class: SmokeJob). */
export function buildSmokeJar(dir: string, name = 'smoke-job.jar'): string {
  const classes = join(dir, 'classes');
  mkdirSync(classes, { recursive: true });
  execFileSync('javac', [
    '-nowarn',
    '--release',
    '8',
    '-cp',
    `${SPARK_HOME}/jars/*`,
    '-d',
    classes,
    join(repo, 'scripts/local-spark/SmokeJob.java'),
  ]);
  const jarPath = join(dir, name);
  execFileSync('jar', ['cfe', jarPath, 'SmokeJob', '-C', classes, '.']);
  return jarPath;
}
