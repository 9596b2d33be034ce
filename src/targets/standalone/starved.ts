// An application that registered but got no executor: the master lists it WAITING with no cores granted
// (Spark 3.5: `Master.allocateWorkerResourceToExecutors` sets RUNNING with the first executor;
// `JsonProtocol.writeApplicationInfo` writes coresGranted as `cores`). The driver is RUNNING all the while,
// so without this a run says RUNNING until its timeout. Causes, all visible from `/json/` and the driver's
// log: spark.cores.max below spark.executor.cores (code may set either), an executor larger than any
// worker's free cores or memory, or other applications holding the cores.
import type { AppInfo, MasterState } from './master-json.js';

/** An application WAITING this long after it registered counts as starved. */
export const STARVED_AFTER_MS = 30_000;

export interface StarvedInput {
  appId: string;
  driverId: string;
  /** How long the application has been known to wait. */
  waitedMs: number;
  state: MasterState;
  /** -D properties of the driver's launch command (what was submitted). */
  launch?: Record<string, string>;
  /** Spark's own warning about cores no executor can take, from the driver's log. */
  coresWarning?: string;
}

/** starvedApp is the application when the master lists it WAITING with no cores granted. */
export function starvedApp(state: MasterState, appId: string): AppInfo | undefined {
  const app = state.activeapps.find((a) => a.id === appId);
  return app && app.state === 'WAITING' && (app.cores ?? 0) === 0 ? app : undefined;
}

const mib = (n: number) => `${Math.round(n)} MiB`;

/** starvedMessage says that the application has no executor, what the cluster offers and what to fix. */
export function starvedMessage(i: StarvedInput): string {
  const app = i.state.activeapps.find((a) => a.id === i.appId);
  const alive = i.state.workers.filter((w) => w.state === undefined || w.state === 'ALIVE');
  const free = alive.map((w) => ({
    cores: (w.cores ?? 0) - (w.coresused ?? 0),
    memory: (w.memory ?? 0) - (w.memoryused ?? 0),
  }));
  const sum = (f: (x: { cores: number; memory: number }) => number) => free.reduce((n, x) => n + f(x), 0);
  const most = (f: (x: { cores: number; memory: number }) => number) => Math.max(0, ...free.map(f));
  const cluster = alive.length
    ? `${alive.length} ALIVE worker(s) with ${sum((x) => x.cores)} free cores and ${mib(sum((x) => x.memory))} free in all, at most ${most((x) => x.cores)} cores and ${mib(most((x) => x.memory))} on one worker`
    : 'no ALIVE worker';
  const asked = [
    `spark.executor.cores ${i.launch?.['spark.executor.cores'] ?? 'unset (an executor takes all free cores of a worker)'}`,
    `spark.executor.memory ${app?.memoryperexecutor !== undefined ? mib(app.memoryperexecutor) : (i.launch?.['spark.executor.memory'] ?? 'unset (1g)')}`,
    `spark.cores.max ${i.launch?.['spark.cores.max'] ?? 'unset'}`,
  ].join(', ');
  const others = i.state.activeapps.filter((a) => a.id !== i.appId && (a.cores ?? 0) > 0);
  const holders = others.length
    ? ` Other applications hold cores: ${others.map((a) => `${a.id} (${a.name}, ${a.cores})`).join(', ')}.`
    : '';
  const spark = i.coresWarning ? ` Spark's driver log says: "${i.coresWarning}".` : '';
  return `application ${i.appId} of driver ${i.driverId} has had no executor for ${Math.round(i.waitedMs / 1000)} s: the master lists it WAITING with 0 cores granted, so none of its work runs. The cluster: ${cluster}; submitted: ${asked} (the app's code can set these too).${spark}${holders} An executor needs spark.executor.cores cores within spark.cores.max, and its cores and memory free on one worker: make spark.cores.max a multiple of spark.executor.cores and at least one executor's worth, or lower spark.executor.cores / spark.executor.memory to fit a worker.`;
}

/** starvedCause is the short form that leads a timeout's error and the deployment status. */
export function starvedCause(i: Pick<StarvedInput, 'appId' | 'waitedMs' | 'coresWarning'>): string {
  const spark = /Total executor cores: \d+ is not divisible by cores per executor: \d+/.exec(
    i.coresWarning ?? '',
  )?.[0];
  return `no executor in ${Math.round(i.waitedMs / 1000)} s: the master lists ${i.appId} WAITING with 0 cores granted${spark ? ` (Spark: "${spark}")` : ''}`;
}
