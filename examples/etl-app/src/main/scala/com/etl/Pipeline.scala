package com.etl

import org.apache.hadoop.fs.Path
import org.apache.spark.sql.{DataFrame, SparkSession}
import org.apache.spark.storage.StorageLevel

final case class PipelineResult(rows: Long, outputPath: String)

object Pipeline {

  /** Loads an input, failing clearly when the path does not exist. */
  def read(spark: SparkSession, in: InputSpec): DataFrame = {
    val path = new Path(in.path)
    val fs =
      try path.getFileSystem(spark.sparkContext.hadoopConfiguration)
      catch {
        case e: Exception =>
          throw new PipelineException(s"Cannot access input ${in.path}: ${e.getMessage}", e)
      }
    // globs are allowed: check that something matches
    val matches = Option(fs.globStatus(path)).map(_.length).getOrElse(0)
    if (matches == 0) throw new PipelineException(s"Input not found: ${in.path}")
    spark.read.format(in.format).options(in.options).load(in.path)
  }

  /** Runs the whole pipeline and returns how many rows were written where. */
  def run(spark: SparkSession, config: PipelineConfig): PipelineResult = {
    val source = read(spark, config.input)
    val result = Transformations.applyAll(source, config.transformations, read(spark, _))
    write(result, config.output)
  }

  def write(df: DataFrame, out: OutputSpec): PipelineResult = {
    val shaped = out.coalesce.fold(df)(n => df.coalesce(n)).persist(StorageLevel.MEMORY_AND_DISK)
    try {
      val rows = shaped.count()
      val defaults = if (out.format == "csv") Map("header" -> "true") else Map.empty[String, String]
      val writer = shaped.write.format(out.format).mode(out.mode).options(defaults ++ out.options)
      val partitioned = if (out.partitionBy.nonEmpty) writer.partitionBy(out.partitionBy: _*) else writer
      try partitioned.save(out.path)
      catch {
        case e: Exception =>
          throw new PipelineException(s"Writing ${out.format} to ${out.path} failed: ${e.getMessage}", e)
      }
      PipelineResult(rows, out.path)
    } finally shaped.unpersist()
  }
}
