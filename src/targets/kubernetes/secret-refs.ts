// Secrets by reference. A SparkApplication's spec is readable by anyone allowed to `get sparkapplications`,
// so a value the Plan resolved from `{ fromEnv }` never goes into it: an environment variable holding one
// becomes an `envSecretKeyRefs` entry naming a key of a Secret of the run (owned by the SparkApplication,
// removed with it), and a secret anywhere else in the spec is refused with where to put it instead.
//
// Why `envVars`/`envSecretKeyRefs` and not `env`: the operator hands these two to spark-submit
// (`spark.kubernetes.driverEnv.NAME`, `spark.kubernetes.driver.secretKeyRef.NAME=secret:key`, and the executor
// forms), so they reach the pods on every install; `env` is added to the pods only by the operator's
// mutating webhook, and an install without it drops the variables silently (spark-operator v2.4.0:
// internal/controller/sparkapplication/submission.go driverEnvOption and the EnvSecretKeyRefs loop;
// internal/webhook/sparkpod_defaulter.go addEnvVars; docs/protocols.md 2.1).
import type { Path } from '../../plan/source.js';
import type { DeployPlan } from '../target.js';
import { derivedName } from './names.js';
import { configError } from './settings.js';

/** SecretSink collects the values that go into the run's Secret instead of the spec. */
export interface SecretSink {
  /** The Secret's name: `<SparkApplication name>-secrets`. */
  name: string;
  secrets: readonly string[];
  /** Secret key → value (keys `driver.NAME`, `executor.NAME`). */
  data: Record<string, string>;
}

/** secretSink starts an empty sink for a SparkApplication named `appName`. */
export function secretSink(appName: string, secrets: readonly string[]): SecretSink {
  return { name: derivedName(appName, 'secrets'), secrets: secrets.filter((s) => s.length > 0), data: {} };
}

const holdsSecret = (value: string, secrets: readonly string[]) => secrets.some((s) => value.includes(s));

/** EnvFields are a container's environment in the spec: plain values, and references to the run's Secret. */
export interface EnvFields {
  envVars?: Record<string, string>;
  envSecretKeyRefs?: Record<string, { name: string; key: string }>;
}

/**
 * envFields splits `name: value` pairs into `envVars` and, for a value holding a secret, an
 * `envSecretKeyRefs` entry to the sink's Secret (key `<role>.<name>`, the value added to the sink).
 */
export function envFields(
  sink: SecretSink,
  role: 'driver' | 'executor',
  entries: readonly (readonly [string, string])[],
): EnvFields {
  const envVars: Record<string, string> = {};
  const refs: Record<string, { name: string; key: string }> = {};
  for (const [name, value] of entries) {
    if (!holdsSecret(value, sink.secrets)) {
      envVars[name] = value;
      continue;
    }
    const key = `${role}.${name}`;
    sink.data[key] = value;
    refs[name] = { name: sink.name, key };
  }
  return {
    ...(Object.keys(envVars).length ? { envVars } : {}),
    ...(Object.keys(refs).length ? { envSecretKeyRefs: refs } : {}),
  };
}

/** where a spec path comes from in the config, for the error. */
function configPath(specPath: (string | number)[]): Path {
  const [head, ...rest] = specPath;
  if (head === 'sparkConf') return ['spark', 'conf', ...rest];
  if (head === 'arguments') return ['app', 'args', ...rest];
  if ((head === 'driver' || head === 'executor') && rest[0] === 'javaOptions')
    return ['spark', head, 'javaOptions'];
  return ['kubernetes'];
}

function findSecret(
  v: unknown,
  secrets: readonly string[],
  path: (string | number)[],
): (string | number)[] | undefined {
  if (typeof v === 'string') return holdsSecret(v, secrets) ? path : undefined;
  if (Array.isArray(v)) {
    for (const [i, x] of v.entries()) {
      const found = findSecret(x, secrets, [...path, i]);
      if (found) return found;
    }
  } else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      const found = findSecret(x, secrets, [...path, k]);
      if (found) return found;
    }
  }
  return undefined;
}

/**
 * assertNoSecretInSpec refuses a spec that still holds a secret outside the Secret references (e.g. a
 * `{ fromEnv }` value in spark.conf or app.args), naming the config key and how to pass it instead.
 */
export function assertNoSecretInSpec(plan: DeployPlan, spec: unknown, secrets: readonly string[]): void {
  const at = findSecret(spec, secrets, []);
  if (!at) return;
  throw configError(
    plan,
    configPath(at),
    `holds a secret (a { fromEnv } value), which would be written in clear into the SparkApplication (spec.${at.join('.')}), readable by anyone allowed to get sparkapplications. Pass it as kubernetes.driver.env.NAME / kubernetes.executor.env.NAME instead: the action puts it in a Secret owned by the run and the pods read it through secretKeyRef (for S3A keys: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, which S3A reads from the environment)`,
  );
}

/** SecretObject is the run's Secret: `data` base64-encoded as the API stores it. */
export function secretObject(
  sink: SecretSink,
  namespace: string | undefined,
  labels: Record<string, string>,
): {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels: Record<string, string> };
  type: string;
  data: Record<string, string>;
} {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: sink.name, ...(namespace ? { namespace } : {}), labels: { ...labels } },
    type: 'Opaque',
    data: Object.fromEntries(
      Object.entries(sink.data)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => [k, Buffer.from(v, 'utf8').toString('base64')]),
    ),
  };
}
