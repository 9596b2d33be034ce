// The standalone target: Spark's REST submission protocol spoken directly (or spark-submit from PATH),
// the driver followed through the status endpoint, links and logs from the master's and worker's web UIs.
import type { Finding } from '../../findings.js';
import { ActionError, errorMessage } from '../../util/errors.js';
import { originOf } from '../../util/http.js';
import type { DeployPlan, Handle, Status, Target } from '../target.js';
import { createSubmission } from './create.js';
import { type StandaloneDeps, withDefaults } from './deps.js';
import { LOG_CHUNK_BYTES } from './driver-log.js';
import { handlesOfApp } from './find.js';
import { createFollower } from './follow.js';
import { killDriver } from './kill.js';
import { buildLinks, type Known } from './links.js';
import { cleanDriverLog, fetchDriverLog } from './logs.js';
import { fetchMasterState } from './master-json.js';
import { buildCreateRequest, renderCreateRequest } from './request.js';
import type { RestTransport } from './rest-client.js';
import { checkTransport } from './safety.js';
import {
  decodeHandleData,
  encodeHandleData,
  handleDataFor,
  resolveSettings,
  type Settings,
} from './settings.js';
import {
  buildSparkSubmitArgs,
  maskSparkSubmitArgs,
  shellQuote,
  submissionIdFromSparkSubmit,
} from './spark-submit.js';
import { applyStaging, planStaging } from './staging.js';
import { restUrl } from './urls.js';
import { watchDriver } from './watch.js';

export type { Logger, StandaloneDeps } from './deps.js';
export { failureMessage } from './links.js';
export { buildCreateRequest, buildSparkProperties, RUN_LABEL_PROPERTY } from './request.js';
export { buildSparkSubmitArgs } from './spark-submit.js';
export { DRIVER_STATES, mapDriverState } from './states.js';
export { normalizeMasterUrls } from './urls.js';

/** How much of the driver's stderr a failure report shows. */
export const LOG_TAIL_LINES = 50;

/**
 * deployVerdict judges how a watch ended from its last status: SUCCEEDED, or (app.mode streaming) the
 * non-terminal RUNNING status watch yields once healthy. Anything else (FAILED, CANCELLED, none) fails.
 */
export function deployVerdict(
  last: Status | undefined,
  appMode: 'batch' | 'streaming',
): 'success' | 'failure' {
  if (!last) return 'failure';
  if (last.phase === 'SUCCEEDED') return 'success';
  return appMode === 'streaming' && last.phase === 'RUNNING' && !last.terminal ? 'success' : 'failure';
}

/** StandaloneTarget is the Target with its findings list always present. */
export interface StandaloneTarget extends Target {
  readonly findings: Finding[];
}

/** createStandaloneTarget builds the standalone Target over injected deps (see StandaloneDeps for defaults). */
export function createStandaloneTarget(partial: Partial<StandaloneDeps> = {}): StandaloneTarget {
  const deps = withDefaults(partial);
  const findings: Finding[] = [];
  const known = new Map<string, Known>();
  let plan = deps.plan;
  let cachedSettings: Settings | undefined;
  let warnedInsecure = false;

  const settings = (): Settings | undefined => {
    if (!plan) return undefined;
    cachedSettings ??= resolveSettings(plan);
    return cachedSettings;
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
  const transport = (): RestTransport => ({
    fetch: deps.fetch,
    headers: settings()?.headers ?? {},
    timeoutMs: deps.requestTimeoutMs,
  });
  const secrets = () => plan?.secrets ?? [];

  const prepare = (p: DeployPlan) => {
    if (plan !== p) {
      plan = p;
      cachedSettings = undefined;
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

  const follower = createFollower({ deps, known, findings, headersFor });

  const target: StandaloneTarget = {
    name: 'standalone',
    findings,

    async render(p, artifact) {
      const s = prepare(p);
      const sp = planStaging(p, artifact, s);
      if (s.mode === 'spark-submit') {
        const args = buildSparkSubmitArgs(p, artifact, sp.appResource, sp.configFile);
        return [
          {
            kind: 'spark-submit command',
            text: `spark-submit ${shellQuote(maskSparkSubmitArgs(args, p.secrets))}`,
          },
        ];
      }
      const req = buildCreateRequest(p, artifact, sp.appResource, sp.configFile);
      const where = s.endpoints.map((e) => restUrl(e.rest, 'create')).join(' | ');
      return [
        {
          kind: `Spark REST CreateSubmissionRequest (POST ${where})`,
          text: renderCreateRequest(req, p.secrets),
        },
      ];
    },

    async submit(p, artifact, signal) {
      const s = prepare(p);
      const sp = planStaging(p, artifact, s);
      try {
        await applyStaging(sp);
      } catch (err) {
        throw new ActionError(`standalone: staging the JAR failed (${sp.description}): ${errorMessage(err)}`);
      }
      deps.log.info(`standalone: ${sp.description}`);
      const req = buildCreateRequest(p, artifact, sp.appResource, sp.configFile);
      deps.log.info(
        `standalone: submitting ${req.mainClass} as "${s.appName}" (${Object.keys(req.sparkProperties).length} Spark properties: ${Object.keys(req.sparkProperties).join(', ')})`,
      );
      const submittedAt = deps.clock.now();
      let submissionId: string;
      let acceptedBy: string;
      if (s.mode === 'spark-submit') {
        if (Object.keys(s.headers).length > 0) {
          deps.log.warning(
            'standalone: spark-submit cannot send standalone.headers; they are used only to follow the driver',
          );
        }
        const args = buildSparkSubmitArgs(p, artifact, sp.appResource, sp.configFile);
        deps.log.info(`standalone: spark-submit ${shellQuote(maskSparkSubmitArgs(args, p.secrets))}`);
        let result: Awaited<ReturnType<StandaloneDeps['spawn']>>;
        try {
          result = await deps.spawn('spark-submit', args, { signal });
        } catch (err) {
          throw new ActionError(
            `standalone: could not run spark-submit (${errorMessage(err)}); put Spark's bin directory on PATH, or use standalone.mode: rest (no Spark install needed)`,
          );
        }
        submissionId = submissionIdFromSparkSubmit(result, p.secrets);
        acceptedBy = s.endpoints[0]?.rest ?? '';
      } else {
        const created = await createSubmission(
          { transport: transport(), endpoints: s.endpoints, webUis: s.webUis, headersFor, deps, signal },
          req,
        );
        submissionId = created.submissionId;
        acceptedBy = created.acceptedBy;
      }
      const data = handleDataFor(s, {
        acceptedBy,
        appName: s.appName,
        mainClass: req.mainClass,
        submittedAt,
        via: s.mode,
      });
      const handle: Handle = { target: 'standalone', submissionId, data: encodeHandleData(data) };
      deps.onHandle?.(handle);
      deps.log.info(`standalone: submitted as ${submissionId} via ${acceptedBy}`);
      // Returned even when `signal` aborted meanwhile, so the caller can cancel what was started.
      return handle;
    },

    watch(handle, signal) {
      return watchDriver(
        handle,
        transport(),
        deps,
        {
          enrich: follower.enrich,
        },
        signal,
      );
    },

    cancel(handle) {
      return killDriver(transport(), handle, deps);
    },

    async find(selector) {
      const s = settings();
      if (!s || !plan)
        throw new ActionError(
          'standalone: find needs the deploy config (pass the Plan to createStandaloneTarget)',
        );
      const got = await fetchMasterState(s.webUis, deps.fetch, headersFor, deps.requestTimeoutMs);
      if (!got) {
        throw new ActionError(
          `standalone: cannot read the master's /json/ at ${s.webUis.join(', ')}; set standalone.webUi to a reachable master web UI`,
        );
      }
      // Only the head of each log: the launch command and the registration come first.
      const found = await handlesOfApp(
        got.state,
        got.webUi,
        s,
        selector.app,
        plan.mainClass ?? plan.config.app.mainClass,
        follower.readLog(undefined, LOG_CHUNK_BYTES),
      );
      for (const f of found) known.set(f.handle.submissionId, f.known);
      return found.map((f) => f.handle);
    },

    links(handle, status) {
      const data = decodeHandleData(handle);
      const k = { ...known.get(handle.submissionId) };
      k.appId ??= status?.applicationId ?? handle.applicationId;
      return buildLinks(data, handle.submissionId, k);
    },

    async logTail(handle, lines) {
      let k = known.get(handle.submissionId);
      if (!k?.workerUi) k = await follower.lookup(handle, k?.workerId);
      if (!k.workerUi) return undefined;
      const text = await fetchDriverLog(deps.fetch, k.workerUi, handle.submissionId, deps.requestTimeoutMs);
      return text === undefined ? undefined : cleanDriverLog(text, lines, secrets());
    },
  };
  return target;
}
