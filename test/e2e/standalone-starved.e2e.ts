// An application that registers but never gets an executor, on the real local Spark (scripts/local-spark.sh):
// spark.cores.max 1 with executors of 2 cores, so the master keeps it WAITING with 0 cores granted while its
// driver is RUNNING. A streaming run must not count it healthy; the run ends at its timeout with the cause
// leading (Spark's own warning quoted from the driver's log), a warning finding, and the driver cancelled.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { component, httpOk } from '../helpers/components.js';
import { annotations, failure, runAction } from '../helpers/run-action.js';
import { buildSmokeJar } from '../helpers/smoke-jar.js';

const REST = process.env.SPARK_REST_URL ?? 'http://127.0.0.1:6066';
const UI = process.env.SPARK_MASTER_UI_URL ?? 'http://127.0.0.1:8080';
const spark = component(
  'local Spark',
  () => httpOk(`${UI}/json/`),
  'start it with `bash scripts/local-spark.sh start`',
);

let ws = '';

describe.skipIf(!spark)('an application the master grants no cores (real Spark)', () => {
  beforeAll(() => {
    ws = mkdtempSync(join(tmpdir(), 'spark-deploy-starved-e2e-'));
    buildSmokeJar(ws, 'smoke.jar');
    mkdirSync(join(ws, '.github'));
    writeFileSync(
      join(ws, '.github/spark-deploy.yml'),
      [
        'version: 1',
        'defaults:',
        `  app: { name: "starved-${Date.now()}", mainClass: SmokeJob, mode: streaming, healthyAfter: 5, args: [sleep, "900"] }`,
        '  spark:',
        '    version: 3.5.6',
        '    conf: { spark.cores.max: 1 }',
        '    driver: { cores: 1, memory: 512m }',
        '    executor: { cores: 2, memory: 512m }',
        'environments:',
        '  staging:',
        '    target: standalone',
        `    standalone: { masters: [${REST}], webUi: ${UI} }`,
        '',
      ].join('\n'),
    );
  });

  afterAll(() => rmSync(ws, { recursive: true, force: true }));

  it('is never healthy: the timeout error leads with why, warned once, the driver cancelled', async () => {
    const r = await runAction({
      workspace: ws,
      inputs: { stages: 'verify,deploy', jar: 'smoke.jar', environment: 'staging', 'timeout-minutes': '1' },
    });
    expect(r.code, r.stdout).toBe(1);
    const error = failure(r);
    expect(error.split('\n')[0]).toMatch(
      /^deploy: timed out after 1 min: no executor in \d+ s: the master lists app-\d{14}-\d{4} WAITING with 0 cores granted \(Spark: "Total executor cores: 1 is not divisible by cores per executor: 2"\)$/,
    );
    expect(error).toContain('cancelled driver-');
    expect(error).toMatch(
      /submitted: spark\.executor\.cores 2, spark\.executor\.memory 512 MiB, spark\.cores\.max 1/,
    );
    const warnings = annotations(r.stdout).filter(
      (a) => a.props.title === 'Spark application got no executor',
    );
    expect(warnings).toHaveLength(1);
    expect(r.stdout).not.toContain('healthy: RUNNING');
    const id = r.outputs['submission-id'] ?? '';
    // The kill is asynchronous: the master moves the driver to KILLED within a few seconds.
    const active = async () =>
      ((await (await fetch(`${UI}/json/`)).json()) as { activedrivers: { id: string }[] }).activedrivers.map(
        (d) => d.id,
      );
    await expect.poll(active, { timeout: 30_000, interval: 1_000 }).not.toContain(id);
  });
});
