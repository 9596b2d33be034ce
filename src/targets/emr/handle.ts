// What a Handle carries for EMR, as strings (Handle.data is saved as action state between main and post).
import type { Handle } from '../target.js';

/** HandleData is everything needed to follow, cancel and link a step without the Plan. */
export interface HandleData {
  clusterId: string;
  /** The cluster's ARN, for the persistent Spark UI (absent when EMR did not say). */
  clusterArn?: string;
  region: string;
  stepName: string;
  /** The cluster was started for this run (RunJobFlow): terminate it on failure or abort. */
  transient: boolean;
  logUri?: string;
  appMode: 'batch' | 'streaming';
  healthyAfterMs: number;
  timeoutMs: number;
  submittedAt: number;
}

/** encodeHandleData flattens HandleData into Handle.data. */
export function encodeHandleData(d: HandleData): Record<string, string> {
  return {
    clusterId: d.clusterId,
    ...(d.clusterArn ? { clusterArn: d.clusterArn } : {}),
    region: d.region,
    stepName: d.stepName,
    transient: String(d.transient),
    ...(d.logUri ? { logUri: d.logUri } : {}),
    appMode: d.appMode,
    healthyAfterMs: String(d.healthyAfterMs),
    timeoutMs: String(d.timeoutMs),
    submittedAt: String(d.submittedAt),
  };
}

/** decodeHandleData reads HandleData back, with safe defaults for what an older handle may lack. */
export function decodeHandleData(h: Handle): HandleData {
  const d = h.data;
  const num = (v: string | undefined, dflt: number) =>
    v !== undefined && Number.isFinite(Number(v)) ? Number(v) : dflt;
  return {
    clusterId: d.clusterId ?? '',
    ...(d.clusterArn ? { clusterArn: d.clusterArn } : {}),
    region: d.region ?? '',
    stepName: d.stepName ?? '',
    transient: d.transient === 'true',
    ...(d.logUri ? { logUri: d.logUri } : {}),
    appMode: d.appMode === 'streaming' ? 'streaming' : 'batch',
    healthyAfterMs: num(d.healthyAfterMs, 60_000),
    timeoutMs: num(d.timeoutMs, 60 * 60_000),
    submittedAt: num(d.submittedAt, 0),
  };
}
