// Validation of rendered SparkApplications against the CRD's openAPIV3Schema, as the API server would do
// (it answers 422 Invalid with the field path); here it happens before anything is sent.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import crd from './sparkapplication.schema.json' with { type: 'json' };

const INT32 = {
  type: 'number',
  validate: (n: number) => Number.isInteger(n) && Math.abs(n) <= 2 ** 31,
} as const;
const INT64 = { type: 'number', validate: (n: number) => Number.isSafeInteger(n) } as const;
// RFC 3339 as Kubernetes' metav1.Time writes it.
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

let compiled: ValidateFunction | undefined;

/** crdSchema is the SparkApplication openAPIV3Schema (descriptions stripped) with where it came from. */
export const crdSchema = crd as { source: Record<string, string>; openAPIV3Schema: Record<string, unknown> };

/** sparkApplicationValidator compiles the schema once (ajv, strict off: the CRD carries x-kubernetes-* keywords). */
export function sparkApplicationValidator(): ValidateFunction {
  if (!compiled) {
    const ajv = new Ajv({ strict: false, allErrors: true, logger: false });
    ajv.addFormat('int32', INT32);
    ajv.addFormat('int64', INT64);
    ajv.addFormat('date-time', DATE_TIME);
    compiled = ajv.compile(crdSchema.openAPIV3Schema);
  }
  return compiled as ValidateFunction;
}

/** SchemaProblem is one violation: the JSON path of the field (e.g. `spec.driver.cores`) and what is wrong. */
export interface SchemaProblem {
  path: string;
  message: string;
}

function describe(e: ErrorObject): SchemaProblem {
  const parts = e.instancePath
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (e.keyword === 'required') parts.push(String((e.params as { missingProperty: string }).missingProperty));
  if (e.keyword === 'additionalProperties')
    parts.push(String((e.params as { additionalProperty: string }).additionalProperty));
  const path = parts
    .map((p, i) =>
      /^\d+$/.test(p)
        ? `[${p}]`
        : /^[A-Za-z_$][\w$-]*$/.test(p)
          ? `${i ? '.' : ''}${p}`
          : `[${JSON.stringify(p)}]`,
    )
    .join('');
  let message = e.message ?? e.keyword;
  if (e.keyword === 'required') message = 'is required';
  if (e.keyword === 'enum')
    message = `must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
  return { path: path || '(root)', message };
}

/** validateSparkApplication returns every schema violation of `obj` (none when it is valid). */
export function validateSparkApplication(obj: unknown): SchemaProblem[] {
  const validate = sparkApplicationValidator();
  if (validate(obj)) return [];
  const seen = new Set<string>();
  const out: SchemaProblem[] = [];
  for (const e of validate.errors ?? []) {
    const p = describe(e);
    const key = `${p.path}: ${p.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push(p);
    }
  }
  return out;
}
