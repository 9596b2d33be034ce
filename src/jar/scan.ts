// One pass over the central directory that gathers everything the entry-level rules need: per entry it
// hashes the name bytes once and checks them in the same loop, decoding a name to a string only when the
// entry is one of the first few examples of a problem.
import { isValidUtf8Name } from './entry-name.js';
import { NameIndex } from './name-index.js';
import type { ZipArchive } from './zip.js';
import { CentralEntry, readCentralEntry } from './zip-entries.js';

/** How many example names a Sample keeps. */
export const SAMPLE_NAMES = 10;

/** Sample counts the entries with one property and keeps the first few names, for messages. */
export interface Sample {
  count: number;
  names: string[];
}

/** Why an entry path is unsafe. */
export type UnsafeReason = 'parent' | 'absolute' | 'backslash' | 'empty';

/** JarScan is what one pass over the central directory found. */
export interface JarScan {
  entries: number;
  directories: number;
  classes: number;
  uncompressedBytes: number;
  /** Record offset of META-INF/MANIFEST.MF, matched without case as java.util.jar.JarFile does, or -1. */
  manifest: number;
  duplicates: Sample;
  unsafePaths: Sample;
  unsafeReasons: Set<UnsafeReason>;
  signatureFiles: Sample;
  encrypted: Sample;
  /** Entries compressed with a method other than stored (0) or deflated (8); names carry the method. */
  unsupportedMethods: Sample;
  /** Names that are not valid UTF-8 (Java refuses to open such a JAR). */
  badNames: Sample;
  /** Entries under org/apache/spark/, except Spark modules that are not part of a Spark distribution. */
  sparkEntries: number;
  /** Entries under scala/. */
  scalaEntries: number;
  /** The name index, for lookups of the main class and marker classes. */
  index: NameIndex;
}

const ascii = (s: string): Buffer => Buffer.from(s, 'latin1');
const MANIFEST_UPPER = ascii('META-INF/MANIFEST.MF');
const META_INF_UPPER = ascii('META-INF/');
const SPARK = ascii('org/apache/spark/');
const SCALA = ascii('scala/');
const CLASS = ascii('.class');
/** Spark modules published separately from the distribution: apps must bundle these (connectors, Delta). */
const SPARK_EXTERNAL = [
  'sql/kafka010/',
  'streaming/kafka010/',
  'kafka010/',
  'sql/avro/',
  'sql/protobuf/',
  'sql/connect/',
  'streaming/kinesis/',
  'internal/io/cloud/',
  'sql/delta/',
].map((p) => ascii(`org/apache/spark/${p}`));
const SIGNATURE_EXTENSIONS = ['.SF', '.DSA', '.RSA', '.EC'].map(ascii);

function sample(): Sample {
  return { count: 0, names: [] };
}

function note(s: Sample, e: CentralEntry, suffix = ''): void {
  if (s.count++ < SAMPLE_NAMES) s.names.push(e.name + suffix);
}

function startsWith(buf: Buffer, start: number, len: number, prefix: Buffer): boolean {
  if (len < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (buf[start + i] !== prefix[i]) return false;
  return true;
}

/** Compares ASCII without case: upper is upper case; bytes of buf are folded from a-z. */
function equalsUpper(buf: Buffer, start: number, upper: Buffer, from = 0, to = upper.length): boolean {
  for (let i = from; i < to; i++) {
    const b = buf[start + i - from] as number;
    if ((b >= 0x61 && b <= 0x7a ? b - 0x20 : b) !== upper[i]) return false;
  }
  return true;
}

function isSignatureFile(cd: Buffer, start: number, len: number): boolean {
  // META-INF/<name>.SF|.DSA|.RSA|.EC directly in META-INF, any case (as the JDK's JarFile decides).
  if (len < META_INF_UPPER.length + 3 || !equalsUpper(cd, start, META_INF_UPPER)) return false;
  const end = start + len;
  for (let i = start + META_INF_UPPER.length; i < end; i++) if (cd[i] === 0x2f) return false;
  for (const ext of SIGNATURE_EXTENSIONS) {
    if (len > META_INF_UPPER.length + ext.length && equalsUpper(cd, end - ext.length, ext)) return true;
  }
  return false;
}

function isSparkDistributionEntry(cd: Buffer, start: number, len: number): boolean {
  if (!startsWith(cd, start, len, SPARK)) return false;
  for (const p of SPARK_EXTERNAL) if (startsWith(cd, start, len, p)) return false;
  return true;
}

/** scanJar walks the central directory once and gathers the facts the entry-level rules need. */
export function scanJar(zip: ZipArchive): JarScan {
  const cd = zip.centralDirectory;
  const index = new NameIndex(cd, Math.max(zip.declaredEntries, 16));
  const scan: JarScan = {
    entries: 0,
    directories: 0,
    classes: 0,
    uncompressedBytes: 0,
    manifest: -1,
    duplicates: sample(),
    unsafePaths: sample(),
    unsafeReasons: new Set(),
    signatureFiles: sample(),
    encrypted: sample(),
    unsupportedMethods: sample(),
    badNames: sample(),
    sparkEntries: 0,
    scalaEntries: 0,
    index,
  };
  let manifestAnyCase = -1;
  const e = new CentralEntry(zip);
  // A plain loop rather than forEachEntry(callback): this is the hot path of the verify stage.
  for (let offset = 0; offset < cd.length; ) {
    offset = readCentralEntry(zip, offset, e);
    e.index = scan.entries++;
    const s = e.nameStart;
    const len = e.nameLength;
    const end = s + len;
    // One loop: FNV-1a hash, any high byte, backslashes and ".." path segments.
    let h = 0x811c9dc5;
    let high = 0;
    let seg = s;
    let parent = false;
    let backslash = false;
    for (let i = s; i < end; i++) {
      const b = cd[i] as number;
      h = Math.imul(h ^ b, 0x01000193);
      high |= b;
      if (b === 0x2f) {
        if (i - seg === 2 && cd[i - 1] === 0x2e && cd[i - 2] === 0x2e) parent = true;
        seg = i + 1;
      } else if (b === 0x5c) {
        backslash = true;
      }
    }
    if (end - seg === 2 && cd[end - 1] === 0x2e && cd[end - 2] === 0x2e) parent = true;
    const first = cd[s];
    const absolute =
      first === 0x2f ||
      (len >= 2 &&
        cd[s + 1] === 0x3a &&
        ((first as number) | 0x20) >= 0x61 &&
        ((first as number) | 0x20) <= 0x7a);

    if (index.add(h, e.recordOffset) >= 0) note(scan.duplicates, e);
    if (parent || absolute || backslash || len === 0) {
      note(scan.unsafePaths, e);
      if (parent) scan.unsafeReasons.add('parent');
      if (absolute) scan.unsafeReasons.add('absolute');
      if (backslash) scan.unsafeReasons.add('backslash');
      if (len === 0) scan.unsafeReasons.add('empty');
    }
    if (high >= 0x80 && !isValidUtf8Name(cd, s, end)) note(scan.badNames, e);
    if (e.isEncrypted) note(scan.encrypted, e);
    if (e.method !== 0 && e.method !== 8) note(scan.unsupportedMethods, e, ` (method ${e.method})`);
    scan.uncompressedBytes += e.size;

    if (cd[end - 1] === 0x2f) {
      scan.directories++;
      continue;
    }
    if (
      cd[end - 1] === 0x73 &&
      len > CLASS.length &&
      startsWith(cd, end - CLASS.length, CLASS.length, CLASS)
    ) {
      scan.classes++;
    }
    if (first === 0x4d || first === 0x6d) {
      if (len === MANIFEST_UPPER.length && equalsUpper(cd, s, MANIFEST_UPPER)) {
        if (manifestAnyCase < 0) manifestAnyCase = e.recordOffset;
      } else if (isSignatureFile(cd, s, len)) {
        note(scan.signatureFiles, e);
      }
    } else if (first === 0x6f) {
      if (isSparkDistributionEntry(cd, s, len)) scan.sparkEntries++;
    } else if (first === 0x73) {
      if (startsWith(cd, s, len, SCALA)) scan.scalaEntries++;
    }
  }
  // JarFile looks the manifest up by its exact name first, then without case.
  const exact = index.find(MANIFEST_UPPER);
  scan.manifest = exact >= 0 ? exact : manifestAnyCase;
  return scan;
}
