package com.etl

import java.nio.file.{Files, Path, Paths}

import org.apache.spark.sql.SparkSession

/** One small local SparkSession per test JVM (tests are forked, run serially). */
object SparkTestSession {
  lazy val spark: SparkSession = SparkSession.builder()
    .master("local[1]")
    .appName("etl-pipeline-tests")
    .config("spark.sql.shuffle.partitions", "1")
    .config("spark.default.parallelism", "1")
    .config("spark.ui.enabled", "false")
    .config("spark.sql.adaptive.enabled", "false")
    .config("spark.driver.host", "127.0.0.1")
    .config("spark.driver.bindAddress", "127.0.0.1")
    .getOrCreate()

  /** examples/etl-app (the forked test JVM runs in the project directory). */
  val projectDir: Path = Paths.get("").toAbsolutePath

  def tempDir(prefix: String): Path = Files.createTempDirectory(prefix)
}

trait SparkTestSupport {
  lazy val spark: SparkSession = SparkTestSession.spark
}
