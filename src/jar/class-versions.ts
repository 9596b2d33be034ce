// The class-file version of every class in the JAR, not only the main class's: a bundled library compiled
// for a newer Java fails with UnsupportedClassVersionError the moment it is loaded. Each class header is
// read from its local entry through large sequential reads and decoded with inflateHead (no zlib stream per
// class); multi-release entries (META-INF/versions/N/...) count only when the runtime loads them (N <=
// the runtime's release), and module-info classes never load as classes on the classpath.
import { readSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { inflateHead } from './inflate-head.js';
import type { ZipArchive } from './zip.js';
import { entryAt, forEachEntry } from './zip-entries.js';
import { readEntryHead } from './zip-read.js';

/** ClassVersionStats counts the classes the runtime would load, by the Java release they need. */
export interface ClassVersionStats {
  /** Class entries whose header was read. */
  checked: number;
  /** Versioned entries skipped because their META-INF/versions/N is above the runtime's release. */
  skippedVersioned: number;
  /** Releases above the runtime's: count and first names, per release. */
  tooNew: Map<number, { count: number; names: string[] }>;
  /** Entries whose first bytes are not a class-file header. */
  invalid: { count: number; names: string[] };
  /** Highest release seen among the loaded classes. */
  maxRelease: number;
  /** Entries the fast path could not decode, read again through node:zlib. */
  fallback: number;
}

const EXAMPLES = 5;
const HEAD = 8;
/** Bytes of compressed data read per entry: a dynamic block header plus eight symbols fit in far fewer. */
const COMPRESSED_HEAD = 512;
const WINDOW = 1024 * 1024;
const LOCAL_SIZE = 30;

const VERSIONS_PREFIX = Buffer.from('META-INF/versions/', 'latin1');
const MODULE_INFO = Buffer.from('module-info.class', 'latin1');

/** Returns N for META-INF/versions/N/…, 0 for other META-INF entries (never loaded as classes), -1 else. */
function versionDir(cd: Buffer, s: number, len: number): number {
  if (cd[s] !== 0x4d || len < 9 || cd.toString('latin1', s, s + 9) !== 'META-INF/') return -1;
  if (len <= VERSIONS_PREFIX.length || cd.compare(VERSIONS_PREFIX, 0, 18, s, s + 18) !== 0) return 0;
  let n = 0;
  let i = s + 18;
  for (; i < s + len && (cd[i] as number) >= 0x30 && (cd[i] as number) <= 0x39; i++) {
    n = n * 10 + (cd[i] as number) - 0x30;
  }
  return i < s + len && cd[i] === 0x2f && n > 0 ? n : 0;
}

function isClassName(cd: Buffer, s: number, len: number): boolean {
  const e = s + len;
  return (
    len > 6 &&
    cd[e - 1] === 0x73 &&
    cd[e - 2] === 0x73 &&
    cd[e - 3] === 0x61 &&
    cd[e - 4] === 0x6c &&
    cd[e - 5] === 0x63 &&
    cd[e - 6] === 0x2e
  );
}

/** module-info.class (any directory): a module descriptor, not a class the class path loads. */
function isModuleInfo(cd: Buffer, s: number, len: number): boolean {
  return (
    len >= 17 &&
    cd[s + len - 7] === 0x6f &&
    cd[s + len - 17] === 0x6d &&
    cd.compare(MODULE_INFO, 0, 17, s + len - 17, s + len) === 0 &&
    (len === 17 || cd[s + len - 18] === 0x2f)
  );
}

/** A sequential reader over the file that keeps one large window. */
class Window {
  buf = Buffer.alloc(WINDOW);
  private start = 0;
  private end = 0;
  constructor(private readonly fd: number) {}
  /** Makes buf hold [pos, pos + len) (reading if needed) and returns the offset of pos in buf. */
  at(pos: number, len: number): number {
    if (pos < this.start || pos + len > this.end) {
      if (len > this.buf.length) this.buf = Buffer.alloc(len);
      const n = readSync(this.fd, this.buf, 0, this.buf.length, pos);
      this.start = pos;
      this.end = pos + n;
    }
    return pos - this.start;
  }
  get limit(): number {
    return this.end;
  }
}

/**
 * scanClassVersions reads the header of every class entry the runtime (Java javaRelease) would load and
 * counts those that need a newer release. Unreadable entries (encrypted, other methods) are skipped: the
 * entry rules report them.
 */
export async function scanClassVersions(
  fh: FileHandle,
  zip: ZipArchive,
  javaRelease: number,
): Promise<ClassVersionStats> {
  const stats: ClassVersionStats = {
    checked: 0,
    skippedVersioned: 0,
    tooNew: new Map(),
    invalid: { count: 0, names: [] },
    maxRelease: 0,
    fallback: 0,
  };
  const cd = zip.centralDirectory;
  // Gather the class entries first (record offsets by local offset) so the data is read in file order.
  const cap = Math.max(16, zip.declaredEntries);
  let records = new Int32Array(cap);
  let locals = new Float64Array(cap);
  let sizes = new Float64Array(cap);
  let methods = new Uint8Array(cap);
  let count = 0;
  forEachEntry(zip, (e) => {
    const s = e.nameStart;
    const len = e.nameLength;
    if (!isClassName(cd, s, len) || isModuleInfo(cd, s, len) || e.isEncrypted) return;
    if (e.method !== 0 && e.method !== 8) return;
    const v = versionDir(cd, s, len);
    if (v === 0) return;
    if (v > javaRelease) {
      stats.skippedVersioned++;
      return;
    }
    if (count === records.length) {
      // The end record's count can be wrong in files from broken writers: grow.
      const grow = <T extends Int32Array | Float64Array | Uint8Array>(a: T, make: (n: number) => T): T => {
        const b = make(a.length * 2);
        b.set(a);
        return b;
      };
      records = grow(records, (n) => new Int32Array(n));
      locals = grow(locals, (n) => new Float64Array(n));
      sizes = grow(sizes, (n) => new Float64Array(n));
      methods = grow(methods, (n) => new Uint8Array(n));
    }
    records[count] = e.recordOffset;
    locals[count] = e.localHeaderOffset;
    methods[count] = e.method;
    sizes[count] = e.compressedSize;
    count++;
  });
  let sorted = true;
  for (let i = 1; i < count && sorted; i++) sorted = (locals[i] as number) > (locals[i - 1] as number);
  const order = new Int32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  if (!sorted) order.sort((a, b) => (locals[a] as number) - (locals[b] as number));

  const window = new Window(fh.fd);
  const head = new Uint8Array(HEAD);
  const slow: number[] = [];
  const nameOf = (rec: number) =>
    cd.toString('utf8', rec + 46, rec + 46 + ((cd[rec + 28] as number) | ((cd[rec + 29] as number) << 8)));
  const record = (rec: number, h: Uint8Array, got: number) => {
    stats.checked++;
    const ok =
      got >= HEAD &&
      h[0] === 0xca &&
      h[1] === 0xfe &&
      h[2] === 0xba &&
      h[3] === 0xbe &&
      (((h[6] as number) << 8) | (h[7] as number)) >= 45;
    if (!ok) {
      if (stats.invalid.count++ < EXAMPLES) stats.invalid.names.push(nameOf(rec));
      return;
    }
    const release = (((h[6] as number) << 8) | (h[7] as number)) - 44;
    if (release > stats.maxRelease) stats.maxRelease = release;
    if (release <= javaRelease) return;
    let bucket = stats.tooNew.get(release);
    if (!bucket) {
      bucket = { count: 0, names: [] };
      stats.tooNew.set(release, bucket);
    }
    if (bucket.count++ < EXAMPLES) bucket.names.push(nameOf(rec));
  };

  const cdStart = zip.centralDirectoryStart;
  for (const i of order) {
    const rec = records[i] as number;
    const local = locals[i] as number;
    const method = methods[i] as number;
    const compressed = sizes[i] as number;
    // The data never runs into the central directory (the scan checked the offsets).
    const room = cdStart - local;
    let off = window.at(local, Math.min(room, LOCAL_SIZE + 256 + COMPRESSED_HEAD));
    let buf = window.buf;
    let avail = window.limit - local;
    if (avail < LOCAL_SIZE || buf.readUInt32LE(off) !== 0x04034b50) {
      slow.push(rec);
      continue;
    }
    const dataStart = LOCAL_SIZE + buf.readUInt16LE(off + 26) + buf.readUInt16LE(off + 28);
    const take = Math.min(compressed, method === 0 ? HEAD : COMPRESSED_HEAD);
    if (dataStart + take > avail) {
      off = window.at(local, Math.min(room, dataStart + take));
      buf = window.buf;
      avail = window.limit - local;
      if (dataStart + take > avail) {
        slow.push(rec);
        continue;
      }
    }
    const from = off + dataStart;
    if (method === 0) {
      record(rec, buf.subarray(from, from + take), take);
      continue;
    }
    const got = inflateHead(buf, from, from + take, head, HEAD);
    if (got < 0 || (got < HEAD && take < compressed)) slow.push(rec);
    else record(rec, head, got);
  }
  // Entries the fast path could not decode (an unusual header, a long deflate preamble) go through zlib.
  stats.fallback = slow.length;
  if (slow.length) {
    for (const rec of slow) {
      try {
        const h = await readEntryHead(fh, zip, entryAt(zip, rec), HEAD);
        record(rec, h, h.length);
      } catch {
        record(rec, new Uint8Array(0), 0);
      }
    }
  }
  return stats;
}
