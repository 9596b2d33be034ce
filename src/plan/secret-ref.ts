import * as z from 'zod/mini';
import { isPlainObject } from './merge.js';

/** secretRefSchema is the zod schema of a SecretRef (built on demand, like the config schemas). */
export function secretRefSchema() {
  return z
    .strictObject({
      fromEnv: z
        .string()
        .check(
          z.regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name such as SPARK_REST_TOKEN'),
          z.describe(
            'Name of the environment variable holding the value (set it from a secret in the workflow).',
          ),
        ),
    })
    .check(z.describe('A value read from an environment variable at run time.'));
}

/** SecretRef names an environment variable that holds a credential; the config never holds the value. */
export type SecretRef = z.infer<ReturnType<typeof secretRefSchema>>;

/** isSecretRef tells whether a parsed config value is a `{ fromEnv: NAME }` reference. */
export function isSecretRef(v: unknown): v is SecretRef {
  return isPlainObject(v) && Object.keys(v).length === 1 && typeof v.fromEnv === 'string';
}
