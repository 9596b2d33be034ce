// Registry authentication: the `WWW-Authenticate` challenge a registry answers 401 with, and the token
// request of the Distribution token spec (docs/spec/auth/token.md): GET <realm>?service=..&scope=.. with
// Basic credentials when there are any, answering { token } or { access_token }.

/** Challenge is one parsed `WWW-Authenticate` challenge. */
export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/** Credentials for a registry (a robot account, a PAT, `AWS` + an ECR password, ...). */
export interface Credentials {
  username: string;
  password: string;
}

/**
 * parseChallenges parses a `WWW-Authenticate` value (RFC 7235): one or more `Scheme k=v, k="v"` challenges.
 * Quoted values may hold commas (scope="repository:a:pull,push") and backslash escapes.
 */
export function parseChallenges(header: string): Challenge[] {
  const out: Challenge[] = [];
  let i = 0;
  const s = header;
  const skip = (re: RegExp) => {
    while (i < s.length && re.test(s[i] ?? '')) i++;
  };
  while (i < s.length) {
    skip(/[\s,]/);
    const scheme = /^[!#$%&'*+.^_`|~\w-]+/.exec(s.slice(i))?.[0];
    if (!scheme) break;
    i += scheme.length;
    const params: Record<string, string> = {};
    for (;;) {
      const save = i;
      skip(/[\s,]/);
      const m = /^([!#$%&'*+.^_`|~\w-]+)\s*=\s*/.exec(s.slice(i));
      if (!m?.[1]) {
        i = save;
        break;
      }
      i += m[0].length;
      let value = '';
      if (s[i] === '"') {
        i++;
        while (i < s.length && s[i] !== '"') {
          if (s[i] === '\\') i++;
          value += s[i] ?? '';
          i++;
        }
        i++;
      } else {
        const v = /^[^\s,]*/.exec(s.slice(i))?.[0] ?? '';
        value = v;
        i += v.length;
      }
      params[m[1].toLowerCase()] = value;
    }
    out.push({ scheme: scheme.toLowerCase(), params });
  }
  return out;
}

/** tokenUrl builds the token request URL for a bearer challenge and the scopes needed. */
export function tokenUrl(challenge: Challenge, scopes: readonly string[]): string {
  const realm = challenge.params.realm;
  if (!realm) throw new Error('bearer challenge without a realm');
  const url = new URL(realm);
  if (challenge.params.service) url.searchParams.set('service', challenge.params.service);
  const all = new Set<string>();
  for (const sc of (challenge.params.scope ?? '').split(' ')) if (sc) all.add(sc);
  for (const sc of scopes) all.add(sc);
  for (const sc of all) url.searchParams.append('scope', sc);
  return url.toString();
}

/** basicAuth returns the Authorization value for credentials. */
export function basicAuth(c: Credentials): string {
  return `Basic ${Buffer.from(`${c.username}:${c.password}`, 'utf8').toString('base64')}`;
}

/** tokenFromResponse extracts the bearer token from a token endpoint's JSON answer. */
export function tokenFromResponse(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const b = body as { token?: unknown; access_token?: unknown };
  if (typeof b.token === 'string' && b.token) return b.token;
  if (typeof b.access_token === 'string' && b.access_token) return b.access_token;
  return undefined;
}
