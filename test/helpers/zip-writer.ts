// A small deterministic zip writer for tests and the benchmark. It writes what the JAR tools write (local
// headers, data, central directory, zip64 records when needed) and can inject the defects the verify stage
// must catch. Not a general-purpose archiver: no data descriptors, no real encryption.
import { closeSync, ftruncateSync, openSync, writeSync } from 'node:fs';
import { crc32, deflateRawSync } from 'node:zlib';

/** Entry data: bytes, a chunk repeated (streamed, for large blobs) or a hole of zeros (sparse in a file). */
export type ZipData = Uint8Array | string | { repeat: Uint8Array; times: number } | { zeros: number };

export interface ZipEntryInput {
  /** Entry name; raw bytes are written as given (for names that are not UTF-8). */
  name: string | Uint8Array;
  /** Content (default empty). Pass the same Uint8Array to many entries to compress it only once. */
  data?: ZipData;
  /** stored or deflated (default: deflated for bytes, stored for repeated chunks and holes). */
  method?: 'stored' | 'deflated';
  /** Compression method number written to the headers instead of the real one (defect; default none). */
  methodOverride?: number;
  /** Set general-purpose flag bit 11, "name is UTF-8" (default: when a string name is not ASCII). */
  utf8?: boolean;
  /** Set the encryption flag bit 0 without encrypting anything (defect; default false). */
  encrypted?: boolean;
  /** Write zip64 extra fields even when sizes and offset fit in 32 bits (default false). */
  forceZip64?: boolean;
  /** CRC-32 written instead of the computed one (default: computed; holes of zeros over 64 MiB: 0). */
  crc?: number;
}

export interface ZipWriteOptions {
  /** Zip64 end records: auto (when counts or offsets need them), always, never (default auto). */
  zip64?: 'auto' | 'always' | 'never';
  /** Bytes before the zip, as when a launcher script is prepended to a JAR (default none). */
  prefix?: Uint8Array | string;
  /** Archive comment (default none). */
  comment?: string;
  /** Cut the file after this many bytes (defect; default: not cut). */
  truncateAt?: number;
  /** Total-entries value written to the end records instead of the real count (default: real count). */
  declaredEntries?: number;
}

export interface ZipWriteResult {
  /** File size in bytes (after any truncation). */
  size: number;
  entries: number;
  zip64: boolean;
  /** Offset of the central directory, relative to the start of the zip (after any prefix). */
  centralDirectoryOffset: number;
  centralDirectorySize: number;
}

const MAX32 = 0xffffffff;
const MAX16 = 0xffff;
// 2010-01-01 00:00:00 in DOS format: fixed so that output is byte-for-byte reproducible.
const DOS_TIME = 0;
const DOS_DATE = ((2010 - 1980) << 9) | (1 << 5) | 1;
const UNIX_HOST = 3 << 8;
const ZEROS = Buffer.alloc(1 << 20);
const compressedCache = new WeakMap<Uint8Array, Buffer>();

interface Sink {
  /** Bytes written so far, holes included. */
  pos: number;
  write(buf: Uint8Array): void;
  /** hole leaves n zero bytes (sparse in a file). */
  hole(n: number): void;
}

class FileSink implements Sink {
  pos = 0;
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  constructor(readonly fd: number) {}
  write(buf: Uint8Array): void {
    this.pending.push(buf);
    this.pendingBytes += buf.length;
    this.pos += buf.length;
    if (this.pendingBytes >= 4 << 20) this.flush();
  }
  hole(n: number): void {
    this.flush();
    this.pos += n;
  }
  flush(): void {
    if (!this.pendingBytes) return;
    const buf = this.pending.length === 1 ? (this.pending[0] as Uint8Array) : Buffer.concat(this.pending);
    const at = this.pos - this.pendingBytes;
    for (let off = 0; off < buf.length; ) off += writeSync(this.fd, buf, off, buf.length - off, at + off);
    this.pending = [];
    this.pendingBytes = 0;
  }
}

class MemorySink implements Sink {
  pos = 0;
  readonly parts: Uint8Array[] = [];
  write(buf: Uint8Array): void {
    this.parts.push(buf);
    this.pos += buf.length;
  }
  hole(n: number): void {
    this.write(Buffer.alloc(n));
  }
}

interface Prepared {
  method: number;
  crc: number;
  size: number;
  compressedSize: number;
  emit(sink: Sink): void;
}

function prepare(entry: ZipEntryInput): Prepared {
  const data = entry.data ?? Buffer.alloc(0);
  if (typeof data === 'string' || data instanceof Uint8Array) {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    const crc = entry.crc ?? crc32(bytes);
    if ((entry.method ?? 'deflated') === 'stored') {
      return {
        method: 0,
        crc,
        size: bytes.length,
        compressedSize: bytes.length,
        emit: (s) => s.write(bytes),
      };
    }
    let packed = compressedCache.get(bytes);
    if (!packed) {
      packed = deflateRawSync(bytes);
      if (typeof data !== 'string') compressedCache.set(bytes, packed);
    }
    const out = packed;
    return { method: 8, crc, size: bytes.length, compressedSize: out.length, emit: (s) => s.write(out) };
  }
  if (entry.method === 'deflated') throw new Error('zip-writer: repeated chunks and holes are stored only');
  if ('repeat' in data) {
    let crc = 0;
    if (entry.crc === undefined) for (let i = 0; i < data.times; i++) crc = crc32(data.repeat, crc);
    const size = data.repeat.length * data.times;
    const emit = (s: Sink) => {
      for (let i = 0; i < data.times; i++) s.write(data.repeat);
    };
    return { method: 0, crc: entry.crc ?? crc, size, compressedSize: size, emit };
  }
  let crc = 0;
  if (entry.crc === undefined && data.zeros <= 64 << 20) {
    for (let left = data.zeros; left > 0; left -= ZEROS.length) crc = crc32(ZEROS.subarray(0, left), crc);
  }
  return {
    method: 0,
    crc: entry.crc ?? crc,
    size: data.zeros,
    compressedSize: data.zeros,
    emit: (s) => s.hole(data.zeros),
  };
}

function nameBytes(name: string | Uint8Array): Buffer {
  return typeof name === 'string' ? Buffer.from(name, 'utf8') : Buffer.from(name);
}

/** zip64Extra builds a zip64 extended-information extra field (header id 0x0001) with the given values. */
function zip64Extra(values: number[]): Buffer {
  const buf = Buffer.alloc(4 + 8 * values.length);
  buf.writeUInt16LE(0x0001, 0);
  buf.writeUInt16LE(8 * values.length, 2);
  for (const [i, v] of values.entries()) buf.writeBigUInt64LE(BigInt(v), 4 + 8 * i);
  return buf;
}

function writeEntries(sink: Sink, entries: Iterable<ZipEntryInput>): { central: Buffer[]; count: number } {
  const central: Buffer[] = [];
  let count = 0;
  const zipStart = sink.pos;
  for (const entry of entries) {
    const name = nameBytes(entry.name);
    const p = prepare(entry);
    const offset = sink.pos - zipStart;
    const utf8 = entry.utf8 ?? (typeof entry.name === 'string' && name.some((b) => b >= 0x80));
    const flags = (utf8 ? 0x0800 : 0) | (entry.encrypted ? 0x0001 : 0);
    const method = entry.methodOverride ?? p.method;
    const bigSizes = entry.forceZip64 || p.size >= MAX32 || p.compressedSize >= MAX32;
    const bigOffset = entry.forceZip64 || offset >= MAX32;
    const version = bigSizes || bigOffset ? 45 : 20;

    const localExtra = bigSizes ? zip64Extra([p.size, p.compressedSize]) : Buffer.alloc(0);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(version, 4);
    local.writeUInt16LE(flags, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt16LE(DOS_TIME, 10);
    local.writeUInt16LE(DOS_DATE, 12);
    local.writeUInt32LE(p.crc >>> 0, 14);
    local.writeUInt32LE(bigSizes ? MAX32 : p.compressedSize, 18);
    local.writeUInt32LE(bigSizes ? MAX32 : p.size, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(localExtra.length, 28);
    sink.write(local);
    sink.write(name);
    if (localExtra.length) sink.write(localExtra);
    p.emit(sink);

    const values: number[] = [];
    if (bigSizes) values.push(p.size, p.compressedSize);
    if (bigOffset) values.push(offset);
    const extra = values.length ? zip64Extra(values) : Buffer.alloc(0);
    const isDir = name.length > 0 && name[name.length - 1] === 0x2f;
    const cen = Buffer.alloc(46 + name.length + extra.length);
    cen.writeUInt32LE(0x02014b50, 0);
    cen.writeUInt16LE(UNIX_HOST | version, 4);
    cen.writeUInt16LE(version, 6);
    cen.writeUInt16LE(flags, 8);
    cen.writeUInt16LE(method, 10);
    cen.writeUInt16LE(DOS_TIME, 12);
    cen.writeUInt16LE(DOS_DATE, 14);
    cen.writeUInt32LE(p.crc >>> 0, 16);
    cen.writeUInt32LE(bigSizes ? MAX32 : p.compressedSize, 20);
    cen.writeUInt32LE(bigSizes ? MAX32 : p.size, 24);
    cen.writeUInt16LE(name.length, 28);
    cen.writeUInt16LE(extra.length, 30);
    cen.writeUInt32LE((isDir ? (0o40755 << 16) | 0x10 : 0o100644 << 16) >>> 0, 38);
    cen.writeUInt32LE(bigOffset ? MAX32 : offset, 42);
    name.copy(cen, 46);
    extra.copy(cen, 46 + name.length);
    central.push(cen);
    count++;
  }
  return { central, count };
}

function writeEnd(
  sink: Sink,
  zipStart: number,
  count: number,
  cdOffset: number,
  cdSize: number,
  options: ZipWriteOptions,
): boolean {
  const mode = options.zip64 ?? 'auto';
  const declared = options.declaredEntries ?? count;
  const overflow = { count: declared > MAX16, size: cdSize >= MAX32, offset: cdOffset >= MAX32 };
  const zip64 =
    mode === 'always' || (mode === 'auto' && (overflow.count || overflow.size || overflow.offset));
  if (zip64) {
    const rec = Buffer.alloc(56);
    rec.writeUInt32LE(0x06064b50, 0);
    rec.writeBigUInt64LE(44n, 4);
    rec.writeUInt16LE(UNIX_HOST | 45, 12);
    rec.writeUInt16LE(45, 14);
    rec.writeBigUInt64LE(BigInt(declared), 24);
    rec.writeBigUInt64LE(BigInt(declared), 32);
    rec.writeBigUInt64LE(BigInt(cdSize), 40);
    rec.writeBigUInt64LE(BigInt(cdOffset), 48);
    const loc = Buffer.alloc(20);
    loc.writeUInt32LE(0x07064b50, 0);
    loc.writeBigUInt64LE(BigInt(sink.pos - zipStart), 8);
    loc.writeUInt32LE(1, 16);
    sink.write(rec);
    sink.write(loc);
  }
  const all = mode === 'always';
  const comment = Buffer.from(options.comment ?? '', 'utf8');
  const eocd = Buffer.alloc(22 + comment.length);
  eocd.writeUInt32LE(0x06054b50, 0);
  const total = zip64 && (all || overflow.count) ? MAX16 : declared & MAX16;
  eocd.writeUInt16LE(total, 8);
  eocd.writeUInt16LE(total, 10);
  eocd.writeUInt32LE(zip64 && (all || overflow.size) ? MAX32 : cdSize % 2 ** 32, 12);
  eocd.writeUInt32LE(zip64 && (all || overflow.offset) ? MAX32 : cdOffset % 2 ** 32, 16);
  eocd.writeUInt16LE(comment.length, 20);
  comment.copy(eocd, 22);
  sink.write(eocd);
  return zip64;
}

function writeArchive(sink: Sink, entries: Iterable<ZipEntryInput>, options: ZipWriteOptions) {
  if (options.prefix !== undefined) sink.write(Buffer.from(options.prefix));
  const zipStart = sink.pos;
  const { central, count } = writeEntries(sink, entries);
  const cdOffset = sink.pos - zipStart;
  for (const c of central) sink.write(c);
  const cdSize = sink.pos - zipStart - cdOffset;
  const zip64 = writeEnd(sink, zipStart, count, cdOffset, cdSize, options);
  return { entries: count, zip64, centralDirectoryOffset: cdOffset, centralDirectorySize: cdSize };
}

/** writeZip writes a zip file to path, streaming entry data, and returns its layout. */
export function writeZip(
  path: string,
  entries: Iterable<ZipEntryInput>,
  options: ZipWriteOptions = {},
): ZipWriteResult {
  const fd = openSync(path, 'w');
  try {
    const sink = new FileSink(fd);
    const r = writeArchive(sink, entries, options);
    sink.flush();
    const size = options.truncateAt === undefined ? sink.pos : Math.min(options.truncateAt, sink.pos);
    ftruncateSync(fd, size);
    return { ...r, size };
  } finally {
    closeSync(fd);
  }
}

/** zipBuffer builds a (small) zip in memory. */
export function zipBuffer(entries: Iterable<ZipEntryInput>, options: ZipWriteOptions = {}): Buffer {
  const sink = new MemorySink();
  writeArchive(sink, entries, options);
  const buf = Buffer.concat(sink.parts);
  return options.truncateAt === undefined ? buf : buf.subarray(0, options.truncateAt);
}
