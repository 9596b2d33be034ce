// Reading one entry's data: only for the few entries a rule needs (the manifest, the head of the main
// class). Everything else in the JAR is never read.
import type { FileHandle } from 'node:fs/promises';
import { constants, crc32, inflateRawSync } from 'node:zlib';
import { readAt, type ZipArchive, ZipError } from './zip.js';
import type { CentralEntry } from './zip-entries.js';

const SIG_LOCAL = 0x04034b50;
const LOCAL_SIZE = 30;
const STORED = 0;
const DEFLATED = 8;

/** entryDataOffset reads an entry's local header and returns the file offset where its data starts. */
export async function entryDataOffset(fh: FileHandle, zip: ZipArchive, entry: CentralEntry): Promise<number> {
  const name = entry.name;
  const head = await readAt(fh, entry.localHeaderOffset, LOCAL_SIZE);
  if (head.length < LOCAL_SIZE || head.readUInt32LE(0) !== SIG_LOCAL) {
    throw new ZipError(
      'corrupt',
      `the local header of ${name} is missing at byte ${entry.localHeaderOffset}`,
    );
  }
  const start = entry.localHeaderOffset + LOCAL_SIZE + head.readUInt16LE(26) + head.readUInt16LE(28);
  if (start + entry.compressedSize > zip.centralDirectoryStart) {
    throw new ZipError('corrupt', `the data of ${name} runs into the central directory`);
  }
  return start;
}

function checkReadable(entry: CentralEntry): void {
  if (entry.isEncrypted) throw new ZipError('corrupt', `${entry.name} is encrypted`);
  if (entry.method !== STORED && entry.method !== DEFLATED) {
    throw new ZipError('corrupt', `${entry.name} uses compression method ${entry.method}`);
  }
}

/** inflate inflates raw deflate data; partial input (a prefix of the stream) yields what it decodes to. */
function inflate(name: string, data: Buffer, partial: boolean, maxOutputLength: number): Buffer {
  try {
    // The input is bounded by the caller, so the output of a partial read is bounded too (deflate ≤ 1032:1).
    return inflateRawSync(data, partial ? { finishFlush: constants.Z_SYNC_FLUSH } : { maxOutputLength });
  } catch (err) {
    throw new ZipError('corrupt', `${name} has invalid compressed data (${(err as Error).message})`);
  }
}

/** readEntry reads and inflates a whole entry of at most maxBytes, checking its size and CRC-32. */
export async function readEntry(
  fh: FileHandle,
  zip: ZipArchive,
  entry: CentralEntry,
  maxBytes: number,
): Promise<Buffer> {
  checkReadable(entry);
  const name = entry.name;
  if (entry.size > maxBytes)
    throw new ZipError('corrupt', `${name} is ${entry.size} bytes, more than ${maxBytes}`);
  const start = await entryDataOffset(fh, zip, entry);
  const raw = await readAt(fh, start, entry.compressedSize);
  if (raw.length !== entry.compressedSize) throw new ZipError('truncated', `the data of ${name} is cut off`);
  const data = entry.method === STORED ? raw : inflate(name, raw, false, Math.max(entry.size, 1));
  if (data.length !== entry.size || crc32(data) !== entry.crc32) {
    throw new ZipError('corrupt', `${name} does not match its size or CRC-32 in the central directory`);
  }
  return data;
}

/** readEntryHead reads and inflates the first n bytes of an entry (fewer only if the entry is shorter). */
export async function readEntryHead(
  fh: FileHandle,
  zip: ZipArchive,
  entry: CentralEntry,
  n: number,
): Promise<Buffer> {
  checkReadable(entry);
  const start = await entryDataOffset(fh, zip, entry);
  if (entry.method === STORED) return readAt(fh, start, Math.min(n, entry.compressedSize));
  // Deflate rarely needs more than a few hundred input bytes for the first bytes of output; grow if not.
  for (let want = Math.max(512, n); ; want *= 8) {
    const len = Math.min(want, entry.compressedSize);
    const raw = await readAt(fh, start, len);
    const out = inflate(entry.name, raw, true, 0);
    if (out.length >= n || len === entry.compressedSize) return out.subarray(0, n);
  }
}
