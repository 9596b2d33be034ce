// Secrets for spark-submit without argv: every --conf whose value holds a secret the Plan resolved (a
// credential-named key cannot hold a literal: the Plan refuses it) goes into a private properties file
// passed with --properties-file and removed afterwards, so it never shows in the process list.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** splitSecretConfs takes the secret-bearing `--conf k=v` pairs out of spark-submit's argv. */
export function splitSecretConfs(
  args: readonly string[],
  secrets: readonly string[],
): { args: string[]; secret: Record<string, string> } {
  const out: string[] = [];
  const secret: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    const next = args[i + 1];
    if (a === '--conf' && next !== undefined) {
      const eq = next.indexOf('=');
      const key = eq < 0 ? next : next.slice(0, eq);
      const value = eq < 0 ? '' : next.slice(eq + 1);
      if (eq >= 0 && secrets.some((s) => s.length > 0 && value.includes(s))) {
        secret[key] = value;
        i++;
        continue;
      }
    }
    out.push(a);
  }
  return { args: out, secret };
}

// Java properties escapes (java.util.Properties.load, which Spark's property-file reader follows).
const propEscape = (s: string, key: boolean) =>
  s
    .replace(/\\/g, '\\\\')
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r')
    .replace(/\t/g, '\\t')
    .replace(key ? /[=: #!]/g : /^[ #!]/, (c) => `\\${c}`);

/** propertiesText renders properties in Java's .properties format. */
export function propertiesText(props: Record<string, string>): string {
  return Object.entries(props)
    .map(([k, v]) => `${propEscape(k, true)}=${propEscape(v, false)}\n`)
    .join('');
}

/**
 * withSecretProperties runs `fn` with spark-submit argv whose secret confs moved into a private (0600, in a
 * 0700 directory) properties file given by --properties-file; the file is removed when `fn` settles.
 */
export async function withSecretProperties<T>(
  args: readonly string[],
  secrets: readonly string[],
  fn: (args: string[]) => Promise<T>,
): Promise<T> {
  const split = splitSecretConfs(args, secrets);
  if (Object.keys(split.secret).length === 0) return fn(split.args);
  const dir = mkdtempSync(join(tmpdir(), 'spark-deploy-secrets-'));
  try {
    const file = join(dir, 'spark-submit.properties');
    writeFileSync(file, propertiesText(split.secret), { mode: 0o600 });
    return await fn(['--properties-file', file, ...split.args]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
