// One pass over the central directory that gathers everything the entry-level rules need. It is the hot
// path of the verify stage (120,000 entries, ~10 MB of names in a fat JAR), so it is one loop over the
// buffer with the record parsing, the name hash and the hash-table insert inline: V8 optimizes such a loop
// early (on-stack replacement), and it touches no per-entry object. Rare cases (a problem, a META-INF,
// Spark or Scala entry, a zip64 record) go to small functions; a name becomes a string only when it is
// one of the first few examples of a problem.
import { decodeEntryName, isValidUtf8Name } from './entry-name.js';
import {
  hasParentSegment,
  isAbsolutePath,
  isManifestName,
  isScalaEntry,
  isSignatureFile,
  isSparkDistributionEntry,
  MANIFEST_UPPER,
} from './entry-names.js';
import { fmix, NameIndex, SLOT } from './name-index.js';
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
  hashHit: 1,
  high: 2,
  backslash: 4,
  dotDot: 8,
  encrypted: 16,
  method: 32,
  special: 64,
} as const;

/**
 * Records the problems of one entry and classifies META-INF, Spark and Scala entries (the slow path).
 * On a hash hit it settles whether the name is a duplicate, and inserts it if not; it returns how many
 * distinct names it added to the index (0 or 1).
 */
function slowPath(
  scan: JarScan,
  cd: Buffer,
  o: number,
  s: number,
  len: number,
  odd: number,
  h: number,
  g: number,
  state: { manifest: number },
): number {
  const flags = (cd[o + 8] as number) | ((cd[o + 9] as number) << 8);
  const method = (cd[o + 10] as number) | ((cd[o + 11] as number) << 8);
  const name = () => decodeEntryName(cd, s, s + len, (flags & FLAG_UTF8) !== 0);
  const note = (x: Sample, suffix = '') => {
    if (x.count++ < SAMPLE_NAMES) x.names.push(name() + suffix);
  };
  let added = 0;
  if (odd & Odd.hashHit) {
    const { index } = scan;
    // Same 64-bit key: almost surely the same name. A later duplicate replaces the earlier one (as in Java).
    const at = SLOT * index.slotOf(h, g, cd, s, len);
    if (index.table[at + 2] !== 0) {
      note(scan.duplicates);
    } else {
      index.table[at] = h;
      index.table[at + 1] = g;
      added = 1;
    }
    index.table[at + 2] = o + 1;
  }
  const absolute = isAbsolutePath(cd, s, len);
  const parent = (odd & Odd.dotDot) !== 0 && hasParentSegment(cd, s, s + len);
  if (odd & Odd.backslash || parent || absolute || len === 0) {
    note(scan.unsafePaths);
    if (parent) scan.unsafeReasons.add('parent');
    if (absolute) scan.unsafeReasons.add('absolute');
    if (odd & Odd.backslash) scan.unsafeReasons.add('backslash');
    if (len === 0) scan.unsafeReasons.add('empty');
  }
  if (odd & Odd.high && !isValidUtf8Name(cd, s, s + len)) note(scan.badNames);
  if (odd & Odd.encrypted) note(scan.encrypted);
  if (odd & Odd.method) note(scan.unsupportedMethods, ` (method ${method})`);
  if (len === 0 || cd[s + len - 1] === 0x2f) return added;
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
  return added;
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
  // The index starts small and grows with the entries: early inserts then exercise the collision and
  // growth paths, so V8 has type feedback for them before it optimizes this loop (no deoptimization).
  const index = new NameIndex(cd, 4);
  const scan: JarScan = {
    entries: 0,
    directories: 0,
    classes: 0,
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

  for (let o = 0; o < end; ) {
    // The record (APPNOTE 4.3.12), little-endian fields read byte by byte.
    if (o + 46 > end || dv.getUint32(o, true) !== 0x02014b50) recordOf(zip, o);
    const flags = dv.getUint16(o + 8, true);
    const method = dv.getUint16(o + 10, true);
    const nl = dv.getUint16(o + 28, true);
    const next = o + 46 + nl + dv.getUint16(o + 30, true) + dv.getUint16(o + 32, true);
    let local = dv.getUint32(o + 42, true);
    if (next > end) recordOf(zip, o);
    if (local === MAX32 || dv.getUint32(o + 24, true) === MAX32 || dv.getUint32(o + 20, true) === MAX32) {
      local = recordOf(zip, o).localHeaderOffset - zip.prefixBytes;
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
    // and note high bytes, backslashes and two adjacent dots on the way, with SWAR bit tricks rather than
    // branches: a branch that is rarely taken makes V8 deoptimize this loop the first time it is.
    let h1 = 0x9747b28c ^ nl;
    let h2 = 0x3c6ef372;
    let any = 0;
    let bs = 0;
    let dd = 0;
    let dots = 0;
    let i = s;
    for (; i + 8 <= e; i += 8) {
      const w1 = dv.getInt32(i, true);
      const w2 = dv.getInt32(i + 4, true);
      any |= w1 | w2;
      // A byte of x is zero where w has a backslash ("has a zero byte" test).
      const x1 = w1 ^ 0x5c5c5c5c;
      const x2 = w2 ^ 0x5c5c5c5c;
      bs |= ((x1 - 0x01010101) & ~x1) | ((x2 - 0x01010101) & ~x2);
      // 0x80 in each byte that is a dot (exact per byte), then dots in adjacent bytes, across words too.
      const y1 = w1 ^ 0x2e2e2e2e;
      const y2 = w2 ^ 0x2e2e2e2e;
      const z1 = ~(((y1 & 0x7f7f7f7f) + 0x7f7f7f7f) | y1 | 0x7f7f7f7f);
      const z2 = ~(((y2 & 0x7f7f7f7f) + 0x7f7f7f7f) | y2 | 0x7f7f7f7f);
      dd |= (z1 & (z1 >>> 8)) | (z2 & (z2 >>> 8)) | ((z1 >>> 24) & z2) | ((dots >>> 24) & z1);
      dots = z2;
      h1 = Math.imul(h1 ^ w1, 0x5bd1e995);
      h1 ^= h1 >>> 15;
      h2 = Math.imul(h2 ^ w2, 0x85ebca6b);
      h2 ^= h2 >>> 13;
    }
    // The last bytes one at a time; dots carries whether the previous byte was a dot (bit 31 or bit 7).
    dots >>>= 24;
    for (; i < e; i++) {
      const b = cd[i] as number;
      any |= b;
      const x = b ^ 0x5c;
      bs |= (x - 1) & ~x;
      const dot = ~(((b ^ 0x2e) + 0x7f) | (b ^ 0x2e)) & 0x80;
      dd |= dots & dot;
      dots = dot;
      h1 = Math.imul(h1 ^ b, 0x5bd1e995);
      h1 ^= h1 >>> 15;
    }
    const h = fmix(h1 ^ Math.imul(h2, 0x27d4eb2d));
    const g = fmix(h2 ^ Math.imul(h1, 0x165667b1));

    // Insert into the name index (linear probing). A hit on the 64-bit key goes to the slow path, which
    // compares the names. Branches that are rarely taken hold no operation V8 needs type feedback for.
    if ((count + 1) * 2 > mask + 1) {
      index.grow();
      table = index.table;
      mask = index.mask;
    }
    let slot = h & mask;
    let hit = false;
    for (;;) {
      const at = 3 * slot;
      if (table[at + 2] === 0) break;
      if ((((table[at] as number) ^ h) | ((table[at + 1] as number) ^ g)) === 0) {
        hit = true;
        break;
      }
      slot = (slot + 1) & mask;
    }
    if (!hit) {
      const at = 3 * slot;
      table[at] = h;
      table[at + 1] = g;
      table[at + 2] = o + 1;
      count++;
    }

    let odd = hit ? Odd.hashHit : 0;
    if ((any & 0x80808080) !== 0) odd |= Odd.high;
    if ((bs & 0x80808080) !== 0) odd |= Odd.backslash;
    if (dd !== 0) odd |= Odd.dotDot;
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
    // The first entries always take the slow path, so that V8 has feedback for the call when it
    // optimizes this loop (after a few hundred entries) even if no later entry needs it.
    if (odd !== 0 || first === 0x2f || entries < 64) count += slowPath(scan, cd, o, s, nl, odd, h, g, state);

    entries++;
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
  // JarFile looks the manifest up by its exact name first, then without case.
  const exact = index.find(MANIFEST_UPPER);
  scan.manifest = exact >= 0 ? exact : state.manifest;
  return scan;
}
