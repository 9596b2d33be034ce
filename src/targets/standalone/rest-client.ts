// One exchange with a Spark REST submission server, classified the way the protocol defines outcomes
// (docs/protocols.md 1.4, 1.6). No logging here: request bodies carry sparkProperties values.
import { ActionError } from '../../util/errors.js';
import { type FetchLike, HttpFailure, requestJson } from '../../util/http.js';

/** RestMessage is any protocol message; absent fields were null on the server (Jackson NON_NULL). */
export interface RestMessage {
  action?: string;
  message?: string;
  serverSparkVersion?: string;
  success?: boolean;
  submissionId?: string;
  driverState?: string;
  workerId?: string;
  workerHostPort?: string;
  highestProtocolVersion?: string;
  unknownFields?: string[];
}

/**
 * Reply is one exchange: a protocol message (any HTTP status), a body that is not one (empty, cut, HTML),
 * or no response at all. `sent` on a missing response is false only when the server cannot have seen it.
 */
export type Reply =
  | { kind: 'message'; http: number; msg: RestMessage }
  | { kind: 'garbled'; http: number; detail: string; text: string }
  | { kind: 'no-response'; sent: boolean; code: string; detail: string };

/** RestTransport is what the target uses to talk to REST servers: fetch, extra headers, a timeout. */
export interface RestTransport {
  fetch: FetchLike;
  headers: Record<string, string>;
  /** Per-request timeout; Spark's own client reads with 10 s. */
  timeoutMs: number;
}

/** exchange sends one request and classifies the answer; it rethrows only the caller's abort. */
export async function exchange(
  t: RestTransport,
  url: string,
  method: 'GET' | 'POST',
  body: unknown,
  signal?: AbortSignal,
): Promise<Reply> {
  try {
    const res = await requestJson(t.fetch, url, {
      method,
      headers: t.headers,
      ...(body !== undefined ? { json: body } : {}),
      timeoutMs: t.timeoutMs,
      ...(signal ? { signal } : {}),
    });
    const j = res.json;
    if (j && typeof j === 'object' && !Array.isArray(j) && typeof (j as RestMessage).action === 'string') {
      return { kind: 'message', http: res.status, msg: j as RestMessage };
    }
    const detail = res.jsonError
      ? res.jsonError === 'empty body'
        ? 'empty body'
        : `malformed JSON (${res.jsonError})`
      : 'JSON without an "action" field';
    return { kind: 'garbled', http: res.status, detail, text: res.text };
  } catch (err) {
    if (err instanceof HttpFailure) {
      return { kind: 'no-response', sent: err.sent, code: err.code, detail: `${err.code}: ${err.message}` };
    }
    throw err;
  }
}

/** sparkMessageSummary keeps the lines of a Spark message that are not stack frames, on one line. */
export function sparkMessageSummary(message: string | undefined, max = 400): string {
  if (!message) return '';
  const kept = message
    .split('\n')
    .filter((l) => !/^\s*(?:at\s)?[\w$.]+\([\w$.]*(?::\d+)?\)\s*$/.test(l) && !l.startsWith('\t'))
    .map((l) => l.trim())
    .filter(Boolean)
    .join(' ');
  return kept.length > max ? `${kept.slice(0, max - 1)}…` : kept;
}

/** isNotAlive tells whether a message is the master's "not ALIVE" answer (standby or recovering). */
export function isNotAlive(message: string | undefined): boolean {
  return !!message && /Current state is not alive|Can only (?:accept|request|kill)/i.test(message);
}

/** describeReply is a short, secret-free account of a reply, for errors and logs. */
export function describeReply(r: Reply): string {
  if (r.kind === 'no-response') return `no response (${r.detail})`;
  if (r.kind === 'garbled') return `HTTP ${r.http} with ${r.detail}`;
  const m = sparkMessageSummary(r.msg.message);
  return `HTTP ${r.http} ${r.msg.action}${r.msg.success === false ? ' success=false' : ''}${m ? `: ${m}` : ''}`;
}

/**
 * fatalReply turns the answers no retry can fix into an ActionError: 400 (request malformed or invalid),
 * 468 (protocol version unknown), 401/403 (a proxy or Spark 4's JWSFilter refused us), 404/405 (not a
 * Spark REST server). Anything else returns undefined.
 */
export function fatalReply(base: string, what: string, r: Reply): ActionError | undefined {
  if (r.kind === 'no-response') return undefined;
  const msg = r.kind === 'message' ? sparkMessageSummary(r.msg.message) : '';
  switch (r.http) {
    case 400: {
      const why = r.kind === 'message' ? msg : r.detail;
      return new ActionError(
        `standalone: ${base} rejected the ${what} request (HTTP 400)${why ? `: ${why}` : ''}`,
      );
    }
    case 468: {
      const highest = r.kind === 'message' ? r.msg.highestProtocolVersion : undefined;
      return new ActionError(
        `standalone: ${base} does not speak REST submission protocol v1 (HTTP 468${msg ? `: ${msg}` : ''})${highest ? `; the server's highest version is ${highest}` : ''}. This action speaks v1 (Spark 1.3 to 4.x); check that the URL points at a Spark master's REST port.`,
      );
    }
    case 401:
    case 403:
      return new ActionError(
        `standalone: ${base} refused the ${what} request (HTTP ${r.http}): authentication failed. Check standalone.headers (e.g. Authorization: Bearer <token> for your proxy or Spark 4's JWSFilter).`,
      );
    case 404:
    case 405:
      return new ActionError(
        `standalone: ${base} answered the ${what} request with HTTP ${r.http}; is it a Spark master's REST submission server (spark.master.rest.enabled=true, port 6066)?`,
      );
    default:
      return undefined;
  }
}
