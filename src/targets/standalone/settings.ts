import type { Path } from '../../plan/source.js';
import { ActionError } from '../../util/errors.js';
import { targetConfigError } from '../config-error.js';
import type { DeployPlan, Handle } from '../target.js';
import {
  defaultWebUi,
  gatewayOf,
  type MasterEndpoint,
  normalizeMasterUrls,
  parseRpcMasters,
  type RpcMaster,
} from './urls.js';

/** Settings is what the standalone target needs from the Plan, validated once. */
export interface Settings {
  /** The way in: the REST submission server, or the master's RPC gateway through spark-submit. */
  gateway: 'rest' | 'rpc';
  /** REST submission servers (gateway rest; empty for rpc). */
  endpoints: MasterEndpoint[];
  /** Masters of `spark://` URLs (gateway rpc; empty for rest). */
  rpcMasters: RpcMaster[];
  /** Master web UIs to read `/json/` from: `standalone.webUi`, else http://<master host>:8080 per master. */
  webUis: string[];
  /** Extra request headers (resolved secrets): sent to the REST servers and the configured web UI only. */
  headers: Record<string, string>;
  mode: 'rest' | 'spark-submit';
  supervise: boolean;
  allowInsecureRest: boolean;
  historyServer?: string;
  appName: string;
  appMode: 'batch' | 'streaming';
  healthyAfterMs: number;
  /** How long a RUNNING driver may go without a registered application before it counts as local mode. */
  registerWithinMs: number;
  timeoutMs: number;
}

/** DEFAULT_REGISTER_WITHIN_S is standalone.registerWithin's default: SparkContext registers within seconds. */
export const DEFAULT_REGISTER_WITHIN_S = 60;

/** configError is the standalone target's error for a bad setting, pointing at its config key and line. */
export function configError(plan: DeployPlan, path: Path, message: string): ActionError {
  return targetConfigError('standalone', plan, path, message);
}

/**
 * resolveMasters reads `standalone.masters`: the scheme chooses the way in (see gatewayOf), all entries
 * alike; `standalone.mode: rest` reads every entry as a REST server (spark://host:7077 is then refused with
 * the port's own message).
 */
function resolveMasters(
  plan: DeployPlan,
  masters: readonly string[],
  mode: 'rest' | 'spark-submit' | undefined,
): Pick<Settings, 'gateway' | 'endpoints' | 'rpcMasters'> {
  // A YAML flow list splits Spark's HA form at its commas ([spark://m1:7077,m2:7077] is two entries): an
  // entry without a scheme goes the way of the list's first entry with one.
  const hasScheme = (m: string) => /^[a-z][a-z0-9+.-]*:\/\//i.test(m.trim());
  const first = masters.find(hasScheme);
  const listWay = mode === 'rest' || first === undefined ? 'rest' : gatewayOf(first);
  const ways = masters.map((m) => (mode === 'rest' ? 'rest' : hasScheme(m) ? gatewayOf(m) : listWay));
  const gateway = ways[0] ?? 'rest';
  const endpoints: MasterEndpoint[] = [];
  const rpcMasters: RpcMaster[] = [];
  masters.forEach((m, i) => {
    const at = ['standalone', 'masters', i];
    if (ways[i] !== gateway) {
      throw configError(
        plan,
        at,
        `"${m}" is a ${ways[i] === 'rpc' ? 'spark:// (RPC)' : 'REST'} master but "${masters[0]}" is a ${gateway === 'rpc' ? 'spark:// (RPC)' : 'REST'} one; list the masters of one cluster the same way`,
      );
    }
    try {
      if (gateway === 'rpc') rpcMasters.push(...parseRpcMasters(hasScheme(m) ? m : `spark://${m.trim()}`));
      else endpoints.push(...normalizeMasterUrls(m));
    } catch (err) {
      throw configError(plan, at, (err as Error).message);
    }
  });
  return { gateway, endpoints, rpcMasters };
}

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const RESERVED_HEADERS = new Set([
  'content-type',
  'content-length',
  'host',
  'connection',
  'transfer-encoding',
]);

/** resolveSettings validates the `standalone` section of the Plan; errors name the config key and its line. */
export function resolveSettings(plan: DeployPlan): Settings {
  const sa = plan.config.standalone ?? {};
  if (!sa.masters || sa.masters.length === 0) {
    throw configError(
      plan,
      ['standalone', 'masters'],
      'is required: list the masters as Spark takes them, e.g. masters: [spark://spark-master:7077] (spark-submit through the RPC port), or http://spark-master:6066 for the REST server',
    );
  }
  const { gateway, endpoints, rpcMasters } = resolveMasters(plan, sa.masters, sa.mode);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(sa.headers ?? {})) {
    if (!HEADER_NAME.test(name) || RESERVED_HEADERS.has(name.toLowerCase())) {
      throw configError(
        plan,
        ['standalone', 'headers', name],
        `"${name}" is not a header this action can set`,
      );
    }
    if (typeof value !== 'string') {
      throw configError(
        plan,
        ['standalone', 'headers', name],
        'was not resolved from its environment variable',
      );
    }
    headers[name] = value;
  }
  let webUis: string[];
  if (sa.webUi) {
    try {
      const u = new URL(sa.webUi);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('not http(s)');
    } catch {
      throw configError(plan, ['standalone', 'webUi'], `"${sa.webUi}" is not an http(s) URL`);
    }
    webUis = [sa.webUi.replace(/\/+$/, '')];
  } else {
    webUis = [...new Set([...endpoints, ...rpcMasters].map(defaultWebUi))];
  }
  const app = plan.config.app;
  if (!app.name) throw configError(plan, ['app', 'name'], 'is required to deploy');
  return {
    gateway,
    endpoints,
    rpcMasters,
    webUis,
    headers,
    mode: sa.mode ?? (gateway === 'rpc' ? 'spark-submit' : 'rest'),
    supervise: sa.supervise ?? false,
    allowInsecureRest: sa.allowInsecureRest ?? false,
    ...(sa.historyServer ? { historyServer: sa.historyServer.replace(/\/+$/, '') } : {}),
    appName: app.name,
    appMode: app.mode,
    healthyAfterMs: app.healthyAfter * 1000,
    registerWithinMs: (sa.registerWithin ?? DEFAULT_REGISTER_WITHIN_S) * 1000,
    timeoutMs: plan.timeoutMs,
  };
}

/** HandleData is what a standalone Handle carries in `data`: no secrets, enough to watch, cancel and link. */
export interface HandleData {
  /** REST base URLs (gateway rest) or `spark://host:port` per master (gateway rpc), in config order. */
  masters: string[];
  webUis: string[];
  /** The REST URL that accepted the submission (status and kill go there first). */
  acceptedBy: string;
  appName: string;
  mainClass: string;
  appMode: 'batch' | 'streaming';
  healthyAfterMs: number;
  registerWithinMs: number;
  timeoutMs: number;
  /** Runner clock (ms) when the create request was sent. */
  submittedAt: number;
  via: 'rest' | 'spark-submit';
  /** How the driver is followed and killed: REST status/kill, or /json/ and spark-submit --kill. */
  gateway: 'rest' | 'rpc';
  historyServer?: string;
}

/** handleDataFor fills HandleData from the settings plus what only the submission knows. */
export function handleDataFor(
  s: Settings,
  d: Pick<HandleData, 'acceptedBy' | 'appName' | 'mainClass' | 'submittedAt' | 'via'>,
): HandleData {
  return {
    masters: s.gateway === 'rpc' ? s.rpcMasters.map((m) => m.url) : s.endpoints.map((e) => e.rest),
    gateway: s.gateway,
    webUis: s.webUis,
    appMode: s.appMode,
    healthyAfterMs: s.healthyAfterMs,
    registerWithinMs: s.registerWithinMs,
    timeoutMs: s.timeoutMs,
    ...(s.historyServer ? { historyServer: s.historyServer } : {}),
    ...d,
  };
}

/** encodeHandleData flattens HandleData into Handle.data (string values, JSON for lists). */
export function encodeHandleData(d: HandleData): Record<string, string> {
  return {
    masters: JSON.stringify(d.masters),
    webUis: JSON.stringify(d.webUis),
    acceptedBy: d.acceptedBy,
    appName: d.appName,
    mainClass: d.mainClass,
    appMode: d.appMode,
    healthyAfterMs: String(d.healthyAfterMs),
    registerWithinMs: String(d.registerWithinMs),
    timeoutMs: String(d.timeoutMs),
    submittedAt: String(d.submittedAt),
    via: d.via,
    gateway: d.gateway,
    ...(d.historyServer ? { historyServer: d.historyServer } : {}),
  };
}

function list(v: string | undefined): string[] {
  if (!v) return [];
  try {
    const parsed = JSON.parse(v) as unknown;
    return Array.isArray(parsed) ? parsed.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

/** decodeHandleData reads Handle.data back; it throws an ActionError when the handle names no master. */
export function decodeHandleData(handle: Handle): HandleData {
  const d = handle.data;
  const masters = list(d.masters);
  if (masters.length === 0 && !d.acceptedBy) {
    throw new ActionError(
      `standalone: handle of ${handle.submissionId} names no master; cannot reach the driver`,
    );
  }
  const num = (s: string | undefined, dflt: number) => (s && Number.isFinite(Number(s)) ? Number(s) : dflt);
  return {
    masters: masters.length > 0 ? masters : [d.acceptedBy as string],
    webUis: list(d.webUis),
    acceptedBy: d.acceptedBy ?? masters[0] ?? '',
    appName: d.appName ?? '',
    mainClass: d.mainClass ?? '',
    appMode: d.appMode === 'streaming' ? 'streaming' : 'batch',
    healthyAfterMs: num(d.healthyAfterMs, 60_000),
    registerWithinMs: num(d.registerWithinMs, DEFAULT_REGISTER_WITHIN_S * 1000),
    timeoutMs: num(d.timeoutMs, 60 * 60_000),
    submittedAt: num(d.submittedAt, 0),
    via: d.via === 'spark-submit' ? 'spark-submit' : 'rest',
    gateway: d.gateway === 'rpc' ? 'rpc' : 'rest',
    ...(d.historyServer ? { historyServer: d.historyServer } : {}),
  };
}
