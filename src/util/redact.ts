// The one redactor. Every secret the run knows — the values the Plan resolved from `{ fromEnv }`, the
// GitHub token, registry credentials, anything handed to setSecret — is registered here once, and every
// exit for text (log lines, the job summary, outputs, saved state, GitHub API request bodies, files the
// action writes) passes `redact`. Targets never mask on their own.
//
// One registry per process: the action is one process, and a secret registered anywhere must be hidden
// everywhere, so the registry is module state rather than something threaded through every call.

export const MASK = '***';

// Known forms, longest first, so a secret that contains another is replaced whole.
let forms: string[] = [];
const values = new Set<string>();

/** encodings gives the forms a value takes in the text the action writes: as is, JSON-escaped, URL-encoded, line by line. */
function encodings(value: string): string[] {
  const out = new Set<string>([value]);
  out.add(JSON.stringify(value).slice(1, -1));
  out.add(encodeURIComponent(value));
  // A multi-line secret (a key, a kubeconfig) may be printed a line at a time.
  for (const line of value.split(/\r?\n/)) if (line.trim().length >= 4) out.add(line.trim());
  return [...out].filter((s) => s.length > 0);
}

/** registerSecret makes `redact` hide `value` (and its JSON-escaped and URL-encoded forms) from now on. */
export function registerSecret(value: string): void {
  if (!value || values.has(value)) return;
  values.add(value);
  forms = [...new Set([...forms, ...encodings(value)])].sort((a, b) => b.length - a.length);
}

/** secretValues are the registered values themselves (e.g. to keep them out of a child's environment). */
export function secretValues(): readonly string[] {
  return [...values];
}

/** redact replaces every registered secret in `text` with `***`, longest first. */
export function redact(text: string): string {
  let out = text;
  for (const s of forms) if (out.includes(s)) out = out.split(s).join(MASK);
  return out;
}

/** redactDeep returns a copy of a JSON-like value with every string redacted (keys included). */
export function redactDeep<T>(value: T): T {
  if (typeof value === 'string') return redact(value) as T;
  if (Array.isArray(value)) return value.map((v) => redactDeep(v)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [redact(k), redactDeep(v)])) as T;
  }
  return value;
}

/** forgetSecrets empties the registry: for tests only, which run many plans in one process. */
export function forgetSecrets(): void {
  forms = [];
  values.clear();
}
