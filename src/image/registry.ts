import { createHash } from 'node:crypto';
import type { FetchLike } from '../util/http.js';
import { basicAuth, type Challenge, type Credentials, parseChallenges } from './auth.js';
import { type BlobSource, type StreamedUpload, startUpload, uploadBlob } from './blob-upload.js';
import { readable, streamRequest } from './http-stream.js';

export type { BlobSource, StreamedUpload } from './blob-upload.js';

import { ACCEPT_MANIFESTS, sha256Digest } from './manifest.js';
import { registryBaseUrl } from './reference.js';
import { RegistryError } from './registry-error.js';
import { fetchBearerToken } from './token.js';

export { RegistryError } from './registry-error.js';

// A client for the Registry HTTP API v2 (distribution-spec v1.1): the calls the oci builder needs, with
// anonymous, Basic and bearer-token auth driven by the registry's 401 challenges.

/** RegistryClientOptions configures one client: one registry, one set of credentials and scopes. */
export interface RegistryClientOptions {
  /** host[:port] as in the image reference (docker.io for Docker Hub). */
  registry: string;
  credentials?: Credentials;
  /** Token scopes to ask for, e.g. `repository:acme/etl:pull,push`. */
  scopes: string[];
  fetch?: FetchLike;
  signal?: AbortSignal;
  /** Bytes per PATCH for blob uploads; 0 (default) uploads each blob with one PUT. */
  chunkSize?: number;
  /** Timeout for requests without a large body, in ms (default 60 000). */
  timeoutMs?: number;
  /** Delay before retrying a read, times the attempt number, in ms (default 500). */
  retryDelayMs?: number;
}

/** PulledManifest is a manifest's bytes as served, with its media type and digest. */
export interface PulledManifest {
  mediaType: string;
  bytes: Buffer;
  digest: string;
  json: unknown;
}

type Body = Blob | Buffer | BlobSource | undefined;

/** Options of one request; `long` drops the per-request timeout (large bodies), `signal` aborts this one. */
type RequestInit_ = { headers?: Record<string, string>; body?: Body; long?: boolean; signal?: AbortSignal };

function isSource(b: Body): b is BlobSource {
  return b !== undefined && !(b instanceof Blob) && !Buffer.isBuffer(b);
}

/** RegistryClient speaks the v2 API to one registry. */
export class RegistryClient {
  readonly registry: string;
  readonly baseUrl: string;
  private readonly opts: RegistryClientOptions;
  private readonly fetchFn: FetchLike;
  private authorization: string | undefined;

  constructor(opts: RegistryClientOptions) {
    this.opts = opts;
    this.registry = opts.registry;
    this.baseUrl = registryBaseUrl(opts.registry);
    this.fetchFn = opts.fetch ?? ((u, i) => fetch(u, i));
  }

  /**
   * request sends one request, answering an auth challenge once (Basic or bearer). Reads (GET, HEAD) are
   * retried up to twice on 429, 5xx and network errors; writes are not, as they may have taken effect.
   */
  async request(method: string, pathOrUrl: string, init: RequestInit_ = {}): Promise<Response> {
    const attempts = method === 'GET' || method === 'HEAD' ? 3 : 1;
    for (let attempt = 1; ; attempt++) {
      let res: Response | undefined;
      try {
        res = await this.requestOnce(method, pathOrUrl, init);
      } catch (err) {
        if (!(err instanceof RegistryError) || err.status !== 0 || attempt >= attempts) throw err;
      }
      if (res && ((res.status !== 429 && res.status < 500) || attempt >= attempts)) return res;
      await res?.body?.cancel();
      await new Promise((r) => setTimeout(r, (this.opts.retryDelayMs ?? 500) * attempt));
      this.opts.signal?.throwIfAborted();
    }
  }

  private async requestOnce(method: string, pathOrUrl: string, init: RequestInit_): Promise<Response> {
    const url = pathOrUrl.startsWith('http') ? pathOrUrl : `${this.baseUrl}${pathOrUrl}`;
    let res = await this.send(method, url, init);
    if (res.status !== 401) return res;
    const challenge = this.pickChallenge(res.headers.get('www-authenticate'));
    const hadAuth = this.authorization !== undefined;
    await res.body?.cancel();
    if (!challenge)
      throw new RegistryError(
        `registry ${this.registry} answered 401 without a usable WWW-Authenticate challenge`,
        401,
      );
    await this.authenticate(challenge);
    res = await this.send(method, url, init);
    if (res.status === 401) {
      await res.body?.cancel();
      throw new RegistryError(
        `registry ${this.registry} rejected the ${this.opts.credentials ? 'credentials' : 'anonymous request'} (401 Unauthorized) for ${method} ${new URL(url).pathname}${hadAuth ? ' after a token refresh' : ''}`,
        401,
      );
    }
    return res;
  }

  private async send(method: string, url: string, init: RequestInit_): Promise<Response> {
    const headers: Record<string, string> = { ...(init.headers ?? {}) };
    if (this.authorization) headers.authorization = this.authorization;
    // A streamed body is opened afresh for every send (a 401 answered with new credentials sends again).
    const source = isSource(init.body) ? init.body : undefined;
    if (source) headers['content-length'] = String(source.size);
    const signals: AbortSignal[] = [];
    if (this.opts.signal) signals.push(this.opts.signal);
    if (init.signal) signals.push(init.signal);
    if (!init.long) signals.push(AbortSignal.timeout(this.opts.timeoutMs ?? 60_000));
    try {
      // Injected fetch (tests that count or fake requests) gets streams too; the real one cannot be trusted
      // with them (see http-stream.ts).
      if (source && !this.opts.fetch)
        return await streamRequest(url, {
          method,
          headers,
          source: source.open(),
          signal: AbortSignal.any(signals),
        });
      return await this.fetchFn(url, {
        method,
        headers,
        ...(source
          ? { body: readable(source.open()), duplex: 'half' }
          : init.body !== undefined
            ? { body: init.body as Blob | Buffer }
            : {}),
        signal: AbortSignal.any(signals),
        redirect: 'follow',
      });
    } catch (err) {
      if (this.opts.signal?.aborted || init.signal?.aborted) throw err;
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw new RegistryError(
        `registry ${this.registry}: ${method} ${new URL(url).pathname} failed: ${cause?.code ?? cause?.message ?? (err as Error).message}`,
        0,
      );
    }
  }

  private pickChallenge(header: string | null): Challenge | undefined {
    const all = parseChallenges(header ?? '');
    return all.find((c) => c.scheme === 'bearer') ?? all.find((c) => c.scheme === 'basic');
  }

  private async authenticate(challenge: Challenge): Promise<void> {
    const creds = this.opts.credentials;
    if (challenge.scheme === 'basic') {
      if (!creds)
        throw new RegistryError(
          `registry ${this.registry} requires credentials (Basic auth) and none were given`,
          401,
        );
      this.authorization = basicAuth(creds);
      return;
    }
    const token = await fetchBearerToken({
      registry: this.registry,
      registryUrl: this.baseUrl,
      challenge,
      scopes: this.opts.scopes,
      ...(creds ? { credentials: creds } : {}),
      fetchFn: this.fetchFn,
      ...(this.opts.signal ? { signal: this.opts.signal } : {}),
      timeoutMs: this.opts.timeoutMs ?? 60_000,
    });
    this.authorization = `Bearer ${token}`;
  }

  /** getManifest fetches a manifest or index by tag or digest, checking the digest when pulled by one. */
  async getManifest(name: string, reference: string): Promise<PulledManifest> {
    const res = await this.request('GET', `/v2/${name}/manifests/${reference}`, {
      headers: { accept: ACCEPT_MANIFESTS },
    });
    if (!res.ok) throw await this.failure(res, `GET manifest ${name}:${reference}`);
    const bytes = Buffer.from(await res.arrayBuffer());
    const digest = sha256Digest(bytes);
    if (reference.startsWith('sha256:') && digest !== reference)
      throw new RegistryError(
        `registry ${this.registry}: manifest ${name}@${reference} has digest ${digest}`,
        res.status,
      );
    let json: unknown;
    try {
      json = JSON.parse(bytes.toString('utf8'));
    } catch {
      throw new RegistryError(
        `registry ${this.registry}: manifest ${name}:${reference} is not JSON`,
        res.status,
      );
    }
    const bodyType = (json as { mediaType?: unknown }).mediaType;
    const header = (res.headers.get('content-type') ?? '').split(';')[0]?.trim() ?? '';
    const mediaType = typeof bodyType === 'string' ? bodyType : header;
    return { mediaType, bytes, digest, json };
  }

  /** hasBlob tells whether the repository has a blob (HEAD). */
  async hasBlob(name: string, digest: string): Promise<boolean> {
    const res = await this.request('HEAD', `/v2/${name}/blobs/${digest}`);
    await res.body?.cancel();
    if (res.status === 200) return true;
    if (res.status === 404) return false;
    throw await this.failure(res, `HEAD blob ${digest}`);
  }

  /** getBlob downloads a blob and checks its digest. */
  async getBlob(name: string, digest: string): Promise<Buffer> {
    const res = await this.request('GET', `/v2/${name}/blobs/${digest}`, { long: true });
    if (!res.ok) throw await this.failure(res, `GET blob ${digest}`);
    const bytes = Buffer.from(await res.arrayBuffer());
    if (sha256Digest(bytes) !== digest)
      throw new RegistryError(
        `registry ${this.registry}: blob ${digest} in ${name} does not match its digest`,
        res.status,
      );
    return bytes;
  }

  /**
   * blobSource streams a blob (a GET per open, for copying a base layer between registries without holding
   * it in memory); the stream fails at its end when the bytes do not match the digest or the size.
   */
  blobSource(name: string, digest: string, size: number): BlobSource {
    const self = this;
    return {
      size,
      async *open() {
        const res = await self.request('GET', `/v2/${name}/blobs/${digest}`, { long: true });
        if (!res.ok || !res.body) throw await self.failure(res, `GET blob ${digest}`);
        const hash = createHash('sha256');
        let got = 0;
        for await (const chunk of res.body) {
          hash.update(chunk);
          got += chunk.byteLength;
          yield chunk;
        }
        if (got !== size || `sha256:${hash.digest('hex')}` !== digest)
          throw new RegistryError(
            `registry ${self.registry}: blob ${digest} in ${name} does not match its digest or size (${got} bytes, ${size} expected)`,
            res.status,
          );
      },
    };
  }

  /**
   * mountBlob asks the registry to link a blob from another repository it holds (cross-repository mount).
   * Returns false when the registry declines (202: it opened an upload instead, which is cancelled).
   */
  async mountBlob(name: string, digest: string, from: string): Promise<boolean> {
    const q = new URLSearchParams({ mount: digest, from });
    const res = await this.request('POST', `/v2/${name}/blobs/uploads/?${q}`, {
      headers: { 'content-length': '0' },
    });
    await res.body?.cancel();
    if (res.status === 201) return true;
    if (res.status === 202) {
      const location = res.headers.get('location');
      if (location) {
        const r = await this.request('DELETE', this.resolve(location)).catch(() => undefined);
        await r?.body?.cancel();
      }
      return false;
    }
    throw await this.failure(res, `mount blob ${digest} from ${from}`);
  }

  /**
   * uploadBlob uploads a blob: POST to open an upload, then one PUT with the whole blob, or (with
   * chunkSize) PATCH chunks and a closing PUT. A BlobSource is streamed, never held in memory whole.
   */
  uploadBlob(name: string, digest: string, data: Blob | BlobSource): Promise<void> {
    return uploadBlob(this, name, digest, data, this.opts.chunkSize ?? 0);
  }

  /**
   * startUpload starts uploading a blob whose digest is not known yet: POST, then one PATCH streaming the
   * whole body. `finish` commits it once the digest is known (PUT ?digest); `cancel` stops sending and
   * deletes the upload session (for when a HEAD shows the registry has the blob after all).
   */
  startUpload(name: string, source: BlobSource): StreamedUpload {
    return startUpload(this, name, source);
  }

  /** putManifest uploads a manifest under a tag or digest and returns the digest the registry reports. */
  async putManifest(name: string, reference: string, mediaType: string, bytes: Buffer): Promise<string> {
    const res = await this.request('PUT', `/v2/${name}/manifests/${reference}`, {
      headers: { 'content-type': mediaType },
      body: bytes,
    });
    await res.body?.cancel();
    if (res.status !== 201) throw await this.failure(res, `PUT manifest ${name}:${reference}`);
    const digest = sha256Digest(bytes);
    const reported = res.headers.get('docker-content-digest');
    if (reported && reported !== digest)
      throw new RegistryError(
        `registry ${this.registry}: manifest digest ${reported} differs from the uploaded bytes' ${digest}`,
        res.status,
      );
    return digest;
  }

  private resolve(location: string): string {
    return new URL(location, this.baseUrl).toString();
  }

  /** location resolves the Location an upload step answered with (an error when there is none). */
  location(res: Response, what: string): string {
    const l = res.headers.get('location');
    if (!l)
      throw new RegistryError(`registry ${this.registry}: ${what} answered without Location`, res.status);
    return this.resolve(l);
  }

  /** failure turns an unexpected answer into a RegistryError with the spec's error codes when given. */
  async failure(res: Response, what: string): Promise<RegistryError> {
    let detail = '';
    try {
      const text = await res.text();
      const body = JSON.parse(text) as { errors?: { code?: string; message?: string }[] };
      detail = (body.errors ?? []).map((e) => `${e.code ?? ''}: ${e.message ?? ''}`).join('; ');
    } catch {
      // A body that is not the spec's error JSON adds nothing the status does not say.
    }
    return new RegistryError(
      `registry ${this.registry}: ${what} failed: ${res.status} ${res.statusText}${detail ? ` (${detail})` : ''}`,
      res.status,
    );
  }
}
