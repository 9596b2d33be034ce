package com.etl

import java.nio.charset.StandardCharsets
import java.nio.file.{Files, Paths}

import scala.collection.JavaConverters._
import scala.collection.mutable.ListBuffer
import scala.util.control.NonFatal

import com.fasterxml.jackson.core.JsonParser
import com.fasterxml.jackson.databind.{JsonNode, ObjectMapper}
import org.apache.hadoop.fs.Path

/** A config that cannot be used: every problem found is listed in the message. */
final class ConfigException(message: String) extends RuntimeException(message)

final case class InputSpec(path: String, format: String, options: Map[String, String] = Map.empty)

final case class OutputSpec(
    path: String,
    format: String,
    mode: String,
    options: Map[String, String] = Map.empty,
    partitionBy: Seq[String] = Nil,
    coalesce: Option[Int] = None)

final case class Aggregation(expression: String, alias: String)

final case class SortKey(column: String, descending: Boolean)

sealed trait Transformation { def kind: String }

object Transformation {
  final case class Filter(condition: String) extends Transformation { val kind = "filter" }
  final case class Select(columns: Seq[String]) extends Transformation { val kind = "select" }
  /** old name -> new name, in config order */
  final case class Rename(columns: Seq[(String, String)]) extends Transformation { val kind = "rename" }
  final case class Derive(column: String, expression: String) extends Transformation { val kind = "derive" }
  final case class Aggregate(groupBy: Seq[String], aggregations: Seq[Aggregation]) extends Transformation {
    val kind = "aggregate"
  }
  /** Empty columns: drop rows that are duplicates in every column. */
  final case class Dedupe(columns: Seq[String]) extends Transformation { val kind = "dedupe" }
  final case class Join(input: InputSpec, on: Seq[String], how: String) extends Transformation { val kind = "join" }
  final case class Sort(columns: Seq[SortKey]) extends Transformation { val kind = "sort" }

  val Kinds: Seq[String] = Seq("filter", "select", "rename", "derive", "aggregate", "dedupe", "join", "sort")
  val JoinTypes: Seq[String] = Seq("inner", "left", "right", "full", "left_semi", "left_anti")
}

/**
 * A pipeline: read `input`, apply `transformations` in order, write `output`.
 *
 * Paths without a scheme that are not absolute are relative to the directory
 * of the config file; they are resolved when the config is parsed.
 */
final case class PipelineConfig(
    name: String,
    description: Option[String],
    input: InputSpec,
    transformations: Seq[Transformation],
    output: OutputSpec,
    sparkConf: Map[String, String])

object PipelineConfig {
  val InputFormats: Seq[String] = Seq("csv", "json", "parquet")
  val OutputFormats: Seq[String] = Seq("parquet", "csv")
  val OutputModes: Seq[String] = Seq("overwrite", "append")

  private val mapper = new ObjectMapper()
    .configure(JsonParser.Feature.STRICT_DUPLICATE_DETECTION, true)

  /** Reads and parses a config file on the local file system. */
  def fromLocalFile(file: String): PipelineConfig = {
    val p = Paths.get(file).toAbsolutePath.normalize()
    if (!Files.isRegularFile(p)) throw new ConfigException(s"Config file not found: $p")
    val text = new String(Files.readAllBytes(p), StandardCharsets.UTF_8)
    parse(text, baseDir = p.getParent.toString, source = p.toString)
  }

  /**
   * Parses config JSON. `baseDir` is the directory relative paths are
   * resolved against (a local directory or a URI such as s3a://bucket/conf).
   */
  def parse(json: String, baseDir: String, source: String = "<config>"): PipelineConfig = {
    val root =
      try mapper.readTree(json)
      catch {
        case NonFatal(e) =>
          val msg = Option(e.getMessage).getOrElse(e.toString).split("\n").head
          throw new ConfigException(s"Invalid pipeline config $source: not valid JSON: $msg")
      }
    if (root == null || !root.isObject)
      throw new ConfigException(s"Invalid pipeline config $source: the top level must be a JSON object")

    val errors = ListBuffer.empty[String]
    val r = new Reader(errors)

    val name = r.optString(root, "name", "pipeline").getOrElse("etl-pipeline")
    val description = r.optString(root, "description", "description")
    val input = r.obj(root, "input", "input").map(n => r.inputSpec(n, "input", baseDir))
    val transformations = r.optArray(root, "transformations", "transformations") match {
      case Some(items) => items.zipWithIndex.flatMap { case (n, i) => r.transformation(n, s"transformations[$i]", baseDir) }
      case None        => Nil
    }
    val output = r.obj(root, "output", "output").map(n => r.outputSpec(n, "output", baseDir))
    val sparkConf = r.optObj(root, "spark", "spark").flatMap(s => r.optStringMap(s, "conf", "spark.conf")).getOrElse(Map.empty)

    val known = Set("name", "description", "input", "transformations", "output", "spark")
    root.fieldNames().asScala.filterNot(known).foreach(f => errors += s"unknown top-level field '$f'")

    if (errors.nonEmpty || input.isEmpty || output.isEmpty)
      throw new ConfigException(
        s"Invalid pipeline config $source:\n" + errors.map("  - " + _).mkString("\n"))
    PipelineConfig(name, description, input.get, transformations, output.get, sparkConf)
  }

  /** Resolves `path` against `baseDir` unless it is absolute or has a scheme. */
  def resolvePath(baseDir: String, path: String): String = {
    val p = new Path(path)
    if (p.isAbsolute || p.toUri.getScheme != null) path
    else new Path(new Path(baseDir), p).toString
  }

  private final class Reader(errors: ListBuffer[String]) {
    private def typeName(n: JsonNode): String =
      if (n.isTextual) "a string" else if (n.isNumber) "a number" else if (n.isBoolean) "a boolean"
      else if (n.isArray) "an array" else if (n.isObject) "an object" else "null"

    def obj(parent: JsonNode, field: String, where: String): Option[JsonNode] = Option(parent.get(field)) match {
      case Some(n) if n.isObject => Some(n)
      case Some(n)               => errors += s"$where must be an object (got ${typeName(n)})"; None
      case None                  => errors += s"$where is required"; None
    }

    def optObj(parent: JsonNode, field: String, where: String): Option[JsonNode] =
      Option(parent.get(field)).filterNot(_.isNull).flatMap { n =>
        if (n.isObject) Some(n) else { errors += s"$where must be an object (got ${typeName(n)})"; None }
      }

    def string(parent: JsonNode, field: String, where: String): Option[String] = Option(parent.get(field)) match {
      case Some(n) if n.isTextual && n.asText.trim.nonEmpty => Some(n.asText)
      case Some(n) if n.isTextual => errors += s"$where must not be empty"; None
      case Some(n) => errors += s"$where must be a string (got ${typeName(n)})"; None
      case None    => errors += s"$where is required"; None
    }

    def optString(parent: JsonNode, field: String, where: String): Option[String] =
      Option(parent.get(field)).filterNot(_.isNull).flatMap { n =>
        if (n.isTextual) Some(n.asText) else { errors += s"$where must be a string (got ${typeName(n)})"; None }
      }

    def oneOf(parent: JsonNode, field: String, where: String, allowed: Seq[String], default: Option[String] = None): Option[String] = {
      val v = if (default.isDefined && !parent.has(field)) default else string(parent, field, where)
      v.map(_.trim.toLowerCase).flatMap { s =>
        if (allowed.contains(s)) Some(s)
        else { errors += s"$where must be one of ${allowed.mkString(", ")} (got '${v.get}')"; None }
      }
    }

    def optArray(parent: JsonNode, field: String, where: String): Option[Seq[JsonNode]] =
      Option(parent.get(field)).filterNot(_.isNull).flatMap { n =>
        if (n.isArray) Some(n.elements().asScala.toList)
        else { errors += s"$where must be an array (got ${typeName(n)})"; None }
      }

    def stringList(parent: JsonNode, field: String, where: String, required: Boolean): Seq[String] =
      Option(parent.get(field)).filterNot(_.isNull) match {
        case None =>
          if (required) errors += s"$where is required"
          Nil
        case Some(n) if n.isArray && n.elements().asScala.forall(e => e.isTextual && e.asText.trim.nonEmpty) =>
          val xs = n.elements().asScala.map(_.asText).toList
          if (required && xs.isEmpty) errors += s"$where must not be empty"
          xs
        case Some(_) =>
          errors += s"$where must be an array of non-empty strings"
          Nil
      }

    def optStringMap(parent: JsonNode, field: String, where: String): Option[Map[String, String]] =
      Option(parent.get(field)).filterNot(_.isNull).flatMap { n =>
        if (!n.isObject) { errors += s"$where must be an object (got ${typeName(n)})"; None }
        else Some(n.fields().asScala.toList.flatMap { e =>
          val v = e.getValue
          if (v.isValueNode && !v.isNull) Some(e.getKey -> v.asText)
          else { errors += s"$where.${e.getKey} must be a string, number or boolean"; None }
        }.toMap)
      }

    def inputSpec(n: JsonNode, where: String, baseDir: String): InputSpec = {
      val path = string(n, "path", s"$where.path")
      val format = oneOf(n, "format", s"$where.format", InputFormats)
      val options = optStringMap(n, "options", s"$where.options").getOrElse(Map.empty)
      InputSpec(path.map(resolvePath(baseDir, _)).getOrElse(""), format.getOrElse(""), options)
    }

    def outputSpec(n: JsonNode, where: String, baseDir: String): OutputSpec = {
      val path = string(n, "path", s"$where.path")
      val format = oneOf(n, "format", s"$where.format", OutputFormats)
      val mode = oneOf(n, "mode", s"$where.mode", OutputModes, default = Some("overwrite"))
      val options = optStringMap(n, "options", s"$where.options").getOrElse(Map.empty)
      val partitionBy = stringList(n, "partitionBy", s"$where.partitionBy", required = false)
      val coalesce = Option(n.get("coalesce")).filterNot(_.isNull).flatMap { c =>
        if (c.canConvertToInt && c.isIntegralNumber && c.asInt > 0) Some(c.asInt)
        else { errors += s"$where.coalesce must be a positive integer"; None }
      }
      OutputSpec(path.map(resolvePath(baseDir, _)).getOrElse(""), format.getOrElse(""), mode.getOrElse(""),
        options, partitionBy, coalesce)
    }

    def transformation(n: JsonNode, where: String, baseDir: String): Option[Transformation] = {
      import Transformation._
      if (!n.isObject) { errors += s"$where must be an object (got ${typeName(n)})"; return None }
      val kind = string(n, "type", s"$where.type").map(_.trim.toLowerCase)
      val at = kind.map(k => s"$where ($k)").getOrElse(where)
      val before = errors.size
      val t: Option[Transformation] = kind match {
        case None => None
        case Some("filter") => string(n, "condition", s"$at.condition").map(Filter)
        case Some("select") => Some(Select(stringList(n, "columns", s"$at.columns", required = true)))
        case Some("rename") =>
          optStringMap(n, "columns", s"$at.columns") match {
            case Some(m) if m.nonEmpty =>
              // keep config order
              Some(Rename(n.get("columns").fieldNames().asScala.toList.flatMap(k => m.get(k).map(k -> _))))
            case Some(_) => errors += s"$at.columns must not be empty"; None
            case None    => errors += s"$at.columns is required (an object of old name -> new name)"; None
          }
        case Some("derive") =>
          for (c <- string(n, "column", s"$at.column"); e <- string(n, "expression", s"$at.expression"))
            yield Derive(c, e)
        case Some("aggregate") =>
          val groupBy = stringList(n, "groupBy", s"$at.groupBy", required = false)
          val aggs = optArray(n, "aggregations", s"$at.aggregations").getOrElse {
            errors += s"$at.aggregations is required"; Nil
          }
          if (parentHas(n, "aggregations") && aggs.isEmpty) errors += s"$at.aggregations must not be empty"
          val parsed = aggs.zipWithIndex.flatMap { case (a, i) =>
            if (!a.isObject) { errors += s"$at.aggregations[$i] must be an object"; None }
            else for (e <- string(a, "expression", s"$at.aggregations[$i].expression");
                      al <- string(a, "alias", s"$at.aggregations[$i].alias")) yield Aggregation(e, al)
          }
          Some(Aggregate(groupBy, parsed))
        case Some("dedupe") => Some(Dedupe(stringList(n, "columns", s"$at.columns", required = false)))
        case Some("join") =>
          val in = obj(n, "input", s"$at.input").map(i => inputSpec(i, s"$at.input", baseDir))
          val on = stringList(n, "on", s"$at.on", required = true)
          val how = oneOf(n, "how", s"$at.how", JoinTypes, default = Some("inner"))
          for (i <- in; h <- how) yield Join(i, on, h)
        case Some("sort") =>
          val cols = stringList(n, "columns", s"$at.columns", required = true)
          Some(Sort(cols.flatMap { c =>
            c.trim.split("\\s+").toList match {
              case col :: Nil                                       => Some(SortKey(col, descending = false))
              case col :: dir :: Nil if dir.equalsIgnoreCase("asc")  => Some(SortKey(col, descending = false))
              case col :: dir :: Nil if dir.equalsIgnoreCase("desc") => Some(SortKey(col, descending = true))
              case _ => errors += s"$at.columns: '$c' must be 'column', 'column asc' or 'column desc'"; None
            }
          }))
        case Some(other) =>
          errors += s"$where.type '$other' is not supported; use one of ${Kinds.mkString(", ")}"
          None
      }
      if (errors.size > before) None else t
    }

    private def parentHas(n: JsonNode, field: String): Boolean = n.has(field) && !n.get(field).isNull
  }
}
