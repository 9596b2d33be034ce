// Byte-level checks of entry names that the scan applies to the few entries that need them: META-INF
// files, Spark and Scala packages, unsafe paths. Names stay bytes in the central directory buffer.

const ascii = (s: string): Buffer => Buffer.from(s, 'latin1');
/** META-INF/MANIFEST.MF in upper case, for case-insensitive matching. */
export const MANIFEST_UPPER = ascii('META-INF/MANIFEST.MF');
const META_INF_UPPER = ascii('META-INF/');
const SPARK = ascii('org/apache/spark/');
const SCALA = ascii('scala/');
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
const DOT_DOT = ascii('..');

/** startsWith tells whether the name [start, start + len) begins with prefix. */
export function startsWith(buf: Buffer, start: number, len: number, prefix: Buffer): boolean {
  if (len < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (buf[start + i] !== prefix[i]) return false;
  return true;
}

/** equalsUpper compares ASCII bytes at start with upper (upper case), folding a-z in buf. */
export function equalsUpper(buf: Buffer, start: number, upper: Buffer): boolean {
  for (let i = 0; i < upper.length; i++) {
    const b = buf[start + i] as number;
    if ((b >= 0x61 && b <= 0x7a ? b - 0x20 : b) !== upper[i]) return false;
  }
  return true;
}

/** isManifestName tells whether the name is META-INF/MANIFEST.MF in any case, as JarFile accepts it. */
export function isManifestName(cd: Buffer, start: number, len: number): boolean {
  return len === MANIFEST_UPPER.length && equalsUpper(cd, start, MANIFEST_UPPER);
}

/** isSignatureFile tells whether the name is META-INF/<x>.SF|.DSA|.RSA|.EC, any case, as the JDK decides. */
export function isSignatureFile(cd: Buffer, start: number, len: number): boolean {
  if (len < META_INF_UPPER.length + 3 || !equalsUpper(cd, start, META_INF_UPPER)) return false;
  const end = start + len;
  for (let i = start + META_INF_UPPER.length; i < end; i++) if (cd[i] === 0x2f) return false;
  for (const ext of SIGNATURE_EXTENSIONS) {
    if (len > META_INF_UPPER.length + ext.length && equalsUpper(cd, end - ext.length, ext)) return true;
  }
  return false;
}

/** isSparkDistributionEntry tells whether the name is under org/apache/spark/ but not a separate module. */
export function isSparkDistributionEntry(cd: Buffer, start: number, len: number): boolean {
  if (!startsWith(cd, start, len, SPARK)) return false;
  for (const p of SPARK_EXTERNAL) if (startsWith(cd, start, len, p)) return false;
  return true;
}

/** isScalaEntry tells whether the name is under scala/. */
export function isScalaEntry(cd: Buffer, start: number, len: number): boolean {
  return startsWith(cd, start, len, SCALA);
}

/** isAbsolutePath tells whether the name starts with / or a drive letter (C: ). */
export function isAbsolutePath(cd: Buffer, start: number, len: number): boolean {
  if (len === 0) return false;
  const first = cd[start] as number;
  if (first === 0x2f) return true;
  const lower = first | 0x20;
  return len >= 2 && cd[start + 1] === 0x3a && lower >= 0x61 && lower <= 0x7a;
}

/** findDotDot returns the position of the next ".." at or after from (at memchr speed), or Infinity. */
export function findDotDot(cd: Buffer, from: number): number {
  const p = cd.indexOf(DOT_DOT, from);
  return p < 0 ? Number.POSITIVE_INFINITY : p;
}

/**
 * hasParentSegment tells whether the name [start, end), with a ".." at dotDot, has ".." as a whole path
 * segment ('/' or '\' separated); it also returns the next ".." after the name, or Infinity.
 */
export function hasParentSegment(cd: Buffer, dotDot: number, start: number, end: number): [boolean, number] {
  let p = dotDot;
  for (; p + 2 <= end; p = findDotDot(cd, p + 1)) {
    const before = p === start || cd[p - 1] === 0x2f || cd[p - 1] === 0x5c;
    const after = p + 2 === end || cd[p + 2] === 0x2f || cd[p + 2] === 0x5c;
    if (before && after) return [true, findDotDot(cd, end)];
  }
  return [false, p];
}
