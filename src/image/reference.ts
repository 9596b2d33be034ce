// Image references as Docker and the Distribution spec spell them: [registry/]name[:tag][@digest].

/** ImageRef is a parsed image reference. */
export interface ImageRef {
  /** Registry host[:port] as written, or docker.io when none was. */
  registry: string;
  /** Repository name inside the registry (library/ added for Docker Hub official images). */
  name: string;
  tag?: string;
  digest?: string;
}

const DIGEST = /^sha256:[a-f0-9]{64}$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const NAME = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;

/** parseImageRef parses `[registry/]name[:tag][@digest]`; throws with the reason when it is not one. */
export function parseImageRef(ref: string): ImageRef {
  let rest = ref.trim();
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at !== -1) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) throw new Error(`${JSON.stringify(ref)}: digest must be sha256:<64 hex>`);
  }
  let tag: string | undefined;
  const slash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > slash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw new Error(`${JSON.stringify(ref)}: invalid tag ${JSON.stringify(tag)}`);
  }
  const first = rest.split('/')[0] ?? '';
  let registry = 'docker.io';
  let name = rest;
  // Docker's rule: the first component is a registry when it has a dot or a port, or is localhost.
  if (rest.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost')) {
    registry = first;
    name = rest.slice(first.length + 1);
  }
  if (registry === 'docker.io' && !name.includes('/')) name = `library/${name}`;
  if (!NAME.test(name))
    throw new Error(
      `${JSON.stringify(ref)}: invalid repository name ${JSON.stringify(name)} (lowercase letters, digits, . _ - and /)`,
    );
  return { registry, name, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) };
}

/** registryBaseUrl returns the API base URL: plain http for loopback hosts (like Docker), https otherwise. */
export function registryBaseUrl(registry: string): string {
  if (registry === 'docker.io') return 'https://registry-1.docker.io';
  const host = registry.replace(/:\d+$/, '');
  const loopback =
    host === 'localhost' || /^127(?:\.\d{1,3}){3}$/.test(host) || host === '[::1]' || host === '::1';
  return `${loopback ? 'http' : 'https'}://${registry}`;
}

/** repositoryOf returns `registry/name` as users write it (no docker.io/library/ added). */
export function repositoryOf(ref: string): string {
  const at = ref.indexOf('@');
  let rest = at === -1 ? ref : ref.slice(0, at);
  const slash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > slash) rest = rest.slice(0, colon);
  return rest;
}

/** isDigest tells whether a string is a sha256 digest. */
export function isDigest(s: string): boolean {
  return DIGEST.test(s);
}

/** sanitizeTag turns any string into a valid tag: invalid characters become '-', at most 128 characters. */
export function sanitizeTag(s: string): string {
  const t = s.replace(/[^\w.-]/g, '-').replace(/^[.-]+/, '');
  return t.slice(0, 128);
}
