package com.etl

import java.io.{ByteArrayOutputStream, PrintStream}
import java.nio.file.Files

import org.scalatest.funsuite.AnyFunSuite
import org.scalatest.matchers.should.Matchers

class PipelineSpec extends AnyFunSuite with Matchers with SparkTestSupport {

  private def localConfigWritingTo(out: String): PipelineConfig = {
    val c = PipelineConfig.fromLocalFile("configs/local.json")
    c.copy(output = c.output.copy(path = out))
  }

  test("configs/local.json on the shipped data writes 15 revenue rows") {
    val out = SparkTestSession.tempDir("etl-out").resolve("customer_revenue").toString
    val result = Pipeline.run(spark, localConfigWritingTo(out))
    result shouldBe PipelineResult(15, out)

    val written = spark.read.parquet(out)
    written.columns.toSeq shouldBe Seq("country", "customer_segment", "orders", "units", "total_revenue", "avg_order_value")
    written.count() shouldBe 15
    val top = written.orderBy(written("total_revenue").desc).head()
    (top.getString(0), top.getString(1), top.getLong(2), top.getDouble(4)) shouldBe (("NL", "consumer", 10L, 6200.66))
    // 105 completed, distinct orders in total
    written.selectExpr("sum(orders)").head().getLong(0) shouldBe 105L
  }

  test("csv output with append mode adds rows") {
    val out = SparkTestSession.tempDir("etl-csv").resolve("r").toString
    val base = localConfigWritingTo(out)
    val csv = base.copy(output = base.output.copy(format = "csv", mode = "append"))
    Pipeline.run(spark, csv).rows shouldBe 15
    Pipeline.run(spark, csv).rows shouldBe 15
    spark.read.option("header", "true").csv(out).count() shouldBe 30
  }

  test("a missing input fails with a clear message") {
    val c = localConfigWritingTo(SparkTestSession.tempDir("etl-x").toString)
    val missing = c.copy(input = c.input.copy(path = "/nonexistent/orders.csv"))
    intercept[PipelineException](Pipeline.run(spark, missing)).getMessage shouldBe
      "Input not found: /nonexistent/orders.csv"
  }

  test("Main: bad command lines and bad configs give non-zero exit codes and a clear message") {
    val err = new ByteArrayOutputStream()
    def run(args: String*): Int = {
      val saved = System.err
      System.setErr(new PrintStream(err, true))
      try Main.run(args.toArray) finally System.setErr(saved)
    }
    run() shouldBe 2
    err.toString should include("ETL FAILED: missing --config <file>")
    run("--config", "configs/missing.json") shouldBe 1
    err.toString should include("ETL FAILED: Config file not found:")
    val bad = Files.createTempFile("bad", ".json")
    Files.write(bad, """{"input": {"path": "x.csv", "format": "xml"}, "output": {"path": "/o", "format": "csv"}}""".getBytes("UTF-8"))
    run("--config", bad.toString) shouldBe 1
    err.toString should include("input.format must be one of csv, json, parquet (got 'xml')")
    run("--config", "configs/local.json", "--validate-only") shouldBe 0
  }
}
