package com.etl

import java.nio.file.{Files, Paths}

import scala.util.control.NonFatal

import org.apache.hadoop.fs.Path
import org.apache.spark.{SparkConf, SparkFiles}
import org.apache.spark.sql.SparkSession

/**
 * spark-submit --class com.etl.Main etl-pipeline-assembly-1.0.0.jar --config configs/local.json
 *
 * Exit codes: 0 success, 1 bad config or failed run, 2 bad command line.
 * On success the last line on stdout is `ETL OK: wrote <n> rows to <path>`.
 */
object Main {
  val Usage: String =
    """Usage: com.etl.Main --config <pipeline.json> [--validate-only]
      |  --config FILE     pipeline config (local path, or any Hadoop URI such as s3a://...)
      |  --validate-only   check the config and exit, without starting Spark""".stripMargin

  final case class Args(config: String, validateOnly: Boolean)

  def parseArgs(args: Seq[String]): Either[String, Args] = {
    def loop(rest: List[String], config: Option[String], validate: Boolean): Either[String, Args] = rest match {
      case Nil => config.map(c => Args(c, validate)).toRight("missing --config <file>")
      case ("--config" | "-c") :: value :: tail if !value.startsWith("--") => loop(tail, Some(value), validate)
      case ("--config" | "-c") :: _ => Left("--config needs a file argument")
      case arg :: tail if arg.startsWith("--config=") => loop(tail, Some(arg.stripPrefix("--config=")), validate)
      case "--validate-only" :: tail => loop(tail, config, validate = true)
      case other :: _ => Left(s"unknown argument '$other'")
    }
    loop(args.toList, None, validate = false)
  }

  def main(args: Array[String]): Unit = {
    val code = run(args)
    if (code != 0) sys.exit(code)
  }

  /** Runs the job; returns the process exit code (never calls sys.exit). */
  def run(args: Array[String]): Int = parseArgs(args) match {
    case Left(problem) =>
      System.err.println(s"ETL FAILED: $problem\n$Usage")
      2
    case Right(parsed) =>
      var spark: Option[SparkSession] = None
      var exitCode = 1
      try {
        val config = loadConfig(parsed.config, () => spark.getOrElse {
          val s = startSpark(Map.empty, "etl-pipeline"); spark = Some(s); s
        })
        println(s"ETL config ${parsed.config}: pipeline '${config.name}', ${config.transformations.size} transformation(s)")
        println(s"ETL input:  ${config.input.format} ${config.input.path}")
        println(s"ETL output: ${config.output.format} ${config.output.path} (mode ${config.output.mode})")
        if (parsed.validateOnly) {
          println(s"CONFIG OK: ${config.name}")
          exitCode = 0
          0
        } else {
          val session = spark match {
            case Some(s) => // started early to read the config: apply what can still be applied
              config.sparkConf.foreach { case (k, v) =>
                if (!s.sparkContext.getConf.contains(k) && s.conf.isModifiable(k)) s.conf.set(k, v)
              }
              s
            case None =>
              val s = startSpark(config.sparkConf, config.name); spark = Some(s); s
          }
          val result = Pipeline.run(session, config)
          println(s"ETL OK: wrote ${result.rows} rows to ${result.outputPath}")
          exitCode = 0
          0
        }
      } catch {
        case e: ConfigException =>
          System.err.println(s"ETL FAILED: ${e.getMessage}")
          1
        case e: PipelineException =>
          System.err.println(s"ETL FAILED: ${e.getMessage}")
          1
        case NonFatal(e) =>
          System.err.println(s"ETL FAILED: ${e.getClass.getName}: ${e.getMessage}")
          e.printStackTrace()
          1
      } finally {
        // the exit code reaches cluster managers that read it (YARN client, Kubernetes)
        spark.foreach(_.sparkContext.stop(exitCode))
      }
  }

  /**
   * A local path is read before Spark starts (so a bad config fails fast).
   * A URI (s3a://, hdfs://) is read through Hadoop. A bare file name that is
   * not in the working directory is looked up among files shipped with
   * spark-submit --files.
   */
  private def loadConfig(location: String, spark: () => SparkSession): PipelineConfig = {
    val hasScheme = new Path(location).toUri.getScheme != null && !location.startsWith("file:")
    val local = Paths.get(location.stripPrefix("file:"))
    if (!hasScheme && Files.isRegularFile(local)) PipelineConfig.fromLocalFile(local.toString)
    else if (!hasScheme && !location.contains("/")) {
      spark() // SparkFiles needs a running SparkContext
      val shipped = Paths.get(SparkFiles.get(location))
      if (Files.isRegularFile(shipped)) PipelineConfig.fromLocalFile(shipped.toString)
      else throw new ConfigException(s"Config file not found: $location (not in ${local.toAbsolutePath.getParent} nor among --files)")
    } else if (!hasScheme) throw new ConfigException(s"Config file not found: ${local.toAbsolutePath}")
    else {
      val session = spark()
      val path = new Path(location)
      val fs = path.getFileSystem(session.sparkContext.hadoopConfiguration)
      if (!fs.exists(path)) throw new ConfigException(s"Config file not found: $location")
      val in = fs.open(path)
      val text = try scala.io.Source.fromInputStream(in, "UTF-8").mkString finally in.close()
      PipelineConfig.parse(text, baseDir = path.getParent.toString, source = location)
    }
  }

  private def startSpark(extraConf: Map[String, String], appName: String): SparkSession = {
    val conf = new SparkConf()
    if (!conf.contains("spark.master")) {
      // not launched by spark-submit (e.g. `java -cp ... com.etl.Main` or `sbt run`)
      println("ETL note: spark.master not set, using local[*]")
      conf.setMaster("local[*]")
    }
    if (!conf.contains("spark.app.name")) conf.setAppName(appName)
    extraConf.foreach { case (k, v) => if (!conf.contains(k)) conf.set(k, v) }
    SparkSession.builder().config(conf).getOrCreate()
  }
}
