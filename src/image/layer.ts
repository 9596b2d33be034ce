import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, isAbsolute, posix, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { ActionError } from '../util/errors.js';
import {
  StoredGzipFramer,
  storedGzipSize,
  type TarEntry,
  type TarSegment,
  tarSegments,
  tarSize,
} from './tar.js';

/** LayerFile is a host file and where it goes in the image. */
export interface LayerFile {
  /** Absolute path in the image, e.g. /app/etl.jar. */
  imagePath: string;
  hostPath: string;
  /** Config key the file came from, for error messages. */
  from: string;
}

/**
 * AppLayer is the built layer: its digests and size, the files it holds, and `open` to stream its gzip bytes
 * (the files are read again, never held in memory).
 */
export interface AppLayer {
  /** sha256 of the gzip bytes: the blob digest. */
  digest: string;
  /** sha256 of the uncompressed tar: the diff_id. */
  diffId: string;
  /** Length of the gzip stream in bytes. */
  size: number;
  files: { path: string; size: number }[];
  open(signal?: AbortSignal): AsyncGenerator<Buffer>;
}

/** normalizeAppDir checks image.appDir and returns it absolute, without a trailing slash (default /app). */
export function normalizeAppDir(appDir: string | undefined): string {
  const dir = posix.normalize(appDir ?? '/app').replace(/\/+$/, '');
  if (!dir.startsWith('/') || dir === '' || dir.includes('/../'))
    throw new ActionError(
      `image: image.appDir must be an absolute directory in the image such as /app (got ${JSON.stringify(appDir)})`,
    );
  return dir;
}

// Spark accepts URLs in spark.files (s3://, hdfs://, https://); only local files go into the image.
const URL_LIKE = /^[a-z][a-z0-9+.-]*:\/\//i;

/**
 * layerFiles lists what goes into the layer: the JAR, app.configFile and the local spark.files, each as
 * <appDir>/<file name>. Two files with the same name are an error naming both keys.
 */
export function layerFiles(opts: {
  jarPath: string;
  workingDirectory: string;
  appDir: string;
  configFile?: string;
  sparkFiles?: readonly string[];
}): LayerFile[] {
  const files: LayerFile[] = [
    { imagePath: `${opts.appDir}/${basename(opts.jarPath)}`, hostPath: opts.jarPath, from: 'the JAR' },
  ];
  const add = (p: string, from: string) => {
    const hostPath = isAbsolute(p) ? p : resolve(opts.workingDirectory, p);
    files.push({ imagePath: `${opts.appDir}/${basename(p)}`, hostPath, from });
  };
  if (opts.configFile) add(opts.configFile, 'app.configFile');
  for (const [i, f] of (opts.sparkFiles ?? []).entries()) {
    const local = f.replace(/^file:\/\//, '');
    if (!URL_LIKE.test(local)) add(local, `spark.files[${i}]`);
  }
  const seen = new Map<string, LayerFile>();
  for (const f of files) {
    const other = seen.get(f.imagePath);
    if (other && other.hostPath !== f.hostPath)
      throw new ActionError(
        `image: ${f.from} and ${other.from} would both be ${f.imagePath} in the image; rename one of them`,
      );
    seen.set(f.imagePath, f);
  }
  return [...seen.values()];
}

/** tarEntriesFor returns the directory entries for appDir and its parents plus one entry per file. */
export function tarEntriesFor(
  appDir: string,
  files: ({ imagePath: string; data: Uint8Array } | { imagePath: string; hostPath: string; size: number })[],
): TarEntry[] {
  const entries: TarEntry[] = [];
  const parts = appDir.split('/').filter(Boolean);
  for (let i = 1; i <= parts.length; i++) entries.push({ path: parts.slice(0, i).join('/'), type: 'dir' });
  for (const f of files) {
    const path = f.imagePath.replace(/^\/+/, '');
    if ('data' in f) entries.push({ path, type: 'file', data: f.data });
    else entries.push({ path, type: 'file', file: { path: f.hostPath, size: f.size } });
  }
  return entries;
}

const READ_SIZE = 4 * 1024 * 1024;

/** rawChunks streams the tar bytes; a file whose size differs from when it was listed is an error. */
async function* rawChunks(segments: readonly TarSegment[], signal?: AbortSignal): AsyncGenerator<Buffer> {
  for (const s of segments) {
    if (Buffer.isBuffer(s)) {
      yield s;
      continue;
    }
    let got = 0;
    // Fresh buffers per read (no pool reuse): consumers such as an HTTP body may hold on to them.
    const stream = createReadStream(s.path, { highWaterMark: READ_SIZE, ...(signal ? { signal } : {}) });
    for await (const chunk of stream) {
      got += (chunk as Buffer).length;
      if (got > s.size) break;
      yield chunk as Buffer;
    }
    stream.destroy();
    if (got !== s.size) throw changedError(s.path, s.size, got > s.size ? 'more' : got);
  }
}

/** gzipGroups streams the layer's gzip bytes as groups of pieces, one group per chunk of input read. */
async function* gzipGroups(
  segments: readonly TarSegment[],
  signal?: AbortSignal,
  crc?: { value?: number },
): AsyncGenerator<Buffer[]> {
  const framer = new StoredGzipFramer(tarSize(segments), crc?.value);
  yield framer.start();
  for await (const chunk of rawChunks(segments, signal)) {
    const out = framer.write(chunk);
    if (out.length) yield out;
  }
  yield framer.end();
  if (crc) crc.value = framer.crc32;
}

async function listFile(f: LayerFile): Promise<{ imagePath: string; hostPath: string; size: number }> {
  try {
    const st = await stat(f.hostPath);
    if (!st.isFile()) throw Object.assign(new Error('not a regular file'), { code: 'EISDIR' });
    return { imagePath: f.imagePath, hostPath: f.hostPath, size: st.size };
  } catch (err) {
    const code = (err as { code?: string }).code;
    throw new ActionError(
      `image: cannot read ${f.from} (${f.hostPath}): ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'not a regular file' : String(err)}; check the path in the config, relative to the working directory`,
    );
  }
}

// The diff_id (sha256 of the tar) is computed by a worker thread reading the files itself, while this
// thread frames the gzip stream and hashes it: two SHA-256 passes over a 200 MB JAR take ~0.5 s one after
// the other, half that side by side. Plain CommonJS, evaluated as is (eval workers are not bundled).
const DIFF_ID_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const { openSync, readSync, closeSync } = require('node:fs');
const hash = createHash('sha256');
const buf = Buffer.allocUnsafe(workerData.readSize);
const run = () => {
for (const s of workerData.segments) {
  if (s.bytes) { hash.update(s.bytes); continue; }
  const fd = openSync(s.path, 'r');
  let off = 0;
  try {
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, off);
      if (n === 0) break;
      hash.update(buf.subarray(0, n));
      off += n;
    }
  } finally {
    closeSync(fd);
  }
  if (off !== s.size) return { changed: s.path, size: s.size, got: off };
}
return { diffId: 'sha256:' + hash.digest('hex') };
};
parentPort.postMessage(run());
`;

function diffIdInWorker(segments: readonly TarSegment[], signal?: AbortSignal): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const worker = new Worker(DIFF_ID_WORKER, {
      eval: true,
      workerData: {
        readSize: READ_SIZE,
        segments: segments.map((s) => (Buffer.isBuffer(s) ? { bytes: new Uint8Array(s) } : s)),
      },
    });
    const onAbort = () => void worker.terminate();
    signal?.addEventListener('abort', onAbort, { once: true });
    const done = () => signal?.removeEventListener('abort', onAbort);
    worker.once('message', (m: { diffId?: string; changed?: string; size?: number; got?: number }) => {
      done();
      void worker.terminate();
      if (m.diffId) resolvePromise(m.diffId);
      else reject(changedError(m.changed ?? '', m.size ?? 0, m.got ?? 0));
    });
    worker.once('error', (err) => {
      done();
      reject(err);
    });
    worker.once('exit', (code) => {
      done();
      if (signal?.aborted) reject(signal.reason);
      else if (code !== 0) reject(new Error(`image: the diff_id worker exited with code ${code}`));
    });
  });
}

function changedError(path: string, size: number, got: number | string): ActionError {
  return new ActionError(
    `image: ${path} changed while the image was built (${size} bytes when listed, ${got} now); build the image from a finished JAR`,
  );
}

/**
 * PreparedLayer is the layer before any hashing: its size and files are known from the file list; the
 * blob digest and the diff_id are each one streamed pass, run on demand (the oci builder may find the
 * digest in an earlier push instead, see oci-builder.ts).
 */
export interface PreparedLayer {
  /** Length of the gzip stream in bytes. */
  size: number;
  files: AppLayer['files'];
  /** digest hashes the gzip stream (this thread). */
  digest(signal?: AbortSignal): Promise<string>;
  /** diffId hashes the tar (a worker thread, reading the files itself). */
  diffId(signal?: AbortSignal): Promise<string>;
  open(signal?: AbortSignal): AsyncGenerator<Buffer>;
}

/** prepareAppLayer lists the files (sizes, readable) and lays out the deterministic tar holding them. */
export async function prepareAppLayer(appDir: string, files: readonly LayerFile[]): Promise<PreparedLayer> {
  const listed = await Promise.all(files.map(listFile));
  const segments = tarSegments(tarEntriesFor(appDir, listed));
  // The CRC-32 for the gzip trailer, kept from the first full pass so that later ones skip it.
  const crc: { value?: number } = {};
  return {
    size: storedGzipSize(tarSize(segments)),
    files: listed
      .map((f) => ({ path: f.imagePath, size: f.size }))
      .sort((a, b) => (a.path < b.path ? -1 : 1)),
    async digest(signal?: AbortSignal) {
      const gz = createHash('sha256');
      for await (const group of gzipGroups(segments, signal, crc))
        for (const piece of group) gz.update(piece);
      return `sha256:${gz.digest('hex')}`;
    },
    diffId: (signal?: AbortSignal) => diffIdInWorker(segments, signal),
    async *open(signal?: AbortSignal) {
      // One buffer per group: a few MB per write instead of thousands of 64 KB pieces.
      for await (const group of gzipGroups(segments, signal, crc))
        yield group.length === 1 ? (group[0] as Buffer) : Buffer.concat(group);
    },
  };
}

/**
 * buildAppLayer returns the deterministic layer holding the files, both digests computed side by side
 * (the diff_id in a worker); `open` produces the bytes again when they are uploaded or written.
 */
export async function buildAppLayer(
  appDir: string,
  files: readonly LayerFile[],
  signal?: AbortSignal,
): Promise<AppLayer> {
  const p = await prepareAppLayer(appDir, files);
  const [digest, diffId] = await Promise.all([p.digest(signal), p.diffId(signal)]);
  return { digest, diffId, size: p.size, files: p.files, open: p.open };
}
