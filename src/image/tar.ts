import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';

// A deterministic tar writer and gzip framer for the one layer the oci builder adds. Everything that could
// vary between runs or machines is fixed: mtime 0, uid/gid 0, no user/group names, entries sorted by path,
// and the gzip stream is written here rather than by zlib (see gzipStored).

/** TarEntry is one member of the layer: a directory (no data) or a regular file. */
export interface TarEntry {
  /** Path inside the image without the leading slash, forward slashes; directories without a trailing one. */
  path: string;
  type: 'dir' | 'file';
  data?: Uint8Array;
  /** A host file to stream instead of `data`, with the size it must have when read. */
  file?: { path: string; size: number };
  /** Permission bits (default 0o755 for directories, 0o644 for files). */
  mode?: number;
}

const BLOCK = 512;
const ZERO_BLOCK = Buffer.alloc(BLOCK);
const MAX_OCTAL_SIZE = 0o77777777777; // 11 octal digits: the ustar size field

function octal(value: number, width: number): string {
  // width includes the terminating NUL.
  return `${value.toString(8).padStart(width - 1, '0')}\0`;
}

/** splitUstarName splits a path into ustar prefix and name fields, or returns undefined when it does not fit. */
export function splitUstarName(path: string): { prefix: string; name: string } | undefined {
  if (Buffer.byteLength(path) <= 100) return { prefix: '', name: path };
  for (let i = path.indexOf('/'); i !== -1; i = path.indexOf('/', i + 1)) {
    const prefix = path.slice(0, i);
    const name = path.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(name) <= 100 && name) return { prefix, name };
  }
  return undefined;
}

function header(name: string, prefix: string, mode: number, size: number, typeflag: string): Buffer {
  const h = Buffer.alloc(BLOCK);
  h.write(name, 0, 100, 'utf8');
  h.write(octal(mode, 8), 100, 'ascii');
  h.write(octal(0, 8), 108, 'ascii'); // uid
  h.write(octal(0, 8), 116, 'ascii'); // gid
  h.write(octal(size, 12), 124, 'ascii');
  h.write(octal(0, 12), 136, 'ascii'); // mtime
  h.write('        ', 148, 'ascii'); // checksum placeholder: spaces while summing
  h.write(typeflag, 156, 'ascii');
  h.write('ustar\0', 257, 'ascii');
  h.write('00', 263, 'ascii');
  h.write(octal(0, 8), 329, 'ascii'); // devmajor
  h.write(octal(0, 8), 337, 'ascii'); // devminor
  h.write(prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  return h;
}

function pad(size: number): Buffer | undefined {
  const rest = size % BLOCK;
  return rest ? ZERO_BLOCK.subarray(0, BLOCK - rest) : undefined;
}

// A PAX record is "<len> <key>=<value>\n" where len counts the whole record, its own digits included.
function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let len = Buffer.byteLength(body) + 1;
  while (String(len).length + Buffer.byteLength(body) !== len) len++;
  return `${len}${body}`;
}

/** TarSegment is a piece of a tar stream: bytes, or a host file's whole content (read when streamed). */
export type TarSegment = Buffer | { path: string; size: number };

/**
 * tarSegments renders entries as a POSIX ustar archive (PAX headers only for paths or sizes ustar cannot
 * hold), sorted by path, as segments that reference the entries' data or files without copying them.
 */
export function tarSegments(entries: readonly TarEntry[]): TarSegment[] {
  const sorted = [...entries].sort((a, b) => Buffer.compare(Buffer.from(a.path), Buffer.from(b.path)));
  const parts: TarSegment[] = [];
  let previous: string | undefined;
  for (const e of sorted) {
    if (e.path === previous) throw new Error(`tar: duplicate path ${e.path}`);
    if (!e.path || e.path.startsWith('/') || e.path.split('/').some((s) => s === '..' || s === ''))
      throw new Error(`tar: invalid path ${JSON.stringify(e.path)}`);
    previous = e.path;
    const isDir = e.type === 'dir';
    const path = isDir ? `${e.path}/` : e.path;
    const size = isDir ? 0 : (e.file?.size ?? e.data?.byteLength ?? 0);
    const mode = e.mode ?? (isDir ? 0o755 : 0o644);
    const split = splitUstarName(path);
    const pax: string[] = [];
    if (!split) pax.push(paxRecord('path', path));
    if (size > MAX_OCTAL_SIZE) pax.push(paxRecord('size', String(size)));
    if (pax.length) {
      const body = Buffer.from(pax.join(''), 'utf8');
      parts.push(header('PaxHeader', '', 0o644, body.length, 'x'), body);
      const p = pad(body.length);
      if (p) parts.push(p);
    }
    const fields = split ?? { prefix: '', name: path.slice(0, 100) };
    parts.push(header(fields.name, fields.prefix, mode, Math.min(size, MAX_OCTAL_SIZE), isDir ? '5' : '0'));
    if (!isDir && size) {
      if (e.file) parts.push({ path: e.file.path, size });
      else if (e.data) parts.push(Buffer.from(e.data.buffer, e.data.byteOffset, e.data.byteLength));
      const p = pad(size);
      if (p) parts.push(p);
    }
  }
  parts.push(ZERO_BLOCK, ZERO_BLOCK);
  return parts;
}

/** tarParts is tarSegments for entries that all carry their data in memory. */
export function tarParts(entries: readonly TarEntry[]): Buffer[] {
  return tarSegments(entries).map((s) => {
    if (!Buffer.isBuffer(s)) throw new Error(`tar: ${s.path} is a file entry; use tarSegments`);
    return s;
  });
}

/** tarSize returns the length of the tar stream the segments make. */
export function tarSize(segments: readonly TarSegment[]): number {
  return segments.reduce((n, s) => n + (Buffer.isBuffer(s) ? s.length : s.size), 0);
}

// Gzip member header: magic, CM=deflate, no flags (no name, no comment), MTIME 0, XFL 0, OS 255 (unknown).
const GZIP_HEADER = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
const STORED_MAX = 65535;

function storedBlockHeader(len: number, final: boolean): Buffer {
  const h = Buffer.alloc(5);
  h[0] = final ? 1 : 0; // BFINAL, BTYPE=00 (stored); the rest of the byte is padding to the boundary
  h.writeUInt16LE(len, 1);
  h.writeUInt16LE(~len & 0xffff, 3);
  return h;
}

/** GzipResult is a gzip stream as buffers plus the digests an image needs. */
export interface GzipResult {
  parts: Buffer[];
  size: number;
  /** sha256 of the gzip bytes: the blob digest. */
  digest: string;
  /** sha256 of the uncompressed bytes: the diff_id. */
  diffId: string;
}

/** storedGzipSize returns the length of the gzip stream gzipStored makes of `raw` bytes. */
export function storedGzipSize(raw: number): number {
  const blocks = Math.max(1, Math.ceil(raw / STORED_MAX));
  return GZIP_HEADER.length + blocks * 5 + raw + 8;
}

/**
 * StoredGzipFramer frames bytes, fed in any pieces, into a gzip stream of stored (uncompressed) deflate
 * blocks of exactly 65,535 bytes (the last one shorter), so the output depends only on the bytes, never on
 * how they were split. The total length must be known up front: the last block carries BFINAL.
 *
 * Why not zlib: its output depends on the zlib build (Node 20 and 24 ship different ones), so the layer
 * digest would change with the runner's Node; and the bulk of the layer is a JAR, already deflated, where
 * compressing again saves ~1% and costs seconds per 100 MB.
 */
export class StoredGzipFramer {
  private readonly total: number;
  private seen = 0;
  private emitted = 0;
  private crc = 0;
  private pending: Buffer[] = [];
  private pendingLen = 0;

  private readonly knownCrc: number | undefined;

  /** knownCrc: the CRC-32 of the input from an earlier pass over the same bytes (saves recomputing it). */
  constructor(total: number, knownCrc?: number) {
    this.total = total;
    this.knownCrc = knownCrc;
  }

  /** crc is the CRC-32 of the input written so far (the trailer's once `end` has run). */
  get crc32(): number {
    return this.knownCrc ?? this.crc >>> 0;
  }

  /** start returns the gzip header. */
  start(): Buffer[] {
    return [GZIP_HEADER];
  }

  /** write frames the next piece of the input, returning the output it completes (views into `buf`). */
  write(buf: Buffer): Buffer[] {
    if (this.seen + buf.length > this.total)
      throw new Error(`gzip: more input than the ${this.total} bytes announced`);
    this.seen += buf.length;
    if (this.knownCrc === undefined) this.crc = crc32(buf, this.crc);
    const out: Buffer[] = [];
    let off = 0;
    while (off < buf.length) {
      const take = Math.min(STORED_MAX - this.pendingLen, buf.length - off);
      if (this.pendingLen === 0 && take === STORED_MAX) {
        this.block(buf.subarray(off, off + take), out);
      } else {
        this.pending.push(buf.subarray(off, off + take));
        this.pendingLen += take;
        if (this.pendingLen === STORED_MAX) this.flush(out);
      }
      off += take;
    }
    return out;
  }

  /** end returns the last block (if still pending) and the trailer. */
  end(): Buffer[] {
    if (this.seen !== this.total)
      throw new Error(`gzip: got ${this.seen} bytes of the ${this.total} announced`);
    const out: Buffer[] = [];
    if (this.pendingLen || this.total === 0) this.flush(out);
    const trailer = Buffer.alloc(8);
    trailer.writeUInt32LE(this.crc32, 0);
    trailer.writeUInt32LE(this.total % 2 ** 32, 4);
    out.push(trailer);
    return out;
  }

  private flush(out: Buffer[]): void {
    this.block(
      this.pending.length === 1 ? (this.pending[0] as Buffer) : Buffer.concat(this.pending, this.pendingLen),
      out,
    );
    this.pending = [];
    this.pendingLen = 0;
  }

  private block(chunk: Buffer, out: Buffer[]): void {
    this.emitted += chunk.length;
    out.push(storedBlockHeader(chunk.length, this.emitted === this.total), chunk);
  }
}

/** gzipStored frames in-memory bytes with StoredGzipFramer and hashes both sides. */
export function gzipStored(input: readonly Buffer[]): GzipResult {
  const total = input.reduce((n, b) => n + b.length, 0);
  const framer = new StoredGzipFramer(total);
  const raw = createHash('sha256');
  const gz = createHash('sha256');
  const parts: Buffer[] = [];
  const add = (out: Buffer[]) => {
    for (const b of out) {
      gz.update(b);
      parts.push(b);
    }
  };
  add(framer.start());
  for (const buf of input) {
    raw.update(buf);
    add(framer.write(buf));
  }
  add(framer.end());
  return {
    parts,
    size: storedGzipSize(total),
    digest: `sha256:${gz.digest('hex')}`,
    diffId: `sha256:${raw.digest('hex')}`,
  };
}
