package com.etl

import scala.util.control.NonFatal

import org.apache.spark.sql.{Column, DataFrame}
import org.apache.spark.sql.functions.{col, expr}

/** A pipeline step failed; the message names the step. */
final class PipelineException(message: String, cause: Throwable = null) extends RuntimeException(message, cause)

object Transformations {
  import Transformation._

  /**
   * Applies `steps` in order. `readInput` loads the right-hand side of a join.
   * Spark analyses each step eagerly, so a bad column or SQL expression fails
   * here, with the step's index in the message.
   */
  def applyAll(df: DataFrame, steps: Seq[Transformation], readInput: InputSpec => DataFrame): DataFrame =
    steps.zipWithIndex.foldLeft(df) { case (acc, (step, i)) =>
      try applyOne(acc, step, readInput)
      catch {
        case e: PipelineException => throw new PipelineException(s"transformations[$i] (${step.kind}): ${e.getMessage}", e)
        case NonFatal(e) =>
          val msg = Option(e.getMessage).getOrElse(e.toString).split("\n").head
          throw new PipelineException(s"transformations[$i] (${step.kind}) failed: $msg", e)
      }
    }

  def applyOne(df: DataFrame, step: Transformation, readInput: InputSpec => DataFrame): DataFrame = step match {
    case Filter(condition) => df.where(expr(condition))

    case Select(columns) =>
      requireColumns(df, columns)
      df.select(columns.map(col): _*)

    case Rename(pairs) =>
      requireColumns(df, pairs.map(_._1))
      pairs.foldLeft(df) { case (d, (from, to)) => d.withColumnRenamed(from, to) }

    case Derive(column, expression) => df.withColumn(column, expr(expression))

    case Aggregate(groupBy, aggregations) =>
      requireColumns(df, groupBy)
      val aggs: Seq[Column] = aggregations.map(a => expr(a.expression).as(a.alias))
      df.groupBy(groupBy.map(col): _*).agg(aggs.head, aggs.tail: _*)

    case Dedupe(columns) =>
      if (columns.isEmpty) df.dropDuplicates()
      else { requireColumns(df, columns); df.dropDuplicates(columns) }

    case Join(input, on, how) =>
      val right = readInput(input)
      requireColumns(df, on)
      requireColumns(right, on, side = s"join input ${input.path}")
      df.join(right, on, how)

    case Sort(keys) =>
      requireColumns(df, keys.map(_.column))
      df.orderBy(keys.map(k => if (k.descending) col(k.column).desc else col(k.column).asc): _*)
  }

  private def requireColumns(df: DataFrame, wanted: Seq[String], side: String = "input"): Unit = {
    val have = df.columns.toSeq
    val missing = wanted.filterNot(w => have.exists(_.equalsIgnoreCase(w)))
    if (missing.nonEmpty)
      throw new PipelineException(
        s"unknown column(s) ${missing.mkString(", ")} in $side; available: ${have.mkString(", ")}")
  }
}
