// The rules that compare the JAR with the runtime it will run on: the Java release of every class, the
// Scala binary version, and whether the main class's references resolve there.
import type { Finding } from '../findings.js';
import type { ClassVersionStats } from './class-versions.js';
import type { LinkCheck } from './link-check.js';
import { jarFinding, Rule } from './rules.js';
import type { VerifyRuntime } from './runtime.js';
import { compatible, type JarScala, type ScalaEvidence } from './scala-version.js';

function count(n: number, one: string, many = `${one}es`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

function dotted(name: string): string {
  return name.replace(/\//g, '.');
}

/**
 * classReleaseFindings reports the classes compiled for a newer Java than the runtime's, in one finding
 * with counts per release and example names. The main class is reported by its own rule; mainClassFile
 * (its entry name) is left out of the counts when one of its rules fired.
 */
export function classReleaseFindings(
  jar: string,
  stats: ClassVersionStats,
  javaRelease: number,
  mainClassFile?: string,
): Finding[] {
  const releases = [...stats.tooNew].sort((a, b) => b[0] - a[0]);
  let total = 0;
  const parts: string[] = [];
  const examples: string[] = [];
  for (const [release, bucket] of releases) {
    const n = bucket.count - (mainClassFile && bucket.names.includes(mainClassFile) ? 1 : 0);
    if (n <= 0) continue;
    total += n;
    parts.push(`${n.toLocaleString('en-US')} for Java ${release}`);
    for (const name of bucket.names) if (name !== mainClassFile && examples.length < 4) examples.push(name);
  }
  const out: Finding[] = [];
  if (total > 0) {
    const top = releases[0]?.[0] ?? javaRelease;
    out.push(
      jarFinding(
        jar,
        'error',
        Rule.classReleases,
        `${count(total, 'class')} in the JAR need${total === 1 ? 's' : ''} Java ${top} but the runtime runs Java ${javaRelease}`,
        `${parts.join(', ')} (of ${stats.checked.toLocaleString('en-US')} classes read), e.g. ${examples.join(', ')}; the JVM fails with UnsupportedClassVersionError as soon as one is loaded. If they are your classes, compile with scalacOptions ++= Seq("-release", "${javaRelease}") and javacOptions ++= Seq("--release", "${javaRelease}"); if they come from a dependency, use a version of it built for Java ${javaRelease}; or run on a newer Java (java-release / spark.javaRelease)`,
      ),
    );
  }
  const invalid = stats.invalid.names.filter((n) => n !== mainClassFile);
  const invalidCount = stats.invalid.count - (stats.invalid.names.length - invalid.length);
  if (invalidCount > 0) {
    out.push(
      jarFinding(
        jar,
        'warning',
        Rule.classReleases,
        `${count(invalidCount, 'entry', 'entries')} named .class are not class files: ${invalid.slice(0, 3).join(', ')}`,
        'loading one fails with ClassFormatError ("Incompatible magic value"); rebuild with sbt clean assembly, and keep non-class resources out of .class names',
      ),
    );
  }
  return out;
}

function evidenceText(evidence: ScalaEvidence[], binary: string): string {
  return evidence
    .filter((e) => e.binary === binary)
    .map((e) => e.detail)
    .join('; ');
}

function runtimeName(rt: VerifyRuntime): string {
  return `Spark ${rt.sparkVersion}${rt.source === 'default' ? ' (the default: no deploy config)' : ''}`;
}

/**
 * scalaFindings reports a JAR built for another Scala binary version than the runtime's, and bundled
 * libraries built for another one. decided is the evidence that decides the JAR's version.
 */
export function scalaFindings(
  jar: string,
  scala: JarScala,
  decided: ScalaEvidence | undefined,
  rt: VerifyRuntime,
): Finding[] {
  const out: Finding[] = [];
  // Without a deploy config the runtime is the action's default, so a mismatch is a warning: set it.
  const severity = rt.source === 'config' ? 'error' : 'warning';
  const runScala = rt.scalaVersion;
  const spark4 = Number.parseInt(rt.sparkVersion, 10) >= 4;
  if (decided && !compatible(decided.binary, runScala)) {
    const fix =
      runScala === '2.12'
        ? `build for Scala 2.12 (scalaVersion := "2.12.18" in build.sbt; %% then picks the _2.12 Spark artifacts), or, if the cluster runs a Scala 2.13 build of Spark, set spark.scalaVersion: "2.13" in the deploy config`
        : spark4
          ? `Spark ${rt.sparkVersion} is built for Scala 2.13 only: build with scalaVersion := "2.13.16" (and Spark ${rt.sparkVersion} dependencies), or deploy to a Spark 3 runtime (spark.version 3.5.x)`
          : `build for Scala 2.13 (scalaVersion := "2.13.16" in build.sbt), or set spark.scalaVersion: "2.12" if the cluster runs Spark's default Scala 2.12 build`;
    const why =
      runScala === '2.12'
        ? 'code compiled for Scala 2.13 fails on a 2.12 runtime with NoSuchMethodError (e.g. scala.runtime.ScalaRunTime$.wrapRefArray) or NoClassDefFoundError: scala/$less$colon$less'
        : 'code compiled for Scala 2.12 fails on a 2.13 runtime with NoClassDefFoundError (e.g. scala/collection/TraversableOnce, scala/collection/mutable/WrappedArray)';
    const f = jarFinding(
      jar,
      severity,
      Rule.scalaVersion,
      `The JAR is built for Scala ${decided.binary} but the runtime, ${runtimeName(rt)}, runs Scala ${runScala}`,
      `${evidenceText(scala.evidence, decided.binary)}. Scala ${decided.binary} and ${runScala} are not binary compatible: ${why}. Fix: ${fix}`,
    );
    out.push(f);
    return out;
  }
  // The application matches; bundled libraries built for another Scala version break the same way.
  const foreign = [...scala.artifacts].filter(([binary]) => !compatible(binary, runScala));
  if (foreign.length > 0) {
    const names = foreign.flatMap(([, list]) => list);
    const versions = foreign.map(([b]) => b).join(' and ');
    out.push(
      jarFinding(
        jar,
        severity,
        Rule.scalaVersion,
        `${count(names.length, 'bundled library', 'bundled libraries')} built for Scala ${versions} on a Scala ${runScala} runtime: ${names.slice(0, 3).join(', ')}${names.length > 3 ? ', …' : ''}`,
        `${runtimeName(rt)} runs Scala ${runScala}, and a library compiled for another Scala binary version fails with NoSuchMethodError or NoClassDefFoundError when used; depend on its _${runScala} build: write "group" %% "artifact" % "version" (%% appends the project's Scala version) instead of a hard-coded _${foreign[0]?.[0]} suffix`,
      ),
    );
  }
  return out;
}

/** bundledScalaFinding notes a bundled scala-library of the runtime's binary version: harmless, only bigger. */
export function bundledScalaFinding(
  jar: string,
  scalaEntries: number,
  scala: JarScala,
  rt: VerifyRuntime,
): Finding[] {
  const version = scala.bundledLibrary;
  const lib = version ? `scala-library ${version}` : 'The Scala library';
  return [
    jarFinding(
      jar,
      'notice',
      Rule.bundledScala,
      `${lib} is bundled in the JAR (${scalaEntries.toLocaleString('en-US')} entries under scala/)`,
      `Spark ${rt.sparkVersion} provides Scala ${rt.scalaVersion} itself and loads its own copy first, so this one only makes the JAR bigger; leave it out with assemblyPackageScala / assembleArtifact := false in build.sbt`,
    ),
  ];
}

/** linkFindings reports classes the application needs that neither the JAR nor the runtime provides. */
export function linkFindings(
  jar: string,
  link: LinkCheck,
  rt: VerifyRuntime,
  sparkId: string,
  javaRelease: number,
  thin: boolean,
): Finding[] {
  if (link.missing.length === 0) return [];
  const byPackage = new Map<string, number>();
  for (const m of link.missing) {
    const pkg = m.name.slice(0, Math.max(0, m.name.lastIndexOf('/')));
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + 1);
  }
  const shown = link.missing
    .slice(0, 4)
    .map((m) => `${dotted(m.name)} (needed by ${dotted(m.neededBy)})`)
    .join(', ');
  const more = link.missing.length > 4 ? ` and ${link.missing.length - 4} more` : '';
  const packages = [...byPackage.keys()].slice(0, 4).map(dotted).join(', ');
  const indexed =
    sparkId.split('/')[0] === rt.sparkVersion
      ? ''
      : ` (checked against Spark ${sparkId.replace('/', ', Scala ')})`;
  const extra = rt.extraClasspath.length ? ` unless ${rt.extraClasspath.join(' or ')} provides them` : '';
  const fix = thin
    ? 'this looks like the output of sbt package, which holds only your own classes: build an assembly JAR with sbt-assembly (sbt assembly) so that dependencies go inside, keeping Spark "provided"'
    : 'if the dependency is marked "provided" in build.sbt but the cluster does not have it, drop "provided" so sbt assembly bundles it';
  return [
    jarFinding(
      jar,
      rt.extraClasspath.length ? 'warning' : 'error',
      Rule.missingClass,
      `${count(link.missing.length, 'class')} the application needs ${link.missing.length === 1 ? 'is' : 'are'} neither in the JAR nor on the runtime: ${dotted(link.missing[0]?.name ?? '')}${link.missing.length > 1 ? ', …' : ''}`,
      `${shown}${more}; packages ${packages} are not in the JAR, in Spark ${rt.sparkVersion}'s jars${indexed} or in Java ${javaRelease}, so the driver would fail with NoClassDefFoundError${extra}. Fix: ${fix}; or add the library at submit time with spark.jars.packages (group:artifact:version) or spark.jars`,
    ),
  ];
}
