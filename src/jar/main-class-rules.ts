// The rules about what Spark will run: the main class named by the input, the config or the manifest, and
// whether the JAR holds a class file for it that the runtime's Java can load.
import type { Finding } from '../findings.js';
import type { ClassHeader } from './classfile.js';
import type { Manifest } from './manifest.js';
import { jarFinding, Rule } from './rules.js';

/** ExpectedMainClass is the main class the user asked for, and where they said so. */
export interface ExpectedMainClass {
  value: string;
  from: 'input' | 'config';
  /** Config file and line, when from the config (annotations point there). */
  file?: string;
  line?: number;
}

/** classFileOf maps a binary class name to the JAR entry that holds it (com.etl.Main -> com/etl/Main.class). */
export function classFileOf(className: string): string {
  return `${className.replace(/\./g, '/')}.class`;
}

function whereSaid(e: ExpectedMainClass): string {
  return e.from === 'input' ? 'the main-class input' : 'app.mainClass in the deploy config';
}

/** manifestFindings reports a manifest that Java cannot read. */
export function manifestFindings(jar: string, manifest: Manifest | undefined): Finding[] {
  if (!manifest?.error) return [];
  return [
    jarFinding(
      jar,
      'error',
      Rule.badManifest,
      `META-INF/MANIFEST.MF is invalid: ${manifest.error.message} (line ${manifest.error.line})`,
      'Java cannot read this manifest, so the JAR cannot be loaded; let sbt assembly write it (remove a hand-written MANIFEST.MF from src/main/resources/META-INF) or fix that line',
    ),
  ];
}

/** noMainClassFinding reports that nothing names the class to run. */
export function noMainClassFinding(jar: string, manifest: Manifest | undefined): Finding {
  const ignored = manifest?.ignoredLastLine;
  const why = !manifest
    ? 'the JAR has no META-INF/MANIFEST.MF'
    : ignored && /^\s*main-class\s*:/i.test(ignored.text)
      ? `the manifest's last line (${ignored.line}: "${ignored.text}") has no line end, and Java ignores such a line`
      : 'its META-INF/MANIFEST.MF has no Main-Class attribute';
  return jarFinding(
    jar,
    'error',
    Rule.noMainClass,
    'No Main-Class in the JAR manifest and no main-class input',
    `Spark needs to know which class to run, but ${why}; set assembly / mainClass := Some("com.example.Main") in build.sbt, or the main-class input (app.mainClass in the config)`,
  );
}

/** mismatchFinding reports a main class that differs from the manifest's; it points at the config when it came from there. */
export function mismatchFinding(
  jar: string,
  expected: ExpectedMainClass,
  manifestMainClass: string,
  present: { expected: boolean; manifest: boolean } = { expected: false, manifest: true },
): Finding {
  // Every target names the main class to Spark (--class, mainClass), so the manifest's is not used: with the
  // named class in the JAR, the difference is worth knowing, not a failure.
  const f: Finding = present.expected
    ? {
        stage: 'verify',
        severity: 'warning',
        rule: Rule.mainClassMismatch,
        title: `The deploy runs ${expected.value}, not the manifest's Main-Class ${manifestMainClass}`,
        message: `${whereSaid(expected)} names ${expected.value}, and Spark is given it explicitly, so the manifest's Main-Class ${manifestMainClass} is not used${present.manifest ? '' : ` (it is not even in the JAR: a stale assembly / mainClass in build.sbt?)`}; make them agree in build.sbt (assembly / mainClass) to avoid surprises with java -jar`,
        file: jar,
      }
    : {
        stage: 'verify',
        severity: 'error',
        rule: Rule.mainClassMismatch,
        title: `Main class ${expected.value} differs from the manifest's Main-Class ${manifestMainClass}`,
        message: `${whereSaid(expected)} says ${expected.value} but the JAR's manifest says ${manifestMainClass}; make them agree: fix assembly / mainClass in build.sbt or ${whereSaid(expected)}, or remove the latter to use the manifest's`,
        file: jar,
      };
  if (expected.from === 'config' && expected.file) {
    f.file = expected.file;
    if (expected.line) f.line = expected.line;
  }
  return f;
}

/** missingClassFinding reports that the main class has no class file in the JAR. */
export function missingClassFinding(jar: string, className: string): Finding {
  const spaces = className !== className.trim() ? ' (the name has leading or trailing spaces)' : '';
  return jarFinding(
    jar,
    'error',
    Rule.mainClassMissing,
    `Main-Class ${className.trim()} is not in the JAR`,
    `looked for ${classFileOf(className)}${spaces}; check the class name and package, assembly / mainClass in build.sbt, and that the class is compiled in this project rather than in a dependency marked provided`,
  );
}

/** invalidClassFinding reports a main-class entry that is not a class file. */
export function invalidClassFinding(jar: string, classFile: string, why: string): Finding {
  return jarFinding(
    jar,
    'error',
    Rule.mainClassInvalid,
    `${classFile} is not a valid class file`,
    `${why}; the JVM would fail with ClassFormatError: rebuild with sbt clean assembly`,
  );
}

/** classVersionFindings reports a main class compiled for a newer Java than the runtime runs. */
export function classVersionFindings(
  jar: string,
  className: string,
  header: ClassHeader,
  javaRelease: number,
): Finding[] {
  if (header.release <= javaRelease) return [];
  return [
    jarFinding(
      jar,
      'error',
      Rule.classVersion,
      `${className} needs Java ${header.release} but the runtime runs Java ${javaRelease}`,
      `${classFileOf(className)} has class-file version ${header.major} (Java ${header.release}), so the cluster would fail with UnsupportedClassVersionError; compile for the runtime with scalacOptions ++= Seq("-release", "${javaRelease}") and javacOptions ++= Seq("--release", "${javaRelease}"), or set java-release (spark.javaRelease) if the runtime's Java is newer`,
    ),
  ];
}
