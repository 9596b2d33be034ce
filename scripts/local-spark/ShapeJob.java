import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * ShapeJob is a Spark application whose run has a known shape, for the end-to-end tests of the metrics
 * the action reads back from Spark's monitoring REST API.
 *
 * <pre>
 *   skew ROWS     shuffle ROWS rows into 8 partitions by a key that 95 % of the rows share, then sort each
 *                 partition: one task of the sort stage reads most of the shuffle and runs longest
 *   spill ROWS    sort ROWS rows with Spark's force-spill threshold set low
 *                 (spark.shuffle.spill.numElementsForceSpillThreshold), so the sort spills to disk
 * </pre>
 */
public final class ShapeJob {
  private ShapeJob() {}

  public static void main(String[] args) {
    String mode = args.length > 0 ? args[0] : "skew";
    long rows = args.length > 1 ? Long.parseLong(args[1]) : 2_000_000L;
    SparkSession.Builder builder = SparkSession.builder()
        // Keep the partitions as asked: adaptive execution would coalesce the small ones.
        .config("spark.sql.adaptive.enabled", "false");
    if (mode.equals("spill")) {
      builder.config("spark.shuffle.spill.numElementsForceSpillThreshold", "20000");
    }
    SparkSession spark = builder.getOrCreate();
    try {
      Dataset<Row> df = spark.range(0, rows, 1, 4)
          .withColumn("payload", expr("concat('row-', id, '-', sha2(cast(id as string), 256))"));
      Dataset<Row> shaped;
      switch (mode) {
        case "skew":
          shaped = df.withColumn("key", expr("CASE WHEN id % 20 = 0 THEN id % 8 ELSE 0 END"))
              .repartition(8, col("key"))
              .sortWithinPartitions(col("payload"));
          break;
        case "spill":
          shaped = df.repartition(4).sortWithinPartitions(col("payload"));
          break;
        default:
          throw new IllegalArgumentException("unknown mode " + mode);
      }
      // The noop sink runs the whole plan (a count would let the optimizer drop the sort).
      shaped.write().format("noop").mode("overwrite").save();
      System.out.println("ShapeJob " + mode + " done: " + rows + " rows");
    } finally {
      spark.stop();
    }
  }
}
