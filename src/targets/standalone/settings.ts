import type { Path } from '../../plan/source.js';
import { ActionError } from '../../util/errors.js';
import { targetConfigError } from '../config-error.js';
import type { DeployPlan, Handle } from '../target.js';
import { defaultWebUi, type MasterEndpoint, normalizeMasterUrls } from './urls.js';

/** Settings is what the standalone target needs from the Plan, validated once. */
export interface Settings {
  endpoints: MasterEndpoint[];
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
      'is required: list the REST submission URLs of the masters, e.g. masters: [spark://spark-master:6066]',
    );
  }
  const endpoints: MasterEndpoint[] = [];
  sa.masters.forEach((m, i) => {
    try {
      endpoints.push(...normalizeMasterUrls(m));
    } catch (err) {
      throw configError(plan, ['standalone', 'masters', i], (err as Error).message);
    }
  });
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
    webUis = [...new Set(endpoints.map(defaultWebUi))];
  }
  const app = plan.config.app;
  if (!app.name) throw configError(plan, ['app', 'name'], 'is required to deploy');
  return {
    endpoints,
    webUis,
    headers,
    mode: sa.mode ?? 'rest',
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
  /** REST base URLs, in config order. */
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
  historyServer?: string;
}

/** handleDataFor fills HandleData from the settings plus what only the submission knows. */
export function handleDataFor(
  s: Settings,
  d: Pick<HandleData, 'acceptedBy' | 'appName' | 'mainClass' | 'submittedAt' | 'via'>,
): HandleData {
  return {
    masters: s.endpoints.map((e) => e.rest),
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
    ...(d.historyServer ? { historyServer: d.historyServer } : {}),
  };
}
