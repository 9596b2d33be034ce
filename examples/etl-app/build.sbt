// etl-pipeline: a small Spark ETL job, packaged as a thin assembly JAR.
//   sbt -batch clean test assembly
//   -> target/scala-2.12/etl-pipeline-assembly-1.0.0.jar  (Main-Class: com.etl.Main)

val sparkVersion = "3.5.6"

// Spark on Java 17 needs these (the same list as Spark's JavaModuleOptions);
// spark-submit adds them itself, forked `sbt test`/`sbt run` need them here.
val sparkJava17Options = Seq(
  "-XX:+IgnoreUnrecognizedVMOptions",
  "--add-opens=java.base/java.lang=ALL-UNNAMED",
  "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED",
  "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
  "--add-opens=java.base/java.io=ALL-UNNAMED",
  "--add-opens=java.base/java.net=ALL-UNNAMED",
  "--add-opens=java.base/java.nio=ALL-UNNAMED",
  "--add-opens=java.base/java.util=ALL-UNNAMED",
  "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
  "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
  "--add-opens=java.base/jdk.internal.ref=ALL-UNNAMED",
  "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
  "--add-opens=java.base/sun.nio.cs=ALL-UNNAMED",
  "--add-opens=java.base/sun.security.action=ALL-UNNAMED",
  "--add-opens=java.base/sun.util.calendar=ALL-UNNAMED",
  "-Djdk.reflect.useDirectMethodHandle=false",
  "-Dio.netty.tryReflectionSetAccessible=true"
)

ThisBuild / organization := "com.etl"
ThisBuild / scalaVersion := "2.12.18"
ThisBuild / version      := "1.0.0"

lazy val root = (project in file("."))
  .settings(
    name := "etl-pipeline",
    scalacOptions ++= Seq("-deprecation", "-feature", "-unchecked", "-encoding", "UTF-8"),

    libraryDependencies ++= Seq(
      // Provided by the Spark runtime (cluster, spark-submit, the Docker image):
      // not bundled. Jackson, used to read the pipeline config, comes with it.
      "org.apache.spark" %% "spark-sql" % sparkVersion % Provided,
      "org.scalatest"    %% "scalatest" % "3.2.19"     % Test
    ),

    // Tests run in a forked JVM with a local[1] SparkSession.
    Test / fork := true,
    Test / javaOptions ++= sparkJava17Options ++ Seq("-Xmx1g", "-Dspark.ui.enabled=false"),
    Test / parallelExecution := false,
    Test / envVars := Map("SPARK_LOCAL_IP" -> "127.0.0.1"),
    // JUnit XML goes to target/test-reports/ (sbt's built-in JUnitXmlReportPlugin).
    Test / testOptions += Tests.Argument(TestFrameworks.ScalaTest, "-oD"),

    // `sbt "run --config configs/local.json"`: run with the provided Spark jars.
    Compile / run := Defaults.runTask(
      Compile / fullClasspath,
      Compile / run / mainClass,
      Compile / run / runner
    ).evaluated,
    run / fork := true,
    run / javaOptions ++= sparkJava17Options,
    run / connectInput := false,
    // forked stdout/stderr as is (otherwise Spark's stderr logging shows up as sbt [error] lines)
    run / outputStrategy := Some(StdoutOutput),

    // Assembly: only our classes (Spark and Scala come from the runtime).
    assembly / mainClass := Some("com.etl.Main"),
    Compile / mainClass  := Some("com.etl.Main"),
    assemblyPackageScala / assembleArtifact := false
  )
