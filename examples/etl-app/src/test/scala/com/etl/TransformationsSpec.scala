package com.etl

import org.apache.spark.sql.DataFrame
import org.scalatest.funsuite.AnyFunSuite
import org.scalatest.matchers.should.Matchers

class TransformationsSpec extends AnyFunSuite with Matchers with SparkTestSupport {
  import Transformation._

  private def orders: DataFrame = {
    import spark.implicits._
    Seq(
      (1, 10, "laptop", 2, 899.0, "COMPLETED"),
      (2, 11, "mouse", 1, 19.99, "CANCELLED"),
      (3, 10, "desk", 1, 349.0, "COMPLETED"),
      (3, 10, "desk", 1, 349.0, "COMPLETED"), // duplicate order 3
      (4, 12, "chair", 3, 189.0, "COMPLETED")
    ).toDF("order_id", "customer_id", "product", "quantity", "unit_price", "status")
  }

  private def customers: DataFrame = {
    import spark.implicits._
    Seq((10, "DE"), (11, "FR")).toDF("customer_id", "country")
  }

  private val noJoins: InputSpec => DataFrame = _ => fail("no join input expected")

  private def run(steps: Transformation*): DataFrame = Transformations.applyAll(orders, steps, noJoins)

  test("filter keeps rows matching a SQL condition") {
    run(Filter("status = 'COMPLETED'")).count() shouldBe 4
  }

  test("select keeps the listed columns in order") {
    run(Select(Seq("product", "order_id"))).columns.toSeq shouldBe Seq("product", "order_id")
  }

  test("rename renames columns") {
    run(Rename(Seq("product" -> "item"))).columns should contain("item")
  }

  test("derive adds a column computed by a SQL expression") {
    val rows = run(Filter("order_id = 1"), Derive("revenue", "quantity * unit_price")).select("revenue").collect()
    rows.map(_.getDouble(0)).toSeq shouldBe Seq(1798.0)
  }

  test("dedupe drops duplicates by key columns or by all columns") {
    run(Dedupe(Seq("order_id"))).count() shouldBe 4
    run(Dedupe(Nil)).count() shouldBe 4
    run(Dedupe(Seq("customer_id"))).count() shouldBe 3
  }

  test("aggregate groups and computes aliased aggregate expressions") {
    val result = run(
      Filter("status = 'COMPLETED'"),
      Dedupe(Seq("order_id")),
      Derive("revenue", "quantity * unit_price"),
      Aggregate(Seq("customer_id"), Seq(Aggregation("count(*)", "orders"), Aggregation("sum(revenue)", "total")))
    ).orderBy("customer_id").collect().map(r => (r.getInt(0), r.getLong(1), r.getDouble(2))).toSeq
    result shouldBe Seq((10, 2L, 2147.0), (12, 1L, 567.0))
  }

  test("aggregate without groupBy yields one row") {
    run(Aggregate(Nil, Seq(Aggregation("max(quantity)", "max_q")))).collect().map(_.getInt(0)).toSeq shouldBe Seq(3)
  }

  test("join reads the other input and joins on key columns") {
    val joined = Transformations.applyAll(orders,
      Seq(Join(InputSpec("customers", "json"), Seq("customer_id"), "left"), Dedupe(Seq("order_id"))),
      _ => customers)
    joined.columns should contain("country")
    joined.where("country IS NULL").count() shouldBe 1 // customer 12 is unknown
    joined.count() shouldBe 4
  }

  test("sort orders by several keys, descending and ascending") {
    val ids = run(Dedupe(Seq("order_id")), Sort(Seq(SortKey("customer_id", descending = true), SortKey("order_id", descending = false))))
      .select("order_id").collect().map(_.getInt(0)).toSeq
    ids shouldBe Seq(4, 2, 1, 3)
  }

  test("an unknown column fails with the step index and the available columns") {
    val e = intercept[PipelineException](run(Filter("quantity > 0"), Select(Seq("order_id", "nope"))))
    e.getMessage should include("transformations[1] (select)")
    e.getMessage should include("unknown column(s) nope")
    e.getMessage should include("available: order_id, customer_id")
  }

  test("an invalid SQL expression fails with the step index") {
    val e = intercept[PipelineException](run(Derive("x", "no_such_function(quantity)")))
    e.getMessage should startWith("transformations[0] (derive) failed:")
  }
}
