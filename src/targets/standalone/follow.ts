// Following one driver beyond its REST status: the master's `/json/` for its worker and start time, its
// log for its application (app-tracker.ts), and the local-mode judgement when it registers none.
import type { Finding } from '../../findings.js';
import type { Handle, Status } from '../target.js';
import { localReport, type ReadLog, trackApp } from './app-tracker.js';
import type { StandaloneDeps } from './deps.js';
import { readDriverLog } from './driver-log.js';
import type { Known } from './links.js';
import { fetchMasterState, findDriver, workerUiOf } from './master-json.js';
import { decodeHandleData } from './settings.js';
import type { Enriched } from './watch.js';

/** How often `/json/` is read while the app id of a running driver is still unknown (it registers late). */
const JSON_LOOKUP_EVERY_MS = 2_000;
/** Timeout of one read of a driver's log: the worker UI is optional, a slow one must not hold the watch. */
const LOG_READ_TIMEOUT_MS = 5_000;

export interface FollowerInput {
  deps: StandaloneDeps;
  /** What is known per driver id, shared with the target (links, log tail). */
  known: Map<string, Known>;
  /** The target's findings: a batch run's local-mode warning goes here. */
  findings: Finding[];
  headersFor: (url: string) => Record<string, string>;
}

/** createFollower returns the lookups the target's watch, find and log tail share. */
export function createFollower({ deps, known, findings, headersFor }: FollowerInput) {
  const knownOf = (id: string): Known => {
    const k = known.get(id) ?? {};
    known.set(id, k);
    return k;
  };

  /** readLog reads a driver's log from its worker UI (at most `maxBytes` per call). */
  const readLog =
    (signal?: AbortSignal, maxBytes?: number): ReadLog =>
    (workerUi, driverId, cursor) =>
      readDriverLog(
        deps.fetch,
        workerUi,
        driverId,
        cursor,
        Math.min(deps.requestTimeoutMs, LOG_READ_TIMEOUT_MS),
        signal,
        maxBytes,
      );

  /** lookup reads `/json/` (driver start, worker UI) and, until the app is known, the driver's log further. */
  const lookup = async (
    handle: Handle,
    workerId: string | undefined,
    signal?: AbortSignal,
  ): Promise<Known> => {
    const data = decodeHandleData(handle);
    const k = knownOf(handle.submissionId);
    const got = await fetchMasterState(data.webUis, deps.fetch, headersFor, deps.requestTimeoutMs, signal);
    k.lookedAt = deps.clock.now();
    const driver = got ? findDriver(got.state, handle.submissionId) : undefined;
    if (got) {
      k.masterUi = got.webUi;
      if (driver && Number.isFinite(driver.starttime)) k.driverStart = driver.starttime;
      const wid = workerId ?? driver?.worker;
      if (wid && wid !== 'None') {
        k.workerId = wid;
        k.workerUi = workerUiOf(got.state, wid) ?? k.workerUi;
      }
    }
    if (!k.appId) {
      await trackApp(k, handle.submissionId, {
        ...(got ? { state: got.state } : {}),
        ...(driver ? { driver } : {}),
        submittedName: data.appName,
        readLog: readLog(signal),
      });
      if (k.discovery?.kind === 'found') {
        deps.log.info(
          `standalone: ${handle.submissionId} registered application ${k.discovery.appId} (found by ${k.discovery.by})`,
        );
      }
    }
    return k;
  };

  // A RUNNING or FINISHED driver without an application is judged once it has had its chance (localReport):
  // a streaming run hands the report to the watch, which fails it; a batch run gets a warning finding, but
  // only once it is final: a batch app past the grace may still register late, so that is a log line.
  const judgeLocalMode = (h: Handle, status: Status, k: Known): Enriched => {
    const data = decodeHandleData(h);
    const streaming = data.appMode === 'streaming';
    const master = k.log?.facts.launch?.['spark.master'];
    const report = localReport(k, h.submissionId, status.nativeState, {
      now: deps.clock.now(),
      graceMs: data.registerWithinMs,
      streaming,
      ...(master ? { master } : {}),
    });
    if (!report) return { status };
    const final = streaming || report.local.evidence !== 'grace';
    if (!k.localWarned) deps.log.warning(`standalone: ${report.message}`);
    k.localWarned = true;
    if (final && !streaming && !k.localReported) findings.push(report.finding);
    if (final) k.localReported = true;
    const message = status.message ?? 'Spark runs in local mode: no application registered with the master';
    return { status: { ...status, message }, local: report };
  };

  /** enrich adds the application id to a status (looking it up at most every 2 s), or the local-mode verdict. */
  const enrich = async (
    h: Handle,
    status: Status,
    workerId: string | undefined,
    signal: AbortSignal,
  ): Promise<Enriched> => {
    const k = knownOf(h.submissionId);
    if (status.nativeState === 'RELAUNCHING') {
      // A supervised driver starting over registers a new application (its log says which).
      if (k.appId) k.pastAppIds = [...(k.pastAppIds ?? []), k.appId];
      delete k.appId;
      delete k.discovery;
      delete k.runningSince;
      k.localWarned = false;
      k.localReported = false;
    }
    if (status.nativeState === 'RUNNING') k.runningSince ??= deps.clock.now();
    const newWorker = workerId !== undefined && workerId !== k.workerId;
    // The log's word that Spark runs in the driver holds for this launch: no need to keep looking.
    const wantApp =
      !k.appId && k.discovery?.kind !== 'local' && (status.phase === 'RUNNING' || status.terminal);
    const stale = k.lookedAt === undefined || deps.clock.now() - k.lookedAt >= JSON_LOOKUP_EVERY_MS;
    const next = newWorker || (wantApp && (stale || status.terminal)) ? await lookup(h, workerId, signal) : k;
    if (next.appId) return { status: { ...status, applicationId: next.appId } };
    return judgeLocalMode(h, status, next);
  };

  return { readLog, lookup, enrich };
}
