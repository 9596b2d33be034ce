// The Kubernetes target: a SparkApplication for the kubeflow Spark Operator (sparkoperator.k8s.io/v1beta2),
// rendered from the Plan, validated against the CRD schema, server-side applied, watched to the end.
import type { Finding } from '../../findings.js';
import type { Artifact } from '../../stage.js';
import { ActionError, errorMessage } from '../../util/errors.js';
import type { DeployPlan, Handle, Links, Status, Target } from '../target.js';
import { createKubeApi } from './api.js';
import { createKubeClient, type KubeClient } from './client.js';
import { type KubernetesDeps, withDefaults } from './deps.js';
import { driverPod, followApp, type RawStatuses } from './follow.js';
import { handleFor, handleOfApp } from './handles.js';
import { loadKubeConfig } from './kubeconfig.js';
import { buildLinks } from './links.js';
import { type KubeObject, renderAll, toYaml } from './render.js';
import { freeRunName, newestFirst, pruneHistory } from './runs.js';
import { appSelector } from './settings.js';
import { mapAppState } from './states.js';
import type { AppStatus } from './watch.js';

export type { KubernetesDeps, Logger } from './deps.js';
export { buildCompanions, buildSparkApplication, renderAll, toYaml } from './render.js';
export { APP_STATES, mapAppState } from './states.js';

/** LOG_TAIL_LINES is how much of the driver log a failure report shows. */
export const LOG_TAIL_LINES = 50;

/** secretWithoutData is a Secret as rendered for a file: metadata and type, no values. */
function secretWithoutData(secret: KubeObject): KubeObject {
  const { data: _, ...rest } = secret;
  const { ownerReferences: __, ...metadata } = rest.metadata;
  return { ...rest, metadata };
}

/** renderObjects is what `render` shows: the SparkApplication, then its companions without owner references. */
function renderObjects(p: DeployPlan, artifact: Artifact): { kind: string; text: string }[] {
  const { app, secret, companions } = renderAll(p, artifact);
  const where = (o: KubeObject) => `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`;
  return [
    // The Secret first (apply order), without its data: a rendered file must hold no secret value, and
    // the SparkApplication works unchanged once the Secret exists with these keys.
    ...(secret
      ? [
          {
            kind: `${where(secret)} (data not rendered: create it from your secret store with the keys ${Object.keys(secret.data as Record<string, string>).join(', ')} before applying the SparkApplication)`,
            text: toYaml(secretWithoutData(secret)),
          },
        ]
      : []),
    {
      kind: `${where(app)} (server-side apply, field manager spark-deploy-action)`,
      text: toYaml(app),
    },
    // The owner's uid exists only once the SparkApplication is created, and an ownerReference with a
    // wrong uid makes the garbage collector delete the object at once: a rendered file (GitOps) carries
    // none; submit sets it to the applied uid.
    ...companions
      .filter((o) => o.kind !== 'Secret')
      .map((o) => {
        const { ownerReferences: _, ...metadata } = o.metadata;
        return {
          kind: `${where(o)} (submit makes it owned by SparkApplication ${app.metadata.name}; here without ownerReferences)`,
          text: toYaml({ ...o, metadata }),
        };
      }),
  ];
}

/** createKubernetesTarget builds the Kubernetes Target over injected deps (see KubernetesDeps). */
export function createKubernetesTarget(
  partial: Partial<KubernetesDeps> = {},
): Target & { readonly findings: Finding[] } {
  const deps = withDefaults(partial);
  const findings: Finding[] = [];
  const raw: RawStatuses = new Map();
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
  const api = createKubeApi(deps, client);

  async function submit(p: DeployPlan, artifact: Artifact, signal: AbortSignal): Promise<Handle> {
    plan = p;
    const { settings: s, app, secret } = renderAll(p, artifact);
    signal.throwIfAborted();
    if (s.name !== s.base) await freeRunName(api, deps.log, deps.clock, s, signal);
    if (secret) {
      // Before the SparkApplication, so the driver pod's secretKeyRef resolves at once; owned by it below.
      await api.call(`applying Secret ${s.namespace}/${secret.metadata.name}`, (c) => c.apply(secret));
      deps.log.info(
        `kubernetes: applied Secret ${secret.metadata.name} (${Object.keys(secret.data as object).length} key(s))`,
      );
    }
    deps.log.info(`kubernetes: applying SparkApplication ${s.namespace}/${s.name} (image ${s.image})`);
    const applied = await api.call(`applying SparkApplication ${s.namespace}/${s.name}`, (c) => c.apply(app));
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
    try {
      for (const o of renderAll(p, artifact, uid).companions) {
        await api.call(`applying ${o.kind} ${o.metadata.namespace}/${o.metadata.name}`, (c) => c.apply(o));
        deps.log.info(`kubernetes: applied ${o.kind} ${o.metadata.name}`);
      }
    } catch (err) {
      throw await undoHalfDeploy(s, err);
    }
    if (s.mode === 'batch') {
      try {
        await pruneHistory(api, deps.log, s, p);
      } catch (err) {
        deps.log.warning(`kubernetes: could not delete old runs beyond keepHistory: ${errorMessage(err)}`);
      }
    }
    return handle;
  }

  /**
   * undoHalfDeploy is the error of a companion that failed to apply after its SparkApplication was: a run of
   * its own (a new name) is deleted again, its Secret and the companions already applied with it (owner
   * references), so no half deployment is left running; an app updated in place is left as it was applied.
   */
  async function undoHalfDeploy(s: { namespace: string; name: string; base: string }, err: unknown) {
    const at = `SparkApplication ${s.namespace}/${s.name}`;
    if (s.name === s.base)
      return new ActionError(
        `${errorMessage(err)}\n(kubernetes: ${at} was updated in place before this failure and keeps running with the new spec)`,
      );
    try {
      await api.deleteApp(s.namespace, s.name);
      deps.log.info(`kubernetes: deleted ${at} again: a companion failed to apply`);
      return new ActionError(
        `${errorMessage(err)}\n(kubernetes: ${at} was deleted again, with the objects it owns, so no half deployment is left running)`,
      );
    } catch (undo) {
      return new ActionError(
        `${errorMessage(err)}\n(kubernetes: ${at} is still running: deleting it failed too: ${errorMessage(undo)}; delete it with kubectl -n ${s.namespace} delete sparkapplication ${s.name})`,
      );
    }
  }

  async function cancel(handle: Handle): Promise<void> {
    const ns = handle.data.namespace ?? 'default';
    const gone = !(await api.deleteApp(ns, handle.data.name ?? handle.submissionId));
    deps.log.info(
      `kubernetes: ${gone ? 'already gone' : 'deleted'}: SparkApplication ${ns}/${handle.submissionId}`,
    );
  }

  async function find(selector: { app: string; preview?: number }): Promise<Handle[]> {
    const p = plan;
    if (!p)
      throw new ActionError(
        'kubernetes: find needs the deploy config (pass the Plan to createKubernetesTarget)',
      );
    const ns = p.config.kubernetes?.namespace ?? 'default';
    const apps = await api.listApps(ns, appSelector(selector.app, selector.preview));
    return apps.sort(newestFirst).map((a) => {
      raw.set(a.metadata.name, a.status as AppStatus | undefined);
      return handleOfApp(a, selector.app, ns, p);
    });
  }

  function links(handle: Handle, _status?: Status): Links {
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
  }

  async function logTail(handle: Handle, lines: number): Promise<string | undefined> {
    const ns = handle.data.namespace ?? 'default';
    const pod = driverPod(raw, handle.data.name ?? handle.submissionId);
    const text = await api.call(`reading the log of pod ${ns}/${pod}`, (c) => c.podLog(ns, pod, lines));
    if (!text) return undefined;
    return text.replace(/\n$/, '').split('\n').slice(-lines).join('\n');
  }

  return {
    name: 'kubernetes' as const,
    replacesPreviousRun: true,
    /** A SparkApplication stays, with its owned objects, until it is deleted. */
    outlives: () => true,
    findings,
    async render(p, artifact) {
      plan = p;
      return renderObjects(p, artifact);
    },
    submit,
    watch: (handle, signal) => followApp(api, deps, raw, handle, plan?.timeoutMs ?? 3_600_000, signal),
    cancel,
    find,
    links,
    logTail,
  };
}
