import type { Artifact } from '../../stage.js';
import type { DeployPlan } from '../target.js';
import { configError, resolveSettings } from './settings.js';
import { rpcMasterUrl, sparkMasterProperty } from './urls.js';

/** CreateSubmissionRequest is the body of POST /v1/submissions/create (docs/protocols.md 1.3). */
export interface CreateSubmissionRequest {
  action: 'CreateSubmissionRequest';
  appArgs: string[];
  appResource: string;
  clientSparkVersion: string;
  environmentVariables: Record<string, string>;
  mainClass: string;
  sparkProperties: Record<string, string>;
}

/**
 * RUN_LABEL_PROPERTY carries `<sha>-<run id>` into the driver's conf. The master's `/json/` does not show
 * driver properties, so `find` cannot use it (it correlates by app name and start time); it is there for
 * people and for the driver itself (visible in the driver's Environment tab and its conf).
 */
export const RUN_LABEL_PROPERTY = 'spark.deploy-action.run';

/** Staged says where workers find what the runner has locally (see staging.ts). */
export interface Staged {
  /** The application JAR as every worker can read it: a path on all nodes or a URL. */
  appResource: string;
  /** `app.configFile` as workers can read it, when the config names one. */
  configFile?: string;
}

/** resolveMainClass is the main class to run: the main-class input or app.mainClass, else the manifest's. */
export function resolveMainClass(plan: DeployPlan, artifact: Artifact): string {
  const main = plan.mainClass ?? plan.config.app.mainClass ?? artifact.mainClass;
  if (!main) {
    throw configError(
      plan,
      ['app', 'mainClass'],
      `no main class: set app.mainClass (or the main-class input); ${artifact.jarDisplayPath} has no Main-Class in its manifest, and Spark's REST server requires one`,
    );
  }
  return main;
}

function confString(plan: DeployPlan, key: string, v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw configError(plan, ['spark', 'conf', key], 'must be a string, number or boolean once resolved');
}

function csv(v: string | undefined): string[] {
  return (v ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function put(out: Record<string, string>, key: string, v: string | number | boolean | undefined): void {
  if (v !== undefined) out[key] = String(v);
}

/**
 * buildSparkProperties is the `sparkProperties` spark-submit would send in cluster mode: the config's
 * spark.conf (stringified), overridden by the typed resource settings, then the keys this target owns
 * (spark.app.name, spark.submit.deployMode, spark.jars with the app JAR first, spark.files with the
 * config file first, spark.driver.supervise, the run label). `spark.master` comes from spark.conf when set
 * there, else from the masters (see sparkMasterProperty). Keys are sorted, as Spark writes them.
 */
export function buildSparkProperties(plan: DeployPlan, staged: Staged): Record<string, string> {
  const settings = resolveSettings(plan);
  const spark = plan.config.spark;
  const p: Record<string, string> = {};
  for (const [k, v] of Object.entries(spark.conf ?? {})) p[k] = confString(plan, k, v);

  const d = spark.driver ?? {};
  put(p, 'spark.driver.cores', d.cores);
  put(p, 'spark.driver.memory', d.memory);
  put(p, 'spark.driver.memoryOverhead', d.memoryOverhead);
  put(p, 'spark.driver.extraJavaOptions', d.javaOptions);
  const e = spark.executor ?? {};
  put(p, 'spark.executor.cores', e.cores);
  put(p, 'spark.executor.memory', e.memory);
  put(p, 'spark.executor.memoryOverhead', e.memoryOverhead);
  put(p, 'spark.executor.extraJavaOptions', e.javaOptions);
  put(p, 'spark.executor.instances', e.instances);
  const da = spark.dynamicAllocation ?? {};
  put(p, 'spark.dynamicAllocation.enabled', da.enabled);
  put(p, 'spark.dynamicAllocation.minExecutors', da.minExecutors);
  put(p, 'spark.dynamicAllocation.maxExecutors', da.maxExecutors);
  put(p, 'spark.dynamicAllocation.initialExecutors', da.initialExecutors);
  put(p, 'spark.dynamicAllocation.shuffleTracking.enabled', da.shuffleTracking);
  // Spark's standalone scheduler never reads spark.executor.instances (StandaloneSchedulerBackend reads
  // spark.cores.max, default: every free core): without dynamic allocation the count becomes a core cap of
  // instances × executor cores.
  const coresPerExecutor = Number(p['spark.executor.cores']);
  const fixed = p['spark.dynamicAllocation.enabled'] !== 'true';
  if (e.instances !== undefined && fixed && p['spark.cores.max'] === undefined && coresPerExecutor > 0) {
    p['spark.cores.max'] = String(e.instances * coresPerExecutor);
  }

  const jars = [...new Set([staged.appResource, ...csv(p['spark.jars']), ...(spark.jars ?? [])])];
  p['spark.jars'] = jars.join(',');
  const files = [
    ...new Set([
      ...(staged.configFile ? [staged.configFile] : []),
      ...csv(p['spark.files']),
      ...(spark.files ?? []),
    ]),
  ];
  if (files.length > 0) p['spark.files'] = files.join(',');
  else delete p['spark.files'];

  const master =
    p['spark.master'] ??
    (settings.gateway === 'rpc'
      ? rpcMasterUrl(settings.rpcMasters)
      : sparkMasterProperty(settings.endpoints));
  if (master) p['spark.master'] = master;
  p['spark.app.name'] = settings.appName;
  p['spark.submit.deployMode'] = 'cluster';
  p['spark.driver.supervise'] = String(settings.supervise);
  p[RUN_LABEL_PROPERTY] = [plan.context.sha, plan.context.runId].filter(Boolean).join('-');

  return Object.fromEntries(Object.entries(p).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** buildCreateRequest is the CreateSubmissionRequest for the Plan: what spark-submit sends in cluster mode. */
export function buildCreateRequest(
  plan: DeployPlan,
  artifact: Artifact,
  appResource: string,
  configFile?: string,
): CreateSubmissionRequest {
  return {
    action: 'CreateSubmissionRequest',
    appArgs: [...(plan.config.app.args ?? [])],
    appResource,
    clientSparkVersion: plan.config.spark.version,
    // spark-submit forwards only SPARK_* variables of its own environment; the runner's are meaningless
    // on the cluster, so none are sent.
    environmentVariables: {},
    mainClass: resolveMainClass(plan, artifact),
    sparkProperties: buildSparkProperties(plan, { appResource, ...(configFile ? { configFile } : {}) }),
  };
}

/** renderCreateRequest prints a request the way Spark does (indented); the redactor hides secrets where it leaves. */
export function renderCreateRequest(req: CreateSubmissionRequest): string {
  return JSON.stringify(req, null, 2);
}
