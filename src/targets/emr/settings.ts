// What the EMR target needs from the Plan, validated once, with errors that point at the config line.
import { basename } from 'node:path';
import type { DeployConfig } from '../../plan/plan.js';
import type { Path } from '../../plan/source.js';
import { objectKeyFor, parseS3Uri, s3Uri, whyNotS3Uri } from '../../s3/uri.js';
import type { ActionError } from '../../util/errors.js';
import { targetConfigError } from '../config-error.js';
import type { DeployPlan } from '../target.js';

export type ActionOnFailure = NonNullable<NonNullable<DeployConfig['emr']>['actionOnFailure']>;
export type ClusterSpec = NonNullable<NonNullable<DeployConfig['emr']>['cluster']>;

/** ClusterChoice is where the step runs: an existing cluster (by id or name) or a transient one. */
export type ClusterChoice =
  | { kind: 'id'; id: string }
  | { kind: 'name'; name: string }
  | { kind: 'transient'; spec: ClusterSpec };

/** EmrSettings is the validated `emr` section plus what the target derives from the Plan. */
export interface EmrSettings {
  region?: string;
  appName: string;
  environment: string;
  /** `<app>-<env>-<short sha>-<run id>`: the step's (and a transient cluster's default) name. */
  stepName: string;
  cluster: ClusterChoice;
  actionOnFailure: ActionOnFailure;
  /** s3:// URI of the JAR (a location ending in `/` gets the JAR's file name). */
  jarUri: string;
  /** s3:// URI of app.configFile, when the config names one. */
  configUri?: string;
  /** app.configFile, relative to the working directory. */
  configFile?: string;
  appMode: 'batch' | 'streaming';
  healthyAfterMs: number;
  timeoutMs: number;
}

/** configError is an ActionError pointing at a config key (file:line when known), with its finding. */
export function configError(plan: DeployPlan, path: Path, message: string): ActionError {
  return targetConfigError('emr', plan, path, message);
}

/** namesEnvironment: the app name already holds the environment as a `-`-separated part ("etl-{{environment}}"). */
function namesEnvironment(app: string, environment: string): boolean {
  return `-${app}-`.includes(`-${environment}-`);
}

/**
 * stepNameOf is `<app>-<env>-<short sha>-<run id>`, within EMR's 256-character name limit; the environment
 * is left out when the app name already carries it (`etl-pipeline-{{environment}}`), so it is not doubled.
 */
export function stepNameOf(app: string, environment: string, sha: string, runId: string): string {
  const env = environment && !namesEnvironment(app, environment) ? environment : '';
  const tail = [env, sha.slice(0, 7), runId].filter(Boolean).join('-');
  return `${app.slice(0, 255 - tail.length)}-${tail}`.slice(0, 256);
}

function s3Location(plan: DeployPlan, path: Path, value: string, fileName: string): string {
  if (value.includes('{{')) {
    throw configError(plan, path, `"${value}" still holds a {{template}} after rendering`);
  }
  const parsed = parseS3Uri(value);
  if (!parsed) {
    throw configError(plan, path, `"${value}" ${whyNotS3Uri(value)}`);
  }
  return s3Uri({ bucket: parsed.bucket, key: objectKeyFor(parsed, fileName) });
}

/** resolveSettings validates the `emr` section of the Plan; errors name the key and the fix. */
export function resolveSettings(plan: DeployPlan, jarPath: string): EmrSettings {
  const emr = plan.config.emr;
  if (!emr) {
    throw configError(plan, ['emr'], 'target emr needs an emr section (emr.s3.jar and a cluster)');
  }
  const chosen = (['clusterId', 'clusterName', 'cluster'] as const).filter((k) => emr[k] !== undefined);
  if (chosen.length !== 1) {
    throw configError(
      plan,
      ['emr', chosen[1] ?? 'clusterId'],
      chosen.length === 0
        ? 'no cluster: set emr.clusterId (j-...), emr.clusterName (an active cluster) or emr.cluster (a transient cluster)'
        : `set only one of emr.clusterId, emr.clusterName and emr.cluster (found ${chosen.join(', ')})`,
    );
  }
  const cluster: ClusterChoice =
    emr.clusterId !== undefined
      ? { kind: 'id', id: emr.clusterId }
      : emr.clusterName !== undefined
        ? { kind: 'name', name: emr.clusterName }
        : { kind: 'transient', spec: emr.cluster as ClusterSpec };
  if (!emr.s3?.jar) {
    throw configError(
      plan,
      ['emr', 's3', 'jar'],
      'set the S3 location to stage the JAR at, e.g. s3://bucket/jars/{{sha}}/',
    );
  }
  const jarUri = s3Location(plan, ['emr', 's3', 'jar'], emr.s3.jar, basename(jarPath));
  const configFile = plan.config.app.configFile;
  let configUri: string | undefined;
  if (configFile) {
    if (!emr.s3.config) {
      throw configError(
        plan,
        ['emr', 's3', 'config'],
        `app.configFile (${configFile}) must be staged on S3 for EMR: set emr.s3.config, e.g. s3://bucket/config/{{sha}}/`,
      );
    }
    configUri = s3Location(plan, ['emr', 's3', 'config'], emr.s3.config, basename(configFile));
  }
  const appName = plan.config.app.name ?? 'spark-app';
  const environment = plan.environment ?? 'default';
  return {
    ...(emr.region ? { region: emr.region } : {}),
    appName,
    environment,
    stepName: stepNameOf(appName, environment, plan.context.sha, plan.context.runId),
    cluster,
    actionOnFailure: emr.actionOnFailure ?? 'CONTINUE',
    jarUri,
    ...(configUri ? { configUri } : {}),
    ...(configFile ? { configFile } : {}),
    appMode: plan.config.app.mode,
    healthyAfterMs: plan.config.app.healthyAfter * 1000,
    timeoutMs: plan.timeoutMs,
  };
}
