import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

// An in-memory registry speaking the parts of the Distribution API v2 the oci builder uses, with the
// bearer-token flow of the Distribution token spec (docs/spec/auth/token.md) that Debian's registry cannot
// do without a separate token server: 401 + `WWW-Authenticate: Bearer realm=..,service=..,scope=..`, a token
// endpoint taking Basic credentials and `scope` parameters, and per-repository pull/push checks. Shapes:
// distribution-spec v1.1 spec.md (uploads: POST -> 202 Location, PATCH, PUT ?digest -> 201; mount:
// POST ?mount=&from= -> 201 or 202). Binds 127.0.0.1 only.

interface Upload {
  repo: string;
  chunks: Buffer[];
}

/** FakeRegistryOptions: auth 'bearer' requires tokens; users are Basic credentials for the token endpoint. */
export interface FakeRegistryOptions {
  auth?: 'none' | 'bearer';
  users?: Record<string, string>;
  /** Allow anonymous tokens with pull access (like Docker Hub for public images). */
  anonymousPull?: boolean;
  /** Answer token requests with access_token instead of token (as some OAuth2-style servers do). */
  accessTokenField?: boolean;
}

/** FakeRegistry is a started fake; `host` is 127.0.0.1:<port>. */
export interface FakeRegistry {
  host: string;
  requests: { method: string; path: string; auth?: string }[];
  tokenRequests: URL[];
  blobs: Map<string, Buffer>;
  /** Make the next request matching method and path fail with status (fault injection). */
  failNext(method: string, path: RegExp, status: number): void;
  close(): Promise<void>;
}

const digestOf = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

async function body(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** startFakeRegistry starts the fake on an ephemeral port. */
export async function startFakeRegistry(opts: FakeRegistryOptions = {}): Promise<FakeRegistry> {
  const blobs = new Map<string, Buffer>();
  const links = new Map<string, Set<string>>(); // repo -> blob digests
  const manifests = new Map<string, Map<string, { type: string; bytes: Buffer }>>();
  const uploads = new Map<string, Upload>();
  const tokens = new Map<string, Map<string, Set<string>>>(); // token -> repo -> actions
  const requests: FakeRegistry['requests'] = [];
  const tokenRequests: URL[] = [];
  const faults: { method: string; path: RegExp; status: number }[] = [];
  let seq = 0;
  let origin = '';

  const link = (repo: string, d: string) => {
    const s = links.get(repo) ?? new Set<string>();
    s.add(d);
    links.set(repo, s);
  };
  const errorJson = (res: ServerResponse, status: number, code: string, message: string, headers = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify({ errors: [{ code, message, detail: null }] }));
  };

  const handleToken = (req: IncomingMessage, res: ServerResponse, url: URL) => {
    tokenRequests.push(url);
    const auth = req.headers.authorization;
    let user: string | undefined;
    if (auth?.startsWith('Basic ')) {
      const [u, ...p] = Buffer.from(auth.slice(6), 'base64').toString().split(':');
      if (!u || opts.users?.[u] !== p.join(':'))
        return errorJson(res, 401, 'UNAUTHORIZED', 'bad credentials');
      user = u;
    }
    const granted = new Map<string, Set<string>>();
    for (const scope of url.searchParams.getAll('scope')) {
      const [type, repo, actions] = scope.split(':');
      if (type !== 'repository' || !repo || !actions) continue;
      const allowed = actions.split(',').filter((a) => user || (opts.anonymousPull && a === 'pull'));
      granted.set(repo, new Set(allowed));
    }
    const token = `tok-${++seq}`;
    tokens.set(token, granted);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(opts.accessTokenField ? { access_token: token } : { token, expires_in: 300 }));
  };

  const authorized = (req: IncomingMessage, res: ServerResponse, repo: string, action: string): boolean => {
    if (opts.auth !== 'bearer') return true;
    const auth = req.headers.authorization ?? '';
    const granted = auth.startsWith('Bearer ') ? tokens.get(auth.slice(7)) : undefined;
    if (granted?.get(repo)?.has(action)) return true;
    errorJson(res, 401, 'UNAUTHORIZED', 'authentication required', {
      'www-authenticate': `Bearer realm="${origin}/token",service="fake-registry",scope="repository:${repo}:${action === 'pull' ? 'pull' : 'pull,push'}"`,
    });
    return false;
  };

  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', origin);
    const method = req.method ?? 'GET';
    requests.push({
      method,
      path: url.pathname + url.search,
      ...(req.headers.authorization ? { auth: req.headers.authorization } : {}),
    });
    const fault = faults.findIndex((f) => f.method === method && f.path.test(url.pathname));
    if (fault !== -1) {
      const [f] = faults.splice(fault, 1);
      await body(req);
      return errorJson(res, f?.status ?? 500, 'INJECTED', 'injected fault');
    }
    if (url.pathname === '/token') return handleToken(req, res, url);
    if (url.pathname === '/v2/') {
      if (opts.auth === 'bearer' && !req.headers.authorization)
        return errorJson(res, 401, 'UNAUTHORIZED', 'authentication required', {
          'www-authenticate': `Bearer realm="${origin}/token",service="fake-registry"`,
        });
      res.writeHead(200).end('{}');
      return;
    }
    const m = /^\/v2\/(.+?)\/(blobs\/uploads\/([^/]*)|blobs\/(sha256:[a-f0-9]{64})|manifests\/([^/]+))$/.exec(
      url.pathname,
    );
    if (!m?.[1]) return errorJson(res, 404, 'NOT_FOUND', 'no route');
    const repo = m[1];
    const isRead = method === 'GET' || method === 'HEAD';
    if (!authorized(req, res, repo, isRead ? 'pull' : 'push')) return;

    if (m[4]) {
      const d = m[4];
      const data = links.get(repo)?.has(d) ? blobs.get(d) : undefined;
      if (!data) return errorJson(res, 404, 'BLOB_UNKNOWN', 'blob unknown');
      res.writeHead(200, { 'content-length': data.length, 'docker-content-digest': d });
      res.end(method === 'HEAD' ? undefined : data);
      return;
    }
    if (m[2]?.startsWith('blobs/uploads/')) {
      const id = m[3];
      if (method === 'POST' && !id) {
        await body(req);
        const mount = url.searchParams.get('mount');
        const from = url.searchParams.get('from');
        if (mount && from) {
          const fromOk =
            opts.auth !== 'bearer' ||
            tokens
              .get((req.headers.authorization ?? '').slice(7))
              ?.get(from)
              ?.has('pull');
          if (fromOk && links.get(from)?.has(mount)) {
            link(repo, mount);
            res
              .writeHead(201, { location: `/v2/${repo}/blobs/${mount}`, 'docker-content-digest': mount })
              .end();
            return;
          }
        }
        const uid = `u${++seq}`;
        uploads.set(uid, { repo, chunks: [] });
        res
          .writeHead(202, { location: `/v2/${repo}/blobs/uploads/${uid}?_state=s${seq}`, range: '0-0' })
          .end();
        return;
      }
      const up = id ? uploads.get(id) : undefined;
      if (!up || !id) return errorJson(res, 404, 'BLOB_UPLOAD_UNKNOWN', 'upload unknown');
      if (method === 'PATCH') {
        up.chunks.push(await body(req));
        const size = up.chunks.reduce((n, c) => n + c.length, 0);
        res.writeHead(202, { location: `/v2/${repo}/blobs/uploads/${id}`, range: `0-${size - 1}` }).end();
        return;
      }
      if (method === 'DELETE') {
        uploads.delete(id);
        res.writeHead(204).end();
        return;
      }
      if (method === 'PUT') {
        up.chunks.push(await body(req));
        const data = Buffer.concat(up.chunks);
        const want = url.searchParams.get('digest');
        if (digestOf(data) !== want) return errorJson(res, 400, 'DIGEST_INVALID', 'digest mismatch');
        uploads.delete(id);
        blobs.set(want, data);
        link(repo, want);
        res.writeHead(201, { location: `/v2/${repo}/blobs/${want}`, 'docker-content-digest': want }).end();
        return;
      }
    }
    if (m[5]) {
      const ref = m[5];
      const repoManifests = manifests.get(repo) ?? new Map();
      manifests.set(repo, repoManifests);
      if (method === 'PUT') {
        const bytes = await body(req);
        const d = digestOf(bytes);
        const entry = { type: req.headers['content-type'] ?? '', bytes };
        repoManifests.set(ref, entry);
        repoManifests.set(d, entry);
        res.writeHead(201, { 'docker-content-digest': d, location: `/v2/${repo}/manifests/${d}` }).end();
        return;
      }
      const entry = repoManifests.get(ref);
      if (!entry) return errorJson(res, 404, 'MANIFEST_UNKNOWN', 'manifest unknown');
      res.writeHead(200, { 'content-type': entry.type, 'docker-content-digest': digestOf(entry.bytes) });
      res.end(method === 'HEAD' ? undefined : entry.bytes);
      return;
    }
    errorJson(res, 405, 'UNSUPPORTED', 'unsupported');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  origin = `http://127.0.0.1:${port}`;
  return {
    host: `127.0.0.1:${port}`,
    requests,
    tokenRequests,
    blobs,
    failNext: (method, path, status) => faults.push({ method, path, status }),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
