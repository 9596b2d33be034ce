// The bearer token request of the Distribution token spec (docs/spec/auth/token.md), with the rule for where
// credentials may go: a token realm is named by the registry's answer, so Basic credentials are sent to it
// only over https, or to the registry's own origin (a local registry over http).
import type { FetchLike } from '../util/http.js';
import { basicAuth, type Challenge, type Credentials, tokenFromResponse, tokenUrl } from './auth.js';
import { RegistryError } from './registry-error.js';

/** TokenRequest is one token request for `registry` (host[:port]) answering `challenge`. */
export interface TokenRequest {
  registry: string;
  /** The registry's base URL (its scheme and host decide what an http realm may receive). */
  registryUrl: string;
  challenge: Challenge;
  scopes: readonly string[];
  credentials?: Credentials;
  fetchFn: FetchLike;
  signal?: AbortSignal;
  timeoutMs: number;
}

/** mayReceiveCredentials tells whether Basic credentials may be sent to a token realm: https, or the registry's own origin. */
export function mayReceiveCredentials(realm: URL, registryUrl: string): boolean {
  if (realm.protocol === 'https:') return true;
  return realm.origin === new URL(registryUrl).origin;
}

/** fetchBearerToken asks the challenge's realm for a token and returns it; failures are RegistryErrors. */
export async function fetchBearerToken(r: TokenRequest): Promise<string> {
  const url = tokenUrl(r.challenge, r.scopes);
  const origin = new URL(url).origin;
  const headers: Record<string, string> = {};
  if (r.credentials) {
    if (!mayReceiveCredentials(new URL(url), r.registryUrl)) {
      throw new RegistryError(
        `registry ${r.registry}: its token service ${origin} is plain http outside the registry's own origin; the registry credentials are not sent there. Use a registry whose token realm is https (or the registry's own origin)`,
        401,
      );
    }
    headers.authorization = basicAuth(r.credentials);
  }
  let res: Response;
  try {
    res = await r.fetchFn(url, {
      headers,
      signal: AbortSignal.any([...(r.signal ? [r.signal] : []), AbortSignal.timeout(r.timeoutMs)]),
    });
  } catch (err) {
    if (r.signal?.aborted) throw err;
    throw new RegistryError(
      `registry ${r.registry}: token request to ${origin} failed: ${(err as Error).message}`,
      0,
    );
  }
  const text = await res.text();
  if (!res.ok) {
    const why =
      res.status === 401 || res.status === 403
        ? r.credentials
          ? ': the credentials were rejected'
          : ': credentials are required'
        : '';
    throw new RegistryError(
      `registry ${r.registry}: token service ${origin} answered ${res.status}${why}`,
      res.status,
    );
  }
  let token: string | undefined;
  try {
    token = tokenFromResponse(JSON.parse(text));
  } catch {
    token = undefined;
  }
  if (!token)
    throw new RegistryError(
      `registry ${r.registry}: token service ${origin} answered without a token`,
      res.status,
    );
  return token;
}
