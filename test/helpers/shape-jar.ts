// ShapeJob (scripts/local-spark/ShapeJob.java) compiled against the local Spark's own jars: a Spark job
// whose run has a known shape (one skewed stage, or a sort that spills), for the Spark run metrics tests.
import { buildJobJar } from './smoke-jar.js';

/** buildShapeJar compiles ShapeJob for Java 8 into dir and returns the JAR (Main-Class: ShapeJob). */
export function buildShapeJar(dir: string, name = 'shape-job.jar'): string {
  return buildJobJar('ShapeJob', dir, name, 'shape-classes');
}
