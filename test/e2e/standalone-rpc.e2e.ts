// The bundled action against a Spark standalone cluster as Spark ships it (scripts/local-spark.sh with
// LOCAL_SPARK_REST=off): no REST server, masters written spark://127.0.0.1:7177, no Spark on the runner (no
// spark-submit on PATH, no SPARK_HOME): the first run provisions the pinned client from Maven Central into
// the tool cache, later runs reuse it; the driver is followed in the master's /json/ and killed over RPC.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { component, hasCommand, httpOk } from '../helpers/components.js';
import { runAction } from '../helpers/run-action.js';

const root = resolve(import.meta.dirname, '../..');
const MASTER = 'spark://127.0.0.1:7177';
const UI = 'http://127.0.0.1:8180';
const up = component(
  'local Spark as shipped (REST off)',
  () => httpOk(`${UI}/json/`) && !httpOk('http://127.0.0.1:7177/'),
  'run `LOCAL_SPARK_REST=off bash scripts/local-spark.sh start`',
);

interface Driver {
  id: string;
  state: string;
}
const drivers = async (): Promise<Driver[]> => {
  const j = (await (await fetch(`${UI}/json/`)).json()) as {
    activedrivers: Driver[];
    completeddrivers: Driver[];
  };
  return [...j.activedrivers, ...j.completeddrivers];
};

describe.skipIf(!up)('standalone deploy to a spark:// master with REST off', () => {
  const jar = inject('exampleJar');
  let ws = '';
  let app = '';
  const config = (appConfig: string) => `defaults:
  target: standalone
  app:
    name: "etl-rpc-{{run_id}}"
    mainClass: com.etl.Main
    args: [--config, "${appConfig}"]
  spark:
    conf: { spark.cores.max: 1, spark.sql.shuffle.partitions: 2 }
    driver: { memory: 512m }
    executor: { cores: 1, memory: 512m }
  standalone:
    masters: [${MASTER}]
    webUi: ${UI}
environments:
  e2e: {}
`;
  const deploy = (name: string, patch: (c: Record<string, unknown>) => void, extra = {}) => {
    const c = JSON.parse(readFileSync(join(app, 'configs/local.json'), 'utf8')) as Record<string, unknown>;
    const input = c.input as Record<string, unknown>;
    input.path = join(app, 'data/orders.csv');
    const j = (c.transformations as Record<string, unknown>[]).find((t) => t.type === 'join');
    (j?.input as Record<string, unknown>).path = join(app, 'data/customers.json');
    c.output = { path: join(ws, `out-${name}`), format: 'csv', mode: 'overwrite', coalesce: 1 };
    patch(c);
    const p = join(ws, `${name}.json`);
    writeFileSync(p, JSON.stringify(c, null, 2));
    writeFileSync(join(app, '.github/spark-deploy.yml'), config(p));
    return runAction({
      workspace: ws,
      env: { SPARK_HOME: '', RUNNER_TOOL_CACHE: join(ws, 'tool-cache') },
      inputs: {
        'working-directory': 'app',
        environment: 'e2e',
        stages: 'verify,deploy',
        jar,
        'timeout-minutes': '10',
      },
      ...extra,
    });
  };

  beforeAll(() => {
    expect(jar, 'the example JAR (global setup needs sbt)').not.toBe('');
    expect(hasCommand('spark-submit'), 'no spark-submit on PATH for this test').toBe(false);
    ws = mkdtempSync(join(tmpdir(), 'spark-deploy-rpc-e2e-'));
    app = join(ws, 'app');
    cpSync(join(root, 'examples/etl-app'), app, {
      recursive: true,
      filter: (src) => !/[/\\](target|\.bsp|spark-warehouse)([/\\]|$)/.test(src.slice(root.length)),
    });
    mkdirSync(join(app, '.github'), { recursive: true });
  });
  afterAll(() => {
    if (ws) rmSync(ws, { recursive: true, force: true });
  });

  it('deploys the example to SUCCEEDED with its application id and Spark UI link', async () => {
    const run = await deploy('ok', () => {});
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.outputs).toMatchObject({ target: 'standalone', state: 'SUCCEEDED' });
    expect(run.outputs['submission-id']).toMatch(/^driver-\d{14}-\d{4}$/);
    expect(run.outputs['application-id']).toMatch(/^app-\d{14}-\d{4}$/);
    expect(run.outputs['spark-ui-url']).toBe(`${UI}/app/?appId=${run.outputs['application-id']}`);
    expect((await drivers()).find((d) => d.id === run.outputs['submission-id'])?.state).toBe('FINISHED');
    expect(run.stdout).toMatch(/no spark-submit on the runner; fetching the Spark 3\.5\.6 client \(\d+ jars/);
    expect(
      existsSync(join(ws, 'tool-cache/spark-deploy-action/spark-client/3.5.6-scala2.12/.complete')),
    ).toBe(true);
  });

  it('a failing driver is FAILED with its cause', async () => {
    const run = await deploy('missing', (c) => {
      (c.input as Record<string, unknown>).path = join(ws, 'no-such-dir/orders.csv');
    });
    expect(run.code).toBe(1);
    expect(run.outputs.state).toBe('FAILED');
    const error = run.stdout.split('\n').find((l) => l.startsWith('::error::deploy:')) ?? '';
    expect(error).toMatch(/ended FAILED \(FAILED\)/);
    expect(decodeURIComponent(error)).toMatch(/no-such-dir\/orders\.csv/);
    expect(run.stdout, 'the second run reuses the client').not.toMatch(/fetching the Spark 3\.5\.6 client/);
  });

  it('a cancel kills the driver', async () => {
    const controller = new AbortController();
    let submitted = '';
    const run = await deploy('cancel', () => {}, {
      signal: controller.signal,
      onOutput: (t: string) => {
        const m = /submitted: (driver-\S+)/.exec(t);
        if (m && !submitted) {
          submitted = m[1] ?? '';
          controller.abort();
        }
      },
    });
    expect(submitted).not.toBe('');
    expect(run.code).not.toBe(0);
    let state = '';
    for (let i = 0; i < 100 && state !== 'KILLED'; i++) {
      state = (await drivers()).find((d) => d.id === submitted)?.state ?? '';
      if (state !== 'KILLED') await new Promise((r) => setTimeout(r, 200));
    }
    expect(state, run.post.stdout + run.post.stderr).toBe('KILLED');
  });
});
