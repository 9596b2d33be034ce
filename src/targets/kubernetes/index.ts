// The Kubernetes target: a SparkApplication for the kubeflow Spark Operator (sparkoperator.k8s.io/v1beta2),
// rendered from the Plan, validated against the CRD schema, server-side applied, watched to the end.
import type { KubeConfig } from '@kubernetes/client-node';
import type { Finding } from '../../findings.js';
import type { Artifact } from '../../stage.js';
import { ActionError, errorMessage } from '../../util/errors.js';
import { backoffDelay, type Clock, systemClock } from '../../util/poll.js';
import * as runner from '../../util/runner.js';
import { maskValue } from '../standalone/safety.js';
import type { DeployPlan, Handle, Links, Status, Target } from '../target.js';
import { apiError, createKubeClient, isRetriable, type KubeClient } from './client.js';
import { diagnosePod } from './diagnose.js';
import { buildLinks } from './links.js';
import { derivedName } from './names.js';
import { type KubeObject, renderAll, SPARK_API_VERSION, SPARK_KIND, toYaml } from './render.js';
import { appSelector, Label, type Settings } from './settings.js';
import { displayState, mapAppState } from './states.js';
import { type AppStatus, toStatus, watchApp } from './watch.js';

export { buildCompanions, buildSparkApplication, renderAll, toYaml } from './render.js';
export { APP_STATES, mapAppState } from './states.js';

/** Logger is where the target reports progress. */
export interface Logger {
  info(message: string): void;
  warning(message: string): void;
  debug(message: string): void;
}

/** KubernetesDeps are the target's edges; every field has a default. */
export interface KubernetesDeps {
  /** API client (default: over `kubeConfig`). */
  client?: KubeClient;
  /** Loaded kubeconfig (default: KubeConfig.loadFromDefault(): KUBECONFIG, ~/.kube/config or in-cluster; kubernetes.context selects the context). */
  kubeConfig?: KubeConfig;
  /** Time and sleep (default: the system clock). */
  clock: Clock;
  /** Progress output (default: the runner's log). */
  log: Logger;
  /** The Plan, for a target that did not submit in this process (post step cancel, status, cleanup). */
  plan?: DeployPlan;
  /** Called the moment the SparkApplication exists, before submit() returns. */
  onHandle?: (handle: Handle) => void;
  /** Attempts for an API call that fails with a retriable answer (default 4). */
  attempts: number;
  /** Longest quiet time of a watch before the object is re-read (default 60 s). */
  resyncMs: number;
}

/** LOG_TAIL_LINES is how much of the driver log a failure report shows. */
export const LOG_TAIL_LINES = 50;

const runnerLog: Logger = { info: runner.info, warning: (m) => runner.warning(m), debug: runner.debug };

async function loadKubeConfig(context?: string): Promise<KubeConfig> {
  const { KubeConfig } = await import('@kubernetes/client-node');
  const kc = new KubeConfig();
  kc.loadFromDefault();
  if (context) {
    if (!kc.getContexts().some((c) => c.name === context)) {
      throw new ActionError(
        `kubernetes: kubeconfig has no context "${context}" (kubernetes.context); it has: ${
          kc
            .getContexts()
            .map((c) => c.name)
            .join(', ') || 'none'
        }`,
      );
    }
    kc.setCurrentContext(context);
  }
  if (!kc.getCurrentCluster()) {
    throw new ActionError(
      'kubernetes: no cluster in the kubeconfig: set KUBECONFIG (e.g. with aws eks update-kubeconfig or azure/k8s-set-context) before this step',
    );
  }
  return kc;
}

/** newestFirst orders objects by creationTimestamp, newest first (names break ties). */
function newestFirst(a: KubeObject, b: KubeObject): number {
  const t = (o: KubeObject) => new Date(o.metadata.creationTimestamp ?? 0).getTime() || 0;
  return t(b) - t(a) || b.metadata.name.localeCompare(a.metadata.name);
}

/** encodeHandle keeps what a later process needs to find the app again (all strings). */
function handleFor(s: Settings, plan: DeployPlan, uid: string): Handle {
  const k = plan.config.kubernetes ?? {};
  return {
    target: 'kubernetes',
    submissionId: s.name,
    data: {
      namespace: s.namespace,
      name: s.name,
      uid,
      app: plan.config.app.name ?? s.base,
      mode: s.mode,
      healthyAfterMs: String(s.healthyAfterMs),
      timeoutMs: String(s.timeoutMs),
      strategy: s.strategy,
      ...(k.context ? { context: k.context } : {}),
      ...(k.uiIngressUrl ? { uiIngressUrl: k.uiIngressUrl } : {}),
      ...(plan.preview !== undefined ? { preview: String(plan.preview) } : {}),
    },
  };
}

/** createKubernetesTarget builds the Kubernetes Target over injected deps (see KubernetesDeps). */
export function createKubernetesTarget(
  partial: Partial<KubernetesDeps> = {},
): Target & { readonly findings: Finding[] } {
  const deps: KubernetesDeps = {
    clock: systemClock,
    log: runnerLog,
    attempts: 4,
    resyncMs: 60_000,
    ...partial,
  };
  const findings: Finding[] = [];
  const raw = new Map<string, AppStatus | undefined>();
  let plan = deps.plan;
  let clientPromise: Promise<KubeClient> | undefined;

  const client = (): Promise<KubeClient> => {
    clientPromise ??= deps.client
      ? Promise.resolve(deps.client)
      : (deps.kubeConfig
          ? Promise.resolve(deps.kubeConfig)
          : loadKubeConfig(plan?.config.kubernetes?.context)
        ).then(createKubeClient);
    return clientPromise;
  };
  const secrets = () => plan?.secrets ?? [];

  /** call runs one API call, retrying conflicts, throttling, 5xx and connection errors with backoff. */
  const call = async <T>(what: string, fn: (c: KubeClient) => Promise<T>): Promise<T> => {
    const c = await client();
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn(c);
      } catch (err) {
        if (attempt >= deps.attempts || !isRetriable(err)) throw apiError(what, err);
        deps.log.debug(`kubernetes: ${what}: ${maskValue(errorMessage(err), secrets())}; retrying`);
        await deps.clock.sleep(backoffDelay(attempt - 1, { initialMs: 500, maxMs: 5000 }));
      }
    }
  };

  const listApps = (namespace: string, selector: string) =>
    call(`listing SparkApplications in ${namespace}`, (c) =>
      c.list(SPARK_API_VERSION, SPARK_KIND, namespace, selector),
    );
  const deleteApp = (namespace: string, name: string) =>
    call(`deleting SparkApplication ${namespace}/${name}`, (c) =>
      c.delete(SPARK_API_VERSION, SPARK_KIND, namespace, name),
    );

  /** prune deletes finished runs beyond keepHistory (newest first, the current one counted); live ones are kept. */
  const prune = async (s: Settings, plan: DeployPlan) => {
    const apps = await listApps(s.namespace, appSelector(plan.config.app.name ?? s.base, plan.preview));
    const older = apps.filter((a) => a.metadata.name !== s.name).sort(newestFirst);
    for (const a of older.slice(Math.max(0, s.keepHistory - 1))) {
      const state = (a.status as AppStatus | undefined)?.applicationState?.state;
      if (!mapAppState(state).terminal) {
        deps.log.info(
          `kubernetes: keeping ${a.metadata.name} beyond keepHistory: it is still ${state || 'NEW'}`,
        );
        continue;
      }
      await deleteApp(s.namespace, a.metadata.name);
      deps.log.info(`kubernetes: deleted old run ${a.metadata.name} (keepHistory ${s.keepHistory})`);
    }
  };

  const target = {
    name: 'kubernetes' as const,
    replacesPreviousRun: true,
    /** A SparkApplication stays, with its owned objects, until it is deleted. */
    outlives: () => true,
    findings,

    async render(p: DeployPlan, artifact: Artifact) {
      plan = p;
      const { app, companions } = renderAll(p, artifact);
      const where = (o: KubeObject) => `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`;
      return [
        {
          kind: `${where(app)} (server-side apply, field manager spark-deploy-action)`,
          text: toYaml(app, p.secrets),
        },
        // The owner's uid exists only once the SparkApplication is created, and an ownerReference with a
        // wrong uid makes the garbage collector delete the object at once: a rendered file (GitOps) carries
        // none; submit sets it to the applied uid.
        ...companions.map((o) => {
          const { ownerReferences: _, ...metadata } = o.metadata;
          return {
            kind: `${where(o)} (submit makes it owned by SparkApplication ${app.metadata.name}; here without ownerReferences)`,
            text: toYaml({ ...o, metadata }, p.secrets),
          };
        }),
      ];
    },

    async submit(p: DeployPlan, artifact: Artifact, signal: AbortSignal) {
      plan = p;
      const { settings: s, app } = renderAll(p, artifact);
      signal.throwIfAborted();
      if (s.name !== s.base) await freeRunName(s, signal);
      deps.log.info(`kubernetes: applying SparkApplication ${s.namespace}/${s.name} (image ${s.image})`);
      const applied = await call(`applying SparkApplication ${s.namespace}/${s.name}`, (c) => c.apply(app));
      const uid = applied.metadata.uid ?? '';
      const handle = handleFor(s, p, uid);
      deps.onHandle?.(handle);
      raw.set(s.name, applied.status as AppStatus | undefined);
      const state = (applied.status as AppStatus | undefined)?.applicationState?.state;
      if (s.mode === 'streaming' && s.strategy === 'in-place' && state && mapAppState(state).terminal) {
        deps.log.warning(
          `kubernetes: ${s.name} is ${state} and the spec did not change, so the operator will not run it again; delete it or change the spec to restart it`,
        );
      }
      for (const o of renderAll(p, artifact, uid).companions) {
        await call(`applying ${o.kind} ${o.metadata.namespace}/${o.metadata.name}`, (c) => c.apply(o));
        deps.log.info(`kubernetes: applied ${o.kind} ${o.metadata.name}`);
      }
      if (s.mode === 'batch') {
        try {
          await prune(s, p);
        } catch (err) {
          deps.log.warning(`kubernetes: could not delete old runs beyond keepHistory: ${errorMessage(err)}`);
        }
      }
      return handle;
    },

    async *watch(handle: Handle, signal: AbortSignal): AsyncGenerator<Status> {
      const d = handle.data;
      const c = await client();
      const namespace = d.namespace ?? 'default';
      const name = d.name ?? handle.submissionId;
      const mode = d.mode === 'streaming' ? 'streaming' : 'batch';
      const diagnose = async (): Promise<string[]> => {
        const pod = raw.get(name)?.driverInfo?.podName || derivedName(name, 'driver');
        try {
          return await diagnosePod(c, namespace, pod);
        } catch (err) {
          deps.log.debug(`kubernetes: could not diagnose pod ${namespace}/${pod}: ${errorMessage(err)}`);
          return [];
        }
      };
      const statuses = watchApp(
        c,
        {
          namespace,
          name,
          mode,
          healthyAfterMs: Number(d.healthyAfterMs ?? 60_000),
          timeoutMs: Number(d.timeoutMs ?? plan?.timeoutMs ?? 3_600_000),
          clock: deps.clock,
          log: deps.log,
          resyncMs: deps.resyncMs,
          onRaw: (st) => raw.set(name, st),
        },
        signal,
      );
      const next = async () => {
        try {
          return await statuses.next();
        } catch (err) {
          // A timeout while the driver is stuck (image pull, scheduling): say why, as kubectl describe would.
          // The deadline is ours (an ActionError) or the caller's (the signal aborted with a TimeoutError);
          // a cancel (any other abort reason) is not a question of why.
          const timedOut =
            signal.aborted && signal.reason instanceof DOMException && signal.reason.name === 'TimeoutError';
          if (!timedOut && (signal.aborted || !(err instanceof ActionError))) throw err;
          const why = await diagnose();
          if (!why.length) throw err;
          if (err instanceof ActionError)
            throw new ActionError(`${err.message}\n${why.join('\n')}`, err.findings);
          throw new ActionError(
            `kubernetes: SparkApplication ${namespace}/${name} was still ${raw.has(name) ? toStatus(raw.get(name)).nativeState : 'NEW'} when the wait ended:\n${why.join('\n')}`,
          );
        }
      };
      try {
        for (let r = await next(); !r.done; r = await next()) {
          const status = r.value;
          if (status.phase === 'FAILED' && status.terminal) {
            const why = await diagnose();
            yield why.length
              ? { ...status, message: [status.message, ...why].filter(Boolean).join('\n') }
              : status;
            return;
          }
          if (status.message?.startsWith('healthy:') && mode === 'streaming' && d.strategy === 'blue-green') {
            await retireOthers(handle);
          }
          yield status;
        }
      } finally {
        // Leaving early (a failure, or the caller stopped reading) must close the watch stream: an open
        // stream keeps the step's process alive after it has reported.
        await statuses.return(undefined);
      }
    },

    async cancel(handle: Handle) {
      const ns = handle.data.namespace ?? 'default';
      const gone = !(await deleteApp(ns, handle.data.name ?? handle.submissionId));
      deps.log.info(
        `kubernetes: ${gone ? 'already gone' : 'deleted'}: SparkApplication ${ns}/${handle.submissionId}`,
      );
    },

    async find(selector: { app: string; preview?: number }) {
      if (!plan)
        throw new ActionError(
          'kubernetes: find needs the deploy config (pass the Plan to createKubernetesTarget)',
        );
      const ns = plan.config.kubernetes?.namespace ?? 'default';
      const apps = await listApps(ns, appSelector(selector.app, selector.preview));
      return apps.sort(newestFirst).map((a: KubeObject) => {
        const st = a.status as AppStatus | undefined;
        raw.set(a.metadata.name, st);
        const labels = a.metadata.labels ?? {};
        const k = plan?.config.kubernetes ?? {};
        return {
          target: 'kubernetes',
          submissionId: a.metadata.name,
          ...(st?.sparkApplicationId ? { applicationId: st.sparkApplicationId } : {}),
          data: {
            namespace: ns,
            name: a.metadata.name,
            uid: a.metadata.uid ?? '',
            app: selector.app,
            state: st?.applicationState?.state ?? '',
            ...(labels[Label.commit] ? { commit: labels[Label.commit] } : {}),
            ...(labels[Label.preview] ? { preview: labels[Label.preview] } : {}),
            ...(k.context ? { context: k.context } : {}),
            ...(k.uiIngressUrl ? { uiIngressUrl: k.uiIngressUrl } : {}),
          },
        } satisfies Handle;
      });
    },

    links(handle: Handle, _status?: Status): Links {
      const d = handle.data;
      return buildLinks(
        {
          namespace: d.namespace ?? 'default',
          name: d.name ?? handle.submissionId,
          ...(d.context ? { context: d.context } : {}),
          ...(d.uiIngressUrl ? { uiIngressUrl: d.uiIngressUrl } : {}),
        },
        raw.get(d.name ?? handle.submissionId),
      );
    },

    async logTail(handle: Handle, lines: number) {
      const ns = handle.data.namespace ?? 'default';
      const name = handle.data.name ?? handle.submissionId;
      const pod = raw.get(name)?.driverInfo?.podName || derivedName(name, 'driver');
      const text = await call(`reading the log of pod ${ns}/${pod}`, (c) => c.podLog(ns, pod, lines));
      if (!text) return undefined;
      return maskValue(text.replace(/\n$/, ''), secrets()).split('\n').slice(-lines).join('\n');
    },
  };

  /**
   * freeRunName makes room for a run under a name that already ran: the same workflow run attempt deploying
   * the same app twice (two steps, a matrix). The operator never re-runs a finished app whose spec did not
   * change, so applying again would report the earlier run's outcome as this one's; the finished app is
   * deleted (and waited for) so the apply creates a fresh one. A live one is left: the apply joins it.
   */
  const freeRunName = async (s: Settings, signal: AbortSignal) => {
    const read = () =>
      call(`reading SparkApplication ${s.namespace}/${s.name}`, (c) =>
        c.get(SPARK_API_VERSION, SPARK_KIND, s.namespace, s.name),
      );
    const existing = await read();
    if (!existing) return;
    const state = (existing.status as AppStatus | undefined)?.applicationState?.state;
    if (!mapAppState(state).terminal) {
      deps.log.info(
        `kubernetes: ${s.name} exists and is ${displayState(state)}: this deploy follows that run`,
      );
      return;
    }
    deps.log.info(
      `kubernetes: ${s.name} already ran in this workflow run attempt (${state}); the operator never runs a finished app again, so it is deleted and created anew`,
    );
    await deleteApp(s.namespace, s.name);
    for (let i = 0; (await read())?.metadata.uid === existing.metadata.uid; i++) {
      if (i >= 60) {
        throw new ActionError(
          `kubernetes: SparkApplication ${s.namespace}/${s.name} was deleted but is still there after 30 s (a finalizer?); delete it, or re-run the workflow`,
        );
      }
      await deps.clock.sleep(500, signal);
    }
  };

  /** retireOthers deletes the app's other SparkApplications once the new one is healthy (blue-green). */
  const retireOthers = async (handle: Handle) => {
    const ns = handle.data.namespace ?? 'default';
    const preview = handle.data.preview ? Number(handle.data.preview) : undefined;
    const others = (await listApps(ns, appSelector(handle.data.app ?? '', preview))).filter(
      (a) => a.metadata.name !== handle.submissionId,
    );
    for (const o of others) {
      await deleteApp(ns, o.metadata.name);
      deps.log.info(`kubernetes: blue-green: deleted ${o.metadata.name}; ${handle.submissionId} is healthy`);
    }
  };

  return target;
}
