// Which application a driver registered, from what the action controls rather than the name the code may
// set (`.appName(...)` overrides the submitted spark.app.name). In order of reliability:
// 1. The driver's own log (StandaloneSchedulerBackend: `Connected to Spark cluster with app ID …`): exact,
//    and it also tells a local master apart (the executor runs inside the driver).
// 2. The master's `/json/`: an application that started at or after the driver did, unclaimed, named as
//    submitted or as the driver's log says, else the only one that started since with no other active driver
//    that could own it. `/json/` has no driver conf, host or main class for an application, so this is a
//    fallback for a worker UI the runner cannot read, never the first choice.
// The run label (spark.deploy-action.run) is in the driver's launch command on the same log, and otherwise
// only on the driver's own UI (/api/v1/applications/<id>/environment), which lives on the same worker host
// and only while the app runs: it adds nothing the log does not already prove, so it is not queried.
// Pure functions of (master state, driver, driver log): the REST path and a `/json/`-only path share them.
import type { DriverLogFacts } from './driver-log.js';
import type { AppInfo, DriverInfo, MasterState } from './master-json.js';

/** Discovery is what is known about a driver's application. */
export type Discovery =
  | { kind: 'found'; appId: string; by: 'driver log' | 'start time and name' | 'start time'; app?: AppInfo }
  /** The driver's log shows Spark running its executor in the driver: a local master set in code. */
  | { kind: 'local'; line: string }
  /** No application is this driver's (yet): none registered since it started, or its log says not yet. */
  | { kind: 'none' }
  /** The log shows the driver registering with a master, not done yet (a busy master retries for a minute). */
  | { kind: 'registering' }
  /** The log cannot tell and several applications could be this driver's. */
  | { kind: 'ambiguous'; candidates: AppInfo[] };

export interface DiscoveryInput {
  /** The master's state (undefined when `/json/` could not be read). */
  state?: MasterState;
  driver: Pick<DriverInfo, 'id' | 'starttime'>;
  /** What the driver's log showed; undefined when the worker UI could not be read. */
  log?: DriverLogFacts;
  /** The spark.app.name the action submitted (a tiebreaker only: code may override it). */
  submittedName?: string;
  /** Applications known to belong to other drivers. */
  claimed?: ReadonlySet<string>;
}

const allApps = (s: MasterState): AppInfo[] => [...s.activeapps, ...s.completedapps];

/** discoverApp finds a driver's application (see the module comment for the order of evidence). */
export function discoverApp(input: DiscoveryInput): Discovery {
  const { state, driver, log } = input;
  const fromLog = log?.appId;
  if (fromLog) {
    const app = state ? allApps(state).find((a) => a.id === fromLog) : undefined;
    return { kind: 'found', appId: fromLog, by: 'driver log', ...(app ? { app } : {}) };
  }
  if (log?.localExecutor) return { kind: 'local', line: log.localLine ?? 'Starting executor ID driver' };
  if (log?.connecting) return { kind: 'registering' };
  // The SparkContext's INFO lines reach the log, so its registration line will too: trust the log alone.
  if (log?.sparkStarted) return { kind: 'none' };
  if (!state || !Number.isFinite(driver.starttime)) return { kind: 'none' };
  // Applications of the driver's earlier launches (a supervised relaunch) are not the current one's.
  const earlier = new Set(log?.appIds ?? []);
  const candidates = allApps(state)
    .filter(
      (a) =>
        Number.isFinite(a.starttime) &&
        a.starttime >= driver.starttime &&
        !input.claimed?.has(a.id) &&
        !earlier.has(a.id),
    )
    .sort((a, b) => a.starttime - b.starttime);
  const first = candidates[0];
  if (!first) return { kind: 'none' };
  const names = new Set([...(log?.appNames ?? []), ...(input.submittedName ? [input.submittedName] : [])]);
  const named = candidates.find((a) => names.has(a.name));
  if (named) return { kind: 'found', appId: named.id, by: 'start time and name', app: named };
  // Another running driver that started before the application could own it as well.
  const rivals = state.activedrivers.filter((d) => d.id !== driver.id && d.starttime <= first.starttime);
  if (candidates.length === 1 && rivals.length === 0) {
    return { kind: 'found', appId: first.id, by: 'start time', app: first };
  }
  return { kind: 'ambiguous', candidates };
}

/** LocalMode is the judgement that a driver runs Spark without the cluster, and why. */
export interface LocalMode {
  /** 'log': the executor runs in the driver; 'grace': nothing registered while RUNNING; 'finished': nor ever. */
  evidence: 'log' | 'grace' | 'finished';
  /** One sentence of evidence, for messages. */
  detail: string;
}

/**
 * judgeLocal tells whether a driver runs Spark in local mode: its log says so, or it has been RUNNING for
 * `graceMs` (or ended FINISHED) without an application registered since it started. An ambiguous or found
 * application is never local.
 */
export function judgeLocal(
  d: Discovery,
  driverState: string,
  runningForMs: number | undefined,
  graceMs: number,
): LocalMode | undefined {
  if (d.kind === 'local') {
    return {
      evidence: 'log',
      detail: `its log shows Spark's executor starting inside the driver ("${d.line}")`,
    };
  }
  if (d.kind !== 'none') return undefined;
  if (driverState === 'FINISHED') {
    return {
      evidence: 'finished',
      detail: 'it FINISHED without ever registering an application with the master',
    };
  }
  if (driverState === 'RUNNING' && runningForMs !== undefined && runningForMs >= graceMs) {
    return {
      evidence: 'grace',
      detail: `it has been RUNNING for ${Math.round(runningForMs / 1000)} s without registering an application with the master`,
    };
  }
  return undefined;
}

/** localModeMessage explains a LocalMode judgement: what happened, why, and the fix. */
export function localModeMessage(
  driverId: string,
  local: LocalMode,
  o: { master?: string; graceSeconds: number; streaming: boolean },
): string {
  const where = o.master ? ` at ${o.master}` : '';
  const consequence = o.streaming
    ? 'so it is not counted healthy: the cluster runs none of its work.'
    : "so the job ran on the driver alone and the cluster's executors and cores went unused.";
  const fix =
    'The code most likely sets a local master (`.master("local[*]")` on the SparkSession builder, or spark.master=local in a bundled config), which overrides the spark.master this action submits; remove it, or set it only when spark.master is not already set (e.g. in tests), and redeploy.';
  const later =
    local.evidence === 'grace'
      ? ` If the app starts its SparkSession later than that on purpose, raise standalone.registerWithin (now ${o.graceSeconds} s).`
      : '';
  return `driver ${driverId} runs Spark in local mode: ${local.detail}${where ? ` (master${where})` : ''}, ${consequence} ${fix}${later}`;
}
