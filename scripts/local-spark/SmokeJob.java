import java.util.ArrayList;
import java.util.List;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;

/**
 * SmokeJob is a tiny Spark application for checking the local cluster of scripts/local-spark.sh
 * (spark-examples is not published to Maven Central, so SparkPi has to be rebuilt here).
 *
 * <pre>
 *   [--app-name NAME] [--master MASTER] mode args...
 *
 *   --app-name NAME    call .appName(NAME) in code, as real apps do (it overrides the submitted spark.app.name)
 *   --master MASTER    call .master(MASTER) in code, e.g. local[*] (the app then never registers with the cluster)
 *
 *   pi [slices]        estimate pi like SparkPi; prints "Pi is roughly ..."
 *   write OUT_DIR      write a small table as Parquet and CSV under OUT_DIR, read both back
 *   sleep SECONDS      start a SparkContext, then wait (something to kill)
 *   fail               throw after the SparkContext is up (driver exits non-zero)
 *   fail-nested [LINES]  log LINES lines (default 120) to stderr, then throw an exception whose cause has a
 *                      cause: the root cause is two "Caused by:" deep, far from the top of the log
 *   leak               print every spark.* conf value, then throw with them in the message (a job that
 *                      prints its secrets back, for the redaction tests)
 * </pre>
 */
public final class SmokeJob {
  private SmokeJob() {}

  public static void main(String[] argv) throws Exception {
    List<String> rest = new ArrayList<>(java.util.Arrays.asList(argv));
    SparkSession.Builder builder = SparkSession.builder();
    // Without --app-name the name the master shows is the submitted spark.app.name.
    while (!rest.isEmpty() && rest.get(0).startsWith("--")) {
      String flag = rest.remove(0);
      if (rest.isEmpty()) {
        throw new IllegalArgumentException(flag + " needs a value");
      }
      String value = rest.remove(0);
      if (flag.equals("--app-name")) {
        builder.appName(value);
      } else if (flag.equals("--master")) {
        builder.master(value);
      } else {
        throw new IllegalArgumentException("unknown option " + flag);
      }
    }
    String[] args = rest.toArray(new String[0]);
    String mode = args.length > 0 ? args[0] : "pi";
    SparkSession spark = builder.getOrCreate();
    try {
      switch (mode) {
        case "pi":
          pi(spark, args.length > 1 ? Integer.parseInt(args[1]) : 2);
          break;
        case "write":
          write(spark, args[1]);
          break;
        case "sleep":
          long seconds = Long.parseLong(args[1]);
          spark.range(10).count();
          System.out.println("sleeping " + seconds + "s");
          Thread.sleep(seconds * 1000L);
          break;
        case "fail":
          spark.range(10).count();
          throw new IllegalStateException("SmokeJob failed on purpose");
        case "fail-nested":
          spark.range(10).count();
          int lines = args.length > 1 ? Integer.parseInt(args[1]) : 120;
          for (int i = 1; i <= lines; i++) {
            System.err.println("SmokeJob: reading partition " + i + " of " + lines);
          }
          throw new RuntimeException(
              "Job aborted",
              new IllegalStateException(
                  "writing table etl.events failed",
                  new IllegalArgumentException("partition column dt not found in schema")));
        case "leak":
          StringBuilder all = new StringBuilder();
          for (scala.Tuple2<String, String> kv : spark.sparkContext().getConf().getAll()) {
            System.err.println("conf " + kv._1() + "=" + kv._2());
            all.append(' ').append(kv._2());
          }
          throw new IllegalStateException("SmokeJob leaks its conf:" + all);
        default:
          throw new IllegalArgumentException("unknown mode " + mode);
      }
    } finally {
      spark.stop();
    }
  }

  private static void pi(SparkSession spark, int slices) {
    int n = 100000 * slices;
    List<Integer> range = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      range.add(i);
    }
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    long inside = jsc.parallelize(range, slices).filter(i -> {
      double x = Math.random() * 2 - 1;
      double y = Math.random() * 2 - 1;
      return x * x + y * y <= 1;
    }).count();
    System.out.println("Pi is roughly " + 4.0 * inside / n);
  }

  private static void write(SparkSession spark, String out) {
    Dataset<Row> df = spark.range(1000).selectExpr("id", "id % 7 AS bucket", "concat('row-', id) AS name");
    df.write().mode(SaveMode.Overwrite).parquet(out + "/parquet");
    df.write().mode(SaveMode.Overwrite).option("header", "true").csv(out + "/csv");
    long parquetRows = spark.read().parquet(out + "/parquet").count();
    long csvRows = spark.read().option("header", "true").csv(out + "/csv").count();
    System.out.println("wrote parquet rows=" + parquetRows + " csv rows=" + csvRows + " to " + out);
    if (parquetRows != 1000 || csvRows != 1000) {
      throw new IllegalStateException("read back " + parquetRows + "/" + csvRows + " rows, expected 1000");
    }
  }
}
