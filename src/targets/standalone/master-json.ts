// The master web UI's `/json/` (JsonProtocol.writeMasterState; docs/protocols.md 1.9): parsing and the
// correlations the REST API cannot give (application id, worker UI, drivers created by an unanswered request).
import { type FetchLike, requestJson } from '../../util/http.js';
import { masterJsonUrl } from './urls.js';

export interface WorkerInfo {
  id: string;
  host?: string;
  webuiaddress?: string;
  state?: string;
  /** Cores and memory (MiB) the worker offers, and how much of it executors and drivers use. */
  cores?: number;
  coresused?: number;
  memory?: number;
  memoryused?: number;
}

export interface AppInfo {
  id: string;
  name: string;
  /** Master clock, ms since the epoch. */
  starttime: number;
  /** WAITING until the master launches its first executor, then RUNNING (Master.allocateWorkerResourceToExecutors). */
  state?: string;
  /** Cores granted to its executors (JsonProtocol.writeApplicationInfo writes coresGranted as `cores`). */
  cores?: number;
  /** Memory per executor, MiB. */
  memoryperexecutor?: number;
}

export interface DriverInfo {
  id: string;
  /** Master clock, ms since the epoch (the JSON has it as a string). */
  starttime: number;
  state?: string;
  /** Worker id, or "None" while unscheduled. */
  worker?: string;
  mainclass?: string;
}

export interface MasterState {
  url?: string;
  status?: string;
  workers: WorkerInfo[];
  activeapps: AppInfo[];
  completedapps: AppInfo[];
  activedrivers: DriverInfo[];
  completeddrivers: DriverInfo[];
}

function arr(v: unknown): Record<string, unknown>[] {
  return Array.isArray(v) ? v.filter((x): x is Record<string, unknown> => !!x && typeof x === 'object') : [];
}
const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
const num = (v: unknown) =>
  typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : Number.NaN;

function opt<K extends string>(key: K, v: string | undefined): Partial<Record<K, string>> {
  return v === undefined ? {} : ({ [key]: v } as Record<K, string>);
}

function optNum<K extends string>(key: K, v: unknown): Partial<Record<K, number>> {
  const n = num(v);
  return Number.isFinite(n) ? ({ [key]: n } as Record<K, number>) : {};
}

/** parseMasterState reads `/json/` tolerantly: entries without an id are dropped; undefined when it is not master JSON. */
export function parseMasterState(json: unknown): MasterState | undefined {
  if (!json || typeof json !== 'object' || Array.isArray(json)) return undefined;
  const j = json as Record<string, unknown>;
  if (!('workers' in j) && !('activedrivers' in j) && !('status' in j)) return undefined;
  const apps = (v: unknown): AppInfo[] =>
    arr(v).flatMap((a) => {
      const id = str(a.id);
      return id
        ? [
            {
              id,
              name: str(a.name) ?? '',
              starttime: num(a.starttime),
              ...opt('state', str(a.state)),
              ...optNum('cores', a.cores),
              ...optNum('memoryperexecutor', a.memoryperexecutor),
            },
          ]
        : [];
    });
  const drivers = (v: unknown): DriverInfo[] =>
    arr(v).flatMap((d) => {
      const id = str(d.id);
      return id
        ? [
            {
              id,
              starttime: num(d.starttime),
              ...opt('state', str(d.state)),
              ...opt('worker', str(d.worker)),
              ...opt('mainclass', str(d.mainclass)),
            },
          ]
        : [];
    });
  return {
    ...opt('url', str(j.url)),
    ...opt('status', str(j.status)),
    workers: arr(j.workers).flatMap((w) => {
      const id = str(w.id);
      return id
        ? [
            {
              id,
              ...opt('host', str(w.host)),
              ...opt('webuiaddress', str(w.webuiaddress)),
              ...opt('state', str(w.state)),
              ...optNum('cores', w.cores),
              ...optNum('coresused', w.coresused),
              ...optNum('memory', w.memory),
              ...optNum('memoryused', w.memoryused),
            },
          ]
        : [];
    }),
    activeapps: apps(j.activeapps),
    completedapps: apps(j.completedapps),
    activedrivers: drivers(j.activedrivers),
    completeddrivers: drivers(j.completeddrivers),
  };
}

/** allDrivers lists active then completed drivers. */
export function allDrivers(s: MasterState): DriverInfo[] {
  return [...s.activedrivers, ...s.completeddrivers];
}

/** findDriver looks a driver up by id. */
export function findDriver(s: MasterState, id: string): DriverInfo | undefined {
  return allDrivers(s).find((d) => d.id === id);
}

/** workerUiOf is the web UI address of a worker, from its id. */
export function workerUiOf(s: MasterState, workerId: string | undefined): string | undefined {
  if (!workerId || workerId === 'None') return undefined;
  return s.workers.find((w) => w.id === workerId)?.webuiaddress;
}

/** newDrivers are the drivers not in `known` that run `mainClass`, oldest first: what an unanswered create made. */
export function newDrivers(s: MasterState, known: ReadonlySet<string>, mainClass: string): DriverInfo[] {
  return allDrivers(s)
    .filter((d) => !known.has(d.id) && d.mainclass === mainClass)
    .sort((a, b) => a.starttime - b.starttime);
}

/**
 * driversOfApp pairs each app named `appName` with the driver that most plausibly started it: the latest
 * driver (of `mainClass`, when given) that started at or before the app. Driver conf is not in `/json/`,
 * so this is a correlation by name and start time, not an exact match: `find` uses it only for drivers
 * whose log it cannot read (see find.ts).
 */
export function driversOfApp(
  s: MasterState,
  appName: string,
  mainClass?: string,
): { driver: DriverInfo; app: AppInfo }[] {
  const drivers = allDrivers(s).filter((d) => !mainClass || d.mainclass === mainClass);
  const out: { driver: DriverInfo; app: AppInfo }[] = [];
  const seen = new Set<string>();
  for (const app of [...s.activeapps, ...s.completedapps]) {
    if (app.name !== appName) continue;
    const driver = drivers
      .filter((d) => d.starttime <= app.starttime)
      .sort((a, b) => b.starttime - a.starttime)[0];
    if (driver && !seen.has(driver.id)) {
      seen.add(driver.id);
      out.push({ driver, app });
    }
  }
  return out;
}

/**
 * fetchMasterState reads `/json/` from the web UIs in order and returns the first ALIVE master's state
 * (a standby master's JSON has no drivers), else the first one that answered; undefined when none did.
 */
export async function fetchMasterState(
  webUis: readonly string[],
  fetchFn: FetchLike,
  headersFor: (url: string) => Record<string, string>,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<{ state: MasterState; webUi: string } | undefined> {
  let fallback: { state: MasterState; webUi: string } | undefined;
  for (const webUi of webUis) {
    const url = masterJsonUrl(webUi);
    try {
      const res = await requestJson(fetchFn, url, {
        headers: headersFor(url),
        timeoutMs,
        ...(signal ? { signal } : {}),
      });
      const state = res.status === 200 ? parseMasterState(res.json) : undefined;
      if (!state) continue;
      if (state.status === undefined || state.status === 'ALIVE') return { state, webUi };
      fallback ??= { state, webUi };
    } catch (err) {
      if (signal?.aborted) throw err;
    }
  }
  return fallback;
}
