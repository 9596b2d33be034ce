// The two ways to look at a driver: GET /v1/submissions/status/{id} on the REST servers, or the master web
// UI's /json/ (active and completed drivers), which every master serves, REST on or off.
import type { Handle } from '../target.js';
import type { TargetContext } from './context.js';
import { fetchMasterState, findDriver } from './master-json.js';
import { describeReply, exchange, fatalReply, isNotAlive, type RestTransport } from './rest-client.js';
import { decodeHandleData } from './settings.js';
import { masterJsonUrl, restUrl } from './urls.js';
import type { Observation, Observer } from './watch.js';

/**
 * observeRest asks the masters (in the given order) for a driver's status: the first answer with a driverState
 * wins; a standby master ("not alive") is skipped; success=false without a message means the master does
 * not know the id (HTTP 200, not 404). 400/468/401/403/404/405 throw; anything else is "unavailable".
 */
export async function observeRest(
  transport: RestTransport,
  masters: readonly string[],
  submissionId: string,
  signal?: AbortSignal,
): Promise<Observation> {
  const problems: string[] = [];
  let unknownAt: string | undefined;
  for (const m of masters) {
    const reply = await exchange(transport, restUrl(m, 'status', submissionId), 'GET', undefined, signal);
    const fatal = fatalReply(m, 'status', reply);
    if (fatal) throw fatal;
    if (reply.kind === 'message' && reply.http === 200 && reply.msg.action === 'SubmissionStatusResponse') {
      const msg = reply.msg;
      if (msg.success === true && typeof msg.driverState === 'string') {
        return {
          kind: 'state',
          master: m,
          driverState: msg.driverState,
          ...(msg.workerId ? { workerId: msg.workerId } : {}),
          ...(msg.message ? { message: msg.message } : {}),
        };
      }
      if (isNotAlive(msg.message)) {
        problems.push(`${m}: not the active master`);
        continue;
      }
      if (msg.success === false) {
        unknownAt ??= m;
        continue;
      }
    }
    problems.push(`${m}: ${describeReply(reply)}`);
  }
  if (unknownAt) return { kind: 'unknown-id', master: unknownAt };
  return { kind: 'unavailable', detail: problems.join('; ') };
}

/** restObserver follows the driver over REST, asking the master that answered last first. */
export function restObserver(transport: RestTransport, handle: Handle): Observer {
  const data = decodeHandleData(handle);
  let order = [data.acceptedBy, ...data.masters.filter((m) => m !== data.acceptedBy)].filter(Boolean);
  return async (signal) => {
    const obs = await observeRest(transport, order, handle.submissionId, signal);
    if (obs.kind === 'state') order = [obs.master, ...order.filter((m) => m !== obs.master)];
    return obs;
  };
}

/**
 * jsonObserver follows the driver in the active master's /json/ (a master without REST): its state and
 * worker. A web UI that cannot be read is "unavailable", named with the setting that points at it.
 */
export function jsonObserver(ctx: TargetContext, handle: Handle): Observer {
  const data = decodeHandleData(handle);
  const { deps } = ctx;
  return async (signal) => {
    const got = await fetchMasterState(
      data.webUis,
      deps.fetch,
      ctx.headersFor,
      deps.requestTimeoutMs,
      signal,
    );
    if (!got) {
      return {
        kind: 'unavailable',
        detail: `the master web UI's ${data.webUis.map(masterJsonUrl).join(', ')} could not be read (without REST the driver is followed there); set standalone.webUi to the master web UI the runner can reach`,
      };
    }
    const d = findDriver(got.state, handle.submissionId);
    if (!d) return { kind: 'unknown-id', master: got.webUi };
    return {
      kind: 'state',
      master: got.webUi,
      driverState: d.state ?? 'UNKNOWN',
      ...(d.worker && d.worker !== 'None' ? { workerId: d.worker } : {}),
    };
  };
}

/** observerFor picks how to follow a driver: REST when it was submitted to REST servers, else /json/. */
export function observerFor(ctx: TargetContext, handle: Handle): Observer {
  return decodeHandleData(handle).gateway === 'rpc'
    ? jsonObserver(ctx, handle)
    : restObserver(ctx.transport(), handle);
}
