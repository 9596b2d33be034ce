import type { RegistryClient } from './registry.js';
import { RegistryError } from './registry-error.js';

// Blob uploads (distribution-spec: POST opens an upload; PATCH sends chunks; PUT ?digest= commits), for
// RegistryClient.uploadBlob and RegistryClient.startUpload.

/** BlobSource is blob content made on demand: its size and a way to stream it (opened once per send). */
export interface BlobSource {
  size: number;
  open(): AsyncIterable<Uint8Array>;
}

/** StreamedUpload is an upload under way before its digest is known (RegistryClient.startUpload). */
export interface StreamedUpload {
  /** Bytes of the body sent so far. */
  sent(): number;
  /** finish waits for the body to be sent, then commits the upload under the digest. */
  finish(digest: string): Promise<void>;
  /** cancel stops sending and deletes the upload session. */
  cancel(): Promise<void>;
}

/** chunksOf regroups a stream into buffers of exactly `size` bytes (the last one shorter). */
async function* chunksOf(source: AsyncIterable<Uint8Array>, size: number): AsyncGenerator<Buffer> {
  let pending: Buffer[] = [];
  let len = 0;
  for await (const piece of source) {
    let buf = Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
    while (len + buf.length >= size) {
      const take = size - len;
      pending.push(buf.subarray(0, take));
      yield Buffer.concat(pending, size);
      pending = [];
      len = 0;
      buf = buf.subarray(take);
    }
    if (buf.length) {
      pending.push(buf);
      len += buf.length;
    }
  }
  if (len) yield Buffer.concat(pending, len);
}

/** uploadBlob is RegistryClient.uploadBlob: one PUT, or PATCH chunks of `chunk` bytes and a closing PUT. */
export async function uploadBlob(
  client: RegistryClient,
  name: string,
  digest: string,
  data: Blob | BlobSource,
  chunk: number,
): Promise<void> {
  const start = await client.request('POST', `/v2/${name}/blobs/uploads/`, {
    headers: { 'content-length': '0' },
  });
  await start.body?.cancel();
  if (start.status !== 202) throw await client.failure(start, `start upload of ${digest}`);
  let location = client.location(start, 'start upload');
  let body: Blob | BlobSource | undefined = data;
  if (chunk > 0 && data.size > chunk) {
    const parts =
      data instanceof Blob
        ? (async function* () {
            for (let off = 0; off < data.size; off += chunk)
              yield data.slice(off, Math.min(off + chunk, data.size));
          })()
        : chunksOf(data.open(), chunk);
    let off = 0;
    for await (const part of parts) {
      const size = part instanceof Blob ? part.size : part.length;
      const res = await client.request('PATCH', location, {
        headers: {
          'content-type': 'application/octet-stream',
          'content-range': `${off}-${off + size - 1}`,
        },
        body: part,
        long: true,
      });
      await res.body?.cancel();
      if (res.status !== 202) throw await client.failure(res, `upload chunk of ${digest}`);
      location = client.location(res, 'upload chunk');
      off += size;
    }
    if (off !== data.size)
      throw new RegistryError(
        `registry ${client.registry}: blob ${digest} was ${off} bytes, not the ${data.size} announced`,
        0,
      );
    body = undefined;
  }
  const url = new URL(location);
  url.searchParams.set('digest', digest);
  const res = await client.request('PUT', url.toString(), {
    headers: { 'content-type': 'application/octet-stream' },
    body: body ?? Buffer.alloc(0),
    long: true,
  });
  await res.body?.cancel();
  if (res.status !== 201) throw await client.failure(res, `finish upload of ${digest}`);
}

/** startUpload is RegistryClient.startUpload: POST, one streamed PATCH, then finish or cancel. */
export function startUpload(client: RegistryClient, name: string, source: BlobSource): StreamedUpload {
  const abort = new AbortController();
  let sent = 0;
  let session: string | undefined;
  const counted: BlobSource = {
    size: source.size,
    async *open() {
      sent = 0;
      for await (const chunk of source.open()) {
        sent += chunk.byteLength;
        yield chunk;
      }
    },
  };
  const patched = (async () => {
    const start = await client.request('POST', `/v2/${name}/blobs/uploads/`, {
      headers: { 'content-length': '0' },
      signal: abort.signal,
    });
    await start.body?.cancel();
    if (start.status !== 202) throw await client.failure(start, 'start upload');
    session = client.location(start, 'start upload');
    const res = await client.request('PATCH', session, {
      headers: {
        'content-type': 'application/octet-stream',
        'content-range': `0-${source.size - 1}`,
      },
      body: counted,
      long: true,
      signal: abort.signal,
    });
    await res.body?.cancel();
    if (res.status !== 202) throw await client.failure(res, 'upload');
    return client.location(res, 'upload');
  })();
  // Settled by finish or cancel; this keeps an early failure from being an unhandled rejection meanwhile.
  patched.catch(() => {});
  return {
    sent: () => sent,
    finish: async (digest: string) => {
      const url = new URL(await patched);
      url.searchParams.set('digest', digest);
      const res = await client.request('PUT', url.toString(), {
        headers: { 'content-type': 'application/octet-stream' },
        body: Buffer.alloc(0),
      });
      await res.body?.cancel();
      if (res.status !== 201) throw await client.failure(res, `finish upload of ${digest}`);
    },
    cancel: async () => {
      abort.abort();
      await patched.catch(() => {});
      if (session) {
        const r = await client.request('DELETE', session).catch(() => undefined);
        await r?.body?.cancel();
      }
    },
  };
}
