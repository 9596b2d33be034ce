// The state one standalone target keeps between its calls: the Plan and its settings, what is known per
// driver, the findings, and the credentials-aware transports built from them.
import type { Finding } from '../../findings.js';
import { originOf } from '../../util/http.js';
import type { DeployPlan } from '../target.js';
import type { StandaloneDeps } from './deps.js';
import { createFollower } from './follow.js';
import type { Known } from './links.js';
import type { RestTransport } from './rest-client.js';
import { checkTransport } from './safety.js';
import { resolveSettings, type Settings } from './settings.js';

/** TargetContext is what the target's named functions share. */
export interface TargetContext {
  deps: StandaloneDeps;
  findings: Finding[];
  /** What is known per driver id (worker, application, log), for links and the log tail. */
  known: Map<string, Known>;
  plan(): DeployPlan | undefined;
  /** The validated settings of the current Plan (undefined without one). */
  settings(): Settings | undefined;
  /** prepare makes `p` the current Plan, validates it, and records the insecure-transport warnings once. */
  prepare(p: DeployPlan): Settings;
  /** headersFor gives the configured headers for the REST servers and the configured web UI only. */
  headersFor(url: string): Record<string, string>;
  transport(): RestTransport;
  follower: ReturnType<typeof createFollower>;
}

/** createContext starts a target's state from its deps (and the Plan they carry, if any). */
export function createContext(deps: StandaloneDeps): TargetContext {
  const findings: Finding[] = [];
  const known = new Map<string, Known>();
  let plan = deps.plan;
  let cached: Settings | undefined;
  let warnedInsecure = false;

  const settings = (): Settings | undefined => {
    if (!plan) return undefined;
    cached ??= resolveSettings(plan);
    return cached;
  };

  // Headers (credentials) go only to the configured REST servers and web UI, never to worker UIs or other hosts.
  const headersFor = (url: string): Record<string, string> => {
    const s = settings();
    if (!s || Object.keys(s.headers).length === 0) return {};
    const origin = originOf(url);
    const trusted = new Set([
      ...s.endpoints.map((e) => originOf(e.rest)),
      ...(plan?.config.standalone?.webUi ? s.webUis.map(originOf) : []),
    ]);
    return origin && trusted.has(origin) ? s.headers : {};
  };

  const prepare = (p: DeployPlan): Settings => {
    if (plan !== p) {
      plan = p;
      cached = undefined;
    }
    const s = settings() as Settings;
    const warnings = checkTransport(p, s);
    if (!warnedInsecure && warnings.length > 0) {
      warnedInsecure = true;
      findings.push(...warnings);
      for (const w of warnings) deps.log.warning(w.message);
    }
    return s;
  };

  return {
    deps,
    findings,
    known,
    plan: () => plan,
    settings,
    prepare,
    headersFor,
    transport: () => ({
      fetch: deps.fetch,
      headers: settings()?.headers ?? {},
      timeoutMs: deps.requestTimeoutMs,
    }),
    follower: createFollower({ deps, known, findings, headersFor }),
  };
}
