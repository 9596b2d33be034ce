// Walking the central directory in place. One CentralEntry is reused for every record, so listing a JAR
// allocates nothing per entry unless a caller asks for a name.
import { decodeEntryName } from './entry-name.js';
import { readUInt64, type ZipArchive, ZipError } from './zip.js';

const SIG_CENTRAL = 0x02014b50;
const CENTRAL_SIZE = 46;
const MAX32 = 0xffffffff;
const ZIP64_EXTRA_ID = 0x0001;

/** General-purpose flag bits (APPNOTE 4.4.4). */
export const Flag = { encrypted: 0x0001, strongEncryption: 0x0040, utf8: 0x0800 } as const;

/** CentralEntry is a view of one central-directory record; a walk reuses one instance for every record. */
export class CentralEntry {
  /** Position of the record in the walk, from 0. */
  index = -1;
  /** Offset of the record in the central directory buffer. */
  recordOffset = 0;
  flags = 0;
  method = 0;
  compressedSize = 0;
  size = 0;
  /** File offset of the local header, prepended bytes included. */
  localHeaderOffset = 0;
  /** Offset of the name bytes in the central directory buffer. */
  nameStart = 0;
  nameLength = 0;
  readonly archive: ZipArchive;

  constructor(archive: ZipArchive) {
    this.archive = archive;
  }

  /** name decodes the entry name (UTF-8 when flag bit 11 is set, else CP437). */
  get name(): string {
    const cd = this.archive.centralDirectory;
    return decodeEntryName(cd, this.nameStart, this.nameStart + this.nameLength, this.isUtf8);
  }
  /** CRC-32 of the uncompressed data (read on demand: the scan does not need it). */
  get crc32(): number {
    return this.archive.centralDirectory.readUInt32LE(this.recordOffset + 16);
  }
  get versionMadeBy(): number {
    return this.archive.centralDirectory.readUInt16LE(this.recordOffset + 4);
  }
  get externalAttributes(): number {
    return this.archive.centralDirectory.readUInt32LE(this.recordOffset + 38);
  }
  get isUtf8(): boolean {
    return (this.flags & Flag.utf8) !== 0;
  }
  get isEncrypted(): boolean {
    return (this.flags & (Flag.encrypted | Flag.strongEncryption)) !== 0;
  }
  get isDirectory(): boolean {
    return (
      this.nameLength > 0 && this.archive.centralDirectory[this.nameStart + this.nameLength - 1] === 0x2f
    );
  }
}

function corrupt(at: number, what: string): ZipError {
  return new ZipError('corrupt', `its central directory is damaged at byte ${at}: ${what}`);
}

/** Reads the zip64 extended-information extra field for the 32-bit fields that hold 0xFFFFFFFF. */
function applyZip64Extra(cd: Buffer, start: number, end: number, e: CentralEntry, rawOffset: number): number {
  for (let p = start; p + 4 <= end; ) {
    const id = cd.readUInt16LE(p);
    const len = cd.readUInt16LE(p + 2);
    const dataEnd = p + 4 + len;
    if (dataEnd > end) break;
    if (id === ZIP64_EXTRA_ID) {
      let q = p + 4;
      const next = (): number => {
        if (q + 8 > dataEnd) throw corrupt(e.recordOffset, 'zip64 extra field is too short');
        const v = readUInt64(cd, q);
        q += 8;
        if (v < 0) throw corrupt(e.recordOffset, 'zip64 value beyond 2^53');
        return v;
      };
      if (e.size === MAX32) e.size = next();
      if (e.compressedSize === MAX32) e.compressedSize = next();
      return rawOffset === MAX32 ? next() : rawOffset;
    }
    p = dataEnd;
  }
  throw corrupt(e.recordOffset, 'sizes or offset are 0xFFFFFFFF but there is no zip64 extra field');
}

function u16(b: Buffer, o: number): number {
  return (b[o] as number) | ((b[o + 1] as number) << 8);
}

function u32(b: Buffer, o: number): number {
  return (
    ((b[o] as number) | ((b[o + 1] as number) << 8) | ((b[o + 2] as number) << 16)) +
    (b[o + 3] as number) * 0x1000000
  );
}

/** readCentralEntry parses the record at offset into entry and returns the offset of the next record. */
export function readCentralEntry(zip: ZipArchive, offset: number, entry: CentralEntry): number {
  // Byte arithmetic rather than Buffer#readUInt*: this runs once per entry and is the hot path.
  const cd = zip.centralDirectory;
  if (offset + CENTRAL_SIZE > cd.length) throw corrupt(offset, 'a record is cut off');
  if (u32(cd, offset) !== SIG_CENTRAL) throw corrupt(offset, 'bad record signature');
  const nameLength = u16(cd, offset + 28);
  const extraLength = u16(cd, offset + 30);
  const next = offset + CENTRAL_SIZE + nameLength + extraLength + u16(cd, offset + 32);
  if (next > cd.length) throw corrupt(offset, 'a record runs past the end of the central directory');
  entry.recordOffset = offset;
  entry.flags = u16(cd, offset + 8);
  entry.method = u16(cd, offset + 10);
  entry.compressedSize = u32(cd, offset + 20);
  entry.size = u32(cd, offset + 24);
  entry.nameStart = offset + CENTRAL_SIZE;
  entry.nameLength = nameLength;
  let local = u32(cd, offset + 42);
  if (entry.size === MAX32 || entry.compressedSize === MAX32 || local === MAX32) {
    const extraStart = entry.nameStart + nameLength;
    local = applyZip64Extra(cd, extraStart, extraStart + extraLength, entry, local);
  }
  entry.localHeaderOffset = local + zip.prefixBytes;
  if (entry.localHeaderOffset >= zip.centralDirectoryStart) {
    throw corrupt(
      offset,
      `an entry's data would start at byte ${entry.localHeaderOffset}, past the central directory`,
    );
  }
  return next;
}

/** forEachEntry walks every central-directory record, calling visit with a reused entry; returns the count. */
export function forEachEntry(zip: ZipArchive, visit: (entry: CentralEntry) => void): number {
  const entry = new CentralEntry(zip);
  const end = zip.centralDirectory.length;
  let offset = 0;
  let index = 0;
  while (offset < end) {
    offset = readCentralEntry(zip, offset, entry);
    entry.index = index++;
    visit(entry);
  }
  return index;
}

/** entryAt returns a fresh entry for the record at offset (for entries found by a lookup). */
export function entryAt(zip: ZipArchive, recordOffset: number): CentralEntry {
  const entry = new CentralEntry(zip);
  readCentralEntry(zip, recordOffset, entry);
  return entry;
}

/** listEntryNames decodes every entry name in central-directory order (tests and small archives). */
export function listEntryNames(zip: ZipArchive): string[] {
  const names: string[] = [];
  forEachEntry(zip, (e) => names.push(e.name));
  return names;
}
