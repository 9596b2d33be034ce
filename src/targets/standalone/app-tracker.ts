// Keeps what the target knows about one driver's application up to date while it is followed: reads the
// driver's log a little further, runs discoverApp over it and the master's state, and judges local mode.
import type { Finding } from '../../findings.js';
import { discoverApp, judgeLocal, type LocalMode, localModeMessage } from './app-discovery.js';
import { type LogCursor, newCursor } from './driver-log.js';
import type { Known } from './links.js';
import type { DriverInfo, MasterState } from './master-json.js';

/** After this many failed reads in a row, the worker UI counts as unreachable and is not asked again. */
export const MAX_LOG_FAILURES = 2;

/** ReadLog reads a driver's log further from `cursor` (see readDriverLog); undefined when it cannot. */
export type ReadLog = (
  workerUi: string,
  driverId: string,
  cursor: LogCursor,
) => Promise<LogCursor | undefined>;

/**
 * trackApp reads the driver's log further (when its worker UI is known and answers) and updates
 * `k.discovery` and `k.appId` from it and the master's state. Once found, an application id stays.
 */
export async function trackApp(
  k: Known,
  driverId: string,
  input: {
    state?: MasterState;
    driver?: DriverInfo;
    submittedName: string;
    readLog: ReadLog;
  },
): Promise<void> {
  if (k.appId) return;
  if (k.workerUi && (k.logFailures ?? 0) < MAX_LOG_FAILURES) {
    const next = await input.readLog(k.workerUi, driverId, k.log ?? newCursor());
    if (next) {
      k.log = next;
      k.logFailures = 0;
    } else k.logFailures = (k.logFailures ?? 0) + 1;
  }
  const starttime = input.driver?.starttime ?? k.driverStart;
  const d = discoverApp({
    ...(input.state ? { state: input.state } : {}),
    driver: { id: driverId, starttime: starttime ?? Number.NaN },
    ...(k.log?.readable ? { log: k.log.facts } : {}),
    submittedName: input.submittedName,
    ...(k.pastAppIds ? { claimed: new Set(k.pastAppIds) } : {}),
  });
  k.discovery = d;
  if (d.kind === 'found') k.appId = d.appId;
}

/** LocalReport is a local-mode judgement ready for the log, the status message and the report. */
export interface LocalReport {
  local: LocalMode;
  message: string;
  finding: Finding;
}

/**
 * localReport judges whether the driver runs Spark in local mode (see judgeLocal) and words it: an error
 * for a streaming run (it is not healthy), a warning for a batch run (it may still succeed).
 */
export function localReport(
  k: Known,
  driverId: string,
  driverState: string,
  o: { now: number; graceMs: number; streaming: boolean; master?: string },
): LocalReport | undefined {
  if (k.appId || !k.discovery) return undefined;
  const runningFor = k.runningSince === undefined ? undefined : o.now - k.runningSince;
  const local = judgeLocal(k.discovery, driverState, runningFor, o.graceMs);
  if (!local) return undefined;
  const message = localModeMessage(driverId, local, {
    ...(o.master ? { master: o.master } : {}),
    graceSeconds: Math.round(o.graceMs / 1000),
    streaming: o.streaming,
  });
  return {
    local,
    message,
    finding: {
      stage: 'deploy',
      severity: o.streaming ? 'error' : 'warning',
      title: o.streaming ? 'Streaming app runs Spark in local mode' : 'Spark ran in local mode',
      message,
      rule: 'standalone/local-master',
    },
  };
}
