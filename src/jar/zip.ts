// The zip central-directory reader. It reads the end records from the tail of the file and the central
// directory in one read, then walks the records in place: a JAR with 120,000 entries costs one ~10 MB
// read and no per-entry objects. Entry data is read only on request (see zip-entry.ts).
import type { FileHandle } from 'node:fs/promises';

/** What is structurally wrong with a file that should be a zip; each kind maps to a verify rule. */
export type ZipErrorKind = 'not-a-zip' | 'truncated' | 'corrupt';

/** ZipError reports a file that is not a readable zip archive; the message says what was found. */
export class ZipError extends Error {
  readonly kind: ZipErrorKind;
  constructor(kind: ZipErrorKind, message: string) {
    super(message);
    this.name = 'ZipError';
    this.kind = kind;
  }
}

/** ZipArchive is an opened zip: its central directory bytes and where the zip sits in the file. */
export interface ZipArchive {
  fileSize: number;
  /** Bytes before the zip (a launcher script prepended to a JAR); added to every offset in the zip. */
  prefixBytes: number;
  /** Whether zip64 end records were used. */
  zip64: boolean;
  /** Entry count from the end record (may be wrong in files from broken writers; walking counts). */
  declaredEntries: number;
  /** File offset of the central directory. */
  centralDirectoryStart: number;
  /** The whole central directory. */
  centralDirectory: Buffer;
}

const SIG_LOCAL = 0x04034b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_EOCD = 0x06054b50;
const SIG_ZIP64_EOCD = 0x06064b50;
const SIG_ZIP64_LOCATOR = 0x07064b50;
const EOCD_SIZE = 22;
const ZIP64_LOCATOR_SIZE = 20;
const ZIP64_EOCD_SIZE = 56;
const MAX_COMMENT = 0xffff;
/** The tail read covers the largest end record plus comment and, usually, the zip64 records before it. */
const TAIL_SIZE = EOCD_SIZE + MAX_COMMENT + ZIP64_LOCATOR_SIZE + ZIP64_EOCD_SIZE;
const MAX32 = 0xffffffff;
/** Central directories larger than this are rejected rather than read (120,000 entries take ~10 MB). */
const MAX_CENTRAL_DIRECTORY = 1 << 30;

/** readUInt64 reads a little-endian 64-bit unsigned integer as a number, or -1 past 2^53. */
export function readUInt64(buf: Buffer, offset: number): number {
  const hi = buf.readUInt32LE(offset + 4);
  if (hi >= 0x200000) return -1;
  return hi * 0x100000000 + buf.readUInt32LE(offset);
}

/** readAt reads exactly length bytes at position, or fewer only at the end of the file. */
export async function readAt(
  fh: FileHandle,
  position: number,
  length: number,
  into?: Buffer,
): Promise<Buffer> {
  const buf = into ?? Buffer.allocUnsafe(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await fh.read(buf, done, length - done, position + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return done === length ? buf : buf.subarray(0, done);
}

/** findEndRecord returns the offset in tail of the end-of-central-directory record, or -1. */
export function findEndRecord(tail: Buffer): number {
  // Scan backwards; prefer a record whose comment length reaches exactly the end of the file, as a comment
  // may itself contain the signature. Accept trailing padding only when nothing fits exactly.
  let loose = -1;
  for (let i = tail.length - EOCD_SIZE; i >= 0; i--) {
    if (tail[i] !== 0x50 || tail.readUInt32LE(i) !== SIG_EOCD) continue;
    const end = i + EOCD_SIZE + tail.readUInt16LE(i + 20);
    if (end === tail.length) return i;
    if (end < tail.length && loose < 0) loose = i;
  }
  return loose;
}

function startsLikeZip(head: Buffer): boolean {
  return head.length >= 4 && head.readUInt32LE(0) === SIG_LOCAL;
}

interface EndInfo {
  entries: number;
  cdSize: number;
  cdOffset: number;
  /** File offset of the record the central directory ends at (zip64 end record or end record). */
  endPos: number;
  zip64: boolean;
}

async function readZip64End(
  fh: FileHandle,
  tail: Buffer,
  tailStart: number,
  eocd: number,
): Promise<EndInfo | null> {
  const loc = eocd - ZIP64_LOCATOR_SIZE;
  if (loc < 0 || tail.readUInt32LE(loc) !== SIG_ZIP64_LOCATOR) return null;
  if (tail.readUInt32LE(loc + 4) !== 0 || tail.readUInt32LE(loc + 16) > 1) {
    throw new ZipError('corrupt', 'it is a split (multi-part) zip archive, which Java cannot open');
  }
  // Java looks for the zip64 end record at the stored offset, not corrected for prepended bytes; so do we.
  const pos = readUInt64(tail, loc + 8);
  let rec: Buffer;
  if (pos >= tailStart && pos + ZIP64_EOCD_SIZE <= tailStart + loc) {
    rec = tail.subarray(pos - tailStart, pos - tailStart + ZIP64_EOCD_SIZE);
  } else if (pos >= 0 && pos + ZIP64_EOCD_SIZE <= tailStart + loc) {
    rec = await readAt(fh, pos, ZIP64_EOCD_SIZE);
  } else {
    return null;
  }
  if (rec.length < ZIP64_EOCD_SIZE || rec.readUInt32LE(0) !== SIG_ZIP64_EOCD) return null;
  const entries = readUInt64(rec, 32);
  const cdSize = readUInt64(rec, 40);
  const cdOffset = readUInt64(rec, 48);
  if (entries < 0 || cdSize < 0 || cdOffset < 0)
    throw new ZipError('corrupt', 'its zip64 end record is invalid');
  if (rec.readUInt32LE(16) !== 0 || rec.readUInt32LE(20) !== 0) {
    throw new ZipError('corrupt', 'it is a split (multi-part) zip archive, which Java cannot open');
  }
  return { entries, cdSize, cdOffset, endPos: pos, zip64: true };
}

/** openZip reads the end records and the central directory of an open file; it throws ZipError. */
export async function openZip(fh: FileHandle, fileSize: number): Promise<ZipArchive> {
  const tailStart = Math.max(0, fileSize - TAIL_SIZE);
  const tail = await readAt(fh, tailStart, fileSize - tailStart);
  const eocd = findEndRecord(tail);
  if (eocd < 0) {
    const head = tailStart === 0 ? tail : await readAt(fh, 0, 4);
    if (startsLikeZip(head)) {
      throw new ZipError(
        'truncated',
        `it starts like a zip but has no end record: it was cut off at ${fileSize} bytes`,
      );
    }
    throw new ZipError('not-a-zip', 'it has no zip end-of-central-directory record');
  }
  if (tail.readUInt16LE(eocd + 4) !== 0 || tail.readUInt16LE(eocd + 6) !== 0) {
    throw new ZipError('corrupt', 'it is a split (multi-part) zip archive, which Java cannot open');
  }
  const classic: EndInfo = {
    entries: tail.readUInt16LE(eocd + 10),
    cdSize: tail.readUInt32LE(eocd + 12),
    cdOffset: tail.readUInt32LE(eocd + 16),
    endPos: tailStart + eocd,
    zip64: false,
  };
  const end = (await readZip64End(fh, tail, tailStart, eocd)) ?? classic;
  if (!end.zip64 && (classic.cdSize === MAX32 || classic.cdOffset === MAX32)) {
    throw new ZipError(
      'corrupt',
      'its end record points to a zip64 end record that is missing (bytes prepended?)',
    );
  }
  const cdStart = end.endPos - end.cdSize;
  if (cdStart < 0) {
    throw new ZipError(
      'truncated',
      `its central directory (${end.cdSize} bytes) is larger than what precedes it`,
    );
  }
  const prefixBytes = cdStart - end.cdOffset;
  if (prefixBytes < 0) {
    throw new ZipError(
      'truncated',
      `its central directory should start at byte ${end.cdOffset} but the file has only ${cdStart} bytes before it: data is missing`,
    );
  }
  if (end.cdSize > MAX_CENTRAL_DIRECTORY) {
    throw new ZipError('corrupt', `its central directory claims ${end.cdSize} bytes, which is not plausible`);
  }
  const centralDirectory =
    cdStart >= tailStart
      ? tail.subarray(cdStart - tailStart, cdStart - tailStart + end.cdSize)
      : await readAt(fh, cdStart, end.cdSize);
  if (centralDirectory.length !== end.cdSize)
    throw new ZipError('truncated', 'its central directory is cut off');
  if (end.cdSize > 0 && centralDirectory.readUInt32LE(0) !== SIG_CENTRAL) {
    throw new ZipError(
      'corrupt',
      `no central directory record at byte ${cdStart} where the end record points`,
    );
  }
  return {
    fileSize,
    prefixBytes,
    zip64: end.zip64,
    declaredEntries: end.entries,
    centralDirectoryStart: cdStart,
    centralDirectory,
  };
}
