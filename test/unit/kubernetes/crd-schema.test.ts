// The committed compact CRD schema must match the contract CRD it was generated from.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import { crdSchema, validateSparkApplication } from '../../../src/targets/kubernetes/validate.js';

const root = resolve(import.meta.dirname, '../../..');
const CRD_PATH = resolve(root, 'test/contracts/sparkoperator.k8s.io_sparkapplications.yaml');

describe('sparkapplication.schema.json', () => {
  test('is not stale relative to the contract CRD, which is the upstream file named in its README', () => {
    const sha = createHash('sha256').update(readFileSync(CRD_PATH)).digest('hex');
    expect(readFileSync(resolve(root, 'test/contracts/README.md'), 'utf8')).toContain(sha);
    const out = execFileSync(process.execPath, ['scripts/gen-crd-schema.mjs', '--check'], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(out).toContain('up to date');
  });

  test('names its source and licence', () => {
    expect(crdSchema.source).toMatchObject({
      project: 'kubeflow/spark-operator',
      release: 'v2.5.2',
      license: 'Apache-2.0',
    });
    expect(JSON.stringify(crdSchema.openAPIV3Schema)).not.toContain('"description":"');
  });

  test.each([
    [{ metadata: {}, spec: {} }, ['spec.driver: is required', 'spec.executor: is required']],
    [
      { spec: { type: 'Go', sparkVersion: '3.5.6', mainApplicationFile: 'x', driver: {}, executor: {} } },
      ['metadata: is required', 'spec.type: must be one of "Java", "Python", "Scala", "R"'],
    ],
    [
      {
        metadata: {},
        spec: {
          type: 'Scala',
          sparkVersion: '3.5.6',
          mainApplicationFile: 'x',
          driver: { cores: 0 },
          executor: {},
        },
      },
      ['spec.driver.cores: must be >= 1'],
    ],
    [
      {
        metadata: {},
        spec: {
          type: 'Scala',
          sparkVersion: '3.5.6',
          mainApplicationFile: 'x',
          driver: {},
          executor: {},
          sparkConf: { 'spark.x': 1 },
        },
      },
      ['spec.sparkConf["spark.x"]: must be string'],
    ],
  ])('reports the field path of each violation (%#)', (obj, expected) => {
    const got = validateSparkApplication(obj).map((p) => `${p.path}: ${p.message}`);
    for (const e of expected) expect(got).toContain(e);
  });
});
