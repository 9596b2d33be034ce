import type { Artifact } from '../../stage.js';
import { ActionError } from '../../util/errors.js';
import type { DeployPlan } from '../target.js';
import { buildCreateRequest } from './request.js';
import { configError, resolveSettings } from './settings.js';
import { rpcMasterUrl, sparkMasterProperty } from './urls.js';

/**
 * AUTH_IN_CLUSTER_MODE explains why spark.authenticate is refused for a spark:// master: Spark's gateway takes
 * the submission, but the worker keeps spark.authenticate.secret out of a cluster-mode driver's options
 * (CommandUtils.buildLocalCommand) and the driver's SecurityManager then insists on it for a spark:// master.
 */
export const AUTH_IN_CLUSTER_MODE =
  'is true, and Spark (2.4 to 4.x) cannot start a cluster-mode driver on a standalone cluster with shared-secret authentication: the master would accept the submission, but the worker removes spark.authenticate.secret from the driver\'s options (it passes it only as the _SPARK_AUTH_SECRET environment variable) and the driver\'s SparkContext then fails with "A secret key must be specified via the spark.authenticate.secret config". Not submitted. Use a cluster without spark.authenticate whose ports only trusted hosts reach, or the kubernetes or emr target';

/** authFailure is the explanation of a connection the master dropped for want of the right shared secret. */
export function authFailure(output: string): string | undefined {
  if (!/Outbox is stopped|Authentication failed|SaslException|Expected SaslMessage/i.test(output))
    return undefined;
  return 'authentication with the master failed: the cluster requires Spark\'s shared secret (spark.authenticate) and dropped the connection ("Message is dropped because Outbox is stopped" for a wrong secret, "Expected SaslMessage" for none). The secret would come from spark.conf.spark.authenticate.secret ({ fromEnv: NAME }), but Spark cannot run a cluster-mode driver on such a cluster (the worker withholds the secret from the driver); use a cluster without spark.authenticate whose ports only trusted hosts reach';
}

// Properties that have their own spark-submit flag (or that spark-submit derives itself).
const FLAG_KEYS = new Set([
  'spark.master',
  'spark.app.name',
  'spark.submit.deployMode',
  'spark.jars',
  'spark.files',
  'spark.driver.supervise',
]);

/**
 * buildSparkSubmitArgs is the spark-submit argv (without the program) for the Plan, in the deployment
 * guide's shape: --class, --master, --deploy-mode cluster, --name, --conf per property, --files, --jars,
 * the JAR, then the app's arguments. For `spark://` masters (gateway rpc) that is all: spark-submit speaks
 * the RPC gateway. For REST masters it adds `--conf spark.master.rest.enabled=true`, because spark-submit
 * only uses the REST client when that is set (SparkSubmitArguments.useRest); otherwise it would speak the
 * legacy RPC protocol to the REST port. The properties are exactly those of buildCreateRequest. A
 * `spark.authenticate` on a spark:// master is refused (AUTH_IN_CLUSTER_MODE).
 */
export function buildSparkSubmitArgs(
  plan: DeployPlan,
  artifact: Artifact,
  appResource: string,
  configFile?: string,
): string[] {
  const settings = resolveSettings(plan);
  const proxied = settings.endpoints.filter((e) => !e.direct || e.secure);
  if (proxied.length > 0) {
    throw configError(
      plan,
      ['standalone', 'mode'],
      `mode spark-submit needs masters spark-submit can reach itself (spark://host:port over plain HTTP); ${proxied.map((e) => e.raw).join(', ')} is https or behind a proxy path — use mode: rest`,
    );
  }
  const req = buildCreateRequest(plan, artifact, appResource, configFile);
  const props = req.sparkProperties;
  const rpc = settings.gateway === 'rpc';
  if (rpc && /^true$/i.test(String(plan.config.spark.conf?.['spark.authenticate'] ?? ''))) {
    throw configError(plan, ['spark', 'conf', 'spark.authenticate'], AUTH_IN_CLUSTER_MODE);
  }
  const master = rpc
    ? rpcMasterUrl(settings.rpcMasters)
    : (sparkMasterProperty(settings.endpoints) as string);
  const args = ['--master', master, '--deploy-mode', 'cluster', '--class', req.mainClass];
  args.push('--name', props['spark.app.name'] as string);
  if (settings.supervise) args.push('--supervise');
  // A spark:// master is reached through its RPC gateway: spark-submit's legacy client, no REST setting.
  if (!rpc) args.push('--conf', 'spark.master.rest.enabled=true');
  for (const [k, v] of Object.entries(props)) {
    if (!FLAG_KEYS.has(k)) args.push('--conf', `${k}=${v}`);
  }
  if (props['spark.files']) args.push('--files', props['spark.files']);
  const jars = (props['spark.jars'] ?? '').split(',').filter((j) => j && j !== appResource);
  if (jars.length > 0) args.push('--jars', jars.join(','));
  args.push(appResource, ...req.appArgs);
  return args;
}

/** shellQuote renders argv for display: single-quoted where needed. */
export function shellQuote(args: readonly string[]): string {
  return args.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

/**
 * parseSubmissionId finds the driver id in spark-submit's output: the REST client's "Submission successfully
 * created as <id>." and the logged CreateSubmissionResponse, or the legacy client's "Driver successfully
 * submitted as <id>".
 */
export function parseSubmissionId(output: string): string | undefined {
  const patterns = [
    /Submission successfully created as (\S+?)\.?(?:\s|$)/,
    /"submissionId"\s*:\s*"([^"]+)"/,
    /Driver successfully submitted as (\S+?)\.?(?:\s|$)/,
  ];
  for (const p of patterns) {
    const m = p.exec(output)?.[1];
    if (m) return m;
  }
  return undefined;
}

/** SpawnResult is a finished process: its exit code (null when killed by a signal) and output. */
export interface SpawnResult {
  exitCode: number | null;
  stdout: string;
  stderr: string;
}

/** SpawnFn runs a program to completion; it rejects only when the program cannot be started. */
export type SpawnFn = (
  command: string,
  args: string[],
  opts: { signal?: AbortSignal },
) => Promise<SpawnResult>;

/** tailLines returns the last `n` non-empty-trailing lines of a text. */
export function tailLines(text: string, n: number): string {
  const lines = text.replace(/\s+$/, '').split(/\r?\n/);
  return lines.slice(-n).join('\n');
}

/**
 * submissionIdFromSparkSubmit turns a spark-submit run into a driver id, or an ActionError built from its
 * output. Its exit code is not the verdict: in standalone cluster mode it exits 0 even when the driver fails.
 */
export function submissionIdFromSparkSubmit(result: SpawnResult): string {
  const output = `${result.stdout}\n${result.stderr}`;
  const id = parseSubmissionId(output);
  if (id) return id;
  const auth = authFailure(output);
  if (auth) throw new ActionError(`standalone: spark-submit: ${auth}`);
  if (
    /Class org\.apache\.hadoop\.fs\.s3a\.S3AFileSystem not found|No FileSystem for scheme "?s3a"?/.test(
      output,
    )
  ) {
    throw new ActionError(
      "standalone: spark-submit cannot read s3a:// URIs (S3AFileSystem not found): it resolves the staged JAR and files through Hadoop on the runner before submitting. Use the masters' REST servers (https://... masters, no Spark client needed), or run a spark-submit whose classpath has hadoop-aws and its aws-java-sdk-bundle (put its bin directory on PATH)",
    );
  }
  const tail = tailLines(output, 30);
  throw new ActionError(
    `standalone: spark-submit ${result.exitCode === 0 ? 'exited 0 but printed no submission id' : `failed (exit ${result.exitCode ?? 'signal'})`}; last lines of its output:\n${tail}`,
  );
}
