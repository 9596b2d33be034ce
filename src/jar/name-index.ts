// An open-addressing hash table of entry names keyed by their bytes in the central directory, so that
// finding duplicates and looking up the main class need no string per entry.

/**
 * hashName hashes bytes [start, end) of the buffer behind dv, 8 bytes per step in two independent lanes
 * (multiply-xorshift, murmur3 finalizer): a fat JAR has ~10 MB of names, and a byte-at-a-time hash is
 * bound by the latency of one multiply per byte. scanJar inlines the same computation; they must agree.
 */
export function hashName(dv: DataView, bytes: Uint8Array, start: number, end: number): number {
  let h1 = 0x9747b28c ^ (end - start);
  let h2 = 0x3c6ef372;
  let i = start;
  for (; i + 8 <= end; i += 8) {
    h1 = Math.imul(h1 ^ dv.getInt32(i, true), 0x5bd1e995);
    h1 ^= h1 >>> 15;
    h2 = Math.imul(h2 ^ dv.getInt32(i + 4, true), 0x85ebca6b);
    h2 ^= h2 >>> 13;
  }
  for (; i < end; i++) {
    h1 = Math.imul(h1 ^ (bytes[i] as number), 0x5bd1e995);
    h1 ^= h1 >>> 15;
  }
  let h = h1 ^ Math.imul(h2, 0x27d4eb2d);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** hashBytes is hashName for a name given on its own. */
export function hashBytes(name: Uint8Array, start = 0, end = name.length): number {
  return hashName(new DataView(name.buffer, name.byteOffset, name.byteLength), name, start, end);
}

function bytesEqual(a: Uint8Array, as: number, b: Uint8Array, bs: number, len: number): boolean {
  for (let i = 0; i < len; i++) if (a[as + i] !== b[bs + i]) return false;
  return true;
}

/** NameIndex maps entry-name bytes to central-directory record offsets; names live in the buffer itself. */
export class NameIndex {
  private readonly cd: Buffer;
  /**
   * Pairs of (hash, record offset + 1) side by side, so a probe touches one cache line; 0 is empty.
   * Public so that the scan's hot loop can insert inline (see scan.ts); it calls grow() as needed.
   */
  table: Int32Array;
  /** Slots - 1 (slots is a power of two). */
  mask: number;
  /** Distinct names in the table. */
  count = 0;

  /** expected is a hint for the number of names (the table grows as needed). */
  constructor(cd: Buffer, expected: number) {
    this.cd = cd;
    let cap = 16;
    while (cap < expected * 2) cap *= 2;
    this.table = new Int32Array(cap * 2);
    this.mask = cap - 1;
  }

  private probe(hash: number, bytes: Uint8Array, start: number, len: number): number {
    const t = this.table;
    for (let i = hash & this.mask; ; i = (i + 1) & this.mask) {
      const slot = t[2 * i + 1] as number;
      if (slot === 0) return i;
      if (t[2 * i] === hash) {
        // A central-directory record's name starts at byte 46; its length is at byte 28.
        const rec = slot - 1;
        const cd = this.cd;
        const recLen = (cd[rec + 28] as number) | ((cd[rec + 29] as number) << 8);
        if (recLen === len && bytesEqual(cd, rec + 46, bytes, start, len)) return i;
      }
    }
  }

  /**
   * add records the record at recordOffset whose name hashes to hash, and returns the record offset of an
   * earlier entry with the same name, or -1. Like java.util.zip.ZipFile, a later duplicate wins lookups.
   */
  add(hash: number, recordOffset: number): number {
    if ((this.count + 1) * 2 > this.table.length / 2) this.grow();
    const cd = this.cd;
    const len = (cd[recordOffset + 28] as number) | ((cd[recordOffset + 29] as number) << 8);
    const i = this.probe(hash, cd, recordOffset + 46, len);
    const prev = (this.table[2 * i + 1] as number) - 1;
    this.table[2 * i] = hash;
    this.table[2 * i + 1] = recordOffset + 1;
    if (prev < 0) this.count++;
    return prev;
  }

  /** find returns the record offset of the entry named by the given bytes, or -1. */
  find(name: Uint8Array): number {
    const i = this.probe(hashBytes(name), name, 0, name.length);
    return (this.table[2 * i + 1] as number) - 1;
  }

  /** grow doubles the table; the load factor stays at most 1/2. */
  grow(): void {
    const old = this.table;
    this.table = new Int32Array(old.length * 2);
    this.mask = this.table.length / 2 - 1;
    for (let i = 0; i < old.length; i += 2) {
      if (old[i + 1] === 0) continue;
      let j = (old[i] as number) & this.mask;
      while (this.table[2 * j + 1] !== 0) j = (j + 1) & this.mask;
      this.table[2 * j] = old[i] as number;
      this.table[2 * j + 1] = old[i + 1] as number;
    }
  }
}
