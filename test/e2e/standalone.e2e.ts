// The standalone target against a real Spark 3.5.6 standalone cluster on 127.0.0.1 (scripts/local-spark.sh):
// REST create/status/kill, /json/ links and the worker log, with a tiny job compiled from
// scripts/local-spark/SmokeJob.java against the cluster's own jars.
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Artifact } from '../../src/stage.js';
import { createStandaloneTarget, LOG_TAIL_LINES, type Logger } from '../../src/targets/standalone/index.js';
import type { Status } from '../../src/targets/target.js';
import { buildSmokeJar } from '../helpers/smoke-jar.js';
import { makePlan } from '../unit/standalone/fixtures.js';

const REST = process.env.SPARK_REST_URL ?? 'http://127.0.0.1:6066';
const UI = process.env.SPARK_MASTER_UI_URL ?? 'http://127.0.0.1:8080';

async function clusterUp(): Promise<boolean> {
  try {
    const res = await fetch(`${UI}/json/`, { signal: AbortSignal.timeout(3000) });
    const json = (await res.json()) as { status?: string; aliveworkers?: number };
    const rest = await fetch(`${REST}/v1/submissions/status/none`, { signal: AbortSignal.timeout(3000) });
    return json.status === 'ALIVE' && (json.aliveworkers ?? 0) > 0 && rest.status === 200;
  } catch {
    return false;
  }
}

const up = await clusterUp();
if (!up && process.env.CI === 'true') {
  throw new Error(
    `standalone e2e: no local Spark at ${REST} / ${UI}; CI must run \`bash scripts/local-spark.sh start\` first`,
  );
}
if (!up) {
  console.warn(
    `standalone e2e skipped: no local Spark at ${REST} / ${UI}; start one with \`bash scripts/local-spark.sh start\``,
  );
}

const log: Logger = { info: () => {}, warning: (m) => console.warn(m), debug: () => {} };
let dir = '';
let artifact: Artifact;

async function follow(
  name: string,
  args: string[],
  o: { streaming?: boolean; cancelAfterFirstRunning?: boolean; shared?: boolean } = {},
) {
  const plan = makePlan({
    workingDirectory: dir,
    standalone: {
      masters: [REST],
      webUi: UI,
      ...(o.shared ? { jar: { stage: 'local' as const, path: join(dir, 'shared') } } : {}),
    },
    app: {
      name,
      mainClass: 'SmokeJob',
      args,
      ...(o.shared ? { configFile: 'app.conf' } : {}),
      ...(o.streaming ? { mode: 'streaming' as const, healthyAfter: 5 } : {}),
    },
    spark: { driver: { memory: '512m' }, executor: { memory: '512m' }, conf: { 'spark.cores.max': 1 } },
    timeoutMs: 5 * 60_000,
  });
  const target = createStandaloneTarget({ log, plan });
  const ac = new AbortController();
  const handle = await target.submit(plan, artifact, ac.signal);
  const statuses: Status[] = [];
  for await (const s of target.watch(handle, ac.signal)) {
    statuses.push(s);
    if (o.cancelAfterFirstRunning && s.nativeState === 'RUNNING') await target.cancel(handle);
  }
  return { target, handle, statuses, last: statuses.at(-1) as Status };
}

describe.skipIf(!up)('standalone target against a real Spark standalone cluster', () => {
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'standalone-e2e-'));
    const jarPath = buildSmokeJar(dir);
    writeFileSync(join(dir, 'app.conf'), 'mode = e2e\n');
    artifact = {
      sha256: createHash('sha256').update(readFileSync(jarPath)).digest('hex'),
      jarPath,
      jarDisplayPath: 'smoke-job.jar',
      sizeBytes: statSync(jarPath).size,
      mainClass: 'SmokeJob',
    };
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a finishing job staged into a shared directory with its config file: FINISHED, app id, links', async () => {
    const { target, handle, statuses, last } = await follow(`sda-e2e-pi-${Date.now()}`, ['pi', '2'], {
      shared: true,
    });
    expect(readdirSync(join(dir, 'shared')).some((f) => /^smoke-job-[0-9a-f]{12}\.jar$/.test(f))).toBe(true);
    expect(statuses[0]?.nativeState).toMatch(/SUBMITTED|RUNNING/);
    expect(last).toMatchObject({ phase: 'SUCCEEDED', nativeState: 'FINISHED', terminal: true });
    expect(last.applicationId).toMatch(/^app-\d{14}-\d{4}$/);
    const links = target.links(handle, last);
    expect(links.sparkUi).toBe(`${UI}/app/?appId=${last.applicationId}`);
    expect(links.logs).toMatch(/\/logPage\/\?driverId=driver-\d{14}-\d{4}&logType=stderr$/);
    const page = await fetch(links.logs as string);
    expect(page.status).toBe(200);
  });

  it('a failing job: FAILED with the exception in the stderr tail, no launch command', async () => {
    const { target, handle, last } = await follow(`sda-e2e-fail-${Date.now()}`, ['fail']);
    expect(last).toMatchObject({ phase: 'FAILED', nativeState: 'FAILED' });
    const tail = await target.logTail?.(handle, LOG_TAIL_LINES);
    expect(tail).toContain('SmokeJob failed on purpose');
    expect(tail).not.toContain('Launch Command');
    expect(tail?.split('\n').length).toBeLessThanOrEqual(LOG_TAIL_LINES);
  });

  it('cancel kills a running driver: KILLED', async () => {
    const { last } = await follow(`sda-e2e-kill-${Date.now()}`, ['sleep', '300'], {
      cancelAfterFirstRunning: true,
    });
    expect(last).toMatchObject({ phase: 'CANCELLED', nativeState: 'KILLED', terminal: true });
  });

  it('a create whose answer is lost is found in /json/ and adopted: exactly one new driver', async () => {
    const ids = async () => {
      const j = (await (await fetch(`${UI}/json/`)).json()) as Record<string, { id: string }[]>;
      return new Set([...(j.activedrivers ?? []), ...(j.completeddrivers ?? [])].map((d) => d.id));
    };
    const before = await ids();
    // The request reaches the master, then the connection "resets" before the answer is read.
    const lossy: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      if (String(input).endsWith('/submissions/create')) {
        await res.text();
        throw Object.assign(new TypeError('fetch failed'), {
          cause: { code: 'ECONNRESET', message: 'socket hang up' },
        });
      }
      return res;
    };
    const plan = makePlan({
      standalone: { masters: [REST], webUi: UI },
      app: { name: `sda-e2e-lost-${Date.now()}`, mainClass: 'SmokeJob', args: ['sleep', '300'] },
      spark: { driver: { memory: '512m' }, executor: { memory: '512m' }, conf: { 'spark.cores.max': 1 } },
    });
    const warnings: string[] = [];
    const target = createStandaloneTarget({
      plan,
      fetch: lossy,
      log: { ...log, warning: (m) => warnings.push(m) },
    });
    const handle = await target.submit(plan, artifact, new AbortController().signal);
    const fresh = [...(await ids())].filter((id) => !before.has(id));
    expect(fresh).toEqual([handle.submissionId]);
    expect(warnings.join('\n')).toMatch(/no response \(ECONNRESET.*following it instead of submitting again/);
    await target.cancel(handle);
  });

  it('a streaming job is healthy after healthyAfter; find sees it; then it is cancelled', async () => {
    const name = `sda-e2e-stream-${Date.now()}`;
    const { target, handle, last } = await follow(name, ['sleep', '300'], { streaming: true });
    expect(last).toMatchObject({ phase: 'RUNNING', terminal: false });
    expect(last.message).toMatch(/^healthy: RUNNING for \d+ s/);
    const found = await target.find({ app: name });
    expect(found.map((h) => h.submissionId)).toContain(handle.submissionId);
    await target.cancel(handle);
  });
});
