import type { Links } from '../target.js';
import type { Discovery } from './app-discovery.js';
import type { LogCursor } from './driver-log.js';
import type { HandleData } from './settings.js';
import { driverLogPageUrl, historyAppUrl, masterAppPageUrl } from './urls.js';

/** Known is what the target learned about a driver from status answers and `/json/`. */
export interface Known {
  workerId?: string;
  workerUi?: string;
  appId?: string;
  /** The web UI whose `/json/` answered (the active master's). */
  masterUi?: string;
  /** Master clock when the driver started. */
  driverStart?: number;
  /** Runner clock of the last `/json/` lookup. */
  lookedAt?: number;
  /** How far the driver's stderr has been read, and what it showed. */
  log?: LogCursor;
  /** Consecutive failed reads of the driver's log; past a few, the worker UI counts as unreachable. */
  logFailures?: number;
  /** Applications of the driver's earlier launches (supervised relaunches). */
  pastAppIds?: string[];
  /** The last verdict on the driver's application. */
  discovery?: Discovery;
  /** Runner clock when the driver was first seen RUNNING. */
  runningSince?: number;
  /** The local-mode judgement has been logged (once per driver). */
  localWarned?: boolean;
  /** The local-mode finding has been recorded (once per driver). */
  localReported?: boolean;
  /** Runner clock when the application id became known. */
  appFoundAt?: number;
  /** Runner clock of the last look at whether the application has executors. */
  grantCheckedAt?: number;
  /** The master has granted the application cores (an executor started): no need to look again. */
  granted?: boolean;
  /** The master lists the application WAITING with no cores granted, as last seen. */
  waiting?: boolean;
  /** Why the application has no executor, once it has waited STARVED_AFTER_MS (starved.ts): short and whole. */
  starved?: { cause: string; message: string };
  /** The starved application has been warned about (once per driver). */
  starvedWarned?: boolean;
}

/**
 * buildLinks gives the master UI (console), the application page on the master (sparkUi; the driver's own
 * UI on port 4040 lives only while it runs), the driver's stderr page on its worker (logs), and the history
 * server page when one is configured and the app id is known.
 */
export function buildLinks(data: HandleData, submissionId: string, known: Known): Links {
  const masterUi = known.masterUi ?? data.webUis[0];
  const links: Links = {};
  if (masterUi) links.console = masterUi;
  if (masterUi && known.appId) links.sparkUi = masterAppPageUrl(masterUi, known.appId);
  if (known.workerUi) links.logs = driverLogPageUrl(known.workerUi, submissionId, 'stderr');
  if (data.historyServer && known.appId) links.history = historyAppUrl(data.historyServer, known.appId);
  return links;
}
