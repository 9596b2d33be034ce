// The test jobs of scripts/local-spark/ compiled against the local Spark's own jars: SmokeJob, a tiny real
// Spark job for the end-to-end tests (pi, write, sleep, fail, …), since spark-examples is not on Maven
// Central; ShapeJob (test/helpers/shape-jar.ts) for the Spark run metrics.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const SPARK_HOME =
  process.env.SPARK_HOME ?? join(process.env.HOME ?? '', '.cache/spark-deploy-action/spark-3.5.6');
const repo = resolve(import.meta.dirname, '../..');

/**
 * buildJobJar compiles scripts/local-spark/<job>.java for Java 8 into dir (classes in `classesDir`) and returns
 * the JAR, whose Main-Class is the job.
 */
export function buildJobJar(job: string, dir: string, name: string, classesDir: string): string {
  const classes = join(dir, classesDir);
  mkdirSync(classes, { recursive: true });
  execFileSync('javac', [
    '-nowarn',
    '--release',
    '8',
    '-cp',
    `${SPARK_HOME}/jars/*`,
    '-d',
    classes,
    join(repo, `scripts/local-spark/${job}.java`),
  ]);
  const jarPath = join(dir, name);
  execFileSync('jar', ['cfe', jarPath, job, '-C', classes, '.']);
  return jarPath;
}

/** buildSmokeJar compiles SmokeJob into dir and returns the JAR (Main-Class: SmokeJob). */
export function buildSmokeJar(dir: string, name = 'smoke-job.jar'): string {
  return buildJobJar('SmokeJob', dir, name, 'classes');
}
