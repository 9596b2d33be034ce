// An open-addressing hash table of entry names keyed by their bytes in the central directory, so that
// finding duplicates and looking up the main class need no string per entry.

/**
 * hashName hashes bytes [start, end) of the buffer behind dv into two 32-bit values (out[0], out[1]),
 * 8 bytes per step in two lanes (multiply-xorshift, murmur3 finalizer): a fat JAR has ~10 MB of names,
 * and a byte-at-a-time hash is bound by the latency of one multiply per byte. With 64 bits, distinct
 * names practically never share a key. scanJar inlines the same computation; they must agree.
 */
export function hashName(dv: DataView, bytes: Uint8Array, start: number, end: number, out: Int32Array): void {
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
  out[0] = fmix(h1 ^ Math.imul(h2, 0x27d4eb2d));
  out[1] = fmix(h2 ^ Math.imul(h1, 0x165667b1));
}

/** fmix is murmur3's 32-bit finalizer. */
export function fmix(x: number): number {
  let h = x ^ (x >>> 16);
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** hashBytes is hashName for a name given on its own; it returns [h, g]. */
export function hashBytes(name: Uint8Array, start = 0, end = name.length): [number, number] {
  const out = new Int32Array(2);
  hashName(new DataView(name.buffer, name.byteOffset, name.byteLength), name, start, end, out);
  return [out[0] as number, out[1] as number];
}

/** Slot layout: hash h, hash g, record offset + 1 (0: empty). */
export const SLOT = 3;

/** NameIndex maps entry-name bytes to central-directory record offsets; names live in the buffer itself. */
export class NameIndex {
  private readonly cd: Buffer;
  /**
   * Triples (h, g, record offset + 1) side by side, so a probe touches one cache line. Public so that the
   * scan's hot loop can insert inline (see scan.ts); it calls grow() as needed.
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
    this.table = new Int32Array(cap * SLOT);
    this.mask = cap - 1;
  }

  /** sameName tells whether the record at rec is named by bytes [start, start + len) of buf. */
  sameName(rec: number, buf: Uint8Array, start: number, len: number): boolean {
    const cd = this.cd;
    // A central-directory record's name starts at byte 46; its length is at byte 28.
    if (((cd[rec + 28] as number) | ((cd[rec + 29] as number) << 8)) !== len) return false;
    for (let i = 0; i < len; i++) if (cd[rec + 46 + i] !== buf[start + i]) return false;
    return true;
  }

  /** slotOf returns the slot that holds the name (h, g, bytes) or the empty slot where it would go. */
  slotOf(h: number, g: number, buf: Uint8Array, start: number, len: number): number {
    const t = this.table;
    for (let i = h & this.mask; ; i = (i + 1) & this.mask) {
      const rec = t[SLOT * i + 2] as number;
      if (rec === 0) return i;
      if (t[SLOT * i] === h && t[SLOT * i + 1] === g && this.sameName(rec - 1, buf, start, len)) return i;
    }
  }

  /**
   * add records the record at recordOffset (name hashed to h, g) and returns the record offset of an
   * earlier entry with the same name, or -1. Like java.util.zip.ZipFile, a later duplicate wins lookups.
   */
  add(h: number, g: number, recordOffset: number): number {
    if ((this.count + 1) * 2 > this.mask + 1) this.grow();
    const cd = this.cd;
    const len = (cd[recordOffset + 28] as number) | ((cd[recordOffset + 29] as number) << 8);
    const i = this.slotOf(h, g, cd, recordOffset + 46, len);
    const t = this.table;
    const prev = (t[SLOT * i + 2] as number) - 1;
    t[SLOT * i] = h;
    t[SLOT * i + 1] = g;
    t[SLOT * i + 2] = recordOffset + 1;
    if (prev < 0) this.count++;
    return prev;
  }

  /** find returns the record offset of the entry named by the given bytes, or -1. */
  find(name: Uint8Array): number {
    const [h, g] = hashBytes(name);
    return (this.table[SLOT * this.slotOf(h, g, name, 0, name.length) + 2] as number) - 1;
  }

  /** grow doubles the table; the load factor stays at most 1/2. */
  grow(): void {
    const old = this.table;
    this.table = new Int32Array(old.length * 2);
    this.mask = this.table.length / SLOT - 1;
    const t = this.table;
    for (let i = 0; i < old.length; i += SLOT) {
      if (old[i + 2] === 0) continue;
      let j = (old[i] as number) & this.mask;
      while (t[SLOT * j + 2] !== 0) j = (j + 1) & this.mask;
      t[SLOT * j] = old[i] as number;
      t[SLOT * j + 1] = old[i + 1] as number;
      t[SLOT * j + 2] = old[i + 2] as number;
    }
  }
}
