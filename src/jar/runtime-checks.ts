// Runs the checks that read inside the JAR's classes and compare them with the runtime: every class's Java
// release, the Scala binary version, the bundled Scala library and whether the main class links.
import type { FileHandle } from 'node:fs/promises';
import type { Finding } from '../findings.js';
import { bundledMarkers, SCALA_MARKERS } from './bundled.js';
import { scanClassVersions } from './class-versions.js';
import { appPrefix, JarClasses } from './jar-classes.js';
import { checkLinks } from './link-check.js';
import type { VerifyRuntime } from './runtime.js';
import { runtimePackages } from './runtime-index/index.js';
import { bundledScalaFinding, classReleaseFindings, linkFindings, scalaFindings } from './runtime-rules.js';
import { decideScala, jarScala } from './scala-version.js';
import type { JarScan } from './scan.js';
import type { ZipArchive } from './zip.js';

/** RuntimeFacts is what the runtime checks learned, for the report. */
export interface RuntimeFacts {
  runtime: VerifyRuntime;
  classReleases: { checked: number; maxRelease: number; tooNew: number; fallback: number; ms: number };
  scala: { binary?: string; decidedBy?: string; bundledLibrary?: string; classesRead: number; ms: number };
  link?: { sparkIndex: string; followed: number; complete: boolean; missing: number; ms: number };
}

export interface RuntimeCheckInput {
  fh: FileHandle;
  zip: ZipArchive;
  scan: JarScan;
  jar: string;
  /** The JAR's path as the user knows it (for target/scala-2.x/ and _2.x evidence). */
  jarPath: string;
  javaRelease: number;
  runtime: VerifyRuntime;
  /** The main class (dots) when present in the JAR. */
  mainClass?: string;
  /** The main class's entry name when its own class-version rule fired (left out of the counts). */
  reportedMainClassFile?: string;
  allowBundledSpark: boolean;
}

/** runRuntimeChecks returns the findings of the runtime rules and what they learned. */
export async function runRuntimeChecks(
  input: RuntimeCheckInput,
): Promise<{ findings: Finding[]; facts: RuntimeFacts }> {
  const { fh, zip, scan, jar, runtime, javaRelease } = input;
  const findings: Finding[] = [];
  let t = performance.now();
  const stats = await scanClassVersions(fh, zip, javaRelease);
  findings.push(...classReleaseFindings(jar, stats, javaRelease, input.reportedMainClassFile));
  let tooNew = 0;
  for (const b of stats.tooNew.values()) tooNew += b.count;
  const facts: RuntimeFacts = {
    runtime,
    classReleases: {
      checked: stats.checked,
      maxRelease: stats.maxRelease,
      tooNew,
      fallback: stats.fallback,
      ms: performance.now() - t,
    },
    scala: { classesRead: 0, ms: 0 },
  };

  t = performance.now();
  const classes = new JarClasses(fh, zip, scan, javaRelease);
  const main = input.mainClass?.replace(/\./g, '/');
  const prefix = main ? appPrefix(main) : '';
  const scala = await jarScala(fh, zip, classes, input.jarPath, {
    ...(main ? { mainClass: main } : {}),
    prefix,
  });
  const decided = decideScala(scala.evidence);
  findings.push(...scalaFindings(jar, scala, decided, runtime));
  const scalaLib = bundledMarkers(scan, SCALA_MARKERS).length > 0;
  const libBinary = scala.evidence.find((e) => e.source === 'library.properties')?.binary;
  if (
    scalaLib &&
    !input.allowBundledSpark &&
    (libBinary === undefined || libBinary === runtime.scalaVersion)
  ) {
    findings.push(...bundledScalaFinding(jar, scan.scalaEntries, scala, runtime));
  }
  facts.scala = {
    ...(decided ? { binary: decided.binary, decidedBy: decided.source } : {}),
    ...(scala.bundledLibrary ? { bundledLibrary: scala.bundledLibrary } : {}),
    classesRead: scala.classesRead,
    ms: performance.now() - t,
  };

  if (main && classes.has(main)) {
    t = performance.now();
    const provided = runtimePackages(runtime.sparkVersion, runtime.scalaVersion, javaRelease);
    const link = await checkLinks(classes, main, prefix, provided);
    // A JAR with nothing but the application's classes (and no bundled library metadata) is sbt package's.
    const thin = scala.artifacts.size === 0 && !scalaLib && onlyUnder(zip, prefix);
    findings.push(...linkFindings(jar, link, runtime, provided.sparkId, javaRelease, thin));
    facts.link = {
      sparkIndex: provided.sparkId,
      followed: link.followed,
      complete: link.complete,
      missing: link.missing.length,
      ms: performance.now() - t,
    };
  }
  return { findings, facts };
}

const META_INF = Buffer.from('META-INF/', 'latin1');

/** Whether every class of the JAR is under prefix (a JAR of the application's classes only). */
function onlyUnder(zip: ZipArchive, prefix: string): boolean {
  const cd = zip.centralDirectory;
  const p = Buffer.from(prefix, 'utf8');
  let off = 0;
  while (off + 46 <= cd.length) {
    const nl = cd.readUInt16LE(off + 28);
    const s = off + 46;
    const e = s + nl;
    const isClass = nl > 6 && cd[e - 1] === 0x73 && cd[e - 6] === 0x2e && cd[e - 5] === 0x63;
    const under = nl > p.length && cd.compare(p, 0, p.length, s, s + p.length) === 0;
    if (isClass && !under && cd.compare(META_INF, 0, 9, s, Math.min(e, s + 9)) !== 0) return false;
    off = s + nl + cd.readUInt16LE(off + 30) + cd.readUInt16LE(off + 32);
  }
  return true;
}
