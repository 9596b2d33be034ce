// The standalone target: Spark's REST submission protocol spoken directly (or spark-submit from PATH),
// the driver followed through the status endpoint, links and logs from the master's and worker's web UIs.
import type { Finding } from '../../findings.js';
import type { Status, Target } from '../target.js';
import { createContext } from './context.js';
import { type StandaloneDeps, withDefaults } from './deps.js';
import { killDriver, killViaClient } from './kill.js';
import { metricsSourceOf } from './metrics-source.js';
import { observerFor } from './observers.js';
import { driverLogTail, findRuns, linksOf } from './runs.js';
import { decodeHandleData } from './settings.js';
import { renderSubmission, submitDriver } from './submit.js';
import { watchDriver } from './watch.js';

export type { Logger, StandaloneDeps } from './deps.js';
export { buildCreateRequest, buildSparkProperties, RUN_LABEL_PROPERTY } from './request.js';
export { buildSparkSubmitArgs } from './spark-submit.js';
export { DRIVER_STATES, mapDriverState } from './states.js';
export { normalizeMasterUrls } from './urls.js';

/** How much of the driver's stderr a failure report shows. */
export const LOG_TAIL_LINES = 50;

/**
 * deployVerdict judges how a watch ended from its last status: SUCCEEDED, or (app.mode streaming) the
 * non-terminal RUNNING status watch yields once healthy. Anything else (FAILED, CANCELLED, none) fails.
 */
export function deployVerdict(
  last: Status | undefined,
  appMode: 'batch' | 'streaming',
): 'success' | 'failure' {
  if (!last) return 'failure';
  if (last.phase === 'SUCCEEDED') return 'success';
  return appMode === 'streaming' && last.phase === 'RUNNING' && !last.terminal ? 'success' : 'failure';
}

/** StandaloneTarget is the Target with its findings list always present. */
export interface StandaloneTarget extends Target {
  readonly findings: Finding[];
}

/** createStandaloneTarget builds the standalone Target over injected deps (see StandaloneDeps for defaults). */
export function createStandaloneTarget(partial: Partial<StandaloneDeps> = {}): StandaloneTarget {
  const ctx = createContext(withDefaults(partial));
  return {
    name: 'standalone',
    findings: ctx.findings,
    render: (p, artifact) => renderSubmission(ctx, p, artifact),
    submit: (p, artifact, signal) => submitDriver(ctx, p, artifact, signal),
    watch: (handle, signal) =>
      watchDriver(handle, observerFor(ctx, handle), ctx.deps, { enrich: ctx.follower.enrich }, signal),
    cancel: (handle) =>
      decodeHandleData(handle).gateway === 'rpc'
        ? killViaClient(handle, ctx.deps, ctx.plan())
        : killDriver(ctx.transport(), handle, ctx.deps),
    find: (selector) => findRuns(ctx, selector),
    links: (handle, status) => linksOf(ctx, handle, status),
    logTail: (handle, lines) => driverLogTail(ctx, handle, lines),
    metricsSource: (handle, status) => metricsSourceOf(ctx, handle, status),
  };
}
