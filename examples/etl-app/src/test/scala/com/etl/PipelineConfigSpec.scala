package com.etl

import java.nio.file.Paths

import org.scalatest.funsuite.AnyFunSuite
import org.scalatest.matchers.should.Matchers

class PipelineConfigSpec extends AnyFunSuite with Matchers {
  import Transformation._

  private val base = "/etc/etl/configs"

  private def parse(json: String): PipelineConfig = PipelineConfig.parse(json, base, "test.json")

  private def errorOf(json: String): String = intercept[ConfigException](parse(json)).getMessage

  private val minimal =
    """{"input": {"path": "../data/in.csv", "format": "csv"},
      | "output": {"path": "out", "format": "parquet"}}""".stripMargin

  test("a minimal config gets defaults and resolves relative paths against the config directory") {
    val c = parse(minimal)
    c.name shouldBe "etl-pipeline"
    c.input shouldBe InputSpec("/etc/etl/data/in.csv", "csv", Map.empty)
    c.output.path shouldBe "/etc/etl/configs/out"
    c.output.mode shouldBe "overwrite"
    c.transformations shouldBe empty
  }

  test("absolute paths and URIs are kept as they are") {
    PipelineConfig.resolvePath(base, "/data/x.csv") shouldBe "/data/x.csv"
    PipelineConfig.resolvePath(base, "s3a://bucket/raw/x.csv") shouldBe "s3a://bucket/raw/x.csv"
    PipelineConfig.resolvePath("s3a://bucket/conf", "../raw/x.csv") shouldBe "s3a://bucket/raw/x.csv"
  }

  test("all shipped configs parse, and local.json points at the shipped data") {
    for (env <- Seq("local", "development", "staging", "production")) {
      val c = PipelineConfig.fromLocalFile(s"configs/$env.json")
      c.name shouldBe s"customer-revenue-$env"
      c.transformations.map(_.kind) shouldBe Seq("dedupe", "filter", "derive", "join", "aggregate", "rename", "sort")
      if (env != "local") c.input.path should startWith("s3a://")
    }
    val local = PipelineConfig.fromLocalFile("configs/local.json")
    local.input.path shouldBe Paths.get("data/orders.csv").toAbsolutePath.toString
    local.output.path shouldBe "/tmp/spark-deploy-demo/output/customer_revenue"
    local.transformations(3) shouldBe Join(
      InputSpec(Paths.get("data/customers.json").toAbsolutePath.toString, "json"), Seq("customer_id"), "left")
  }

  test("every transformation type parses") {
    val c = parse(
      """{"input": {"path": "/in", "format": "json", "options": {"multiLine": true}},
        | "transformations": [
        |   {"type": "filter", "condition": "a > 1"},
        |   {"type": "select", "columns": ["a", "b"]},
        |   {"type": "rename", "columns": {"a": "x", "b": "y"}},
        |   {"type": "derive", "column": "z", "expression": "x + y"},
        |   {"type": "aggregate", "groupBy": ["x"], "aggregations": [{"expression": "sum(z)", "alias": "s"}]},
        |   {"type": "dedupe"},
        |   {"type": "JOIN", "input": {"path": "/other", "format": "parquet"}, "on": ["x"]},
        |   {"type": "sort", "columns": ["s DESC", "x"]}
        | ],
        | "output": {"path": "/out", "format": "CSV", "mode": "append", "partitionBy": ["x"], "coalesce": 2}}""".stripMargin)
    c.input.options shouldBe Map("multiLine" -> "true")
    c.transformations shouldBe Seq(
      Filter("a > 1"),
      Select(Seq("a", "b")),
      Rename(Seq("a" -> "x", "b" -> "y")),
      Derive("z", "x + y"),
      Aggregate(Seq("x"), Seq(Aggregation("sum(z)", "s"))),
      Dedupe(Nil),
      Join(InputSpec("/other", "parquet"), Seq("x"), "inner"),
      Sort(Seq(SortKey("s", descending = true), SortKey("x", descending = false))))
    c.output shouldBe OutputSpec("/out", "csv", "append", Map.empty, Seq("x"), Some(2))
  }

  test("invalid JSON is reported as such") {
    errorOf("""{"input": """) should include("test.json: not valid JSON")
  }

  test("all problems are listed together") {
    val msg = errorOf(
      """{"input": {"format": "xml"},
        | "transformations": [{"type": "explode"}, {"type": "filter"}, {"type": "derive", "column": "c"}],
        | "output": {"path": "/out", "format": "parquet", "mode": "upsert"},
        | "inputs": []}""".stripMargin)
    msg should startWith("Invalid pipeline config test.json:")
    msg should include("input.path is required")
    msg should include("input.format must be one of csv, json, parquet (got 'xml')")
    msg should include("transformations[0].type 'explode' is not supported")
    msg should include("transformations[1] (filter).condition is required")
    msg should include("transformations[2] (derive).expression is required")
    msg should include("output.mode must be one of overwrite, append (got 'upsert')")
    msg should include("unknown top-level field 'inputs'")
  }

  test("missing input or output sections are errors") {
    errorOf("""{"output": {"path": "/o", "format": "csv"}}""") should include("input is required")
    errorOf("""{"input": {"path": "/i", "format": "csv"}}""") should include("output is required")
  }

  test("a missing config file is reported with its path") {
    intercept[ConfigException](PipelineConfig.fromLocalFile("configs/nope.json")).getMessage should
      include("Config file not found:")
  }
}
