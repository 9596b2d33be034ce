import { logLines } from './sbt-output.js';

// What sbt and sbt-assembly print about the JARs they write (checked against their sources and real runs):
//   sbt-assembly 2.x   `[info] Built: /abs/app.jar` and, when nothing changed, `Assembly jar up to date: /abs/app.jar`
//   sbt-assembly ≤ 1.x `Assembly up to date: /abs/app.jar`; the JAR itself is written by sbt's Package.makeJar,
//   which (like sbt ≤ 1.3's `package`) logs `Packaging /abs/app.jar ...`.
// sbt 1.4+ `package` prints nothing at info level, nor does sbt-assembly 1.x on such an sbt for a fresh JAR
// (checked with sbt 1.11.7): those are found by the fallback globs.
const JAR_LINE =
  /^\[info\]\s+(?:Built:|Assembly jar up to date:|Assembly up to date:|Packaging)\s+(.+?\.jar)(?:\s+\.\.\.)?\s*$/;
// Side artefacts of `package`/`publish`, never the application.
const SIDE_JAR = /-(?:sources|javadoc|tests|test-sources|test-javadoc)\.jar$/;

/** parseBuiltJars returns the JARs sbt said it built (or found up to date), in the order it printed them, once each. */
export function parseBuiltJars(log: string): string[] {
  const out: string[] = [];
  for (const raw of logLines(log)) {
    if (!raw.startsWith('[info]')) continue;
    const m = JAR_LINE.exec(raw.trimEnd());
    const path = m?.[1]?.trim();
    if (path && !SIDE_JAR.test(path) && !out.includes(path)) out.push(path);
  }
  return out;
}

/** isSideJar tells a sources/javadoc/tests JAR from an application JAR. */
export function isSideJar(path: string): boolean {
  return SIDE_JAR.test(path);
}
