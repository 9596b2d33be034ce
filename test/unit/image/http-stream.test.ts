import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { streamRequest } from '../../../src/image/http-stream.js';

let origin = '';
const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
  if (req.url === '/early') {
    // Answers without reading the body, as a registry does for a bad token or an oversized upload.
    res.writeHead(413, { 'content-type': 'application/json', 'x-seen': 'no' });
    res.end('{"errors":[{"code":"SIZE_INVALID"}]}');
    return;
  }
  const hash = createHash('sha256');
  let n = 0;
  for await (const c of req) {
    hash.update(c as Buffer);
    n += (c as Buffer).length;
  }
  res.writeHead(201, { 'x-bytes': String(n), 'x-sha': hash.digest('hex') });
  res.end();
});
beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  return new Promise<void>((r) => server.close(() => r()));
});

async function* chunks(count: number, size: number, fail?: Error): AsyncGenerator<Buffer> {
  for (let i = 0; i < count; i++) yield Buffer.alloc(size, i);
  if (fail) throw fail;
}

const send = (path: string, source: AsyncIterable<Uint8Array>, size: number) =>
  streamRequest(`${origin}${path}`, {
    method: 'PATCH',
    headers: { 'content-length': String(size) },
    source,
    signal: new AbortController().signal,
  });

describe('streamRequest', () => {
  test('streams the whole body and returns the answer as a Response', async () => {
    const res = await send('/upload', chunks(64, 1 << 20), 64 << 20);
    const want = createHash('sha256');
    for await (const c of chunks(64, 1 << 20)) want.update(c);
    expect(res.status).toBe(201);
    expect(res.headers.get('x-bytes')).toBe(String(64 << 20));
    expect(res.headers.get('x-sha')).toBe(want.digest('hex'));
  });

  test('an answer that comes before the body is sent is returned with its body', async () => {
    const res = await send('/early', chunks(64, 1 << 20), 64 << 20);
    expect(res.status).toBe(413);
    expect(res.headers.get('x-seen')).toBe('no');
    expect(await res.json()).toEqual({ errors: [{ code: 'SIZE_INVALID' }] });
  });

  test('a source that fails rejects with its error', async () => {
    await expect(send('/upload', chunks(3, 1 << 20, new Error('layer changed')), 4 << 20)).rejects.toThrow(
      'layer changed',
    );
  });

  test('an aborted signal stops the upload', async () => {
    const ac = new AbortController();
    const slow = (async function* () {
      yield Buffer.alloc(1024);
      ac.abort();
      await new Promise((r) => setTimeout(r, 50));
      yield Buffer.alloc(1024);
    })();
    await expect(
      streamRequest(`${origin}/upload`, {
        method: 'PATCH',
        headers: { 'content-length': '2048' },
        source: slow,
        signal: ac.signal,
      }),
    ).rejects.toThrow(/abort/i);
  });
});
