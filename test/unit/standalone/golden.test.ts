// Contract checks: the fake master answers with the shapes a real Spark 3.5.6 gave (captures in
// test/fixtures/spark-rest/, made with scripts/local-spark.sh), and the parsers read the real captures.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, test } from 'vitest';
import { discoverApp } from '../../../src/targets/standalone/app-discovery.js';
import { cleanDriverLog } from '../../../src/targets/standalone/logs.js';
import {
  driversOfApp,
  findDriver,
  newDrivers,
  parseMasterState,
  workerUiOf,
} from '../../../src/targets/standalone/master-json.js';
import { buildCreateRequest } from '../../../src/targets/standalone/request.js';
import { fatalReply, isNotAlive, sparkMessageSummary } from '../../../src/targets/standalone/rest-client.js';
import { statusFromMessage } from '../../../src/targets/standalone/watch.js';
import { type FakeSpark, sparkJson, startFakeSpark } from '../../helpers/fake-spark-rest.js';
import { artifact, makePlan } from './fixtures.js';

const dir = join(import.meta.dirname, '../../fixtures/spark-rest');
const golden = (name: string) => JSON.parse(readFileSync(join(dir, name), 'utf8')) as Record<string, unknown>;
const text = (name: string) => readFileSync(join(dir, name), 'utf8');

/** shape maps a JSON value to its keys and value types, recursively (first element for arrays). */
function shape(v: unknown): unknown {
  if (Array.isArray(v)) return v.length === 0 ? [] : [shape(v[0])];
  if (v && typeof v === 'object') {
    return Object.fromEntries(
      Object.entries(v as Record<string, unknown>)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, x]) => [k, shape(x)]),
    );
  }
  return typeof v;
}

let f: FakeSpark;
beforeAll(async () => {
  f = await startFakeSpark({
    script: [{ state: 'SUBMITTED' }, { state: 'RUNNING', polls: 2 }, { state: 'FINISHED' }],
  });
});
afterAll(() => f.close());

async function call(method: string, path: string, body?: unknown) {
  const res = await fetch(`${f.url}${path}`, {
    method,
    ...(body ? { body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } } : {}),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

describe('the fake answers in the shapes of a real Spark 3.5.6', () => {
  let id = '';
  it('create', async () => {
    const req = buildCreateRequest(makePlan(), artifact, 'file:///tmp/x.jar');
    const res = await call('POST', '/v1/submissions/create', req);
    expect(res.status).toBe(200);
    expect(shape(res.json)).toEqual(shape(golden('create-response.json')));
    expect(res.json.message).toBe(`Driver successfully submitted as ${res.json.submissionId}`);
    id = String(res.json.submissionId);
    expect(id).toMatch(/^driver-\d{14}-\d{4}$/);
  });

  it('status SUBMITTED has no worker fields; RUNNING matches the capture', async () => {
    const submitted = await call('GET', `/v1/submissions/status/${id}`);
    expect(submitted.json).not.toHaveProperty('workerId');
    const running = await call('GET', `/v1/submissions/status/${id}`);
    expect(shape(running.json)).toEqual(shape(golden('status-running.json')));
  });

  it('master /json/ while running matches the capture', async () => {
    const res = await call('GET', '/json/');
    const real = golden('master-json-running.json');
    expect(Object.keys(res.json).sort()).toEqual(Object.keys(real).sort());
    for (const k of ['workers', 'activeapps', 'activedrivers'] as const) {
      expect(shape((res.json[k] as unknown[])[0]), k).toEqual(shape((real[k] as unknown[])[0]));
    }
  });

  it('kill of a running driver, then of a finished one', async () => {
    const kill = await call('POST', `/v1/submissions/kill/${id}`);
    expect(shape(kill.json)).toEqual(shape(golden('kill-response.json')));
    const killed = await call('GET', `/v1/submissions/status/${id}`);
    expect(shape(killed.json)).toEqual(shape(golden('status-killed.json')));
    const again = await call('POST', `/v1/submissions/kill/${id}`);
    expect(again.json).toEqual({
      ...golden('kill-response-already-finished.json'),
      submissionId: id,
      message: `Driver ${id} has already finished or does not exist`,
    });
  });

  test.each([
    ['GET', '/v1/submissions/status/driver-19700101000000-9999', 200, 'status-unknown.json'],
    ['POST', '/v1/submissions/kill/driver-19700101000000-9999', 200, 'kill-response-unknown.json'],
    ['GET', '/v2/submissions/status/x', 468, 'error-468-unknown-protocol-version.json'],
    ['GET', '/v1/submissions/status/', 400, 'error-400-status-without-id.json'],
  ])('%s %s -> %i like %s', async (method, path, status, name) => {
    const res = await call(method, path);
    expect(res.status).toBe(status);
    expect(res.json).toEqual(golden(name));
  });

  it('a create without spark.app.name is a 400 validation error, like the capture', async () => {
    const req = buildCreateRequest(makePlan(), artifact, 'x');
    const { 'spark.app.name': _, ...props } = req.sparkProperties;
    const res = await call('POST', '/v1/submissions/create', { ...req, sparkProperties: props });
    expect(res.status).toBe(400);
    const real = golden('error-400-create-without-app-name.json');
    expect(shape(res.json)).toEqual(shape(real));
    expect(sparkMessageSummary(String(res.json.message))).toContain(
      'Malformed request: org.apache.spark.deploy.rest.SubmitRestProtocolException: Validation of message CreateSubmissionRequest failed!',
    );
    expect(sparkMessageSummary(String(real.message))).toBe(
      'Malformed request: org.apache.spark.deploy.rest.SubmitRestProtocolException: Validation of message CreateSubmissionRequest failed!',
    );
  });

  it('sparkJson prints like Jackson', () => {
    expect(sparkJson(golden('create-response.json'))).toBe(text('create-response.json').trimEnd());
  });
});

describe('the client reads the real captures', () => {
  test.each([
    ['status-running.json', 'RUNNING', 'RUNNING', false, undefined],
    ['status-finished.json', 'SUCCEEDED', 'FINISHED', true, undefined],
    ['status-failed.json', 'FAILED', 'FAILED', true, undefined],
    ['status-killed.json', 'CANCELLED', 'KILLED', true, undefined],
    [
      'status-error.json',
      'FAILED',
      'ERROR',
      true,
      'Exception from the cluster: java.nio.file.NoSuchFileException: <JOB_DIR>/does-not-exist.jar',
    ],
  ])('%s -> %s', (name, phase, nativeState, terminal, message) => {
    const s = statusFromMessage(golden(name) as never);
    expect(s).toEqual({ phase, nativeState, terminal, ...(message ? { message } : {}) });
  });

  it('400 and 468 captures are clear errors', () => {
    const e400 = fatalReply('http://m:6066', 'create', {
      kind: 'message',
      http: 400,
      msg: golden('error-400-create-malformed-json.json'),
    });
    expect(e400?.message).toMatch(
      /^standalone: http:\/\/m:6066 rejected the create request \(HTTP 400\): Malformed request: com\.fasterxml\.jackson\.core\.JsonParseException: Unrecognized token 'not'/,
    );
    expect(e400?.message).not.toContain('\tcom.fasterxml');
    const e468 = fatalReply('http://m:6066', 'status', {
      kind: 'message',
      http: 468,
      msg: golden('error-468-unknown-protocol-version.json'),
    });
    expect(e468?.message).toContain("HTTP 468: Unknown protocol version 'v2'");
  });

  it('"already finished" is not a standby answer; the master\'s not-alive text is', () => {
    expect(isNotAlive(String(golden('kill-response-already-finished.json').message))).toBe(false);
    expect(isNotAlive('Current state is not alive: STANDBY. Can only kill drivers in ALIVE state.')).toBe(
      true,
    );
  });

  it('master /json/ captures: driver, worker UI and app correlation', () => {
    const raw = golden('master-json-completed.json') as {
      completeddrivers: { id: string; starttime: string; worker: string; mainclass: string }[];
      completedapps: { id: string; name: string }[];
      workers: { id: string; webuiaddress: string }[];
    };
    const completed = parseMasterState(raw);
    if (!completed) throw new Error('not parsed');
    const rd = raw.completeddrivers[0] as (typeof raw.completeddrivers)[number];
    const ra = raw.completedapps[0] as (typeof raw.completedapps)[number];
    const d = findDriver(completed, rd.id);
    expect(d).toEqual({
      id: rd.id,
      starttime: Number(rd.starttime),
      state: 'FINISHED',
      worker: rd.worker,
      mainclass: rd.mainclass,
    });
    expect(workerUiOf(completed, d?.worker)).toBe(raw.workers[0]?.webuiaddress);
    const from = (starttime: number) => discoverApp({ state: completed, driver: { id: rd.id, starttime } });
    expect(from(d?.starttime ?? 0)).toMatchObject({ kind: 'found', appId: ra.id, by: 'start time' });
    expect(from((d?.starttime ?? 0) + 60_000)).toEqual({ kind: 'none' });
    expect(newDrivers(completed, new Set(), rd.mainclass).map((x) => x.id)).toEqual([rd.id]);
    expect(newDrivers(completed, new Set([rd.id]), rd.mainclass)).toEqual([]);

    // While running: each app pairs with the latest driver of its main class that started before it.
    const running = parseMasterState(golden('master-json-running.json'));
    if (!running) throw new Error('not parsed');
    const app = running.activeapps[0];
    if (!app) throw new Error('no active app in the capture');
    const expected = [...running.activedrivers, ...running.completeddrivers]
      .filter((x) => x.starttime <= app.starttime && x.mainclass === rd.mainclass)
      .sort((a, b) => b.starttime - a.starttime)[0];
    expect(driversOfApp(running, app.name, rd.mainclass).map((p) => [p.driver.id, p.app.id])).toEqual([
      [expected?.id, app.id],
    ]);
    expect(running.activedrivers.map((x) => x.id)).toContain(expected?.id);
    expect(parseMasterState({ hello: 1 })).toBeUndefined();
  });

  it('worker log capture: header and launch command (which lists -D values) are dropped', () => {
    const tail = cleanDriverLog(text('worker-log-stderr-failed.txt'), 50);
    expect(tail).not.toMatch(/==== Bytes|Launch Command|-Dspark\./);
    expect(tail).toContain(
      'Exception in thread "main" java.lang.ClassNotFoundException: com.example.DoesNotExist',
    );
    expect(cleanDriverLog(text('worker-log-stdout-finished.txt'), 50)).toMatch(/^Pi is roughly 3\.\d+$/);
  });
});
