// Published on Maven Central as com.eed3si9n:sbt-assembly_2.12_1.0
addSbtPlugin("com.eed3si9n" % "sbt-assembly" % "2.3.1")
