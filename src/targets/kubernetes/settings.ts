// What the Kubernetes target needs from the Plan, validated once, with errors that point at the config key.
import { basename } from 'node:path';
import type { Path } from '../../plan/source.js';
import type { Artifact } from '../../stage.js';
import type { ActionError } from '../../util/errors.js';
import { targetConfigError } from '../config-error.js';
import type { DeployPlan } from '../target.js';
import { baseName, labelValue, runName } from './names.js';

/** MANAGED_BY is the app.kubernetes.io/managed-by value on everything this target creates. */
export const MANAGED_BY = 'spark-deploy-action';
/** FIELD_MANAGER is the server-side apply field manager. */
export const FIELD_MANAGER = 'spark-deploy-action';

/** Label keys this target sets (app.kubernetes.io/* are the Kubernetes recommended labels). */
export const Label = {
  name: 'app.kubernetes.io/name',
  instance: 'app.kubernetes.io/instance',
  managedBy: 'app.kubernetes.io/managed-by',
  commit: 'spark-deploy-action/commit',
  environment: 'spark-deploy-action/environment',
  preview: 'spark-deploy-action/preview',
  runId: 'spark-deploy-action/run-id',
  /** Pod label the operator puts on driver and executor pods (docs/protocols.md 2.4). */
  operatorAppName: 'sparkoperator.k8s.io/app-name',
} as const;

const DIGEST_REF = /^[^@\s]+@sha256:[0-9a-f]{64}$/;

/** Settings are the resolved names and choices for one deploy. */
export interface Settings {
  namespace: string;
  /** metadata.name of the SparkApplication. */
  name: string;
  /** The stable per-app part of names (`app.kubernetes.io/name`). */
  base: string;
  appLabel: string;
  image: string;
  appDir: string;
  jarFile: string;
  mode: 'batch' | 'streaming';
  strategy: 'in-place' | 'blue-green';
  keepHistory: number;
  healthyAfterMs: number;
  timeoutMs: number;
  labels: Record<string, string>;
}

/** configError is an ActionError pointing at a config key (file:line when known), with its finding. */
export function configError(plan: DeployPlan, path: Path, message: string): ActionError {
  return targetConfigError('kubernetes', plan, path, message);
}

/** resolveImage is the image to run: the image stage's digest reference, else kubernetes.image; never a tag. */
export function resolveImage(plan: DeployPlan, artifact: Artifact): string {
  const ref = artifact.image?.reference ?? plan.config.kubernetes?.image;
  if (!ref) {
    throw configError(
      plan,
      ['kubernetes', 'image'],
      'no image: run the image stage, or set kubernetes.image to an image pinned by digest (repository@sha256:<digest>)',
    );
  }
  if (!DIGEST_REF.test(ref)) {
    throw configError(
      plan,
      ['kubernetes', 'image'],
      `${ref} is not pinned by digest: a tag can move while the app runs and executors would start another image; use repository@sha256:<digest> (docker buildx imagetools inspect <image> prints it)`,
    );
  }
  return ref;
}

// What the API server accepts (k8s.io/apimachinery validation: IsDNS1123Label for a namespace,
// IsQualifiedName and IsValidLabelValue for labels): a dry run refuses what apply would.
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_PREFIX = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** checkNames refuses a namespace or a label the API server would reject, at its config key. */
function checkNames(plan: DeployPlan, namespace: string | undefined, labels: Record<string, string>): void {
  if (namespace !== undefined && (namespace.length > 63 || !DNS1123_LABEL.test(namespace))) {
    throw configError(
      plan,
      ['kubernetes', 'namespace'],
      `"${namespace}" is not a namespace name: at most 63 lower-case letters, digits and '-', starting and ending with a letter or digit`,
    );
  }
  for (const [key, value] of Object.entries(labels)) {
    const slash = key.lastIndexOf('/');
    const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
    const name = slash >= 0 ? key.slice(slash + 1) : key;
    const okKey =
      name.length <= 63 &&
      LABEL_NAME.test(name) &&
      (prefix === undefined || (prefix.length <= 253 && LABEL_PREFIX.test(prefix)));
    if (!okKey) {
      throw configError(
        plan,
        ['kubernetes', 'labels', key],
        `"${key}" is not a label key: an optional DNS subdomain prefix and '/', then at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit`,
      );
    }
    if (typeof value !== 'string' || value.length > 63 || (value !== '' && !LABEL_NAME.test(value))) {
      throw configError(
        plan,
        ['kubernetes', 'labels', key],
        `"${String(value)}" is not a label value: at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit (or empty)`,
      );
    }
  }
}

/** resolveSettings derives names, labels and choices from the Plan and the artifact. */
export function resolveSettings(plan: DeployPlan, artifact: Artifact): Settings {
  const k = plan.config.kubernetes ?? {};
  const app = plan.config.app;
  if (!app.name) throw configError(plan, ['app', 'name'], 'is required for the kubernetes target');
  const preview = plan.preview ?? undefined;
  const nameInputs = {
    app: app.name,
    sha: plan.context.sha,
    runId: plan.context.runId,
    runAttempt: plan.context.runAttempt,
    ...(preview !== undefined ? { preview } : {}),
  };
  const base = baseName(nameInputs);
  const strategy = k.strategy ?? 'in-place';
  const stable = app.mode === 'streaming' && strategy === 'in-place';
  const name = stable ? base : runName(nameInputs);
  const appLabel = labelValue(base);
  checkNames(plan, k.namespace, k.labels ?? {});
  const labels: Record<string, string> = {
    ...(k.labels ?? {}),
    [Label.name]: appLabel,
    [Label.instance]: name,
    [Label.managedBy]: MANAGED_BY,
  };
  if (plan.context.sha) labels[Label.commit] = labelValue(plan.context.sha);
  if (plan.environment) labels[Label.environment] = labelValue(plan.environment);
  if (preview !== undefined) labels[Label.preview] = String(preview);
  if (plan.context.runId) labels[Label.runId] = labelValue(plan.context.runId);
  return {
    namespace: k.namespace ?? 'default',
    name,
    base,
    appLabel,
    image: resolveImage(plan, artifact),
    appDir: (plan.config.image?.appDir ?? '/app').replace(/\/+$/, '') || '/',
    jarFile: basename(artifact.jarPath),
    mode: app.mode,
    strategy,
    keepHistory: k.keepHistory ?? 5,
    healthyAfterMs: app.healthyAfter * 1000,
    timeoutMs: plan.timeoutMs,
    labels,
  };
}

/** appSelector is the label selector of an app's SparkApplications; previews only with `preview`, else none of them. */
export function appSelector(app: string, preview?: number): string {
  const parts = [
    `${Label.managedBy}=${MANAGED_BY}`,
    `${Label.name}=${labelValue(baseName({ app, ...(preview !== undefined ? { preview } : {}) }))}`,
  ];
  parts.push(preview !== undefined ? `${Label.preview}=${preview}` : `!${Label.preview}`);
  return parts.join(',');
}
