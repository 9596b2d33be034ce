// One pass over the central directory that gathers everything the entry-level rules need. It is the hot
// path of the verify stage (120,000 entries, ~10 MB of names in a fat JAR), so it is one loop over the
// buffer with the record parsing, the name hash and the hash-table insert inline: V8 optimizes such a loop
// early (on-stack replacement), and it touches no per-entry object. Rare cases (a problem, a META-INF,
// Spark or Scala entry, a zip64 record) go to small functions; a name becomes a string only when it is
// one of the first few examples of a problem.
import { decodeEntryName, isValidUtf8Name } from './entry-name.js';
import {
  findDotDot,
  hasParentSegment,
  isAbsolutePath,
  isManifestName,
  isScalaEntry,
  isSignatureFile,
  isSparkDistributionEntry,
  MANIFEST_UPPER,
} from './entry-names.js';
import { NameIndex } from './name-index.js';
import { type ZipArchive, ZipError } from './zip.js';
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

function sample(): Sample {
  return { count: 0, names: [] };
}

const MAX32 = 0xffffffff;
const FLAG_ENCRYPTED = 0x0001 | 0x0040;
const FLAG_UTF8 = 0x0800;
/** Bits the hot loop passes to the slow path. */
const Odd = {
  duplicate: 1,
  high: 2,
  backslash: 4,
  parent: 8,
  encrypted: 16,
  method: 32,
  special: 64,
} as const;

/** Records the problems of one entry and classifies META-INF, Spark and Scala entries (the slow path). */
function slowPath(
  scan: JarScan,
  cd: Buffer,
  o: number,
  s: number,
  len: number,
  odd: number,
  state: { manifest: number },
) {
  const flags = (cd[o + 8] as number) | ((cd[o + 9] as number) << 8);
  const method = (cd[o + 10] as number) | ((cd[o + 11] as number) << 8);
  const name = () => decodeEntryName(cd, s, s + len, (flags & FLAG_UTF8) !== 0);
  const note = (x: Sample, suffix = '') => {
    if (x.count++ < SAMPLE_NAMES) x.names.push(name() + suffix);
  };
  if (odd & Odd.duplicate) note(scan.duplicates);
  const absolute = isAbsolutePath(cd, s, len);
  if (odd & (Odd.backslash | Odd.parent) || absolute || len === 0) {
    note(scan.unsafePaths);
    if (odd & Odd.parent) scan.unsafeReasons.add('parent');
    if (absolute) scan.unsafeReasons.add('absolute');
    if (odd & Odd.backslash) scan.unsafeReasons.add('backslash');
    if (len === 0) scan.unsafeReasons.add('empty');
  }
  if (odd & Odd.high && !isValidUtf8Name(cd, s, s + len)) note(scan.badNames);
  if (odd & Odd.encrypted) note(scan.encrypted);
  if (odd & Odd.method) note(scan.unsupportedMethods, ` (method ${method})`);
  if (len === 0 || cd[s + len - 1] === 0x2f) return;
  const first = cd[s];
  if (first === 0x4d || first === 0x6d) {
    if (isManifestName(cd, s, len)) {
      if (state.manifest < 0) state.manifest = o;
    } else if (isSignatureFile(cd, s, len)) {
      note(scan.signatureFiles);
    }
  } else if (first === 0x6f) {
    if (isSparkDistributionEntry(cd, s, len)) scan.sparkEntries++;
  } else if (first === 0x73) {
    if (isScalaEntry(cd, s, len)) scan.scalaEntries++;
  }
}

/** Compares the name of the record at rec with the name [s, s + len). */
function sameName(cd: Buffer, rec: number, s: number, len: number): boolean {
  if (((cd[rec + 28] as number) | ((cd[rec + 29] as number) << 8)) !== len) return false;
  return cd.compare(cd, s, s + len, rec + 46, rec + 46 + len) === 0;
}

/** Re-parses a record with the general parser: it resolves zip64 fields and throws the precise ZipError. */
function recordOf(zip: ZipArchive, o: number): CentralEntry {
  const e = new CentralEntry(zip);
  readCentralEntry(zip, o, e);
  return e;
}

/** scanJar walks the central directory once and gathers the facts the entry-level rules need. */
export function scanJar(zip: ZipArchive): JarScan {
  const cd = zip.centralDirectory;
  const end = cd.length;
  const dv = new DataView(cd.buffer, cd.byteOffset, cd.byteLength);
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
  const state = { manifest: -1 };
  const localLimit = zip.centralDirectoryStart - zip.prefixBytes;
  let table = index.table;
  let mask = index.mask;
  let count = 0;
  let entries = 0;
  let directories = 0;
  let classes = 0;
  let uncompressed = 0;
  let nextDotDot = -1;

  for (let o = 0; o < end; ) {
    // The record (APPNOTE 4.3.12), little-endian fields read byte by byte.
    if (o + 46 > end || dv.getUint32(o, true) !== 0x02014b50) recordOf(zip, o);
    const flags = dv.getUint16(o + 8, true);
    const method = dv.getUint16(o + 10, true);
    let size = dv.getUint32(o + 24, true);
    const nl = dv.getUint16(o + 28, true);
    const next = o + 46 + nl + dv.getUint16(o + 30, true) + dv.getUint16(o + 32, true);
    let local = dv.getUint32(o + 42, true);
    if (next > end) recordOf(zip, o);
    if (size === MAX32 || local === MAX32 || dv.getUint32(o + 20, true) === MAX32) {
      const e = recordOf(zip, o);
      size = e.size;
      local = e.localHeaderOffset - zip.prefixBytes;
    }
    if (local >= localLimit) {
      recordOf(zip, o);
      throw new ZipError(
        'corrupt',
        `an entry's data would start past the central directory (record at ${o})`,
      );
    }
    const s = o + 46;
    const e = s + nl;

    // Hash the name 8 bytes per step in two lanes (see hashName in name-index.ts, which this must equal),
    // and note high bytes and backslashes (SWAR) on the way.
    let h1 = 0x9747b28c ^ nl;
    let h2 = 0x3c6ef372;
    let any = 0;
    let bs = 0;
    let i = s;
    for (; i + 8 <= e; i += 8) {
      const w1 = dv.getInt32(i, true);
      const w2 = dv.getInt32(i + 4, true);
      any |= w1 | w2;
      const x1 = w1 ^ 0x5c5c5c5c;
      const x2 = w2 ^ 0x5c5c5c5c;
      bs |= ((x1 - 0x01010101) & ~x1) | ((x2 - 0x01010101) & ~x2);
      h1 = Math.imul(h1 ^ w1, 0x5bd1e995);
      h1 ^= h1 >>> 15;
      h2 = Math.imul(h2 ^ w2, 0x85ebca6b);
      h2 ^= h2 >>> 13;
    }
    for (; i < e; i++) {
      const b = cd[i] as number;
      any |= b;
      if (b === 0x5c) bs = -1;
      h1 = Math.imul(h1 ^ b, 0x5bd1e995);
      h1 ^= h1 >>> 15;
    }
    let h = h1 ^ Math.imul(h2, 0x27d4eb2d);
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;

    // Insert into the name index (linear probing; a later duplicate replaces the earlier one, as in Java).
    if ((count + 1) * 4 > table.length) {
      index.grow();
      table = index.table;
      mask = index.mask;
    }
    let slot = h & mask;
    let duplicate = false;
    for (;;) {
      const rec = table[2 * slot + 1] as number;
      if (rec === 0) break;
      if (table[2 * slot] === h && sameName(cd, rec - 1, s, nl)) {
        duplicate = true;
        break;
      }
      slot = (slot + 1) & mask;
    }
    table[2 * slot] = h;
    table[2 * slot + 1] = o + 1;
    if (!duplicate) count++;

    if (nextDotDot < s) nextDotDot = findDotDot(cd, s);
    let parent = false;
    if (nextDotDot + 2 <= e) [parent, nextDotDot] = hasParentSegment(cd, nextDotDot, s, e);

    let odd = 0;
    if (duplicate) odd |= Odd.duplicate;
    if ((any & 0x80808080) !== 0) odd |= Odd.high;
    if ((bs & 0x80808080) !== 0) odd |= Odd.backslash;
    if (parent) odd |= Odd.parent;
    if ((flags & FLAG_ENCRYPTED) !== 0) odd |= Odd.encrypted;
    if (method !== 0 && method !== 8) odd |= Odd.method;
    const first = cd[s];
    if (
      nl === 0 ||
      first === 0x4d ||
      first === 0x6d ||
      first === 0x6f ||
      first === 0x73 ||
      cd[s + 1] === 0x3a
    ) {
      odd |= Odd.special;
    }
    if (odd !== 0 || first === 0x2f) slowPath(scan, cd, o, s, nl, odd, state);

    entries++;
    uncompressed += size;
    const last = nl > 0 ? cd[e - 1] : 0;
    if (last === 0x2f) {
      directories++;
    } else if (
      last === 0x73 &&
      nl > 6 &&
      cd[e - 2] === 0x73 &&
      cd[e - 3] === 0x61 &&
      cd[e - 4] === 0x6c &&
      cd[e - 5] === 0x63 &&
      cd[e - 6] === 0x2e
    ) {
      classes++;
    }
    o = next;
  }
  index.count = count;
  scan.entries = entries;
  scan.directories = directories;
  scan.classes = classes;
  scan.uncompressedBytes = uncompressed;
  // JarFile looks the manifest up by its exact name first, then without case.
  const exact = index.find(MANIFEST_UPPER);
  scan.manifest = exact >= 0 ? exact : state.manifest;
  return scan;
}
