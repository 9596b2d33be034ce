// Master URL normalisation and every Spark UI link of the standalone target, as pure functions.

/** MasterEndpoint is one REST submission server from `standalone.masters`. */
export interface MasterEndpoint {
  /** The entry as written in the config. */
  raw: string;
  /** REST base URL without a trailing slash: http(s)://host:port[/prefix]. */
  rest: string;
  /** Host name or address, IPv6 without brackets. */
  host: string;
  port: number;
  secure: boolean;
  /** True for localhost, 127.0.0.0/8 and ::1. */
  loopback: boolean;
  /** False when the URL has a path prefix (a reverse proxy), so host:port is not the master itself. */
  direct: boolean;
}

/** DEFAULT_REST_PORT is spark.master.rest.port's default. */
export const DEFAULT_REST_PORT = 6066;
/** DEFAULT_MASTER_UI_PORT is spark.master.ui.port's default. */
export const DEFAULT_MASTER_UI_PORT = 8080;
/** DEFAULT_RPC_PORT is the master's RPC port (spark.master.port), where spark:// URLs point by default. */
export const DEFAULT_RPC_PORT = 7077;
const MASTER_RPC_PORT = DEFAULT_RPC_PORT;

/** RpcMaster is one master of a `spark://` URL, reached through its RPC submission gateway by spark-submit. */
export interface RpcMaster {
  /** The entry as written in the config. */
  raw: string;
  host: string;
  port: number;
  /** `spark://host:port`, this master alone. */
  url: string;
  /** True for localhost, 127.0.0.0/8 and ::1. */
  loopback: boolean;
}

/**
 * gatewayOf tells which way in a `standalone.masters` entry names: `spark://` is the master's RPC
 * gateway (spark-submit, default port 7077), except a `spark://` list that names the REST port 6066
 * explicitly on every host (the REST form spark-submit's REST client also takes); `http(s)://` and a bare
 * `host:port` are the REST submission server.
 */
export function gatewayOf(raw: string): 'rest' | 'rpc' {
  const entry = raw.trim();
  if (!/^spark:\/\//i.test(entry)) return 'rest';
  const hosts = entry.slice('spark://'.length).split(',');
  const restPort = hosts.every((h) => new RegExp(`:${DEFAULT_REST_PORT}/*$`).test(h.trim()));
  return restPort ? 'rest' : 'rpc';
}

/**
 * parseRpcMasters turns a `spark://h1[:p1],h2[:p2]` entry (Spark's HA form) into its masters; the port
 * defaults to 7077. Throws an Error whose message says what is wrong.
 */
export function parseRpcMasters(raw: string): RpcMaster[] {
  const entry = raw.trim();
  if (!/^spark:\/\//i.test(entry)) throw new Error(`"${raw}" is not a spark:// master URL`);
  return entry
    .slice('spark://'.length)
    .split(',')
    .map((part) => {
      const hp = trimSlashes(part.trim());
      const m = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9._-]+)(?::(\d{1,5}))?$/.exec(hp);
      if (!m) {
        throw new Error(
          `"${raw}" is not a master URL Spark takes: expected spark://host:port or spark://host1:port1,host2:port2`,
        );
      }
      const host = (m[1] as string).replace(/^\[|\]$/g, '').toLowerCase();
      const port = m[2] === undefined ? DEFAULT_RPC_PORT : Number(m[2]);
      if (port < 1 || port > 65535) throw new Error(`"${raw}" has port ${port}, outside 1-65535`);
      return { raw, host, port, url: `spark://${hostForUrl(host)}:${port}`, loopback: isLoopbackHost(host) };
    });
}

/** rpcMasterUrl is the `spark://h1:p1,h2:p2` URL of masters (what spark-submit's --master takes). */
export function rpcMasterUrl(masters: readonly { host: string; port: number }[]): string {
  return `spark://${masters.map((m) => `${hostForUrl(m.host)}:${m.port}`).join(',')}`;
}

/** isLoopbackHost tells whether a host name or address stays on this machine. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(?:\.\d{1,3}){3}$/.test(h);
}

function hostForUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

function trimSlashes(s: string): string {
  return s.replace(/\/+$/, '');
}

/**
 * normalizeMasterUrls turns one `standalone.masters` entry into endpoints: `spark://h1:6066,h2:6066`
 * (spark-submit's HA form) gives one per host and maps to `http://` the way RestSubmissionClient does;
 * `http://` and `https://` (optionally with a proxy path prefix) are kept; a bare `host:port` means
 * http. The port defaults to 6066. Throws an Error whose message says what is wrong.
 */
export function normalizeMasterUrls(raw: string): MasterEndpoint[] {
  const entry = raw.trim();
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(entry)?.[1]?.toLowerCase();
  if (scheme !== undefined && !['spark', 'http', 'https'].includes(scheme)) {
    throw new Error(`"${raw}" has scheme ${scheme}://; expected spark://, http:// or https://`);
  }
  if (scheme === 'spark' || scheme === undefined) {
    const rest = scheme ? entry.slice('spark://'.length) : entry;
    return rest.split(',').map((hostPort) => parseOne(raw, `http://${trimSlashes(hostPort.trim())}`));
  }
  return [parseOne(raw, entry)];
}

function parseOne(raw: string, url: string): MasterEndpoint {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error(`"${raw}" is not a URL; expected e.g. spark://spark-master:6066 or https://proxy/spark`);
  }
  if (u.username || u.password) {
    throw new Error(
      `"${raw}" carries credentials in the URL; put them in standalone.headers as { fromEnv: NAME } instead`,
    );
  }
  if (u.search || u.hash)
    throw new Error(`"${raw}" has a query or fragment; give the REST server's base URL`);
  const secure = u.protocol === 'https:';
  // URL drops a scheme's default port (http://h:80 has port ''), so read an explicit one from the text.
  const explicit = /^[a-z]+:\/\/(?:\[[^\]]*\]|[^/:]*)(?::(\d+))?/i.exec(url)?.[1];
  const port = explicit !== undefined ? Number(explicit) : secure ? 443 : DEFAULT_REST_PORT;
  if (port === MASTER_RPC_PORT) {
    throw new Error(
      `"${raw}" points at port 7077, the master's RPC port; the REST submission server listens on spark.master.rest.port (default 6066). To submit through the RPC port, write spark://${hostForUrl(u.hostname.replace(/^\[|\]$/g, ''))}:7077 without standalone.mode: rest`,
    );
  }
  const host = u.hostname.replace(/^\[|\]$/g, '');
  const path = trimSlashes(u.pathname);
  return {
    raw,
    rest: `${u.protocol}//${hostForUrl(host)}:${port}${path}`,
    host,
    port,
    secure,
    loopback: isLoopbackHost(host),
    // A REST server reached at its own port. Behind a path or on 80/443 it is a proxy: the server swaps only
    // `:<its REST port>` in spark.master for its RPC port, so the proxy's host:port must not be sent.
    direct: path === '' && port !== 443 && port !== 80,
  };
}

/**
 * sparkMasterProperty is the `spark.master` spark-submit would send: the spark:// form of every direct
 * endpoint, comma-joined. The server swaps the REST port for its RPC port (buildDriverDescription), so the
 * driver can fail over between masters. Undefined when every endpoint is behind a proxy (a path, or port
 * 80/443): then the server uses its own active master URL, which is right, where the proxy's host:port would
 * not be (StandaloneRestServer.buildDriverDescription replaces only `:<spark.master.rest.port>`).
 */
export function sparkMasterProperty(endpoints: readonly MasterEndpoint[]): string | undefined {
  const direct = endpoints.filter((e) => e.direct);
  if (direct.length === 0) return undefined;
  return `spark://${direct.map((e) => `${hostForUrl(e.host)}:${e.port}`).join(',')}`;
}

/** restUrl is the URL of one REST action: `<base>/v1/submissions/<action>[/<id>]`. */
export function restUrl(base: string, action: 'create' | 'status' | 'kill', submissionId?: string): string {
  const tail = submissionId === undefined ? '' : `/${encodeURIComponent(submissionId)}`;
  return `${trimSlashes(base)}/v1/submissions/${action}${tail}`;
}

/** defaultWebUi is the master web UI of an endpoint when `standalone.webUi` is unset: http://<host>:8080. */
export function defaultWebUi(endpoint: { host: string }): string {
  return `http://${hostForUrl(endpoint.host)}:${DEFAULT_MASTER_UI_PORT}`;
}

/** masterJsonUrl is the master's state as JSON (`/json/`, JsonProtocol.writeMasterState). */
export function masterJsonUrl(webUi: string): string {
  return `${trimSlashes(webUi)}/json/`;
}

/** masterAppPageUrl is the master's page of one application. */
export function masterAppPageUrl(webUi: string, appId: string): string {
  return `${trimSlashes(webUi)}/app/?appId=${encodeURIComponent(appId)}`;
}

/** driverLogPageUrl is the worker UI page of a driver's log (HTML), for people. */
export function driverLogPageUrl(
  workerUi: string,
  driverId: string,
  logType: 'stderr' | 'stdout' = 'stderr',
): string {
  return `${trimSlashes(workerUi)}/logPage/?driverId=${encodeURIComponent(driverId)}&logType=${logType}`;
}

/**
 * driverLogTextUrl is the worker's plain-text log endpoint (`/log/`, LogPage.renderLog): `bytes` bytes from
 * `offset` (default: the last `bytes`) after a `==== Bytes a-b of n of <file> ====` line. (`/log` without
 * the slash answers 302.)
 */
export function driverLogTextUrl(
  workerUi: string,
  driverId: string,
  logType: 'stderr' | 'stdout' = 'stderr',
  bytes = 65_536,
  offset?: number,
): string {
  const from = offset === undefined ? '' : `&offset=${offset}`;
  return `${trimSlashes(workerUi)}/log/?driverId=${encodeURIComponent(driverId)}&logType=${logType}${from}&byteLength=${bytes}`;
}

/** historyAppUrl is the history server's page of a finished application. */
export function historyAppUrl(historyServer: string, appId: string): string {
  return `${trimSlashes(historyServer)}/history/${encodeURIComponent(appId)}/jobs/`;
}
