import type { Finding } from '../findings.js';
import { isPlainObject } from './merge.js';
import { isSecretRef } from './secret-ref.js';
import { type ConfigSource, keyPath, type Path } from './source.js';

const CREDENTIAL_WORDS = new Set([
  'password',
  'passwd',
  'pwd',
  'secret',
  'token',
  'credential',
  'credentials',
  'passphrase',
  'accesskey',
  'secretkey',
  'apikey',
  'privatekey',
  'sessiontoken',
  'accountkey',
  'authorization',
  'cookie',
  'sas',
]);
// A credential word followed by one of these names where a credential is, not the credential itself
// (secretName, tokenFile, passwordEnv, spark.kubernetes.driver.secretKeyRef...).
const REFERENCE_WORDS = new Set([
  'name',
  'names',
  'file',
  'path',
  'ref',
  'env',
  'arn',
  'id',
  'provider',
  'type',
  'mount',
  'dir',
  'manager',
  'namespace',
  'uri',
  'url',
  'secrets',
  'length',
  'enabled',
]);

function words(key: string): string[] {
  const raw = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  // Join pairs such as access.key / secret.key / api-key / private_key into one word.
  const out: string[] = [];
  for (let i = 0; i < raw.length; i++) {
    const w = raw[i] ?? '';
    const next = raw[i + 1];
    if (next === 'key' && ['access', 'secret', 'api', 'private'].includes(w)) {
      out.push(`${w}key`);
      i++;
    } else if (next === 'key' && w === 'account') {
      // fs.azure.account.key.<account>...: a storage account's key.
      out.push('accountkey');
      i++;
    } else if (next === 'token' && w === 'session') {
      out.push('sessiontoken');
      i++;
    } else out.push(w);
  }
  return out;
}

/** isCredentialKey tells whether a config key names a credential (and not a reference to one). */
export function isCredentialKey(key: string): boolean {
  // Every credential word contains one of these: most keys are out after one test.
  if (!/pass|pwd|secret|token|credential|key|authorization|cookie|sas/i.test(key)) return false;
  // Spark on Kubernetes names secrets to mount: spark.kubernetes.driver.secrets.<name>, ...secretKeyRef.<env>.
  if (/\.secrets\.|\.secretKeyRef\./i.test(key)) return false;
  const ws = words(key);
  const i = ws.findIndex((w) => CREDENTIAL_WORDS.has(w));
  if (i < 0) return false;
  return !ws.slice(i + 1).some((w) => REFERENCE_WORDS.has(w));
}

const TOKEN_PATTERNS: [RegExp, string][] = [
  [/\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/, 'an AWS access key id'],
  [/\bgh[pousr]_[A-Za-z0-9]{36,}\b/, 'a GitHub token'],
  [/\bgithub_pat_[A-Za-z0-9_]{40,}\b/, 'a GitHub token'],
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----/, 'a private key'],
  [/\bxox[abpr]-[A-Za-z0-9-]{10,}\b/, 'a Slack token'],
  [/\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]+/, 'a JSON Web Token'],
  [/:\/\/[^/\s:@]+:[^/\s@]+@/, 'a URL with an embedded password'],
  [/^\s*(?:Bearer|Basic|Token)\s+[A-Za-z0-9._~+/=-]{8,}\s*$/i, 'an HTTP Authorization credential'],
];

// One test for all the patterns first: most values match none (start-up time; README, Performance).
const ANY_TOKEN = new RegExp(TOKEN_PATTERNS.map(([re]) => `(?:${re.source})`).join('|'));

/** findLiteralSecrets refuses credentials written into the config file; it never echoes their values. */
export function findLiteralSecrets(source: ConfigSource): Finding[] {
  const out: Finding[] = [];
  const report = (path: Path, what: string) => {
    const pos = source.position(path, 'value');
    const key = keyPath(path);
    out.push({
      stage: 'plan',
      severity: 'error',
      title: `config: literal credential in ${key}`,
      message: `${source.file}${pos ? `:${pos.line}:${pos.column}` : ''}: ${key}: ${what} is written in the config file; store it as a secret and write { fromEnv: NAME } here, with NAME set from the secret in the workflow step's env`,
      file: source.file,
      ...(pos ? { line: pos.line, column: pos.column } : {}),
      rule: 'config/literal-secret',
    });
  };
  const walk = (v: unknown, path: Path, key: string | undefined) => {
    if (isSecretRef(v)) return;
    if (Array.isArray(v)) {
      v.forEach((item, i) => {
        walk(item, [...path, i], key);
      });
      return;
    }
    if (isPlainObject(v)) {
      for (const [k, child] of Object.entries(v)) walk(child, [...path, k], k);
      return;
    }
    if (typeof v === 'string' || typeof v === 'number') {
      const text = String(v);
      if (key !== undefined && isCredentialKey(key) && text !== '') {
        report(path, 'a credential');
        return;
      }
      if (!ANY_TOKEN.test(text)) return;
      for (const [re, what] of TOKEN_PATTERNS) {
        if (re.test(text)) {
          report(path, `what looks like ${what}`);
          return;
        }
      }
    }
  };
  walk(source.data, [], undefined);
  return out;
}
