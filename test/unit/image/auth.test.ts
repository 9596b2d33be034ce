import { describe, expect, it, test } from 'vitest';
import { basicAuth, parseChallenges, tokenFromResponse, tokenUrl } from '../../../src/image/auth.js';
import { fetchBearerToken } from '../../../src/image/token.js';

// Challenge shapes from the Distribution token spec (docs/spec/auth/token.md) and from the registries
// users push to.
describe('parseChallenges', () => {
  test.each([
    [
      'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/ubuntu:pull"',
      [
        {
          scheme: 'bearer',
          params: {
            realm: 'https://auth.docker.io/token',
            service: 'registry.docker.io',
            scope: 'repository:library/ubuntu:pull',
          },
        },
      ],
    ],
    [
      'Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:acme/etl:pull,push"',
      [
        {
          scheme: 'bearer',
          params: {
            realm: 'https://ghcr.io/token',
            service: 'ghcr.io',
            scope: 'repository:acme/etl:pull,push',
          },
        },
      ],
    ],
    [
      'Basic realm="https://123.dkr.ecr.eu-west-1.amazonaws.com/",service="ecr.amazonaws.com"',
      [
        {
          scheme: 'basic',
          params: { realm: 'https://123.dkr.ecr.eu-west-1.amazonaws.com/', service: 'ecr.amazonaws.com' },
        },
      ],
    ],
    ['Basic realm="local-registry"', [{ scheme: 'basic', params: { realm: 'local-registry' } }]],
    ['Basic', [{ scheme: 'basic', params: {} }]],
    [
      'bearer realm=https://x/token, service=x',
      [{ scheme: 'bearer', params: { realm: 'https://x/token', service: 'x' } }],
    ],
    ['Bearer realm="a\\"b"', [{ scheme: 'bearer', params: { realm: 'a"b' } }]],
    [
      'Basic realm="r", Bearer realm="https://t",scope="a b"',
      [
        { scheme: 'basic', params: { realm: 'r' } },
        { scheme: 'bearer', params: { realm: 'https://t', scope: 'a b' } },
      ],
    ],
    ['', []],
  ])('%s', (header, want) => {
    expect(parseChallenges(header)).toEqual(want);
  });
});

describe('tokenUrl', () => {
  test('adds service and every scope once', () => {
    const url = new URL(
      tokenUrl(
        {
          scheme: 'bearer',
          params: { realm: 'https://auth.example/token?x=1', service: 'reg', scope: 'repository:a:pull' },
        },
        ['repository:a:pull', 'repository:b:pull,push'],
      ),
    );
    expect(url.origin + url.pathname).toBe('https://auth.example/token');
    expect(url.searchParams.get('x')).toBe('1');
    expect(url.searchParams.get('service')).toBe('reg');
    expect(url.searchParams.getAll('scope')).toEqual(['repository:a:pull', 'repository:b:pull,push']);
  });
  test('needs a realm', () => {
    expect(() => tokenUrl({ scheme: 'bearer', params: {} }, [])).toThrow('realm');
  });
});

test.each([
  [{ token: 't1' }, 't1'],
  [{ access_token: 't2' }, 't2'],
  [{ token: '', access_token: 't3' }, 't3'],
  [{}, undefined],
  [null, undefined],
  ['x', undefined],
])('tokenFromResponse(%j)', (body, want) => {
  expect(tokenFromResponse(body)).toBe(want);
});

test('basicAuth', () => {
  expect(basicAuth({ username: 'u', password: 'p:w' })).toBe(
    `Basic ${Buffer.from('u:p:w').toString('base64')}`,
  );
});

describe('fetchBearerToken: where credentials may go', () => {
  const creds = { username: 'robot', password: 's3cret-pass' };
  const challenge = (realm: string) => ({ scheme: 'bearer', params: { realm, service: 'r' } });
  const seen: { url: string; auth?: string }[] = [];
  const fetchFn = (async (url: string | URL, init?: RequestInit) => {
    const h = (init?.headers ?? {}) as Record<string, string>;
    seen.push({ url: String(url), ...(h.authorization ? { auth: h.authorization } : {}) });
    return new Response(JSON.stringify({ token: 'tok' }), { status: 200 });
  }) as typeof fetch;
  const ask = (realm: string, registryUrl: string) =>
    fetchBearerToken({
      registry: new URL(registryUrl).host,
      registryUrl,
      challenge: challenge(realm),
      scopes: ['repository:acme/etl:pull'],
      credentials: creds,
      fetchFn,
      timeoutMs: 1000,
    });

  it('sends Basic credentials to an https realm, and to an http realm on the registry host', async () => {
    seen.length = 0;
    await expect(ask('https://auth.example.com/token', 'https://reg.example.com')).resolves.toBe('tok');
    await expect(ask('http://127.0.0.1:5000/token', 'http://127.0.0.1:5000')).resolves.toBe('tok');
    expect(seen.map((s) => s.auth?.startsWith('Basic '))).toEqual([true, true]);
  });

  it('refuses to send them over plain http to another host, and sends nothing', async () => {
    seen.length = 0;
    await expect(ask('http://evil.example.net/token', 'https://reg.example.com')).rejects.toThrow(
      /token service http:\/\/evil\.example\.net is plain http outside the registry's own origin; the registry credentials are not sent there/,
    );
    // Same host, but plain http while the registry is https (or another port): not its origin either.
    await expect(ask('http://reg.example.com/token', 'https://reg.example.com')).rejects.toThrow(
      /plain http/,
    );
    await expect(ask('http://127.0.0.1:5001/token', 'http://127.0.0.1:5000')).rejects.toThrow(/plain http/);
    expect(seen).toEqual([]);
  });
});
