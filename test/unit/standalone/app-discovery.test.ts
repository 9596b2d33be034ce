// Finding a driver's application on real Spark 3.5.6 captures (test/fixtures/spark-rest/): two drivers of
// the same main class submitted half a second apart, one whose code calls .appName("named-in-code") (it was
// submitted as "submitted-name"), one whose code calls .master("local[*]") (submitted as "local-sub").
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, test } from 'vitest';
import { discoverApp, judgeLocal, localModeMessage } from '../../../src/targets/standalone/app-discovery.js';
import {
  advanceCursor,
  type DriverLogFacts,
  emptyFacts,
  newCursor,
  parseLogChunk,
  scanDriverLog,
} from '../../../src/targets/standalone/driver-log.js';
import {
  type AppInfo,
  driversOfApp,
  findDriver,
  type MasterState,
  parseMasterState,
} from '../../../src/targets/standalone/master-json.js';

const dir = join(import.meta.dirname, '../../fixtures/spark-rest');
const text = (name: string) => readFileSync(join(dir, name), 'utf8');
const state = (name: string) => parseMasterState(JSON.parse(text(name))) as MasterState;

const NAMED = 'driver-20261207124118-0000';
const LOCAL = 'driver-20261207124118-0001';
const APP = 'app-20261207124131-0000';
const running = state('master-json-named-and-local-running.json');
const completed = state('master-json-named-and-local-completed.json');

/** factsOf reads a worker `/log/` capture the way readDriverLog does, in chunks of `chunk` characters. */
function factsOf(capture: string, chunk = 1 << 20): DriverLogFacts {
  const whole = parseLogChunk(capture);
  if (!whole) throw new Error('not a /log/ answer');
  let c = newCursor();
  for (let at = 0; at < whole.body.length; at += chunk) {
    const body = whole.body.slice(at, at + chunk);
    c = advanceCursor(c, { start: c.offset, end: c.offset + body.length, body });
  }
  return c.facts;
}

const named = factsOf(text('worker-log-stderr-named-app.txt'));
const local = factsOf(text('worker-log-stderr-local-mode.txt'));

describe('the driver log (real captures)', () => {
  it('a driver whose code names its app: the app id it registered, both names, the submitted conf', () => {
    expect(named).toMatchObject({
      appIds: [APP],
      appId: APP,
      appNames: ['named-in-code'],
      sparkStarted: true,
      connecting: true,
      localExecutor: false,
    });
    expect(named.launch).toMatchObject({
      'spark.app.name': 'submitted-name',
      'spark.deploy-action.run': 'abc123-42',
      'spark.master': 'spark://127.0.0.1:7077',
      'spark.submit.deployMode': 'cluster',
    });
  });

  it('a driver whose code sets local[*]: no app id, the executor started inside the driver', () => {
    expect(local).toMatchObject({
      appIds: [],
      appNames: ['local-sub'],
      sparkStarted: true,
      connecting: false,
      localExecutor: true,
    });
    expect(local.localLine).toMatch(/INFO Executor: Starting executor ID driver on host localhost$/);
    expect(local.launch?.['spark.app.name']).toBe('local-sub');
  });

  test.each([1, 7, 100, 4096])('reading in chunks of %i characters gives the same facts', (chunk) => {
    expect(factsOf(text('worker-log-stderr-named-app.txt'), chunk)).toEqual(named);
    expect(factsOf(text('worker-log-stderr-local-mode.txt'), chunk)).toEqual(local);
  });

  it("the worker's answer for a driver without a log yet has a zero-length range", () => {
    const c = parseLogChunk(
      '==== Bytes 0-0 of 0 of /w/driver-x/stderr ====\nError: invalid log directory /w/driver-x/',
    );
    expect(c).toMatchObject({ start: 0, end: 0, total: 0 });
    expect(parseLogChunk('<html>proxy error</html>')).toBeUndefined();
  });

  it('a supervised relaunch: the latest launch has not registered yet, its earlier app is history', () => {
    const log = text('worker-log-stderr-named-app.txt').split('\n').slice(1);
    const launch = log.find((l) => l.startsWith('Launch Command:')) as string;
    const facts = scanDriverLog(emptyFacts(), [...log, launch, '26/12/07 12:45:00 INFO DriverWrapper: x']);
    expect(facts).toMatchObject({ appIds: [APP], sparkStarted: false });
    expect(facts.appId).toBeUndefined();
    const d = discoverApp({ state: completed, driver: findDriver(completed, NAMED) as never, log: facts });
    expect(d).toEqual({ kind: 'none' });
  });

  it("Spark 4's JSON log lines match too, by their msg", () => {
    const json = (msg: string, logger: string) =>
      JSON.stringify({ ts: '2026-12-07T12:41:31.000Z', level: 'INFO', msg, logger });
    const facts = scanDriverLog(emptyFacts(), [
      json('Running Spark version 4.0.1', 'SparkContext'),
      json('Submitted application: named-in-code', 'SparkContext'),
      json('Connected to Spark cluster with app ID app-20261207124131-0007', 'StandaloneSchedulerBackend'),
    ]);
    expect(facts).toMatchObject({
      appId: 'app-20261207124131-0007',
      appNames: ['named-in-code'],
      sparkStarted: true,
    });
  });

  it('a log4j pattern without the logger name (%m%n) matches too', () => {
    const facts = scanDriverLog(emptyFacts(), [
      'Running Spark version 3.5.6',
      'Submitted application: x',
      'Starting executor ID driver on host localhost',
    ]);
    expect(facts).toMatchObject({ appNames: ['x'], sparkStarted: true, localExecutor: true });
  });
});

describe('discoverApp', () => {
  const driver = (s: MasterState, id: string) =>
    findDriver(s, id) as NonNullable<ReturnType<typeof findDriver>>;

  it('by name (what was done before) the named app is not found; by start time it pairs with the local driver', () => {
    expect(driversOfApp(running, 'submitted-name', 'SmokeJob')).toEqual([]);
    const app = running.activeapps[0];
    expect(driversOfApp(running, app?.name ?? '', 'SmokeJob').map((p) => p.driver.id)).toEqual([LOCAL]);
  });

  it("the driver's log names its app, whatever the code called it", () => {
    for (const s of [running, completed]) {
      expect(
        discoverApp({ state: s, driver: driver(s, NAMED), log: named, submittedName: 'submitted-name' }),
      ).toMatchObject({ kind: 'found', appId: APP, by: 'driver log', app: { name: 'named-in-code' } });
    }
  });

  it("the local driver is local, and never gets the other driver's app", () => {
    expect(discoverApp({ state: running, driver: driver(running, LOCAL), log: local })).toEqual({
      kind: 'local',
      line: local.localLine,
    });
  });

  it('without logs, two running drivers that could own the one app: ambiguous, not a guess', () => {
    for (const id of [NAMED, LOCAL]) {
      expect(discoverApp({ state: running, driver: driver(running, id), submittedName: 'x' })).toMatchObject({
        kind: 'ambiguous',
      });
    }
  });

  it('without logs, the only app since the driver started and no rival driver: found by start time', () => {
    const alone: MasterState = {
      ...running,
      activedrivers: running.activedrivers.filter((d) => d.id === NAMED),
    };
    expect(discoverApp({ state: alone, driver: driver(alone, NAMED), submittedName: 'x' })).toMatchObject({
      kind: 'found',
      appId: APP,
      by: 'start time',
    });
  });

  it('without logs, the submitted name breaks a tie', () => {
    expect(
      discoverApp({ state: running, driver: driver(running, NAMED), submittedName: 'named-in-code' }),
    ).toMatchObject({ kind: 'found', appId: APP, by: 'start time and name' });
  });

  it('an app claimed by another driver, or older than the driver, is never this one', () => {
    const d = driver(running, LOCAL);
    const alone: MasterState = { ...running, activedrivers: [d] };
    expect(discoverApp({ state: alone, driver: d, claimed: new Set([APP]) })).toEqual({ kind: 'none' });
    expect(
      discoverApp({ state: alone, driver: { id: 'driver-late', starttime: Date.parse('2027-01-01') } }),
    ).toEqual({ kind: 'none' });
  });

  it('a log whose SparkContext lines show but no registration yet: trusted, not guessed from /json/', () => {
    const early = scanDriverLog(emptyFacts(), [
      '26/12/07 12:41:29 INFO SparkContext: Running Spark version 3.5.6',
      '26/12/07 12:41:29 INFO SparkContext: Submitted application: named-in-code',
    ]);
    const alone: MasterState = {
      ...running,
      activedrivers: running.activedrivers.filter((d) => d.id === NAMED),
    };
    expect(discoverApp({ state: alone, driver: driver(alone, NAMED), log: early })).toEqual({ kind: 'none' });
  });

  it('a log cut after "Connecting to master" (a busy master): registering, never judged local', () => {
    const lines = text('worker-log-stderr-named-app.txt').split('\n').slice(1);
    const upTo = lines.findIndex((l) => l.includes('Connecting to master'));
    const facts = scanDriverLog(emptyFacts(), lines.slice(0, upTo + 1));
    expect(facts).toMatchObject({ connecting: true, appIds: [], localExecutor: false });
    const d = discoverApp({ state: completed, driver: driver(completed, NAMED), log: facts });
    expect(d).toEqual({ kind: 'registering' });
    expect(judgeLocal(d, 'RUNNING', 600_000, 60_000)).toBeUndefined();
  });

  it('a WARN-level log (no Spark INFO lines) falls back to /json/', () => {
    const quiet = text('worker-log-stderr-named-app.txt')
      .split('\n')
      .filter((l) => !/ INFO /.test(l))
      .join('\n');
    const facts = factsOf(quiet);
    expect(facts).toMatchObject({ appIds: [], sparkStarted: false });
    const alone: MasterState = {
      ...running,
      activedrivers: running.activedrivers.filter((d) => d.id === NAMED),
    };
    expect(discoverApp({ state: alone, driver: driver(alone, NAMED), log: facts })).toMatchObject({
      kind: 'found',
      appId: APP,
    });
  });
});

describe('judgeLocal', () => {
  const none = { kind: 'none' } as const;
  test.each([
    ['log evidence, at once', { kind: 'local', line: 'x' } as const, 'RUNNING', 0, 'log'],
    ['RUNNING past the grace', none, 'RUNNING', 60_000, 'grace'],
    ['RUNNING within the grace', none, 'RUNNING', 59_999, undefined],
    ['FINISHED without an app', none, 'FINISHED', undefined, 'finished'],
    ['FAILED without an app (its own failure)', none, 'FAILED', undefined, undefined],
    [
      'an ambiguous app is not local',
      { kind: 'ambiguous', candidates: [] as AppInfo[] } as const,
      'RUNNING',
      1e9,
      undefined,
    ],
  ])('%s', (_, d, st, ran, evidence) => {
    expect(judgeLocal(d, st, ran, 60_000)?.evidence).toBe(evidence);
  });

  it('the message says what, why and the fix', () => {
    const l = judgeLocal(none, 'RUNNING', 61_000, 60_000);
    const m = localModeMessage('driver-1', l as never, {
      master: 'spark://m:7077',
      graceSeconds: 60,
      streaming: true,
    });
    expect(m).toMatch(
      /^driver driver-1 runs Spark in local mode: it has been RUNNING for 61 s without registering/,
    );
    expect(m).toContain('not counted healthy');
    expect(m).toContain('.master("local[*]")');
    expect(m).toContain('standalone.registerWithin (now 60 s)');
  });
});
