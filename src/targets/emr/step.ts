// The EMR step: a pure function of the Plan. command-runner.jar runs spark-submit on the primary node
// (docs/protocols.md 3.3); --deploy-mode cluster because the JAR is an S3 URI, which client mode cannot run.
import { resolve } from 'node:path';
import type { StepConfig } from '@aws-sdk/client-emr';
import type { Artifact } from '../../stage.js';
import type { DeployPlan } from '../target.js';
import { configError, type EmrSettings } from './settings.js';

/** The limit on all strings of one HadoopJarStep together (AddJobFlowSteps doc). */
export const HADOOP_JAR_STEP_MAX_CHARS = 10_240;

/** RUN_LABEL_PROPERTY carries `<sha>-<run id>` into the driver's conf, for people and the driver itself. */
export const RUN_LABEL_PROPERTY = 'spark.deploy-action.run';

/** resolveMainClass is the main-class input, else app.mainClass, else the manifest's Main-Class. */
export function resolveMainClass(plan: DeployPlan, artifact: Artifact): string {
  const main = plan.mainClass ?? plan.config.app.mainClass ?? artifact.mainClass;
  if (!main) {
    throw configError(
      plan,
      ['app', 'mainClass'],
      `no main class: set app.mainClass (or the main-class input); ${artifact.jarDisplayPath} has no Main-Class in its manifest`,
    );
  }
  return main;
}

function confString(plan: DeployPlan, key: string, v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw configError(plan, ['spark', 'conf', key], 'must be a string, number or boolean once resolved');
}

/**
 * localisedName is the name YARN gives a `--files`/`--jars` entry in the driver container's working directory:
 * the URI's `#alias`, else its last path segment (Spark's running-on-yarn guide; docs/protocols.md 3.3).
 */
export function localisedName(uri: string): string {
  const hash = uri.indexOf('#');
  if (hash >= 0) return uri.slice(hash + 1);
  return uri.slice(uri.lastIndexOf('/') + 1);
}

/**
 * appArgs is app.args with every reference to app.configFile (as given, `./`-prefixed or absolute under the
 * working directory; alone or as `--flag=path`) replaced by the name the file has on the cluster: the driver
 * runs in a YARN container whose working directory holds the shipped file by its bare name, not the
 * repository's path to it.
 */
export function appArgs(plan: DeployPlan, s: EmrSettings): string[] {
  const args = plan.config.app.args ?? [];
  if (!s.configFile || !s.configUri) return [...args];
  const wd = plan.workingDirectory;
  const target = resolve(wd, s.configFile);
  const name = localisedName(s.configUri);
  const isConfig = (v: string) => v !== '' && !v.includes('://') && resolve(wd, v) === target;
  return args.map((a) => {
    if (isConfig(a)) return name;
    const eq = a.indexOf('=');
    if (a.startsWith('-') && eq > 0 && isConfig(a.slice(eq + 1))) return `${a.slice(0, eq + 1)}${name}`;
    return a;
  });
}

/**
 * buildSparkSubmitArgs is the argv of spark-submit on the cluster: the deployment guide's flags for
 * resources (--driver-memory, --executor-cores, --num-executors, ...), every other setting as a sorted
 * --conf, then the JAR and the app's arguments (the config file's path as the container sees it).
 */
export function buildSparkSubmitArgs(plan: DeployPlan, artifact: Artifact, s: EmrSettings): string[] {
  const spark = plan.config.spark;
  const conf: Record<string, string> = {};
  for (const [k, v] of Object.entries(spark.conf ?? {})) conf[k] = confString(plan, k, v);
  const put = (k: string, v: string | number | boolean | undefined) => {
    if (v !== undefined) conf[k] = String(v);
  };
  const d = spark.driver ?? {};
  const e = spark.executor ?? {};
  put('spark.driver.memoryOverhead', d.memoryOverhead);
  put('spark.driver.extraJavaOptions', d.javaOptions);
  put('spark.executor.memoryOverhead', e.memoryOverhead);
  put('spark.executor.extraJavaOptions', e.javaOptions);
  const da = spark.dynamicAllocation ?? {};
  put('spark.dynamicAllocation.enabled', da.enabled);
  put('spark.dynamicAllocation.minExecutors', da.minExecutors);
  put('spark.dynamicAllocation.maxExecutors', da.maxExecutors);
  put('spark.dynamicAllocation.initialExecutors', da.initialExecutors);
  put('spark.dynamicAllocation.shuffleTracking.enabled', da.shuffleTracking);
  conf[RUN_LABEL_PROPERTY] = [plan.context.sha, plan.context.runId].filter(Boolean).join('-');
  // Owned by the flags below; a copy in spark.conf would silently lose to them.
  for (const k of ['spark.master', 'spark.submit.deployMode', 'spark.app.name']) delete conf[k];

  const args = ['spark-submit', '--deploy-mode', 'cluster', '--master', 'yarn'];
  args.push('--class', resolveMainClass(plan, artifact), '--name', s.appName);
  const flag = (name: string, v: string | number | undefined) => {
    if (v !== undefined) args.push(name, String(v));
  };
  flag('--driver-memory', d.memory);
  flag('--driver-cores', d.cores);
  flag('--executor-memory', e.memory);
  flag('--executor-cores', e.cores);
  flag('--num-executors', e.instances);
  const list = (extra: string | undefined, typed: readonly string[] | undefined, first?: string) => {
    const items = [first, ...(extra ?? '').split(','), ...(typed ?? [])].map((x) => x?.trim() ?? '');
    return [...new Set(items.filter(Boolean))];
  };
  const jars = list(conf['spark.jars'], spark.jars);
  const files = list(conf['spark.files'], spark.files, s.configUri);
  delete conf['spark.jars'];
  delete conf['spark.files'];
  if (jars.length > 0) args.push('--jars', jars.join(','));
  if (files.length > 0) args.push('--files', files.join(','));
  for (const k of Object.keys(conf).sort()) args.push('--conf', `${k}=${conf[k]}`);
  args.push(s.jarUri, ...appArgs(plan, s));
  return args;
}

/** hadoopJarStepChars counts the strings EMR's 10,240-character limit applies to. */
export function hadoopJarStepChars(step: StepConfig): number {
  const h = step.HadoopJarStep;
  if (!h) return 0;
  let n = (h.Jar ?? '').length + (h.MainClass ?? '').length;
  for (const a of h.Args ?? []) n += a.length;
  for (const p of h.Properties ?? []) n += (p.Key ?? '').length + (p.Value ?? '').length;
  return n;
}

/** buildStep is the StepConfig for AddJobFlowSteps / RunJobFlow; it throws when EMR would refuse its size. */
export function buildStep(plan: DeployPlan, artifact: Artifact, s: EmrSettings): StepConfig {
  const step: StepConfig = {
    Name: s.stepName,
    ActionOnFailure: s.actionOnFailure,
    HadoopJarStep: { Jar: 'command-runner.jar', Args: buildSparkSubmitArgs(plan, artifact, s) },
  };
  const chars = hadoopJarStepChars(step);
  if (chars > HADOOP_JAR_STEP_MAX_CHARS) {
    throw configError(
      plan,
      ['spark', 'conf'],
      `the EMR step's arguments total ${chars} characters; EMR accepts at most ${HADOOP_JAR_STEP_MAX_CHARS} (AddJobFlowSteps). Shorten spark.conf or app.args, or move cluster-wide settings into the spark-defaults classification (emr.cluster.configurations)`,
    );
  }
  return step;
}
