// src/util/poll.ts and src/util/http.ts (shared utils written for the standalone target).
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it, test } from 'vitest';
import { HttpFailure, originOf, requestJson } from '../../../src/util/http.js';
import { backoffDelay, Poller, PollTimeoutError, sleep } from '../../../src/util/poll.js';
import { virtualClock } from './fixtures.js';

describe('backoffDelay', () => {
  test.each([
    [0, {}, 1000],
    [1, {}, 1500],
    [2, {}, 2250],
    [5, {}, 7594],
    [6, {}, 10_000],
    [50, {}, 10_000],
    [3, { initialMs: 100, maxMs: 500, factor: 2 }, 500],
    [2, { initialMs: 100, maxMs: 500, factor: 2 }, 400],
    [-1, {}, 1000],
  ])('attempt %i %j -> %i ms', (attempt, b, ms) => {
    expect(backoffDelay(attempt, b)).toBe(ms);
  });
});

describe('Poller', () => {
  it('grows, resets, honours atMost and stops at the deadline', async () => {
    const clock = virtualClock(0);
    const p = new Poller({ clock, deadline: 5000 });
    await p.wait();
    await p.wait();
    p.reset();
    await p.wait(300);
    await p.wait();
    expect(clock.slept).toEqual([1000, 1500, 300, 1500]);
    await p.wait(); // 2250 capped to the 700 ms left
    expect(clock.slept.at(-1)).toBe(700);
    expect(p.expired()).toBe(true);
    await expect(p.wait()).rejects.toBeInstanceOf(PollTimeoutError);
  });

  it('an aborted signal rejects the wait with its reason', async () => {
    const ac = new AbortController();
    ac.abort(new Error('cancelled'));
    const p = new Poller({ clock: virtualClock(0), signal: ac.signal });
    await expect(p.wait()).rejects.toThrow('cancelled');
  });
});

describe('sleep', () => {
  it('resolves after the delay and rejects at once on abort', async () => {
    await expect(sleep(1)).resolves.toBeUndefined();
    const ac = new AbortController();
    const pending = sleep(60_000, ac.signal);
    ac.abort(new Error('stop'));
    await expect(pending).rejects.toThrow('stop');
  });
});

describe('requestJson', () => {
  let server: Server;
  let base = '';
  beforeAll(async () => {
    server = createServer((req, res) => {
      const path = req.url ?? '';
      if (path === '/json') {
        let body = '';
        req.on('data', (c) => {
          body += c;
        });
        req.on('end', () => {
          res.writeHead(200, { 'Content-Type': 'application/json' });
          res.end(
            JSON.stringify({
              method: req.method,
              got: body,
              ct: req.headers['content-type'],
              x: req.headers['x-k'],
            }),
          );
        });
        return;
      }
      if (path === '/empty') return void res.writeHead(500).end();
      if (path === '/bad') return void res.writeHead(200).end('{"a":');
      if (path === '/reset') return void req.socket.destroy();
      if (path === '/redirect') return void res.writeHead(302, { Location: '/json' }).end();
      if (path === '/stall') return;
      res.writeHead(404).end('nope');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('sends JSON with headers and parses the answer', async () => {
    const res = await requestJson(fetch, `${base}/json`, { json: { a: 1 }, headers: { 'X-K': 'v' } });
    expect(res).toMatchObject({
      status: 200,
      json: { method: 'POST', got: '{"a":1}', ct: 'application/json;charset=UTF-8', x: 'v' },
    });
  });

  test.each([
    ['/empty', 500, 'empty body'],
    ['/bad', 200, /JSON/],
    ['/nope', 404, /JSON|Unexpected/],
  ])('%s resolves with status %i and a jsonError', async (path, status, why) => {
    const res = await requestJson(fetch, `${base}${path}`);
    expect(res.status).toBe(status);
    expect(res.json).toBeUndefined();
    expect(res.jsonError).toMatch(why);
  });

  it('does not follow redirects', async () => {
    expect((await requestJson(fetch, `${base}/redirect`)).status).toBe(302);
  });

  it('a reset after sending is a network failure that may have been seen', async () => {
    const err = await requestJson(fetch, `${base}/reset`, { json: {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpFailure);
    expect(err).toMatchObject({ kind: 'network', sent: true });
  });

  it('a refused connection was never sent', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as { port: number }).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const err = await requestJson(fetch, `http://127.0.0.1:${port}/`).catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'network', code: 'ECONNREFUSED', sent: false });
  });

  it('a stall is a timeout; the caller abort wins with its own reason', async () => {
    const err = await requestJson(fetch, `${base}/stall`, { timeoutMs: 100 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'timeout', sent: true });
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error('user abort')), 20);
    await expect(requestJson(fetch, `${base}/stall`, { signal: ac.signal, timeoutMs: 5000 })).rejects.toThrow(
      'user abort',
    );
  });

  it('originOf', () => {
    expect(originOf('https://a.example:8443/x?y')).toBe('https://a.example:8443');
    expect(originOf('not a url')).toBeUndefined();
  });
});
