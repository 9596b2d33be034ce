import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

// Why not fetch for streamed uploads: undici's fetch keeps every chunk of a streamed request body in memory
// until the exchange ends (nodejs/undici#4058), so a 1 GB layer would cost 1 GB of memory. node:http
// streams with backpressure, at the same speed. Answers come back as a fetch Response, as from fetch.

/**
 * streamRequest sends a request whose body is streamed from `source` with node:http(s) and returns the
 * answer as a Response. An answer that comes before the whole body was sent (a 401, a 400) is returned as
 * is; a failing source (or signal) destroys the request and rejects with the source's error.
 */
export async function streamRequest(
  url: string,
  init: {
    method: string;
    headers: Record<string, string>;
    source: AsyncIterable<Uint8Array>;
    signal: AbortSignal;
  },
): Promise<Response> {
  const u = new URL(url);
  const req = (u.protocol === 'https:' ? httpsRequest : httpRequest)(u, {
    method: init.method,
    headers: init.headers,
    signal: init.signal,
  });
  const answer = new Promise<IncomingMessage>((resolve, reject) => {
    req.once('response', resolve);
    req.once('error', reject);
    // A source that fails before any answer: pipeline destroys req with the source's error, which lands
    // in 'error' above; this only covers the case where req was already finished.
    pipeline(Readable.from(init.source), req).catch(reject);
  });
  const res = await answer;
  const headers = new Headers();
  for (const [k, v] of Object.entries(res.headers))
    for (const x of Array.isArray(v) ? v : v === undefined ? [] : [v]) headers.append(k, x);
  const status = res.statusCode ?? 502;
  const empty = init.method === 'HEAD' || status === 204 || status === 304;
  if (empty) res.resume();
  return new Response(empty ? null : (Readable.toWeb(res) as ReadableStream<Uint8Array>), {
    status,
    statusText: res.statusMessage ?? '',
    headers,
  });
}

/** readable wraps an async iterable as a ReadableStream (for a fetch body), pulling one chunk at a time. */
export function readable(source: AsyncIterable<Uint8Array>): ReadableStream<Uint8Array> {
  const it = source[Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const r = await it.next();
      if (r.done) controller.close();
      else controller.enqueue(r.value);
    },
    async cancel() {
      await it.return?.();
    },
  });
}
