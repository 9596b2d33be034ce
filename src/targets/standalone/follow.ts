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
import { STARVED_AFTER_MS, starvedApp, starvedCause, starvedMessage } from './starved.js';
import type { Enriched } from './watch.js';

/** How often `/json/` is read while the app id of a running driver is still unknown (it registers late). */
const JSON_LOOKUP_EVERY_MS = 2_000;
/** How often a running application without executors is looked at in `/json/` (starved.ts). */
const GRANT_CHECK_EVERY_MS = 2_000;
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
        k.appFoundAt = deps.clock.now();
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

  /**
   * checkGrant looks (at most every GRANT_CHECK_EVERY_MS, until the first executor) whether the master has
   * granted the running application any cores: `k.waiting` while it lists it WAITING with none, and, once
   * that has lasted STARVED_AFTER_MS, why in `k.starved` (warned once, with a finding).
   */
  const checkGrant = async (h: Handle, k: Known, signal: AbortSignal): Promise<void> => {
    const now = deps.clock.now();
    if (!k.appId || k.granted) return;
    if (k.grantCheckedAt !== undefined && now - k.grantCheckedAt < GRANT_CHECK_EVERY_MS) return;
    k.grantCheckedAt = now;
    const data = decodeHandleData(h);
    const got = await fetchMasterState(data.webUis, deps.fetch, headersFor, deps.requestTimeoutMs, signal);
    if (!got) return;
    if (!starvedApp(got.state, k.appId)) {
      if (k.starved) deps.log.info(`standalone: application ${k.appId} has executors now`);
      k.granted = true;
      k.waiting = false;
      delete k.starved;
      return;
    }
    k.waiting = true;
    const since = k.appFoundAt ?? now;
    if (now - since < STARVED_AFTER_MS) return;
    const input = {
      appId: k.appId,
      driverId: h.submissionId,
      waitedMs: now - since,
      state: got.state,
      ...(k.log?.facts.launch ? { launch: k.log.facts.launch } : {}),
      ...(k.log?.facts.coresWarning ? { coresWarning: k.log.facts.coresWarning } : {}),
    };
    // The cause keeps the wait's first figure: a cause that changed every poll would be a new status each time.
    k.starved ??= { cause: starvedCause(input), message: starvedMessage(input) };
    if (k.starvedWarned) return;
    k.starvedWarned = true;
    deps.log.warning(`standalone: ${k.starved.message}`);
    findings.push({
      stage: 'deploy',
      severity: 'warning',
      title: 'Spark application got no executor',
      message: k.starved.message,
      rule: 'standalone/no-executor',
    });
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
    if (next.appId) {
      const running = status.nativeState === 'RUNNING';
      if (running) await checkGrant(h, next, signal);
      const waiting = running && next.waiting === true;
      const starved = waiting ? next.starved : undefined;
      return {
        status: {
          ...status,
          applicationId: next.appId,
          ...(waiting ? { message: 'WAITING for executors: the master has granted no cores yet' } : {}),
          ...(starved ? { message: starved.message, cause: starved.cause } : {}),
        },
        ...(waiting ? { waiting } : {}),
        ...(starved ? { starved: starved.message } : {}),
      };
    }
    return judgeLocalMode(h, status, next);
  };

  return { readLog, lookup, enrich };
}
