// The bundled action against a Spark standalone cluster as Spark ships it (scripts/local-spark.sh with
// LOCAL_SPARK_REST=off): no REST server, masters written spark://127.0.0.1:7177, no Spark on the runner (no
// spark-submit on PATH, no SPARK_HOME): the first run provisions the pinned client from Maven Central into
// the tool cache, later runs reuse it; the driver is followed in the master's /json/ and killed over RPC.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
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

/** closedPort is a port nothing listens on: taken from the OS, then released. */
const closedPort = () =>
  new Promise<number>((resolvePort) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as AddressInfo).port;
      srv.close(() => resolvePort(port));
    });
  });

interface Driver {
  id: string;
  state: string;
}
const drivers = (): Promise<Driver[]> => driversAt(UI);
const driversAt = async (ui: string): Promise<Driver[]> => {
  const j = (await (await fetch(`${ui}/json/`)).json()) as {
    activedrivers: Driver[];
    completeddrivers: Driver[];
  };
  return [...j.activedrivers, ...j.completeddrivers];
};

describe.skipIf(!up)('standalone deploy to a spark:// master with REST off', () => {
  const jar = inject('exampleJar');
  let ws = '';
  let app = '';
  const config = (appConfig: string, master = MASTER, ui = UI, conf = '') => `defaults:
  target: standalone
  app:
    name: "etl-rpc-{{run_id}}"
    mainClass: com.etl.Main
    args: [--config, "${appConfig}"]
  spark:
    conf: { spark.cores.max: 1, spark.sql.shuffle.partitions: 2${conf} }
    driver: { memory: 512m }
    executor: { cores: 1, memory: 512m }
  standalone:
    masters: [${master}]
    webUi: ${ui}
environments:
  e2e: {}
`;
  const deploy = (
    name: string,
    patch: (c: Record<string, unknown>) => void,
    extra: Record<string, unknown> = {},
    cluster: { master: string; ui: string; conf?: string; env?: Record<string, string> } = {
      master: MASTER,
      ui: UI,
    },
  ) => {
    const c = JSON.parse(readFileSync(join(app, 'configs/local.json'), 'utf8')) as Record<string, unknown>;
    const input = c.input as Record<string, unknown>;
    input.path = join(app, 'data/orders.csv');
    const j = (c.transformations as Record<string, unknown>[]).find((t) => t.type === 'join');
    (j?.input as Record<string, unknown>).path = join(app, 'data/customers.json');
    c.output = { path: join(ws, `out-${name}`), format: 'csv', mode: 'overwrite', coalesce: 1 };
    patch(c);
    const p = join(ws, `${name}.json`);
    writeFileSync(p, JSON.stringify(c, null, 2));
    writeFileSync(join(app, '.github/spark-deploy.yml'), config(p, cluster.master, cluster.ui, cluster.conf));
    return runAction({
      workspace: ws,
      env: { SPARK_HOME: '', RUNNER_TOOL_CACHE: join(ws, 'tool-cache'), ...cluster.env },
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

  it('an HA list whose first master is down still deploys', async () => {
    const down = await closedPort();
    const run = await deploy(
      'ha',
      () => {},
      {},
      { master: `spark://127.0.0.1:${down},127.0.0.1:7177`, ui: UI },
    );
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.outputs.state).toBe('SUCCEEDED');
    expect(run.stdout).toMatch(
      new RegExp(`spark://127\\.0\\.0\\.1:${down} \\(ECONNREFUSED\\) does not accept connections`),
    );
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

  // A third cluster with shared-secret auth (LOCAL_SPARK_REST=off LOCAL_SPARK_AUTH_SECRET=<secret>): Spark
  // 3.5.6 accepts the submission with the right secret, then the driver fails for want of the secret (the
  // worker withholds it), so the action refuses up front; a cluster that needs a secret it did not get is an
  // authentication failure, not a hang or a stack trace.
  const AUTH = { master: 'spark://127.0.0.1:7277', ui: 'http://127.0.0.1:8280' };
  const authUp = httpOk(`${AUTH.ui}/json/`);
  const SECRET = 'e2e-shared-secret-Zq81';

  it.skipIf(!authUp)(
    'spark.authenticate is refused before submitting; the secret is in no output',
    async () => {
      const before = (await driversAt(AUTH.ui)).length;
      const run = await deploy(
        'auth',
        () => {},
        {},
        {
          ...AUTH,
          conf: ', spark.authenticate: true, spark.authenticate.secret: { fromEnv: E2E_SPARK_SECRET }',
          env: { E2E_SPARK_SECRET: SECRET },
        },
      );
      expect(run.code).toBe(1);
      const all = `${run.stdout}${run.stderr}${run.post.stdout}${run.post.stderr}${run.summary}${JSON.stringify(run.outputs)}`;
      expect(all).toMatch(
        /spark\.authenticate: is true, and Spark \(2\.4 to 4\.x\) cannot start a cluster-mode driver/,
      );
      // ::add-mask:: is the runner's masking command (consumed by the runner, never shown); nothing else.
      expect(all.replace(/^::add-mask::.*$/gm, '')).not.toContain(SECRET);
      expect((await driversAt(AUTH.ui)).length).toBe(before);
    },
  );

  it.skipIf(!authUp)(
    'a cluster that requires a secret the client lacks is an authentication failure',
    async () => {
      const run = await deploy('noauth', () => {}, {}, AUTH);
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(
        /authentication with the master failed: the cluster requires Spark's shared secret/,
      );
    },
  );
});
