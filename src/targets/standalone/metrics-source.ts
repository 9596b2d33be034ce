// Where a standalone run's Spark metrics can be read: the History Server the config names (the only place
// a batch run's metrics outlive its driver), else, while the driver still runs (a healthy streaming app),
// its own UI as its log says it bound it, on its worker's host.
import type { SourceAnswer } from '../../metrics/collect.js';
import type { Handle, Status } from '../target.js';
import type { TargetContext } from './context.js';
import { decodeHandleData } from './settings.js';

/** NO_SOURCE says what to configure for metrics when there is no History Server. */
export const NO_SOURCE =
  "standalone: no Spark metrics for this run: set standalone.historyServer to the Spark History Server that reads this cluster's event logs (spark.eventLog.enabled=true, spark.eventLog.dir); a batch driver's own UI is gone once it ends";

/** liveUiUrl is the driver's UI from its log: a wildcard bind address means its worker's host. */
export function liveUiUrl(ui: { host: string; port: number }, workerUi?: string): string | undefined {
  let host = ui.host;
  if (host === '0.0.0.0' || host === '::' || host === '[::]') {
    if (!workerUi) return undefined;
    try {
      host = new URL(workerUi).hostname;
    } catch {
      return undefined;
    }
  }
  return `http://${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${ui.port}`;
}

/** metricsSourceOf answers Target.metricsSource for the standalone target. */
export function metricsSourceOf(ctx: TargetContext, handle: Handle, status?: Status): SourceAnswer {
  const data = decodeHandleData(handle);
  if (data.historyServer) {
    return { kind: 'history', url: data.historyServer, headers: ctx.headersFor(data.historyServer) };
  }
  const k = ctx.known.get(handle.submissionId);
  const ui = k?.log?.facts.ui;
  const url = ui ? liveUiUrl(ui, k?.workerUi) : undefined;
  if (url && status && !status.terminal) return { kind: 'live', url, headers: ctx.headersFor(url) };
  return { missing: NO_SOURCE };
}
