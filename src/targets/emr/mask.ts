// Masking for what is printed: the rendered requests and log tails.

const MASK = '***';
const SENSITIVE_KEY = /(password|passwd|secret|token|credential|access[._-]?key|private[._-]?key)/i;

/** maskText replaces every resolved secret value in a string (longest first, so a prefix never leaks the rest). */
export function maskText(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of [...secrets].filter((x) => x.length > 0).sort((a, b) => b.length - a.length)) {
    out = out.split(s).join(MASK);
  }
  return out;
}

/** maskArg masks one argv entry: secret values anywhere, and the whole value of a `--conf key=value` whose key looks sensitive. */
export function maskArg(arg: string, secrets: readonly string[]): string {
  const eq = arg.indexOf('=');
  if (eq > 0 && SENSITIVE_KEY.test(arg.slice(0, eq)) && /^[\w.-]+$/.test(arg.slice(0, eq))) {
    return `${arg.slice(0, eq)}=${MASK}`;
  }
  return maskText(arg, secrets);
}

/** maskDeep returns a copy of a JSON-like value with every string masked (argv entries with maskArg). */
export function maskDeep<T>(value: T, secrets: readonly string[]): T {
  if (typeof value === 'string') return maskArg(value, secrets) as T;
  if (Array.isArray(value)) return value.map((v) => maskDeep(v, secrets)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskDeep(v, secrets)])) as T;
  }
  return value;
}
