// Following one SparkApplication: its statuses until terminal or healthy, with a stuck or failed driver's
// pod explained (as kubectl describe would) and the previous run retired once a blue-green run is healthy.
import { ActionError, errorMessage } from '../../util/errors.js';
import type { Handle, Status } from '../target.js';
import type { KubeApi } from './api.js';
import type { KubernetesDeps } from './deps.js';
import { diagnosePod, type PodDiagnosis } from './diagnose.js';
import { derivedName } from './names.js';
import { retireOthers } from './runs.js';
import { type AppStatus, toStatus, watchApp } from './watch.js';

/** RawStatuses keeps each app's last `.status` as the operator wrote it (pod names, UI address). */
export type RawStatuses = Map<string, AppStatus | undefined>;

/** driverPod is the driver pod's name: as the operator reports it, else as it derives it. */
export function driverPod(raw: RawStatuses, name: string): string {
  return raw.get(name)?.driverInfo?.podName || derivedName(name, 'driver');
}

/** followApp yields the app's statuses; see Target.watch. */
export async function* followApp(
  api: KubeApi,
  deps: KubernetesDeps,
  raw: RawStatuses,
  handle: Handle,
  defaultTimeoutMs: number,
  signal: AbortSignal,
): AsyncGenerator<Status> {
  const d = handle.data;
  const c = await api.client();
  const namespace = d.namespace ?? 'default';
  const name = d.name ?? handle.submissionId;
  const mode = d.mode === 'streaming' ? 'streaming' : 'batch';
  const diagnose = async (): Promise<PodDiagnosis> => {
    const pod = driverPod(raw, name);
    try {
      return await diagnosePod(c, namespace, pod);
    } catch (err) {
      deps.log.debug(`kubernetes: could not diagnose pod ${namespace}/${pod}: ${errorMessage(err)}`);
      return { lines: [] };
    }
  };
  const statuses = watchApp(
    c,
    {
      namespace,
      name,
      mode,
      healthyAfterMs: Number(d.healthyAfterMs ?? 60_000),
      timeoutMs: Number(d.timeoutMs ?? defaultTimeoutMs),
      clock: deps.clock,
      log: deps.log,
      resyncMs: deps.resyncMs,
      onRaw: (st) => raw.set(name, st),
    },
    signal,
  );
  /**
   * next reads the next status. A timeout while the driver is stuck (image pull, scheduling) is answered
   * with why, as kubectl describe would: a status whose `cause` is the first problem seen on the pod, then
   * the error. The deadline is ours (an ActionError) or the caller's (the signal aborted with a
   * TimeoutError); a cancel (any other abort reason) is not a question of why.
   */
  const next = async (): Promise<
    { done: true } | { done: false; status: Status } | { stuck: Status; err: unknown }
  > => {
    try {
      const r = await statuses.next();
      return r.done ? { done: true } : { done: false, status: r.value };
    } catch (err) {
      const timedOut =
        signal.aborted && signal.reason instanceof DOMException && signal.reason.name === 'TimeoutError';
      if (!timedOut && (signal.aborted || !(err instanceof ActionError))) throw err;
      const { lines: why, cause } = await diagnose();
      if (!why.length) throw err;
      const seen = raw.has(name) ? toStatus(raw.get(name)) : undefined;
      const stuck: Status = {
        phase: seen?.phase ?? 'PENDING',
        nativeState: seen?.nativeState ?? 'NEW',
        terminal: false,
        message: why.join('\n'),
        ...(cause ? { cause } : {}),
      };
      if (err instanceof ActionError)
        return { stuck, err: new ActionError(`${err.message}\n${why.join('\n')}`, err.findings) };
      return {
        stuck,
        err: new ActionError(
          `kubernetes: SparkApplication ${namespace}/${name} was still ${stuck.nativeState} when the wait ended:\n${why.join('\n')}`,
        ),
      };
    }
  };
  try {
    for (let r = await next(); !('done' in r && r.done); r = await next()) {
      if ('stuck' in r) {
        yield r.stuck;
        throw r.err;
      }
      const status = r.status;
      if (status.phase === 'FAILED' && status.terminal) {
        const { lines: why } = await diagnose();
        yield why.length
          ? { ...status, message: [status.message, ...why].filter(Boolean).join('\n') }
          : status;
        return;
      }
      if (status.message?.startsWith('healthy:') && mode === 'streaming' && d.strategy === 'blue-green') {
        await retireOthers(api, deps.log, handle);
      }
      yield status;
    }
  } finally {
    // Leaving early (a failure, or the caller stopped reading) must close the watch stream: an open
    // stream keeps the step's process alive after it has reported.
    await statuses.return(undefined);
  }
}
