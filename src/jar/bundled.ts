// Spark comes with the cluster. A bundled copy bloats the JAR and, when its version differs from the
// runtime's, fails with NoSuchMethodError or ClassCastException at run time.
import type { Finding } from '../findings.js';
import { jarFinding, Rule } from './rules.js';
import type { JarScan } from './scan.js';

/** Classes that only the Spark distribution's own modules contain (core, sql, catalyst, streaming, mllib). */
const SPARK_MARKERS = [
  'org/apache/spark/SparkContext.class',
  'org/apache/spark/sql/SparkSession.class',
  'org/apache/spark/sql/catalyst/InternalRow.class',
  'org/apache/spark/streaming/StreamingContext.class',
  'org/apache/spark/ml/Pipeline.class',
  'org/apache/spark/unsafe/Platform.class',
];
/** Classes of scala-library and scala-reflect. */
export const SCALA_MARKERS = ['scala/Predef.class', 'scala/Option.class', 'scala/reflect/api/Universe.class'];

/** bundledMarkers returns the marker classes present in the JAR. */
export function bundledMarkers(scan: JarScan, markers: readonly string[]): string[] {
  return markers.filter((m) => scan.index.find(Buffer.from(m, 'utf8')) >= 0);
}

/**
 * bundledFindings warns about Spark classes in the JAR (a bundled Scala library is judged against the
 * runtime's Scala version in runtime-checks.ts). A class of the app's own in the
 * org.apache.spark package (to reach package-private APIs) or a connector (Kafka, Avro, Delta) is not
 * enough: the warning needs a marker class of the distribution itself.
 */
export function bundledFindings(jar: string, scan: JarScan, allowBundledSpark: boolean): Finding[] {
  if (allowBundledSpark) return [];
  const out: Finding[] = [];
  const spark = bundledMarkers(scan, SPARK_MARKERS);
  if (spark.length) {
    out.push(
      jarFinding(
        jar,
        'warning',
        Rule.bundledSpark,
        `Spark is bundled in the JAR (${scan.sparkEntries.toLocaleString('en-US')} entries under org/apache/spark/, e.g. ${spark[0]})`,
        'the cluster provides Spark, and a bundled copy of another version clashes with it; mark Spark dependencies provided: "org.apache.spark" %% "spark-sql" % sparkVersion % "provided" (or set verify.allowBundledSpark: true)',
      ),
    );
  }
  return out;
}
