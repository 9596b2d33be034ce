// verifyJar: every rule over one JAR, reading its tail, its central directory, its manifest, the header of
// every class and the constant pools of the application's classes the main class reaches. Hashing is the stage's job (verify-stage.ts), so this stays fast to benchmark.
import { type FileHandle, open } from 'node:fs/promises';
import type { Finding } from '../findings.js';
import { bundledFindings } from './bundled.js';
import { type ClassHeader, parseClassHeader } from './classfile.js';
import {
  classFileOf,
  classVersionFindings,
  type ExpectedMainClass,
  invalidClassFinding,
  manifestFindings,
  mismatchFinding,
  missingClassFinding,
  noMainClassFinding,
} from './main-class-rules.js';
import { type Manifest, mainAttribute, parseManifest } from './manifest.js';
import { emptyFinding, entryFindings, sizeFindings, zipErrorFinding } from './rules.js';
import { DEFAULT_RUNTIME, type VerifyRuntime } from './runtime.js';
import { type RuntimeFacts, runRuntimeChecks } from './runtime-checks.js';
import { type JarScan, scanJar } from './scan.js';
import { openZip, readAt, type ZipArchive, ZipError } from './zip.js';
import { entryAt } from './zip-entries.js';
import { readEntry, readEntryHead } from './zip-read.js';

export type { ExpectedMainClass } from './main-class-rules.js';

/** VerifyOptions configures verifyJar. */
export interface VerifyOptions {
  /** Path shown in findings and annotations (default: the path as given). */
  displayPath?: string;
  /** Main class from the main-class input or app.mainClass (default: the manifest's Main-Class). */
  expectedMainClass?: ExpectedMainClass;
  /** Highest Java release whose class files the runtime loads. */
  javaRelease: number;
  /** verify.maxSizeMb: largest acceptable JAR in MB of 1,048,576 bytes (default: no limit). */
  maxSizeMb?: number;
  /** verify.allowBundledSpark: no warning for bundled Spark or Scala classes (default false). */
  allowBundledSpark?: boolean;
  /** The runtime the JAR will run on (default: the action's default Spark 3.5.6 / Scala 2.12, as a guess). */
  runtime?: VerifyRuntime;
  signal?: AbortSignal;
}

/** JarFacts is what verifyJar learned about the JAR, for the report and the artifact. */
export interface JarFacts {
  sizeBytes: number;
  /** Whether the file could be read as a zip at all. */
  readable: boolean;
  entries: number;
  classes: number;
  zip64: boolean;
  /** Bytes before the zip data (a launcher script prepended to the JAR). */
  prefixBytes: number;
  manifest: { present: boolean; mainClass?: string; error?: string };
  /** The class Spark will run, when one is named. */
  mainClass?: {
    name: string;
    source: 'manifest' | 'input' | 'config';
    classFile: string;
    present: boolean;
    header?: ClassHeader;
  };
  bundled: { sparkEntries: number; scalaEntries: number };
  /** What the runtime checks learned (absent when the JAR could not be read that far). */
  runtime?: RuntimeFacts;
}

/** JarVerification is the outcome of verifyJar. */
export interface JarVerification {
  facts: JarFacts;
  findings: Finding[];
  durationMs: number;
}

/** The manifest is read whole; anything larger than this is not a manifest a build tool wrote. */
const MAX_MANIFEST_BYTES = 8 * 1024 * 1024;

/**
 * verifyJar runs every rule of the verify stage on the JAR at path and returns findings instead of
 * throwing for them; it throws only for I/O errors (the file is missing or unreadable).
 */
export async function verifyJar(path: string, options: VerifyOptions): Promise<JarVerification> {
  const started = performance.now();
  const jar = options.displayPath ?? path;
  const fh = await open(path, 'r');
  try {
    const stat = await fh.stat();
    if (!stat.isFile()) throw new Error(`${jar} is not a regular file`);
    const facts: JarFacts = {
      sizeBytes: stat.size,
      readable: false,
      entries: 0,
      classes: 0,
      zip64: false,
      prefixBytes: 0,
      manifest: { present: false },
      bundled: { sparkEntries: 0, scalaEntries: 0 },
    };
    const findings: Finding[] = [];
    const done = () => ({ facts, findings, durationMs: performance.now() - started });
    if (stat.size === 0) {
      findings.push(emptyFinding(jar, true));
      return done();
    }
    findings.push(...sizeFindings(jar, stat.size, options.maxSizeMb));

    let zip: ZipArchive;
    let scan: JarScan;
    try {
      zip = await openZip(fh, stat.size);
      scan = scanJar(zip);
    } catch (err) {
      if (!(err instanceof ZipError)) throw err;
      findings.push(zipErrorFinding(jar, err.kind, `${jar}: ${err.message}`, await readAt(fh, 0, 64)));
      return done();
    }
    options.signal?.throwIfAborted();
    Object.assign(facts, {
      readable: true,
      entries: scan.entries,
      classes: scan.classes,
      zip64: zip.zip64,
      prefixBytes: zip.prefixBytes,
      bundled: { sparkEntries: scan.sparkEntries, scalaEntries: scan.scalaEntries },
    });
    if (scan.entries === 0) {
      findings.push(emptyFinding(jar, false));
      return done();
    }
    findings.push(...entryFindings(jar, scan));
    findings.push(...bundledFindings(jar, scan, options.allowBundledSpark ?? false));
    try {
      await checkMainClass(fh, zip, scan, jar, options, facts, findings);
      options.signal?.throwIfAborted();
      const mc = facts.mainClass;
      const checked = await runRuntimeChecks({
        fh,
        zip,
        scan,
        jar,
        jarPath: jar,
        javaRelease: options.javaRelease,
        runtime: options.runtime ?? { ...DEFAULT_RUNTIME, source: 'default', extraClasspath: [] },
        ...(mc?.present ? { mainClass: mc.name } : {}),
        ...(mc?.present && (!mc.header || mc.header.release > options.javaRelease)
          ? { reportedMainClassFile: mc.classFile }
          : {}),
        allowBundledSpark: options.allowBundledSpark ?? false,
      });
      findings.push(...checked.findings);
      facts.runtime = checked.facts;
    } catch (err) {
      if (!(err instanceof ZipError)) throw err;
      findings.push(zipErrorFinding(jar, err.kind, `${jar}: ${err.message}`, new Uint8Array(0)));
    }
    return done();
  } finally {
    await fh.close();
  }
}

/** Whether an entry's data can be read at all (the rules already reported the ones that cannot). */
function readable(zip: ZipArchive, recordOffset: number): boolean {
  const e = entryAt(zip, recordOffset);
  return !e.isEncrypted && (e.method === 0 || e.method === 8);
}

async function checkMainClass(
  fh: FileHandle,
  zip: ZipArchive,
  scan: JarScan,
  jar: string,
  options: VerifyOptions,
  facts: JarFacts,
  findings: Finding[],
): Promise<void> {
  let manifest: Manifest | undefined;
  if (scan.manifest >= 0) {
    facts.manifest.present = true;
    if (readable(zip, scan.manifest)) {
      manifest = parseManifest(await readEntry(fh, zip, entryAt(zip, scan.manifest), MAX_MANIFEST_BYTES));
      findings.push(...manifestFindings(jar, manifest));
      if (manifest.error) facts.manifest.error = `${manifest.error.message} (line ${manifest.error.line})`;
    }
  }
  const fromManifest = manifest && !manifest.error ? mainAttribute(manifest, 'Main-Class') : undefined;
  if (fromManifest !== undefined) facts.manifest.mainClass = fromManifest;
  const expected = options.expectedMainClass;
  let mismatchReported = false;
  if (expected && fromManifest !== undefined && expected.value !== fromManifest) {
    const has = (c: string) => scan.index.find(Buffer.from(classFileOf(c), 'utf8')) >= 0;
    const present = { expected: has(expected.value), manifest: has(fromManifest) };
    findings.push(mismatchFinding(jar, expected, fromManifest, present));
    // A named class the JAR lacks is that error already: it names both classes.
    mismatchReported = !present.expected;
  }
  const name = expected?.value ?? fromManifest;
  if (name === undefined || name === '') {
    // A manifest Java cannot read is already reported; what it names cannot be known.
    if (!manifest?.error && (!facts.manifest.present || manifest))
      findings.push(noMainClassFinding(jar, manifest));
    return;
  }
  const classFile = classFileOf(name);
  const record = scan.index.find(Buffer.from(classFile, 'utf8'));
  facts.mainClass = { name, source: expected ? expected.from : 'manifest', classFile, present: record >= 0 };
  if (record < 0) {
    if (!mismatchReported) findings.push(missingClassFinding(jar, name));
    return;
  }
  if (!readable(zip, record)) return;
  const parsed = parseClassHeader(await readEntryHead(fh, zip, entryAt(zip, record), 8));
  if ('error' in parsed) {
    findings.push(invalidClassFinding(jar, classFile, parsed.error));
    return;
  }
  facts.mainClass.header = parsed;
  findings.push(...classVersionFindings(jar, name, parsed, options.javaRelease));
}
