// An open-addressing hash table of entry names keyed by their bytes in the central directory, so that
// finding duplicates and looking up the main class need no string per entry.

/** hashBytes is 32-bit FNV-1a over buf[start, end). */
export function hashBytes(buf: Uint8Array, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ (buf[i] as number), 0x01000193);
  return h;
}

function bytesEqual(a: Uint8Array, as: number, b: Uint8Array, bs: number, len: number): boolean {
  for (let i = 0; i < len; i++) if (a[as + i] !== b[bs + i]) return false;
  return true;
}

/** NameIndex maps entry-name bytes to central-directory record offsets; names live in the buffer itself. */
export class NameIndex {
  private readonly cd: Buffer;
  /** Record offset + 1 per slot; 0 is empty. */
  private slots: Int32Array;
  private hashes: Int32Array;
  private mask: number;
  private count = 0;

  /** expected is a hint for the number of names (the table grows as needed). */
  constructor(cd: Buffer, expected: number) {
    this.cd = cd;
    let cap = 16;
    while (cap < expected * 2) cap *= 2;
    this.slots = new Int32Array(cap);
    this.hashes = new Int32Array(cap);
    this.mask = cap - 1;
  }

  private probe(hash: number, bytes: Uint8Array, start: number, len: number): number {
    for (let i = hash & this.mask; ; i = (i + 1) & this.mask) {
      const slot = this.slots[i] as number;
      if (slot === 0) return i;
      if (this.hashes[i] === hash) {
        // A central-directory record's name starts at byte 46; its length is at byte 28.
        const rec = slot - 1;
        if (this.cd.readUInt16LE(rec + 28) === len && bytesEqual(this.cd, rec + 46, bytes, start, len))
          return i;
      }
    }
  }

  /**
   * add records the record at recordOffset whose name hashes to hash, and returns the record offset of an
   * earlier entry with the same name, or -1. Like java.util.zip.ZipFile, a later duplicate wins lookups.
   */
  add(hash: number, recordOffset: number): number {
    if ((this.count + 1) * 2 > this.slots.length) this.grow();
    const i = this.probe(hash, this.cd, recordOffset + 46, this.cd.readUInt16LE(recordOffset + 28));
    const prev = (this.slots[i] as number) - 1;
    this.slots[i] = recordOffset + 1;
    this.hashes[i] = hash;
    if (prev < 0) this.count++;
    return prev;
  }

  /** find returns the record offset of the entry named by the given bytes, or -1. */
  find(name: Uint8Array): number {
    const i = this.probe(hashBytes(name, 0, name.length), name, 0, name.length);
    return (this.slots[i] as number) - 1;
  }

  private grow(): void {
    const { slots, hashes } = this;
    this.slots = new Int32Array(slots.length * 2);
    this.hashes = new Int32Array(slots.length * 2);
    this.mask = this.slots.length - 1;
    for (let i = 0; i < slots.length; i++) {
      const slot = slots[i] as number;
      if (slot === 0) continue;
      let j = (hashes[i] as number) & this.mask;
      while (this.slots[j] !== 0) j = (j + 1) & this.mask;
      this.slots[j] = slot;
      this.hashes[j] = hashes[i] as number;
    }
  }
}
