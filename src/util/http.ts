// A small JSON-over-HTTP helper on Node's built-in fetch. It never logs: URLs, headers and bodies may carry
// secrets, so what to show is the caller's decision.

/** FetchLike is the part of the global fetch this module needs; tests pass fakes or wrappers. */
export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

/** HttpRequest describes one request; `json` is serialised with Content-Type application/json. */
export interface HttpRequest {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  headers?: Record<string, string>;
  json?: unknown;
  /** Whole-exchange timeout in ms, response body included (default 10 000). */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** HttpResponse is a completed exchange: status, raw text and, when the text is JSON, the parsed value. */
export interface HttpResponse {
  status: number;
  text: string;
  /** Parsed body; undefined when the body is empty or not JSON (see `jsonError`). */
  json?: unknown;
  /** Why the body is not JSON: "empty body" or the parser's message. */
  jsonError?: string;
  contentType: string;
}

/**
 * HttpFailure is an exchange that produced no response. `sent` tells whether the request may have reached
 * the server: false only for failures that happen before any byte is written (refused, DNS, unreachable),
 * so a caller can retry a non-idempotent request only when `sent` is false.
 */
export class HttpFailure extends Error {
  readonly kind: 'timeout' | 'network';
  readonly code: string;
  readonly sent: boolean;
  constructor(kind: 'timeout' | 'network', code: string, message: string, sent: boolean) {
    super(message);
    this.name = 'HttpFailure';
    this.kind = kind;
    this.code = code;
    this.sent = sent;
  }
}

// Errors raised before the request leaves this host: the server cannot have seen it.
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

function causeCode(err: unknown): string {
  let e: unknown = err;
  for (let i = 0; i < 4 && e && typeof e === 'object'; i++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code !== 'ABORT_ERR') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return 'UNKNOWN';
}

function causeMessage(err: unknown): string {
  const cause = (err as { cause?: unknown })?.cause;
  if (cause instanceof Error && cause.message) return cause.message;
  return err instanceof Error ? err.message : String(err);
}

/**
 * requestJson performs one HTTP exchange and reads the whole body. It resolves for every HTTP status
 * (the caller judges 4xx/5xx), rejects with HttpFailure when no response arrives, and rethrows the
 * caller's abort reason when `signal` aborts. Redirects are not followed, so headers never travel to a
 * host the caller did not name.
 */
export async function requestJson(
  fetchFn: FetchLike,
  url: string,
  req: HttpRequest = {},
): Promise<HttpResponse> {
  const timeoutMs = req.timeoutMs ?? 10_000;
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = req.signal ? AbortSignal.any([req.signal, timeout]) : timeout;
  const headers: Record<string, string> = { Accept: 'application/json', ...req.headers };
  let body: string | undefined;
  if (req.json !== undefined) {
    body = JSON.stringify(req.json);
    headers['Content-Type'] = 'application/json;charset=UTF-8';
  }
  try {
    const res = await fetchFn(url, {
      method: req.method ?? (body === undefined ? 'GET' : 'POST'),
      headers,
      ...(body !== undefined ? { body } : {}),
      redirect: 'manual',
      signal,
    });
    const text = await res.text();
    const out: HttpResponse = {
      status: res.status,
      text,
      contentType: res.headers.get('content-type') ?? '',
    };
    if (text.trim() === '') out.jsonError = 'empty body';
    else {
      try {
        out.json = JSON.parse(text) as unknown;
      } catch (err) {
        out.jsonError = err instanceof Error ? err.message : String(err);
      }
    }
    return out;
  } catch (err) {
    if (req.signal?.aborted) throw req.signal.reason;
    if (timeout.aborted) {
      throw new HttpFailure('timeout', 'TIMEOUT', `no complete answer within ${timeoutMs} ms`, true);
    }
    const code = causeCode(err);
    throw new HttpFailure('network', code, causeMessage(err), !NOT_SENT.has(code));
  }
}

/** originOf returns scheme://host:port of a URL, or undefined when it does not parse. */
export function originOf(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}
