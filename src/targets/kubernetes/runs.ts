// The app's other runs: old batch runs beyond keepHistory, a finished run under this run's name, the previous
// run of a blue-green streaming app.

import { ActionError } from '../../util/errors.js';
import type { Clock } from '../../util/poll.js';
import type { DeployPlan, Handle } from '../target.js';
import type { KubeApi } from './api.js';
import type { Logger } from './deps.js';
import type { KubeObject } from './render.js';
import { appSelector, type Settings } from './settings.js';
import { displayState, mapAppState } from './states.js';
import type { AppStatus } from './watch.js';

/** newestFirst orders objects by creationTimestamp, newest first (names break ties). */
export function newestFirst(a: KubeObject, b: KubeObject): number {
  const t = (o: KubeObject) => new Date(o.metadata.creationTimestamp ?? 0).getTime() || 0;
  return t(b) - t(a) || b.metadata.name.localeCompare(a.metadata.name);
}

const stateOf = (o: KubeObject | undefined) => (o?.status as AppStatus | undefined)?.applicationState?.state;

/** pruneHistory deletes finished runs beyond keepHistory (newest first, the current one counted); live ones are kept. */
export async function pruneHistory(api: KubeApi, log: Logger, s: Settings, plan: DeployPlan): Promise<void> {
  const apps = await api.listApps(s.namespace, appSelector(plan.config.app.name ?? s.base, plan.preview));
  const older = apps.filter((a) => a.metadata.name !== s.name).sort(newestFirst);
  for (const a of older.slice(Math.max(0, s.keepHistory - 1))) {
    const state = stateOf(a);
    if (!mapAppState(state).terminal) {
      log.info(`kubernetes: keeping ${a.metadata.name} beyond keepHistory: it is still ${state || 'NEW'}`);
      continue;
    }
    await api.deleteApp(s.namespace, a.metadata.name);
    log.info(`kubernetes: deleted old run ${a.metadata.name} (keepHistory ${s.keepHistory})`);
  }
}

/**
 * freeRunName makes room for a run under a name that already ran: the same workflow run attempt deploying
 * the same app twice (two steps, a matrix). The operator never re-runs a finished app whose spec did not
 * change, so applying again would report the earlier run's outcome as this one's; the finished app is
 * deleted (and waited for) so the apply creates a fresh one. A live one is left: the apply joins it.
 */
export async function freeRunName(
  api: KubeApi,
  log: Logger,
  clock: Clock,
  s: Settings,
  signal: AbortSignal,
): Promise<void> {
  const existing = await api.getApp(s.namespace, s.name);
  if (!existing) return;
  const state = stateOf(existing);
  if (!mapAppState(state).terminal) {
    log.info(`kubernetes: ${s.name} exists and is ${displayState(state)}: this deploy follows that run`);
    return;
  }
  log.info(
    `kubernetes: ${s.name} already ran in this workflow run attempt (${state}); the operator never runs a finished app again, so it is deleted and created anew`,
  );
  await api.deleteApp(s.namespace, s.name);
  for (let i = 0; (await api.getApp(s.namespace, s.name))?.metadata.uid === existing.metadata.uid; i++) {
    if (i >= 60) {
      throw new ActionError(
        `kubernetes: SparkApplication ${s.namespace}/${s.name} was deleted but is still there after 30 s (a finalizer?); delete it, or re-run the workflow`,
      );
    }
    await clock.sleep(500, signal);
  }
}

/** retireOthers deletes the app's other SparkApplications once the new one is healthy (blue-green). */
export async function retireOthers(api: KubeApi, log: Logger, handle: Handle): Promise<void> {
  const ns = handle.data.namespace ?? 'default';
  const preview = handle.data.preview ? Number(handle.data.preview) : undefined;
  const others = (await api.listApps(ns, appSelector(handle.data.app ?? '', preview))).filter(
    (a) => a.metadata.name !== handle.submissionId,
  );
  for (const o of others) {
    await api.deleteApp(ns, o.metadata.name);
    log.info(`kubernetes: blue-green: deleted ${o.metadata.name}; ${handle.submissionId} is healthy`);
  }
}
