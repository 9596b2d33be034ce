/**
 * A fault-injecting fake of a Spark standalone master for tests: a real HTTP server on 127.0.0.1:0 that
 * serves the REST submission protocol (create / status / kill), the master web UI's `/json/` and a worker
 * UI's `/log/` and `/logPage/` on one port.
 *
 * Sources, and the only ones it follows (a behaviour not listed here is a bug in the fake):
 * - docs/protocols.md §1.1–1.9 (paths, message fields, HTTP codes, Master texts, /json/).
 * - apache/spark core/src/test/scala/org/apache/spark/deploy/rest/StandaloneRestSubmitSuite.scala:
 *   `FaultyStandaloneRestServer` — MalformedSubmitServlet lets the master accept the driver, then writes
 *   the response JSON with 10 chars cut from the front and 20 from the end (our `malformed` fault with
 *   effect 'after'); InvalidKillServlet makes the server fail its own response validation, answered as
 *   500 ErrorResponse "Internal server error: ..." (`500-error-response`); ExplodingStatusServlet throws
 *   inside the servlet, answered 500 with an empty body (`500-empty`). `SmarterMaster` there is the model of
 *   the driver bookkeeping (submit → id, kill → KILLED, status of unknown ids → success=false).
 * - Captures from a real Spark 3.5.6 under test/fixtures/spark-rest/ (scripts/local-spark.sh): the
 *   contract test in test/unit/standalone/fake-contract.test.ts checks this fake's answers against them.
 * Faults beyond Spark's own test (connection reset, stall, 503 from a proxy, standby per request) model the
 * network between the runner and the master.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export type FakeDriverState =
  | 'SUBMITTED'
  | 'RUNNING'
  | 'FINISHED'
  | 'RELAUNCHING'
  | 'UNKNOWN'
  | 'KILLED'
  | 'FAILED'
  | 'ERROR';
const TERMINAL = new Set<FakeDriverState>(['FINISHED', 'KILLED', 'FAILED', 'ERROR']);

/** ScriptStep: answer `state` for `polls` status requests (default 1), then move on; the last step sticks. */
export interface ScriptStep {
  state: FakeDriverState;
  polls?: number;
  /** Status `message` while in this step, e.g. "Exception from the cluster:\n..." for ERROR. */
  message?: string;
}

export type FaultKind =
  | '500-empty'
  | '500-error-response'
  | 'malformed'
  | 'reset'
  | 'stall'
  | 'standby'
  | '468'
  | '400'
  | '503-html';

export interface Fault {
  on: 'create' | 'status' | 'kill' | 'json' | 'log';
  kind: FaultKind;
  /** How many matching requests fail (default 1). */
  times?: number;
  /**
   * For create: 'after' lets the master accept the driver before the answer goes wrong (Spark's
   * MalformedSubmitServlet); 'before' fails before the master sees it. Default: 'after' for malformed,
   * else 'before'.
   */
  effect?: 'before' | 'after';
}

export interface FakeSparkOptions {
  /** Master recovery state (default ALIVE); anything else answers as a standby master. */
  masterState?: 'ALIVE' | 'STANDBY' | 'RECOVERING';
  serverSparkVersion?: string;
  /** The protocol version this server speaks (default v1); other versions get 468. */
  protocolVersion?: string;
  /** Driver state script for every new driver (default SUBMITTED, RUNNING ×2, FINISHED). */
  script?: ScriptStep[];
  /** Clock for driver/app start times (default Date.now). */
  now?: () => number;
  /** Driver stderr text (default: a launch command line plus a few log lines, with an exception if failed). */
  stderr?: (d: FakeDriver) => string;
  /** Require `Authorization: Bearer <token>` on REST paths (Spark 4 JWSFilter answers 403 HTML otherwise). */
  requireBearer?: string;
  /** How every new driver's code behaves (default: registers its app under the submitted name). */
  app?: FakeApp;
  /**
   * A master with its REST server off (Spark 2.4-4.0 default): every /v1/ path closes the connection, and
   * drivers (submitted through the RPC gateway, i.e. addDriver) advance one script step per /json/ read.
   */
  restOff?: boolean;
}

/** FakeApp is what a driver's code does with its SparkSession, as real apps do. */
export interface FakeApp {
  /** `.appName(name)` in code: the application registers under this name, not the submitted one. */
  name?: string;
  /** `.master("local[*]")` in code: no application registers; the log shows the executor in the driver. */
  local?: boolean;
  /** The driver's log4j level is WARN: none of Spark's INFO lines reach its log. */
  quiet?: boolean;
  /** The SparkSession is created late: the app registers after this many RUNNING status polls (default 0). */
  registerAfterPolls?: number;
}

export interface FakeDriver {
  id: string;
  request: Record<string, unknown>;
  appName: string;
  mainClass: string;
  starttime: number;
  script: ScriptStep[];
  step: number;
  pollsInStep: number;
  /** Status polls answered RUNNING so far (in this launch). */
  runningPolls: number;
  /** A supervised relaunch: the log of the earlier launches, and the apps they registered. */
  pastLogs: string[];
  pastApps: { id: string; starttime: number }[];
  killed: boolean;
  app?: { id: string; starttime: number };
  /** How the driver's code behaves (see FakeApp). */
  code: FakeApp;
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface FakeSpark {
  /** http://127.0.0.1:<port> — REST base, master web UI and worker UI all live here. */
  url: string;
  port: number;
  requests: RecordedRequest[];
  drivers: Map<string, FakeDriver>;
  /** Drivers the master accepted (the number that must never exceed one per deploy). */
  readonly created: number;
  inject(fault: Fault): void;
  setMasterState(state: 'ALIVE' | 'STANDBY' | 'RECOVERING'): void;
  /** Puts a driver straight into the master's books (e.g. one a previous run left). */
  addDriver(d: Partial<FakeDriver> & { appName: string; mainClass: string }): FakeDriver;
  /** The driver's stderr as the worker would serve it now. */
  stderrOf(d: FakeDriver): string;
  close(): Promise<void>;
}

const DEFAULT_SCRIPT: ScriptStep[] = [
  { state: 'SUBMITTED' },
  { state: 'RUNNING', polls: 2 },
  { state: 'FINISHED' },
];

/** sparkJson writes JSON the way Spark's Jackson mapper does: keys sorted, `"key" : value`, 2-space indent. */
export function sparkJson(value: unknown, indent = ''): string {
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[ ]';
    return `[ ${value.map((v) => sparkJson(v, indent)).join(', ')} ]`;
  }
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(
      ([, v]) => v !== undefined && v !== null,
    );
    if (entries.length === 0) return '{ }';
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)} : ${sparkJson(v, inner)}`).join(',\n')}\n${indent}}`;
  }
  return JSON.stringify(value);
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
function stamp(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}`;
}

const MEMORY = /^\d+([kmgtp]b?|b)?$/i;
const STACK = '\n\torg.apache.spark.deploy.rest.SubmitRequestServlet.doPost(RestSubmissionServer.scala:281)';

/** startFakeSpark starts the fake master on 127.0.0.1 and an ephemeral port. */
export async function startFakeSpark(opts: FakeSparkOptions = {}): Promise<FakeSpark> {
  const now = opts.now ?? Date.now;
  const version = opts.serverSparkVersion ?? '3.5.6';
  const protocol = opts.protocolVersion ?? 'v1';
  let masterState = opts.masterState ?? 'ALIVE';
  const faults: (Fault & { left: number })[] = [];
  const drivers = new Map<string, FakeDriver>();
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  let driverSeq = 0;
  let appSeq = 0;
  let port = 0;
  const workerId = () => `worker-20261125180709-127.0.0.1-${port}`;
  const origin = () => `http://127.0.0.1:${port}`;

  const takeFault = (on: Fault['on']): Fault | undefined => {
    const f = faults.find((x) => x.on === on && x.left > 0);
    if (f) f.left--;
    return f;
  };

  const stateOf = (d: FakeDriver): FakeDriverState =>
    d.killed ? 'KILLED' : (d.script[d.step] as ScriptStep).state;

  const advance = (d: FakeDriver) => {
    if (stateOf(d) === 'RUNNING') d.runningPolls++;
    const step = d.script[d.step] as ScriptStep;
    d.pollsInStep++;
    if (d.pollsInStep >= (step.polls ?? 1) && d.step < d.script.length - 1) {
      d.step++;
      d.pollsInStep = 0;
      // A relaunch (Worker.scala: the driver runs again in the same directory, stderr appended) registers anew.
      if (stateOf(d) === 'RELAUNCHING') {
        d.pastLogs.push(stderrOf(d));
        if (d.app) d.pastApps.push(d.app);
        delete d.app;
        d.runningPolls = 0;
      }
    }
    const s = stateOf(d);
    const late = s === 'RUNNING' && d.runningPolls < (d.code.registerAfterPolls ?? 0);
    if ((s === 'RUNNING' || TERMINAL.has(s)) && !d.app && s !== 'ERROR' && !d.code.local && !late) {
      const t = Math.max(now(), d.starttime + 1000);
      d.app = { id: `app-${stamp(t)}-${pad(appSeq++, 4)}`, starttime: t };
    }
  };

  const addDriver = (p: Partial<FakeDriver> & { appName: string; mainClass: string }): FakeDriver => {
    const t = p.starttime ?? now();
    const d: FakeDriver = {
      id: p.id ?? `driver-${stamp(t)}-${pad(driverSeq++, 4)}`,
      request: p.request ?? {},
      appName: p.appName,
      mainClass: p.mainClass,
      starttime: t,
      script: p.script ?? opts.script ?? DEFAULT_SCRIPT,
      step: p.step ?? 0,
      pollsInStep: 0,
      runningPolls: 0,
      pastLogs: [],
      pastApps: [],
      killed: p.killed ?? false,
      ...(p.app ? { app: p.app } : {}),
      code: p.code ?? opts.app ?? {},
    };
    drivers.set(d.id, d);
    return d;
  };

  const send = (res: ServerResponse, status: number, body: unknown) => {
    const text = typeof body === 'string' ? body : sparkJson(body);
    res.writeHead(status, { 'Content-Type': 'application/json;charset=utf-8' });
    res.end(text);
  };
  const error = (res: ServerResponse, status: number, message: string, extra: Record<string, unknown> = {}) =>
    send(res, status, { action: 'ErrorResponse', message, serverSparkVersion: version, ...extra });

  /** Applies a fault; returns true when it answered (or dropped) the request. */
  const applyFault = (req: IncomingMessage, res: ServerResponse, f: Fault, realBody?: unknown): boolean => {
    switch (f.kind) {
      case '500-empty':
        res.writeHead(500);
        res.end();
        return true;
      case '500-error-response':
        error(
          res,
          500,
          'Internal server error: org.apache.spark.deploy.rest.SubmitRestMissingFieldException: ...',
        );
        return true;
      case 'malformed': {
        const text = sparkJson(realBody ?? { action: 'ErrorResponse', serverSparkVersion: version });
        res.writeHead(200, { 'Content-Type': 'application/json;charset=utf-8' });
        res.end(text.slice(10, -20));
        return true;
      }
      case 'reset':
        req.socket.destroy();
        return true;
      case 'stall':
        return true; // never answers; the socket is destroyed on close()
      case '468':
        error(
          res,
          468,
          `Unknown protocol version '${protocol}'. Please submit requests through http://[host]:[port]/v1/submissions/...`,
          {
            highestProtocolVersion: 'v1',
          },
        );
        return true;
      case '400':
        error(
          res,
          400,
          `Malformed request: org.apache.spark.deploy.rest.SubmitRestProtocolException: Validation failed!${STACK}`,
        );
        return true;
      case '503-html':
        res.writeHead(503, { 'Content-Type': 'text/html' });
        res.end('<html><body>503 Service Unavailable</body></html>');
        return true;
      case 'standby':
        return false; // handled by the endpoint as a not-ALIVE master
    }
  };

  const notAlive = (what: string) =>
    `Current state is not alive: ${masterState === 'ALIVE' ? 'STANDBY' : masterState}. Can only ${what} in ALIVE state.`;

  const validateCreate = (body: Record<string, unknown>): string | undefined => {
    for (const f of ['clientSparkVersion', 'appResource', 'sparkProperties', 'mainClass'] as const) {
      if (body[f] === undefined || body[f] === null)
        return `'${f}' is missing in message CreateSubmissionRequest.`;
    }
    const props = body.sparkProperties as Record<string, unknown>;
    if (typeof props !== 'object' || props === null) return 'No Spark properties set!';
    if (props['spark.app.name'] === undefined)
      return "'spark.app.name' is missing in message CreateSubmissionRequest.";
    for (const [k, v] of Object.entries(props)) {
      if (typeof v !== 'string') return `Property '${k}' expected string value: actual was '${String(v)}'.`;
    }
    const check = (k: string, kind: string, ok: (v: string) => boolean) =>
      props[k] !== undefined && !ok(props[k] as string)
        ? `Property '${k}' expected ${kind} value: actual was '${props[k] as string}'.`
        : undefined;
    return (
      check('spark.driver.supervise', 'boolean', (v) => v === 'true' || v === 'false') ??
      check('spark.driver.cores', 'numeric', (v) => /^\d+$/.test(v)) ??
      check('spark.cores.max', 'numeric', (v) => /^\d+$/.test(v)) ??
      check('spark.driver.memory', 'memory', (v) => MEMORY.test(v)) ??
      check('spark.executor.memory', 'memory', (v) => MEMORY.test(v))
    );
  };

  const handleCreate = (req: IncomingMessage, res: ServerResponse, raw: string) => {
    const f = takeFault('create');
    const effect = f?.effect ?? (f?.kind === 'malformed' ? 'after' : 'before');
    if (f && effect === 'before' && f.kind !== 'standby' && applyFault(req, res, f)) return;
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(raw) as Record<string, unknown>;
      if (!body || typeof body !== 'object') throw new Error(`Unexpected JSON ${raw.slice(0, 20)}`);
    } catch (err) {
      return error(
        res,
        400,
        `Malformed request: com.fasterxml.jackson.core.JsonParseException: ${(err as Error).message}${STACK}`,
      );
    }
    if (body.action !== 'CreateSubmissionRequest') {
      return body.action === undefined
        ? error(
            res,
            400,
            `Malformed request: org.apache.spark.deploy.rest.SubmitRestMissingFieldException: Action field not found in JSON:\n${raw}${STACK}`,
          )
        : error(res, 400, `Received message of unexpected type ${String(body.action)}.`);
    }
    const invalid = validateCreate(body);
    if (invalid) {
      return error(
        res,
        400,
        `Malformed request: org.apache.spark.deploy.rest.SubmitRestProtocolException: Validation of message CreateSubmissionRequest failed!\n\t${invalid}${STACK}`,
      );
    }
    if (masterState !== 'ALIVE' || f?.kind === 'standby') {
      return send(res, 200, {
        action: 'CreateSubmissionResponse',
        message: notAlive('accept driver submissions'),
        serverSparkVersion: version,
        success: false,
      });
    }
    const props = body.sparkProperties as Record<string, string>;
    const d = addDriver({
      request: body,
      appName: props['spark.app.name'] as string,
      mainClass: body.mainClass as string,
    });
    const answer = {
      action: 'CreateSubmissionResponse',
      message: `Driver successfully submitted as ${d.id}`,
      serverSparkVersion: version,
      submissionId: d.id,
      success: true,
    };
    if (f && effect === 'after' && applyFault(req, res, f, answer)) return;
    send(res, 200, answer);
  };

  const handleStatus = (req: IncomingMessage, res: ServerResponse, id: string) => {
    const f = takeFault('status');
    if (f && applyFault(req, res, f)) return;
    if (masterState !== 'ALIVE' || f?.kind === 'standby') {
      return send(res, 200, {
        action: 'SubmissionStatusResponse',
        message: `Exception from the cluster:\njava.lang.Exception: ${notAlive('request driver status')}\n\torg.apache.spark.deploy.master.Master$$anonfun$receiveAndReply$1.applyOrElse(Master.scala:470)`,
        serverSparkVersion: version,
        submissionId: id,
        success: false,
      });
    }
    const d = drivers.get(id);
    if (!d) {
      return send(res, 200, {
        action: 'SubmissionStatusResponse',
        serverSparkVersion: version,
        submissionId: id,
        success: false,
      });
    }
    const state = stateOf(d);
    const step = d.script[d.step] as ScriptStep;
    const scheduled = state !== 'SUBMITTED';
    send(res, 200, {
      action: 'SubmissionStatusResponse',
      driverState: state,
      message: d.killed ? undefined : step.message,
      serverSparkVersion: version,
      submissionId: id,
      success: true,
      workerHostPort: scheduled ? `127.0.0.1:${port + 1}` : undefined,
      workerId: scheduled ? workerId() : undefined,
    });
    if (!d.killed) advance(d);
  };

  const handleKill = (req: IncomingMessage, res: ServerResponse, id: string) => {
    const f = takeFault('kill');
    if (f && applyFault(req, res, f)) return;
    if (masterState !== 'ALIVE' || f?.kind === 'standby') {
      return send(res, 200, {
        action: 'KillSubmissionResponse',
        message: notAlive('kill drivers'),
        serverSparkVersion: version,
        submissionId: id,
        success: false,
      });
    }
    const d = drivers.get(id);
    if (!d || TERMINAL.has(stateOf(d))) {
      return send(res, 200, {
        action: 'KillSubmissionResponse',
        message: `Driver ${id} has already finished or does not exist`,
        serverSparkVersion: version,
        submissionId: id,
        success: false,
      });
    }
    d.killed = true;
    send(res, 200, {
      action: 'KillSubmissionResponse',
      message: `Kill request for ${id} submitted`,
      serverSparkVersion: version,
      submissionId: id,
      success: true,
    });
  };

  const masterJson = () => {
    const alive = masterState === 'ALIVE';
    const list = [...drivers.values()];
    const driverJson = (d: FakeDriver) => ({
      id: d.id,
      starttime: String(d.starttime),
      state: stateOf(d),
      cores: 1,
      memory: 1024,
      resources: {},
      submitdate: new Date(d.starttime).toUTCString(),
      worker: stateOf(d) === 'SUBMITTED' ? 'None' : workerId(),
      mainclass: d.mainClass,
    });
    const appJson = (d: FakeDriver, app = d.app) => ({
      id: app?.id,
      starttime: app?.starttime,
      name: d.code.name ?? d.appName,
      cores: 1,
      user: 'runner',
      memoryperexecutor: 1024,
      memoryperslave: 1024,
      resourcesperexecutor: [],
      resourcesperslave: [],
      submitdate: new Date(app?.starttime ?? 0).toUTCString(),
      state: app !== d.app || TERMINAL.has(stateOf(d)) ? 'FINISHED' : 'RUNNING',
      duration: 1000,
    });
    const withApp = list.filter((d) => d.app);
    return {
      url: `spark://127.0.0.1:${port + 2}`,
      workers: alive
        ? [
            {
              id: workerId(),
              host: '127.0.0.1',
              port: port + 1,
              webuiaddress: origin(),
              cores: 4,
              coresused: 0,
              coresfree: 4,
              memory: 4096,
              memoryused: 0,
              memoryfree: 4096,
              resources: {},
              resourcesused: {},
              resourcesfree: {},
              state: 'ALIVE',
              lastheartbeat: now(),
            },
          ]
        : [],
      aliveworkers: alive ? 1 : 0,
      cores: 4,
      coresused: 0,
      memory: 4096,
      memoryused: 0,
      resources: [{}],
      resourcesused: [{}],
      activeapps: alive ? withApp.filter((d) => !TERMINAL.has(stateOf(d))).map((d) => appJson(d)) : [],
      completedapps: alive
        ? [
            ...list.flatMap((d) => d.pastApps.map((a) => appJson(d, a))),
            ...withApp.filter((d) => TERMINAL.has(stateOf(d))).map((d) => appJson(d)),
          ]
        : [],
      activedrivers: alive ? list.filter((d) => !TERMINAL.has(stateOf(d))).map(driverJson) : [],
      completeddrivers: alive ? list.filter((d) => TERMINAL.has(stateOf(d))).map(driverJson) : [],
      status: masterState,
    };
  };

  function stderrOf(d: FakeDriver): string {
    if (opts.stderr) return opts.stderr(d);
    const props = (d.request.sparkProperties ?? {}) as Record<string, string>;
    const launch = `Launch Command: "/usr/bin/java" "-cp" "/opt/spark/jars/*" ${Object.entries(props)
      .map(([k, v]) => `"-D${k}=${v}"`)
      .join(' ')} "org.apache.spark.deploy.worker.DriverWrapper" "${d.mainClass}"`;
    const lines = [
      launch,
      '========================================',
      '',
      "Using Spark's default log4j profile",
    ];
    // Spark's own INFO lines, as a real 3.5.6 driver writes them (test/fixtures/spark-rest/worker-log-*).
    const state = stateOf(d);
    if (!d.code.quiet && state !== 'SUBMITTED' && state !== 'ERROR') {
      lines.push(
        '26/11/25 18:07:01 INFO DriverWrapper: Driver address: 127.0.0.1:40793',
        '26/11/25 18:07:02 INFO SparkContext: Running Spark version 3.5.6',
        `26/11/25 18:07:02 INFO SparkContext: Submitted application: ${d.code.name ?? d.appName}`,
      );
      if (d.app) {
        lines.push(
          '26/11/25 18:07:03 INFO StandaloneAppClient$ClientEndpoint: Connecting to master spark://127.0.0.1:7077...',
          `26/11/25 18:07:03 INFO StandaloneSchedulerBackend: Connected to Spark cluster with app ID ${d.app.id}`,
        );
      }
      if (d.code.local)
        lines.push('26/11/25 18:07:03 INFO Executor: Starting executor ID driver on host localhost');
    }
    for (let i = 1; i <= 60; i++) lines.push(`26/11/25 18:07:${pad(i % 60)} WARN Fake: line ${i}`);
    if (stateOf(d) === 'FAILED') {
      lines.push(
        'Exception in thread "main" java.lang.RuntimeException: boom',
        '\tat com.etl.Main$.main(Main.scala:12)',
      );
    }
    return `${d.pastLogs.join('')}${lines.join('\n')}\n`;
  }

  const handleLog = (req: IncomingMessage, res: ServerResponse, u: URL, html: boolean) => {
    const f = takeFault('log');
    if (f && applyFault(req, res, f)) return;
    const driverId = u.searchParams.get('driverId') ?? '';
    const d = drivers.get(driverId);
    if (!d) {
      res.writeHead(200, { 'Content-Type': 'text/plain;charset=utf-8' });
      res.end(
        `==== Bytes 0-0 of 0 of /work/${driverId}/stderr ====\nError: invalid log directory /work/${driverId}/`,
      );
      return;
    }
    const text = stderrOf(d);
    if (html) {
      const esc = text
        .replace(/&/g, '&amp;')
        .replace(/</g, '&lt;')
        .replace(/>/g, '&gt;')
        .replace(/"/g, '&quot;');
      res.writeHead(200, { 'Content-Type': 'text/html;charset=utf-8' });
      res.end(
        `<!DOCTYPE html><html><head><title>stderr log page for ${d.id}</title></head><body><div class="log-content"><pre>${esc}</pre></div></body></html>`,
      );
      return;
    }
    // LogPage.getLog: `byteLength` bytes from `offset` (clamped to the file), else the last `byteLength`.
    const want = Number(u.searchParams.get('byteLength') ?? 102_400);
    const bytes = Buffer.from(text);
    const offset = u.searchParams.get('offset');
    const start =
      offset === null
        ? Math.max(0, bytes.length - want)
        : Math.min(Math.max(0, Number(offset)), bytes.length);
    const end = Math.min(start + want, bytes.length);
    res.writeHead(200, { 'Content-Type': 'text/plain;charset=utf-8' });
    res.end(
      `==== Bytes ${start}-${end} of ${bytes.length} of /work/${d.id}/stderr ====\n${bytes.subarray(start, end).toString()}`,
    );
  };

  const route = (req: IncomingMessage, res: ServerResponse, raw: string) => {
    const u = new URL(req.url ?? '/', origin());
    const path = u.pathname;
    if (path === '/json' || path === '/json/') {
      const f = takeFault('json');
      if (f && applyFault(req, res, f)) return;
      const body = masterJson();
      if (opts.restOff) for (const d of drivers.values()) if (!d.killed) advance(d);
      return send(res, 200, body);
    }
    if (path === '/log') {
      res.writeHead(302, { Location: `${origin()}/log/${u.search}` });
      res.end();
      return;
    }
    if (path === '/log/') return handleLog(req, res, u, false);
    if (path === '/logPage/' || path === '/logPage') return handleLog(req, res, u, true);

    if (opts.restOff) {
      req.socket.destroy();
      return;
    }
    if (opts.requireBearer && req.headers.authorization !== `Bearer ${opts.requireBearer}`) {
      res.writeHead(403, { 'Content-Type': 'text/html' });
      res.end('<html><body><h2>HTTP ERROR 403 Authorization header is missing.</h2></body></html>');
      return;
    }
    const segs = path.split('/').filter(Boolean);
    const hint = ' Please submit requests through http://[host]:[port]/v1/submissions/...';
    if (segs.length === 0) return error(res, 400, `Missing protocol version.${hint}`);
    if (segs[0] !== protocol) {
      return error(res, 468, `Unknown protocol version '${segs[0]}'.${hint}`, {
        highestProtocolVersion: protocol,
      });
    }
    if (segs[1] !== 'submissions') return error(res, 400, `Missing the /submissions prefix.${hint}`);
    const action = segs[2];
    const id = segs[3];
    if (action === 'create' && req.method === 'POST') return handleCreate(req, res, raw);
    if (action === 'status' && req.method === 'GET') {
      return id ? handleStatus(req, res, id) : error(res, 400, 'Submission ID is missing in status request.');
    }
    if (action === 'kill' && req.method === 'POST') {
      return id ? handleKill(req, res, id) : error(res, 400, 'Submission ID is missing in kill request.');
    }
    if (action === 'create' || action === 'status' || action === 'kill') {
      res.writeHead(405, { 'Content-Type': 'text/html' });
      res.end('<html><body>HTTP ERROR 405 Method Not Allowed</body></html>');
      return;
    }
    return error(res, 400, `Missing an action: please specify one of /create, /kill, or /status.${hint}`);
  };

  const server: Server = createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => {
      raw += c;
    });
    req.on('end', () => {
      requests.push({
        method: req.method ?? '',
        path: req.url ?? '',
        headers: { ...req.headers },
        body: raw,
      });
      route(req, res, raw);
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;

  return {
    url: origin(),
    port,
    requests,
    drivers,
    get created() {
      return [...drivers.values()].filter((d) => d.request.action === 'CreateSubmissionRequest').length;
    },
    inject(f) {
      faults.push({ ...f, left: f.times ?? 1 });
    },
    setMasterState(s) {
      masterState = s;
    },
    addDriver,
    stderrOf,
    close() {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
