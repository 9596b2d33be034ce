// The drivers of one application (`status`, `cleanup`, replacing a streaming run), found by what the action
// submitted, not by the name the code gives the application.
import type { Handle } from '../target.js';
import { discoverApp } from './app-discovery.js';
import type { ReadLog } from './app-tracker.js';
import { type LogCursor, newCursor } from './driver-log.js';
import type { Known } from './links.js';
import { allDrivers, type DriverInfo, driversOfApp, type MasterState, workerUiOf } from './master-json.js';
import { encodeHandleData, handleDataFor, type Settings } from './settings.js';

/** How many ended drivers find looks at (newest first), besides every active one. */
export const FIND_ENDED_DRIVERS = 20;
/** How many drivers' logs are read at once. */
const LOG_READS_AT_ONCE = 4;

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < items.length; i = next++) out[i] = await fn(items[i] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/**
 * handlesOfApp lists the drivers of application `app` in the master's state, active first, as handles (with
 * `data.state` set to the driver's state) plus what is known about each for links. A driver is the app's
 * when the launch command at the top of its log (on its worker) submitted `spark.app.name=<app>`; its
 * application is the one its log registered (discoverApp). Drivers whose log cannot be read fall back to
 * pairing applications named `app` with drivers by start time (driversOfApp).
 */
export async function handlesOfApp(
  state: MasterState,
  webUi: string,
  settings: Settings,
  app: string,
  mainClass: string | undefined,
  readLog: ReadLog,
): Promise<{ handle: Handle; known: Known }[]> {
  const active = new Set(state.activedrivers.map((d) => d.id));
  const newest = (a: DriverInfo, b: DriverInfo) => b.starttime - a.starttime;
  const ofMain = allDrivers(state).filter((d) => !mainClass || d.mainclass === mainClass);
  const looked = [
    ...ofMain.filter((d) => active.has(d.id)).sort(newest),
    ...ofMain
      .filter((d) => !active.has(d.id))
      .sort(newest)
      .slice(0, FIND_ENDED_DRIVERS),
  ];
  // A worker UI that does not answer once (often unreachable from a runner) is not asked for its other drivers.
  const unreachable = new Set<string>();
  const logs = await mapLimit(looked, LOG_READS_AT_ONCE, async (d): Promise<LogCursor | undefined> => {
    const ui = workerUiOf(state, d.worker);
    if (!ui || unreachable.has(ui)) return undefined;
    const c = await readLog(ui, d.id, newCursor());
    if (!c) unreachable.add(ui);
    return c?.readable && c.facts.launch ? c : undefined;
  });
  const logOf = new Map(looked.map((d, i) => [d.id, logs[i]]));
  const claimedBy = new Map<string, string>();
  for (const [id, c] of logOf) for (const a of c?.facts.appIds ?? []) claimedBy.set(a, id);
  const byName = new Map(driversOfApp(state, app, mainClass).map((p) => [p.driver.id, p.app.id]));

  const out: { handle: Handle; known: Known }[] = [];
  for (const driver of looked) {
    const log = logOf.get(driver.id);
    let appId: string | undefined;
    if (log) {
      if (log.facts.launch?.['spark.app.name'] !== app) continue;
      const claimed = new Set([...claimedBy].filter(([, d]) => d !== driver.id).map(([a]) => a));
      const d = discoverApp({ state, driver, log: log.facts, submittedName: app, claimed });
      if (d.kind === 'found') appId = d.appId;
    } else {
      if (!byName.has(driver.id)) continue;
      appId = byName.get(driver.id);
    }
    const workerUi = workerUiOf(state, driver.worker);
    const known: Known = {
      masterUi: webUi,
      driverStart: driver.starttime,
      ...(appId ? { appId } : {}),
      ...(driver.worker && driver.worker !== 'None' ? { workerId: driver.worker } : {}),
      ...(workerUi ? { workerUi } : {}),
      ...(log ? { log } : {}),
    };
    const data = handleDataFor(settings, {
      acceptedBy: settings.endpoints[0]?.rest ?? settings.rpcMasters[0]?.url ?? '',
      appName: app,
      mainClass: driver.mainclass ?? mainClass ?? '',
      submittedAt: driver.starttime,
      via: 'rest',
    });
    const handle: Handle = {
      target: 'standalone',
      submissionId: driver.id,
      ...(appId ? { applicationId: appId } : {}),
      data: { ...encodeHandleData(data), state: driver.state ?? '' },
    };
    out.push({ handle, known });
  }
  return out;
}
