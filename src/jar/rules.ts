// The verify rules about the file and its entries: each turns a fact from the scan into a finding that says
// what is wrong, why it matters on a Spark cluster and how to fix it in the build.
import type { Finding } from '../findings.js';
import type { JarScan, Sample, UnsafeReason } from './scan.js';
import type { ZipErrorKind } from './zip.js';

/** Rule ids of the verify stage. */
export const Rule = {
  noMainClass: 'verify/no-main-class',
  mainClassMismatch: 'verify/main-class-mismatch',
  mainClassMissing: 'verify/main-class-missing',
  mainClassInvalid: 'verify/main-class-invalid',
  classVersion: 'verify/class-version',
  classReleases: 'verify/class-releases',
  scalaVersion: 'verify/scala-version',
  missingClass: 'verify/missing-class',
  badManifest: 'verify/bad-manifest',
  signatureFiles: 'verify/signature-files',
  bundledSpark: 'verify/bundled-spark',
  bundledScala: 'verify/bundled-scala',
  duplicateEntry: 'verify/duplicate-entry',
  unsafePath: 'verify/unsafe-path',
  badEntryName: 'verify/bad-entry-name',
  encrypted: 'verify/encrypted',
  unsupportedMethod: 'verify/unsupported-method',
  notAZip: 'verify/not-a-zip',
  truncated: 'verify/truncated',
  corrupt: 'verify/corrupt',
  empty: 'verify/empty',
  tooLarge: 'verify/too-large',
} as const;

/** Bytes per MB for verify.maxSizeMb and for sizes in messages (MiB, as file managers show). */
export const MB = 1024 * 1024;

/** jarFinding builds a finding about the JAR file itself (its path is the annotation's file). */
export function jarFinding(
  jar: string,
  severity: Finding['severity'],
  rule: string,
  title: string,
  message: string,
): Finding {
  return { stage: 'verify', severity, rule, title, message, file: jar };
}

/** formatMb renders a byte count as MB with one decimal. */
export function formatMb(bytes: number): string {
  return `${(bytes / MB).toFixed(1)} MB`;
}

/** nameList renders the first names of a sample, and how many more there are. */
export function nameList(s: Sample, max = 3): string {
  const shown = s.names.slice(0, max).join(', ');
  return s.count > max ? `${shown} and ${s.count - max} more` : shown;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

/** sizeFindings checks the file size against verify.maxSizeMb. */
export function sizeFindings(jar: string, sizeBytes: number, maxSizeMb: number | undefined): Finding[] {
  if (maxSizeMb === undefined || sizeBytes <= maxSizeMb * MB) return [];
  return [
    jarFinding(
      jar,
      'error',
      Rule.tooLarge,
      `The JAR is ${formatMb(sizeBytes)}, over verify.maxSizeMb (${maxSizeMb} MB)`,
      'a large assembly slows image builds, uploads and executor start-up; mark dependencies the cluster already has (Spark, Hadoop, cloud SDKs) as "provided" in build.sbt, or raise verify.maxSizeMb',
    ),
  ];
}

/** emptyFinding reports a 0-byte file or a zip without entries. */
export function emptyFinding(jar: string, zeroBytes: boolean): Finding {
  return jarFinding(
    jar,
    'error',
    Rule.empty,
    zeroBytes ? 'The JAR is an empty file (0 bytes)' : 'The JAR has no entries',
    zeroBytes
      ? 'the build was interrupted or wrote nothing; run sbt assembly again and check its output for errors'
      : 'the assembly packaged nothing; check that the project compiles classes and that the jar input points at the assembly JAR (target/scala-*/*-assembly-*.jar)',
  );
}

/** zipErrorFinding explains why the file could not be read as a zip. */
export function zipErrorFinding(jar: string, kind: ZipErrorKind, detail: string, head: Uint8Array): Finding {
  if (kind === 'truncated') {
    return jarFinding(
      jar,
      'error',
      Rule.truncated,
      'The JAR is truncated',
      `${detail}; the file is incomplete (an interrupted build or download, or a full disk): rebuild it with sbt assembly`,
    );
  }
  if (kind === 'corrupt') {
    return jarFinding(
      jar,
      'error',
      Rule.corrupt,
      'The JAR is corrupt',
      `${detail}; Java cannot open it either: rebuild it with sbt assembly, and do not edit it with other zip tools`,
    );
  }
  return jarFinding(
    jar,
    'error',
    Rule.notAZip,
    'The file is not a JAR (zip) archive',
    `${detail}${describeHead(head)}; point the jar input at the assembly JAR that sbt assembly writes (target/scala-*/*-assembly-*.jar)`,
  );
}

/** Says what a non-zip file looks like, from its first bytes. */
function describeHead(head: Uint8Array): string {
  const text = Buffer.from(head.subarray(0, 64)).toString('latin1').trimStart().toLowerCase();
  if (text.startsWith('<!doctype html') || text.startsWith('<html'))
    return ' (it is an HTML page: a failed download?)';
  if (text.startsWith('<?xml') || text.startsWith('<project')) return ' (it is an XML file, such as a .pom)';
  if (head[0] === 0x1f && head[1] === 0x8b) return ' (it is gzip-compressed, such as a .tgz)';
  if (text.startsWith('version https://git-lfs'))
    return ' (it is a Git LFS pointer: fetch LFS files on checkout)';
  return '';
}

const UNSAFE_WHY: Record<UnsafeReason, string> = {
  parent: '".." segments',
  absolute: 'absolute paths',
  backslash: 'backslashes',
  empty: 'an empty name',
};

/** entryFindings turns the problems found by the central-directory scan into findings. */
export function entryFindings(jar: string, scan: JarScan): Finding[] {
  const out: Finding[] = [];
  const f = (severity: Finding['severity'], rule: string, title: string, message: string) =>
    out.push(jarFinding(jar, severity, rule, title, message));
  if (scan.encrypted.count) {
    f(
      'error',
      Rule.encrypted,
      `${plural(scan.encrypted.count, 'encrypted entry', 'encrypted entries')} in the JAR: ${nameList(scan.encrypted)}`,
      'Java refuses to open a JAR with encrypted entries ("invalid CEN header (encrypted entry)"); build the JAR without a password and do not re-pack it with zip -e',
    );
  }
  if (scan.unsupportedMethods.count) {
    f(
      'error',
      Rule.unsupportedMethod,
      `${plural(scan.unsupportedMethods.count, 'entry', 'entries')} with a compression method Java cannot read: ${nameList(scan.unsupportedMethods)}`,
      'Java reads only stored and deflated entries ("invalid CEN header (bad compression method)"); rebuild the JAR with sbt assembly instead of re-packing it with another archiver',
    );
  }
  if (scan.badNames.count) {
    f(
      'error',
      Rule.badEntryName,
      `${plural(scan.badNames.count, 'entry name', 'entry names')} not valid UTF-8: ${nameList(scan.badNames)}`,
      'Java reads JAR entry names as UTF-8 and refuses to open the JAR ("invalid CEN header (bad entry name)"); rename the files, or rebuild with a tool that writes UTF-8 names',
    );
  }
  if (scan.duplicates.count) {
    f(
      'error',
      Rule.duplicateEntry,
      `${plural(scan.duplicates.count, 'duplicate entry', 'duplicate entries')} in the JAR: ${nameList(scan.duplicates)}`,
      'with two entries of the same name, which copy the JVM loads is up to the zip reader; rebuild with sbt assembly (its merge strategies pick one copy) instead of appending to the JAR with jar uf or zip',
    );
  }
  if (scan.unsafePaths.count) {
    const why = [...scan.unsafeReasons].map((r) => UNSAFE_WHY[r]).join(', ');
    f(
      'error',
      Rule.unsafePath,
      `${plural(scan.unsafePaths.count, 'entry', 'entries')} with an unsafe path (${why}): ${nameList(scan.unsafePaths)}`,
      'such entries are not valid JAR paths and can write outside the target directory when the JAR is unpacked (zip slip); rename or remove them from the resources that go into the assembly',
    );
  }
  if (scan.signatureFiles.count) {
    f(
      'error',
      Rule.signatureFiles,
      `${plural(scan.signatureFiles.count, 'signature file')} left in the fat JAR: ${nameList(scan.signatureFiles)}`,
      'signatures copied from a signed dependency do not match the merged JAR, so the JVM fails with "Invalid signature file digest for Manifest main attributes"; discard META-INF/*.SF, *.DSA, *.RSA and *.EC in assembly / assemblyMergeStrategy (sbt-assembly\'s default keeps .EC)',
    );
  }
  return out;
}
