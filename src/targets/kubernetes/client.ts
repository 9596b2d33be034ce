// The few Kubernetes API calls this target makes, over @kubernetes/client-node (KubeConfig honours
// KUBECONFIG, in-cluster config and exec auth plugins). Every @kubernetes/client-node import stays in this
// directory so the bundle loads it only for the kubernetes target.
import {
  ApiException,
  CoreV1Api,
  type KubeConfig,
  type KubernetesObject,
  KubernetesObjectApi,
  PatchStrategy,
  Watch,
} from '@kubernetes/client-node';
import { ActionError, errorMessage } from '../../util/errors.js';
import type { KubeObject } from './render.js';
import { FIELD_MANAGER } from './settings.js';

/** WatchEvent is one line of a watch stream. */
export interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: KubeObject & { status?: Record<string, unknown>; code?: number; message?: string };
}

/** PodInfo is the part of a Pod used for diagnosis. */
export interface PodInfo {
  phase?: string;
  containers: {
    name: string;
    waiting?: { reason?: string; message?: string };
    terminated?: { reason?: string; exitCode?: number; message?: string };
  }[];
}

/** KubeClient is what the target needs from the API server; tests may inject their own. */
export interface KubeClient {
  /** apply server-side applies `obj` (field manager spark-deploy-action, force) and returns the stored object. */
  apply(obj: KubeObject): Promise<KubeObject>;
  get(apiVersion: string, kind: string, namespace: string, name: string): Promise<KubeObject | undefined>;
  list(apiVersion: string, kind: string, namespace: string, labelSelector: string): Promise<KubeObject[]>;
  /** delete removes an object (its dependents go by garbage collection); false when it was already gone. */
  delete(apiVersion: string, kind: string, namespace: string, name: string): Promise<boolean>;
  /** watch streams events of `path` until the server closes the stream or `stop()` is called. */
  watch(
    path: string,
    query: Record<string, string>,
    onEvent: (e: WatchEvent) => void,
    onDone: (err?: unknown) => void,
  ): Promise<{ stop(): void }>;
  podLog(namespace: string, name: string, tailLines: number): Promise<string | undefined>;
  pod(namespace: string, name: string): Promise<PodInfo | undefined>;
  /** events returns the messages of Warning events about an object, oldest first. */
  warnings(namespace: string, involvedName: string): Promise<{ reason: string; message: string }[]>;
}

interface StatusBody {
  kind?: string;
  message?: string;
  reason?: string;
  code?: number;
}

function statusOf(err: unknown): { code?: number; reason?: string; message: string } {
  if (err instanceof ApiException) {
    let body = err.body as StatusBody | string | undefined;
    if (typeof body === 'string') {
      const text: string = body;
      try {
        body = JSON.parse(text) as StatusBody;
      } catch {
        body = { message: text.slice(0, 300).trim() };
      }
    }
    return {
      code: err.code,
      ...(body?.reason ? { reason: body.reason } : {}),
      message: body?.message ?? `HTTP ${err.code}`,
    };
  }
  return { message: errorMessage(err) };
}

/** RETRIABLE are the answers worth another try: conflicts, throttling and server-side trouble. */
const RETRIABLE = new Set([409, 429, 500, 502, 503, 504]);

/** isRetriable tells whether a failed call may succeed when repeated (including connection errors). */
export function isRetriable(err: unknown): boolean {
  if (err instanceof ActionError) return false;
  const s = statusOf(err);
  return s.code === undefined || RETRIABLE.has(s.code);
}

/** isNotFound tells whether the API server answered 404. */
export function isNotFound(err: unknown): boolean {
  return statusOf(err).code === 404;
}

/**
 * forbiddenFix names the rule a 403 lacks, read from the API server's message (`… cannot create resource
 * "secrets" in API group "" in the namespace "x"`), and where the whole Role is documented.
 */
function forbiddenFix(message: string): string {
  const m = /cannot (\w+) resource "([^"]+)" in API group "([^"]*)"(?: in the namespace "([^"]+)")?/.exec(
    message,
  );
  const where = ' (every rule the action needs: docs/targets.md, "RBAC for the deploying identity")';
  if (!m) return ` — grant the workflow identity the RBAC rules it lacks${where}`;
  const [, verb, resource, group, ns] = m;
  return ` — grant the workflow identity RBAC for ${resource}${group ? `.${group}` : ''}: verb ${verb}${ns ? ` in namespace ${ns}` : ''}${where}`;
}

/** apiError turns an API failure into a message that says what to fix. */
export function apiError(what: string, err: unknown): ActionError {
  if (err instanceof ActionError) return err;
  const s = statusOf(err);
  const head = `kubernetes: ${what} failed${s.code ? ` (${s.code}${s.reason ? ` ${s.reason}` : ''})` : ''}: ${s.message}`;
  const fix =
    s.code === 401
      ? ' — the API server did not accept the credentials: check KUBECONFIG and the step that logs in to the cluster (e.g. aws eks update-kubeconfig, azure/k8s-set-context)'
      : s.code === 403
        ? forbiddenFix(s.message)
        : s.code === 404 &&
            /resource metadata|could not find the requested resource|^404 page not found/.test(s.message)
          ? // A kind the API server does not serve; a real one answers an unknown group's path with plain text.
            /\bServiceMonitor\b/.test(what)
            ? ' — is the Prometheus Operator (its ServiceMonitor CRD, monitoring.coreos.com/v1) installed in this cluster? If not, set kubernetes.monitoring.serviceMonitor: false'
            : ' — is the Spark Operator (its SparkApplication CRD) installed in this cluster?'
          : s.code === 422
            ? ' — the API server rejected the object; run with dry-run: true to see the rendered manifest'
            : '';
  return new ActionError(head + fix);
}

/** createKubeClient wraps a loaded KubeConfig. */
export function createKubeClient(kc: KubeConfig): KubeClient {
  const objects = KubernetesObjectApi.makeApiClient(kc);
  const core = kc.makeApiClient(CoreV1Api);
  const watcher = new Watch(kc);
  const ref = (apiVersion: string, kind: string, namespace: string, name: string) => ({
    apiVersion,
    kind,
    metadata: { namespace, name },
  });
  return {
    async apply(obj) {
      // client-node serialises the spec as JSON, which is YAML: the apply-patch+yaml content type accepts it.
      const body = JSON.parse(JSON.stringify(obj)) as KubernetesObject;
      return (await objects.patch(
        body,
        undefined,
        undefined,
        FIELD_MANAGER,
        true,
        PatchStrategy.ServerSideApply,
      )) as unknown as KubeObject;
    },
    async get(apiVersion, kind, namespace, name) {
      try {
        return (await objects.read(ref(apiVersion, kind, namespace, name))) as unknown as KubeObject;
      } catch (err) {
        if (isNotFound(err) && !/resource metadata/.test(errorMessage(err))) return undefined;
        throw err;
      }
    },
    async list(apiVersion, kind, namespace, labelSelector) {
      const got = await objects.list(
        apiVersion,
        kind,
        namespace,
        undefined,
        undefined,
        undefined,
        undefined,
        labelSelector,
      );
      return (got.items ?? []) as unknown as KubeObject[];
    },
    async delete(apiVersion, kind, namespace, name) {
      try {
        await objects.delete(
          ref(apiVersion, kind, namespace, name),
          undefined,
          undefined,
          undefined,
          undefined,
          'Background',
        );
        return true;
      } catch (err) {
        if (isNotFound(err) && !/resource metadata/.test(errorMessage(err))) return false;
        throw err;
      }
    },
    async watch(path, query, onEvent, onDone) {
      const ctl = await watcher.watch(
        path,
        query,
        (type, object) => onEvent({ type: type as WatchEvent['type'], object }),
        (err) => onDone(err ?? undefined),
      );
      return { stop: () => ctl.abort() };
    },
    async podLog(namespace, name, tailLines) {
      try {
        return await core.readNamespacedPodLog({ name, namespace, tailLines });
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
    },
    async pod(namespace, name) {
      try {
        const p = await core.readNamespacedPod({ name, namespace });
        return {
          ...(p.status?.phase ? { phase: p.status.phase } : {}),
          containers: (p.status?.containerStatuses ?? []).map((c) => ({
            name: c.name,
            ...(c.state?.waiting
              ? {
                  waiting: {
                    ...(c.state.waiting.reason ? { reason: c.state.waiting.reason } : {}),
                    ...(c.state.waiting.message ? { message: c.state.waiting.message } : {}),
                  },
                }
              : {}),
            ...(c.state?.terminated
              ? {
                  terminated: {
                    exitCode: c.state.terminated.exitCode,
                    ...(c.state.terminated.reason ? { reason: c.state.terminated.reason } : {}),
                    ...(c.state.terminated.message ? { message: c.state.terminated.message } : {}),
                  },
                }
              : {}),
          })),
        };
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
    },
    async warnings(namespace, involvedName) {
      const got = await core.listNamespacedEvent({
        namespace,
        fieldSelector: `involvedObject.name=${involvedName}`,
      });
      return (got.items ?? [])
        .filter((e) => e.type === 'Warning')
        .map((e) => ({ reason: e.reason ?? '', message: e.message ?? '' }));
    },
  };
}
