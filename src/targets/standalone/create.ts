// POST /v1/submissions/create across HA masters, without ever starting a second driver: an answer that
// leaves the outcome open is resolved by looking for the driver before anything is sent again.
import { ActionError } from '../../util/errors.js';
import { backoffDelay } from '../../util/poll.js';
import type { StandaloneDeps } from './deps.js';
import { fetchMasterState, newDrivers } from './master-json.js';
import type { CreateSubmissionRequest } from './request.js';
import {
  describeReply,
  exchange,
  fatalReply,
  isNotAlive,
  type Reply,
  type RestTransport,
  sparkMessageSummary,
} from './rest-client.js';
import { type MasterEndpoint, restUrl } from './urls.js';

/** CreateContext is what a create needs besides the request. */
export interface CreateContext {
  transport: RestTransport;
  endpoints: readonly MasterEndpoint[];
  webUis: readonly string[];
  headersFor: (url: string) => Record<string, string>;
  deps: StandaloneDeps;
  signal: AbortSignal;
}

/** Created is an accepted submission. `adopted` means the id came from looking, not from the create answer. */
export interface Created {
  submissionId: string;
  acceptedBy: string;
  adopted: boolean;
  message?: string;
}

/** Rounds over all masters when each is standby or unreachable (a failover in progress). */
const MAX_ROUNDS = 3;
/** Creates sent again after the master's /json/ proved that an unanswered one made no driver. */
const MAX_RESENDS = 2;

type Lookup = { kind: 'found'; id: string } | { kind: 'absent' } | { kind: 'unknown'; why: string };

/**
 * createSubmission submits the request to the masters in order. A standby master (HTTP 200, success
 * false, "Current state is not alive") or one that refuses the connection is skipped; 400, 468, 401/403 and
 * 404/405 end it with a clear error. An answer that may hide a created driver (no response after sending,
 * 5xx, malformed JSON) is resolved first: an id in the garbled answer confirmed by status, else a driver of
 * the same main class that appeared in `/json/` since just before the create. Only when `/json/` shows no
 * such driver is the create sent again; when it cannot be read, the action stops rather than risk a second
 * driver.
 */
export async function createSubmission(
  ctx: CreateContext,
  request: CreateSubmissionRequest,
): Promise<Created> {
  const { deps, signal } = ctx;
  const before = await driverIds(ctx);
  let resends = 0;
  let problems: string[] = [];
  let unreached: Reply[] = [];
  for (let round = 0; round < MAX_ROUNDS; round++) {
    problems = [];
    unreached = [];
    for (let i = 0; i < ctx.endpoints.length; i++) {
      const ep = ctx.endpoints[i] as MasterEndpoint;
      // The create itself is not aborted: once sent, its answer is the only record of the driver id, and a
      // cancelled run must still learn it to kill what it started. The request timeout bounds it.
      const reply = await exchange(ctx.transport, restUrl(ep.rest, 'create'), 'POST', request);
      if (reply.kind === 'message' && reply.http === 200 && reply.msg.action === 'CreateSubmissionResponse') {
        const { success, submissionId, message } = reply.msg;
        if (success === true && submissionId) {
          if (reply.msg.unknownFields?.length) {
            deps.log.warning(
              `standalone: ${ep.rest} ignored request fields it does not know: ${reply.msg.unknownFields.join(', ')}`,
            );
          }
          return { submissionId, acceptedBy: ep.rest, adopted: false, ...(message ? { message } : {}) };
        }
        if (success !== true && isNotAlive(message)) {
          deps.log.info(
            `standalone: ${ep.rest} is not the active master (${sparkMessageSummary(message)}); trying the next`,
          );
          problems.push(`${ep.rest}: ${sparkMessageSummary(message)}`);
          continue;
        }
        if (success !== true) {
          throw new ActionError(
            `standalone: ${ep.rest} refused the submission: ${sparkMessageSummary(message) || 'success=false'}`,
          );
        }
      }
      const fatal = fatalReply(ep.rest, 'create', reply);
      if (fatal) throw fatal;
      if (notSent(reply)) {
        deps.log.info(`standalone: ${ep.rest} unreachable (${describeReply(reply)}); trying the next`);
        problems.push(`${ep.rest}: ${describeReply(reply)}`);
        unreached.push(reply);
        continue;
      }
      const found = await lookForDriver(ctx, ep, reply, request.mainClass, before);
      if (found.kind === 'found') {
        deps.log.warning(
          `standalone: the create request to ${ep.rest} got ${describeReply(reply)}, but driver ${found.id} exists; following it instead of submitting again`,
        );
        return { submissionId: found.id, acceptedBy: ep.rest, adopted: true };
      }
      if (found.kind === 'unknown') {
        throw new ActionError(
          `standalone: the create request to ${ep.rest} got ${describeReply(reply)}, so a driver may or may not have started, and ${found.why}. Not submitting again: a second driver would run. Look for a driver of ${request.mainClass} in the master UI (${ctx.webUis[0] ?? 'port 8080'}) before re-running.`,
        );
      }
      if (++resends > MAX_RESENDS) {
        throw new ActionError(
          `standalone: ${ep.rest} failed the create request ${resends} times (last: ${describeReply(reply)}); no driver was started.${restOff([reply], ctx.endpoints)}`,
        );
      }
      deps.log.warning(
        `standalone: the create request to ${ep.rest} got ${describeReply(reply)}; the master's /json/ shows no new driver of ${request.mainClass}, so sending it again`,
      );
      i--;
    }
    if (round < MAX_ROUNDS - 1) {
      const delay = backoffDelay(round, deps.backoff);
      deps.log.info(
        `standalone: no master accepted the submission; retrying in ${Math.round(delay / 1000)} s`,
      );
      await deps.clock.sleep(delay, signal);
    }
  }
  const hint =
    restOff(unreached, ctx.endpoints) ||
    '\nCheck standalone.masters and that one master is ALIVE with spark.master.rest.enabled=true.';
  throw new ActionError(
    `standalone: no master accepted the submission after ${MAX_ROUNDS} rounds:\n${problems.map((p) => `  - ${p}`).join('\n')}${hint}`,
  );
}

// Refused on the REST port, or a port that takes the connection and closes it without an HTTP answer (the
// master's RPC port does): what a master with its REST server off looks like from here.
const REST_OFF_CODES = new Set(['ECONNREFUSED', 'UND_ERR_SOCKET', 'ECONNRESET']);

/**
 * restOff is the explanation to add when every master's last answer looks like a master without a REST
 * server; empty otherwise.
 */
export function restOff(replies: readonly Reply[], endpoints: readonly MasterEndpoint[]): string {
  if (replies.length === 0) return '';
  if (!replies.every((r) => r.kind === 'no-response' && REST_OFF_CODES.has(r.code))) return '';
  const hosts = [...new Set(endpoints.filter((e) => e.direct).map((e) => e.host))];
  const spark =
    hosts.length > 0
      ? `spark://${hosts.map((h) => `${h.includes(':') ? `[${h}]` : h}:7077`).join(',')}`
      : 'spark://<master>:7077';
  return `\nThe master's REST submission server looks off: Spark 2.4 to 4.0 start it disabled (spark.master.rest.enabled defaults to false; only Spark 4.1 turns it on). Submit through the master's RPC port instead, with masters: [${spark}] (spark-submit in cluster deploy mode), or set spark.master.rest.enabled=true on the master (its REST server has no authentication: keep port 6066 private).`;
}

// A request refused before it was written, or a proxy saying the upstream is down, cannot have created anything.
function notSent(r: Reply): boolean {
  return (r.kind === 'no-response' && !r.sent) || (r.kind !== 'no-response' && r.http === 503);
}

async function driverIds(ctx: CreateContext): Promise<Set<string> | undefined> {
  const got = await fetchMasterState(
    ctx.webUis,
    ctx.deps.fetch,
    ctx.headersFor,
    ctx.deps.requestTimeoutMs,
    ctx.signal,
  );
  if (!got) {
    ctx.deps.log.debug(
      'standalone: master /json/ not readable before create; an unanswered create will not be resent',
    );
    return undefined;
  }
  const s = got.state;
  return new Set([...s.activedrivers, ...s.completeddrivers].map((d) => d.id));
}

async function lookForDriver(
  ctx: CreateContext,
  ep: MasterEndpoint,
  reply: Reply,
  mainClass: string,
  before: Set<string> | undefined,
): Promise<Lookup> {
  // FaultyStandaloneRestServer's MalformedSubmitServlet cuts the ends off a real answer: the id may survive.
  const hint =
    reply.kind === 'garbled'
      ? /"submissionId"\s*:\s*"([^"]+)"/.exec(reply.text)?.[1]
      : reply.kind === 'message'
        ? reply.msg.submissionId
        : undefined;
  if (hint) {
    const st = await exchange(ctx.transport, restUrl(ep.rest, 'status', hint), 'GET', undefined, ctx.signal);
    if (st.kind === 'message' && st.msg.success === true && st.msg.driverState)
      return { kind: 'found', id: hint };
  }
  if (!before) return { kind: 'unknown', why: "the master's /json/ was not readable before the request" };
  // A create still in flight at the master may land after the connection dropped; give it a moment.
  if (reply.kind === 'no-response') await ctx.deps.clock.sleep(ctx.deps.createSettleMs, ctx.signal);
  const after = await fetchMasterState(
    ctx.webUis,
    ctx.deps.fetch,
    ctx.headersFor,
    ctx.deps.requestTimeoutMs,
    ctx.signal,
  );
  if (!after) return { kind: 'unknown', why: "the master's /json/ is not readable to check" };
  const fresh = newDrivers(after.state, before, mainClass);
  if (fresh.length > 1) {
    ctx.deps.log.warning(
      `standalone: ${fresh.length} new drivers of ${mainClass} appeared (${fresh.map((d) => d.id).join(', ')}); following the oldest`,
    );
  }
  const first = fresh[0];
  return first ? { kind: 'found', id: first.id } : { kind: 'absent' };
}
