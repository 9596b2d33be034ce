// The main job end to end against the real local Spark (scripts/local-spark.sh start): build the
// example app with real sbt, verify it, deploy it through the REST submission server, wait for FINISHED,
// and check what the ETL job wrote against an independent computation from the input data.
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { component, hasCommand, httpOk } from '../helpers/components.js';
import { runAction } from '../helpers/run-action.js';

const root = resolve(new URL('../..', import.meta.url).pathname);
const spark = component(
  'local Spark',
  () => httpOk('http://127.0.0.1:6066/v1/submissions/status/probe'),
  'run `bash scripts/local-spark.sh start`',
);
const sbt = component(
  'sbt',
  () => hasCommand('sbt', ['--script-version']),
  'run `bash scripts/install-sbt.sh` and put its --print-path on PATH',
);

interface MasterJson {
  completeddrivers: { id: string; state: string }[];
  activedrivers: { id: string; state: string }[];
}

const masterJson = async (): Promise<MasterJson> =>
  (await (await fetch('http://127.0.0.1:8080/json/')).json()) as MasterJson;

/** expectedRevenue recomputes the local pipeline (configs/local.json) from the raw data, without Spark. */
function expectedRevenue(app: string) {
  const [header, ...lines] = readFileSync(join(app, 'data/orders.csv'), 'utf8').trim().split('\n');
  const cols = (header ?? '').split(',');
  const seen = new Set<string>();
  const customers = new Map<string, { country: string; segment: string }>();
  for (const l of readFileSync(join(app, 'data/customers.json'), 'utf8').trim().split('\n')) {
    const c = JSON.parse(l) as { customer_id: number; country: string; segment: string };
    customers.set(String(c.customer_id), c);
  }
  const groups = new Map<string, { orders: number; units: number; revenue: number }>();
  for (const l of lines) {
    const r = Object.fromEntries(l.split(',').map((v, i) => [cols[i], v])) as Record<string, string>;
    if (seen.has(r.order_id ?? '')) continue;
    seen.add(r.order_id ?? '');
    if (r.status !== 'COMPLETED') continue;
    const c = customers.get(r.customer_id ?? '');
    const key = `${c?.country ?? ''}|${c?.segment ?? ''}`;
    const g = groups.get(key) ?? { orders: 0, units: 0, revenue: 0 };
    g.orders++;
    g.units += Number(r.quantity);
    g.revenue += Math.round(Number(r.quantity) * Number(r.unit_price) * 100) / 100;
    groups.set(key, g);
  }
  return groups;
}

describe.skipIf(!spark || !sbt)('standalone deploy to the real local Spark', () => {
  let ws: string;
  let app: string;
  let jar = '';
  const config = (appConfig: string) => `defaults:
  target: standalone
  app:
    name: "etl-e2e-{{run_id}}"
    mainClass: com.etl.Main
    args: [--config, "${appConfig}"]
  spark:
    conf: { spark.cores.max: 1, spark.sql.shuffle.partitions: 2 }
    driver: { memory: 512m }
    executor: { cores: 1, memory: 512m }
  standalone:
    masters: [http://127.0.0.1:6066]
    webUi: http://127.0.0.1:8080
    jar: { stage: local }
environments:
  e2e: {}
`;
  const writeAppConfig = (name: string, patch: (c: Record<string, unknown>) => void) => {
    const c = JSON.parse(readFileSync(join(app, 'configs/local.json'), 'utf8')) as Record<string, unknown>;
    patch(c);
    const p = join(ws, `${name}.json`);
    writeFileSync(p, JSON.stringify(c, null, 2));
    return p;
  };

  beforeAll(() => {
    ws = mkdtempSync(join(tmpdir(), 'spark-deploy-demo-e2e-'));
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

  it('builds, verifies and deploys the example; the driver FINISHES and the output is right', async () => {
    const out = join(ws, 'out');
    const appConfig = writeAppConfig('ok', (c) => {
      const input = c.input as Record<string, unknown>;
      input.path = join(app, 'data/orders.csv');
      const join_ = (c.transformations as Record<string, unknown>[]).find((t) => t.type === 'join');
      (join_?.input as Record<string, unknown>).path = join(app, 'data/customers.json');
      c.output = { path: out, format: 'csv', mode: 'overwrite', coalesce: 1, options: { header: 'true' } };
    });
    writeFileSync(join(app, '.github/spark-deploy.yml'), config(appConfig));
    const run = await runAction({
      workspace: ws,
      inputs: { 'working-directory': 'app', environment: 'e2e', 'timeout-minutes': '10' },
    });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    jar = join(ws, run.outputs['jar-path'] ?? '');
    expect(run.outputs).toMatchObject({ target: 'standalone', state: 'SUCCEEDED' });
    expect(run.outputs['submission-id']).toMatch(/^driver-\d{14}-\d{4}$/);
    expect(run.outputs['spark-ui-url']).toMatch(/^http:\/\/127\.0\.0\.1:8080\//);
    expect(run.summary).toMatch(/\| build \| ✅ success/);
    expect(run.summary).toMatch(/\| verify \| ✅ success/);
    expect(run.summary).toMatch(/\| image \| ⏭️ skipped/);
    expect(run.summary).toMatch(/\| deploy \| ✅ success/);
    const m = await masterJson();
    expect(m.completeddrivers.find((d) => d.id === run.outputs['submission-id'])?.state).toBe('FINISHED');

    const csv = readdirSync(out).find((f) => f.endsWith('.csv'));
    const [head, ...rows] = readFileSync(join(out, csv ?? ''), 'utf8')
      .trim()
      .split('\n');
    const cols = (head ?? '').split(',');
    const expected = expectedRevenue(app);
    expect(rows).toHaveLength(expected.size);
    for (const line of rows) {
      const r = Object.fromEntries(line.split(',').map((v, i) => [cols[i], v])) as Record<string, string>;
      const e = expected.get(`${r.country}|${r.customer_segment}`);
      expect(e, line).toBeDefined();
      expect(Number(r.orders)).toBe(e?.orders);
      expect(Number(r.units)).toBe(e?.units);
      expect(Math.abs(Number(r.total_revenue) - (e?.revenue ?? 0))).toBeLessThan(0.011);
    }
    const totals = rows.map((l) => Number(l.split(',')[cols.indexOf('total_revenue')]));
    expect(totals).toEqual([...totals].sort((a, b) => b - a));
  });

  it('fails with driver state FAILED and the real stderr tail when the app fails', async () => {
    expect(jar).not.toBe('');
    const appConfig = writeAppConfig('missing-input', (c) => {
      (c.input as Record<string, unknown>).path = join(ws, 'no-such-dir/orders.csv');
    });
    writeFileSync(join(app, '.github/spark-deploy.yml'), config(appConfig));
    const run = await runAction({
      workspace: ws,
      inputs: {
        'working-directory': 'app',
        environment: 'e2e',
        stages: 'verify,deploy',
        jar,
        'timeout-minutes': '10',
      },
    });
    expect(run.code).toBe(1);
    expect(run.outputs.state).toBe('FAILED');
    const error = run.stdout.split('\n').find((l) => l.startsWith('::error::deploy:')) ?? '';
    expect(error).toMatch(/ended FAILED \(FAILED\)/);
    expect(decodeURIComponent(error)).toMatch(/no-such-dir\/orders\.csv/);
    expect(run.summary).toMatch(/Driver log/);
  });

  it('kills the driver when the workflow is cancelled (SIGTERM)', async () => {
    expect(jar).not.toBe('');
    const appConfig = writeAppConfig('cancel', (c) => {
      c.output = { path: join(ws, 'out-cancel'), format: 'csv', mode: 'overwrite' };
    });
    writeFileSync(join(app, '.github/spark-deploy.yml'), config(appConfig));
    const controller = new AbortController();
    let submitted = '';
    const run = await runAction({
      workspace: ws,
      inputs: { 'working-directory': 'app', environment: 'e2e', stages: 'deploy', jar },
      signal: controller.signal,
      onOutput: (t) => {
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
    for (let i = 0; i < 50 && state !== 'KILLED'; i++) {
      const m = await masterJson();
      state = [...m.completeddrivers, ...m.activedrivers].find((d) => d.id === submitted)?.state ?? '';
      if (state !== 'KILLED') await new Promise((r) => setTimeout(r, 200));
    }
    expect(state).toBe('KILLED');
  });
});
