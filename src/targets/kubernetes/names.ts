// Kubernetes names and label values for what this target creates.
import { createHash } from 'node:crypto';
import { namesPreview } from '../../plan/preview.js';

/** MAX_NAME is the length limit of a DNS-1035 label, which the operator's webhook requires of metadata.name (docs/protocols.md 2.1). */
export const MAX_NAME = 63;
const DNS1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** shortHash is the first 6 hex digits of sha256(text): enough to keep truncated names apart. */
export function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 6);
}

/** isDns1035 tells whether `name` is a DNS-1035 label (lower-case alphanumerics and '-', starts with a letter, ≤ 63). */
export function isDns1035(name: string): boolean {
  return name.length <= MAX_NAME && DNS1035.test(name);
}

/**
 * dns1035 turns any text into a DNS-1035 label of at most `max` characters: lower-cased, runs of other
 * characters become '-', a leading non-letter gets an 'a-' prefix. When it must be cut, the end is replaced by
 * '-' and a short hash of the whole input, so two long names that share a prefix stay distinct.
 */
export function dns1035(text: string, max = MAX_NAME): string {
  let s = text
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (!s) s = 'app';
  if (!/^[a-z]/.test(s)) s = `a-${s}`;
  if (s.length <= max && s === text) return s;
  if (s.length <= max) return s;
  const hash = shortHash(text);
  const head = s.slice(0, max - hash.length - 1).replace(/-+$/, '');
  return `${head}-${hash}`;
}

/** labelValue makes text a valid label value (≤ 63, alphanumerics at both ends, [-_.A-Za-z0-9] inside). */
export function labelValue(text: string): string {
  let s = text.replace(/[^-A-Za-z0-9_.]+/g, '-').replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
  if (s.length > MAX_NAME) {
    const hash = shortHash(text);
    s = `${s.slice(0, MAX_NAME - hash.length - 1).replace(/[^A-Za-z0-9]+$/, '')}-${hash}`;
  }
  return LABEL_VALUE.test(s) ? s : shortHash(text);
}

/**
 * derivedName is the name the operator gives `<name>-<suffix>` objects (driver pod, UI service), with its
 * own rule when that passes 63 characters: `name[:63-len(suffix)-10] + "-" + md5(preferred)[:8] + "-" + suffix`
 * (docs/protocols.md 2.4).
 */
export function derivedName(name: string, suffix: string): string {
  const preferred = `${name}-${suffix}`;
  if (preferred.length <= MAX_NAME) return preferred;
  const md5 = createHash('md5').update(preferred).digest('hex').slice(0, 8);
  return `${name.slice(0, MAX_NAME - suffix.length - 10)}-${md5}-${suffix}`;
}

/** NameInputs are what an application's resource name is made of. */
export interface NameInputs {
  app: string;
  sha: string;
  runId: string;
  runAttempt?: string;
  preview?: number;
}

/**
 * baseName is the stable part of every name: the app name, plus `-pr<n>` for a pull-request preview unless
 * the name already carries `pr-<n>` (the Plan names previews `<app>-pr-<n>`, src/plan/preview.ts).
 */
export function baseName(n: Pick<NameInputs, 'app' | 'preview'>): string {
  if (n.preview === undefined) return dns1035(n.app);
  return dns1035(namesPreview(n.app, n.preview) ? n.app : `${n.app}-pr${n.preview}`);
}

/**
 * runName is the unique name of one run, `<base>-<short sha>-<run id>` (plus `-<attempt>` on a re-run
 * attempt), cut to 63: the operator ignores a re-applied unchanged spec of a COMPLETED app, so each batch
 * run (and each blue-green deploy) needs a fresh SparkApplication. The base is cut first so the run part stays whole.
 */
export function runName(n: NameInputs): string {
  const sha = (n.sha || 'nosha').slice(0, 7).toLowerCase();
  const attempt = n.runAttempt && n.runAttempt !== '1' ? `-${n.runAttempt}` : '';
  const suffix = dns1035(`x-${sha}-${n.runId}${attempt}`).slice(1);
  const base = baseName(n);
  if (base.length + suffix.length <= MAX_NAME) return `${base}${suffix}`;
  return `${dns1035(base, MAX_NAME - suffix.length)}${suffix}`;
}
