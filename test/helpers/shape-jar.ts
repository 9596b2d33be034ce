// ShapeJob (scripts/local-spark/ShapeJob.java) compiled against the local Spark's own jars: a Spark job
// whose run has a known shape (one skewed stage, or a sort that spills), for the Spark run metrics tests.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SPARK_HOME } from './smoke-jar.js';

const repo = resolve(import.meta.dirname, '../..');

/** buildShapeJar compiles ShapeJob for Java 8 into dir and returns the JAR (Main-Class: ShapeJob). */
export function buildShapeJar(dir: string, name = 'shape-job.jar'): string {
  const classes = join(dir, 'shape-classes');
  mkdirSync(classes, { recursive: true });
  execFileSync('javac', [
    '-nowarn',
    '--release',
    '8',
    '-cp',
    `${SPARK_HOME}/jars/*`,
    '-d',
    classes,
    join(repo, 'scripts/local-spark/ShapeJob.java'),
  ]);
  const jarPath = join(dir, name);
  execFileSync('jar', ['cfe', jarPath, 'ShapeJob', '-C', classes, '.']);
  return jarPath;
}
