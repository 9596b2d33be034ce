// Pure renderers: the SparkApplication (sparkoperator.k8s.io/v1beta2) and its optional companions, from the
// Plan and the artifact. What these return is exactly what submit applies (dry-run prints it, the Secret's data left out).
import { stringify } from 'yaml';
import type { Artifact } from '../../stage.js';
import type { DeployPlan } from '../target.js';
import { derivedName } from './names.js';
import {
  assertNoSecretInSpec,
  type EnvFields,
  envFields,
  type SecretSink,
  secretObject,
  secretSink,
} from './secret-refs.js';
import { configError, Label, resolveSettings, type Settings } from './settings.js';
import { validateSparkApplication } from './validate.js';

export const SPARK_API_VERSION = 'sparkoperator.k8s.io/v1beta2';
export const SPARK_KIND = 'SparkApplication';
/** OWNER_UID_PLACEHOLDER stands for the SparkApplication's uid in rendered companions; submit fills the real one. */
export const OWNER_UID_PLACEHOLDER = '<uid of the SparkApplication, set when applied>';

/** KubeObject is any Kubernetes object we render. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: {
      apiVersion: string;
      kind: string;
      name: string;
      uid: string;
      controller?: boolean;
      blockOwnerDeletion?: boolean;
    }[];
    uid?: string;
    resourceVersion?: string;
    /** A string on the wire; client-node turns it into a Date. */
    creationTimestamp?: string | Date;
  };
  spec?: Record<string, unknown>;
  [key: string]: unknown;
}

function compact<T extends Record<string, unknown>>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

function confString(plan: DeployPlan, key: string, v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw configError(plan, ['spark', 'conf', key], 'must be a string, number or boolean once resolved');
}

function envOf(
  plan: DeployPlan,
  role: 'driver' | 'executor',
  env: Record<string, unknown> | undefined,
  sink: SecretSink,
): EnvFields {
  const entries = Object.entries(env ?? {})
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, value]): [string, string] => {
      if (typeof value !== 'string')
        throw configError(plan, ['kubernetes', role, 'env', name], 'must be a string once resolved');
      return [name, value];
    });
  return envFields(sink, role, entries);
}

function nonEmpty<T>(list: T[] | undefined): T[] | undefined {
  return list && list.length > 0 ? list : undefined;
}

/**
 * buildSparkApplication renders the SparkApplication for this run (docs/protocols.md 2; the CRD's spec
 * fields). Environment values holding a secret go to `sink` (the run's Secret) and are referenced; a secret
 * anywhere else in the spec is refused.
 */
export function buildSparkApplication(
  plan: DeployPlan,
  artifact: Artifact,
  s: Settings = resolveSettings(plan, artifact),
  sink: SecretSink = secretSink(s.name, plan.secrets),
): KubeObject {
  const cfg = plan.config;
  const k = cfg.kubernetes ?? {};
  const spark = cfg.spark;
  const mainClass = plan.mainClass ?? cfg.app.mainClass ?? artifact.mainClass;
  if (!mainClass)
    throw configError(
      plan,
      ['app', 'mainClass'],
      `is required: ${artifact.jarDisplayPath} has no Main-Class in its manifest`,
    );
  const local = (p: string) => `local://${s.appDir === '/' ? '' : s.appDir}/${p.replace(/^\/+/, '')}`;

  const sparkConf: Record<string, string> = {};
  for (const key of Object.keys(spark.conf ?? {}).sort())
    sparkConf[key] = confString(plan, key, spark.conf?.[key]);

  const files = [...(cfg.app.configFile ? [local(cfg.app.configFile)] : []), ...(spark.files ?? [])];
  const deps = compact({ jars: nonEmpty(spark.jars), files: nonEmpty(files) });

  const d = spark.driver ?? {};
  const e = spark.executor ?? {};
  const da = spark.dynamicAllocation;
  const rp = k.restartPolicy;
  const mon = k.monitoring;

  const spec: Record<string, unknown> = compact({
    type: 'Scala',
    mode: 'cluster',
    image: s.image,
    imagePullPolicy: k.imagePullPolicy,
    mainClass,
    mainApplicationFile: local(s.jarFile),
    arguments: nonEmpty(cfg.app.args),
    sparkVersion: spark.version,
    restartPolicy: rp ? compact({ ...rp }) : { type: 'Never' },
    timeToLiveSeconds: k.timeToLiveSeconds,
    sparkConf: Object.keys(sparkConf).length ? sparkConf : undefined,
    deps: Object.keys(deps).length ? deps : undefined,
    dynamicAllocation: da
      ? compact({
          enabled: da.enabled ?? true,
          initialExecutors: da.initialExecutors,
          minExecutors: da.minExecutors,
          maxExecutors: da.maxExecutors,
          shuffleTrackingEnabled: da.shuffleTracking,
        })
      : undefined,
    driver: compact({
      cores: d.cores,
      coreLimit: k.driver?.coreLimit,
      memory: d.memory,
      memoryOverhead: d.memoryOverhead,
      javaOptions: d.javaOptions,
      labels: { ...s.labels, ...(k.driver?.labels ?? {}) },
      ...envOf(plan, 'driver', k.driver?.env, sink),
      serviceAccount: k.serviceAccount,
    }),
    executor: compact({
      cores: e.cores,
      coreLimit: k.executor?.coreLimit,
      instances: e.instances,
      memory: e.memory,
      memoryOverhead: e.memoryOverhead,
      javaOptions: e.javaOptions,
      labels: { ...s.labels, ...(k.executor?.labels ?? {}) },
      ...envOf(plan, 'executor', k.executor?.env, sink),
      serviceAccount: k.serviceAccount,
    }),
    monitoring:
      mon && (mon.exposeDriverMetrics || mon.exposeExecutorMetrics || mon.jmxExporterJar)
        ? compact({
            exposeDriverMetrics: mon.exposeDriverMetrics ?? false,
            exposeExecutorMetrics: mon.exposeExecutorMetrics ?? false,
            prometheus: mon.jmxExporterJar
              ? compact({ jmxExporterJar: mon.jmxExporterJar, port: mon.port })
              : undefined,
          })
        : undefined,
  });
  if (mon && (mon.exposeDriverMetrics || mon.exposeExecutorMetrics) && !mon.jmxExporterJar && mon.port) {
    throw configError(
      plan,
      ['kubernetes', 'monitoring', 'jmxExporterJar'],
      'is required with monitoring.port: the operator runs the Prometheus JMX exporter from that JAR in the image',
    );
  }
  assertNoSecretInSpec(plan, spec, sink.secrets);
  return {
    apiVersion: SPARK_API_VERSION,
    kind: SPARK_KIND,
    metadata: compact({
      name: s.name,
      namespace: s.namespace,
      labels: s.labels,
      annotations: k.annotations && Object.keys(k.annotations).length ? { ...k.annotations } : undefined,
    }),
    spec,
  };
}

function ownedBy(app: KubeObject, uid: string): KubeObject['metadata']['ownerReferences'] {
  return [
    {
      apiVersion: SPARK_API_VERSION,
      kind: SPARK_KIND,
      name: app.metadata.name,
      uid,
      controller: true,
      blockOwnerDeletion: true,
    },
  ];
}

/** metricsPort is the JMX exporter port: monitoring.port, else the operator's default 8090. */
export function metricsPort(plan: DeployPlan): number {
  return plan.config.kubernetes?.monitoring?.port ?? 8090;
}

/**
 * buildCompanions renders the optional metrics Service, ServiceMonitor and NetworkPolicy, each owned by the
 * SparkApplication (ownerReferences) so the garbage collector removes them with it.
 */
export function buildCompanions(
  plan: DeployPlan,
  app: KubeObject,
  uid = OWNER_UID_PLACEHOLDER,
): KubeObject[] {
  const k = plan.config.kubernetes ?? {};
  const mon = k.monitoring ?? {};
  const name = app.metadata.name;
  const ns = app.metadata.namespace;
  const labels = app.metadata.labels ?? {};
  const out: KubeObject[] = [];
  const podSelector = { [Label.operatorAppName]: name };
  const port = metricsPort(plan);
  const svcName = derivedName(name, 'metrics');
  if (mon.service || mon.serviceMonitor) {
    out.push({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: compact({
        name: svcName,
        namespace: ns,
        labels: { ...labels },
        ownerReferences: ownedBy(app, uid),
      }),
      spec: {
        type: 'ClusterIP',
        selector: { ...podSelector, 'spark-role': 'driver' },
        ports: [{ name: 'metrics', port, targetPort: port, protocol: 'TCP' }],
      },
    });
  }
  if (mon.serviceMonitor) {
    out.push({
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'ServiceMonitor',
      metadata: compact({
        name: svcName,
        namespace: ns,
        labels: { ...labels },
        ownerReferences: ownedBy(app, uid),
      }),
      spec: {
        selector: {
          matchLabels: { [Label.instance]: name, [Label.managedBy]: labels[Label.managedBy] ?? '' },
        },
        endpoints: [{ port: 'metrics', interval: '30s' }],
      },
    });
  }
  if (k.networkPolicy) {
    // Driver and executors talk to each other; everything else is closed except the metrics port.
    const ingress: Record<string, unknown>[] = [{ from: [{ podSelector: { matchLabels: podSelector } }] }];
    if (mon.exposeDriverMetrics || mon.exposeExecutorMetrics)
      ingress.push({ ports: [{ port, protocol: 'TCP' }] });
    out.push({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: compact({
        name: derivedName(name, 'netpol'),
        namespace: ns,
        labels: { ...labels },
        ownerReferences: ownedBy(app, uid),
      }),
      spec: { podSelector: { matchLabels: podSelector }, policyTypes: ['Ingress'], ingress },
    });
  }
  return out;
}

/** assertValid validates a SparkApplication against the CRD schema; the error names every bad field path. */
export function assertValid(plan: DeployPlan, app: KubeObject): void {
  const problems = validateSparkApplication(app);
  if (problems.length === 0) return;
  const list = problems.map((p) => `${p.path}: ${p.message}`).join('; ');
  throw configError(
    plan,
    ['kubernetes'],
    `the rendered SparkApplication ${app.metadata.name} does not match the CRD schema (sparkoperator.k8s.io/v1beta2): ${list}`,
  );
}

/**
 * renderAll builds and validates everything submit applies: `secret` (the run's Secret, when an environment
 * value holds one; applied first so the driver pod finds it), the SparkApplication, then its companions —
 * the Secret again among them, now owned by the SparkApplication.
 */
export function renderAll(
  plan: DeployPlan,
  artifact: Artifact,
  uid?: string,
): { settings: Settings; app: KubeObject; secret?: KubeObject; companions: KubeObject[] } {
  const settings = resolveSettings(plan, artifact);
  const sink = secretSink(settings.name, plan.secrets);
  const app = buildSparkApplication(plan, artifact, settings, sink);
  assertValid(plan, app);
  const companions = buildCompanions(plan, app, uid);
  if (Object.keys(sink.data).length === 0) return { settings, app, companions };
  const secret: KubeObject = secretObject(sink, app.metadata.namespace, app.metadata.labels ?? {});
  const owned: KubeObject = {
    ...secret,
    metadata: { ...secret.metadata, ownerReferences: ownedBy(app, uid ?? OWNER_UID_PLACEHOLDER) },
  };
  return { settings, app, secret, companions: [owned, ...companions] };
}

/** toYaml renders one object as a YAML document. */
export function toYaml(obj: KubeObject): string {
  return stringify(obj, { lineWidth: 0 });
}
