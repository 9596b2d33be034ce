// Submitting: the JAR and the app's config staged on S3, then the step added to a running cluster or a
// transient cluster started with it.
import { resolve } from 'node:path';
import { type EMRClient, ListStepsCommand, type StepConfig } from '@aws-sdk/client-emr';
import type { S3Client } from '@aws-sdk/client-s3';
import { type StagedBy, stageToS3 } from '../../s3/stage.js';
import type { Artifact } from '../../stage.js';
import { ActionError, errorMessage } from '../../util/errors.js';
import { sha256File } from '../../util/hash.js';
import type { DeployPlan } from '../target.js';
import { buildRunJobFlow } from './cluster.js';
import type { EmrDeps } from './deps.js';
import { terminateCluster } from './lifecycle.js';
import type { EmrSettings as Settings } from './settings.js';
import { addStepOnce, resolveCluster, retrying, runJobFlowOnce } from './submit.js';

const BY: StagedBy = { label: 'emr', keys: 'emr.s3.jar / emr.s3.config' };

/** stageArtifacts uploads the JAR and app.configFile to their S3 URIs (skipped when S3 has the same SHA-256). */
export async function stageArtifacts(
  s3: S3Client,
  deps: Pick<EmrDeps, 'log' | 'partSize'>,
  p: DeployPlan,
  s: Settings,
  artifact: Artifact,
  signal: AbortSignal,
): Promise<void> {
  const log = (line: string) => deps.log.info(line);
  const sha = artifact.sha256 ?? (await sha256File(artifact.jarPath, signal));
  await stageToS3({
    client: s3,
    jarPath: artifact.jarPath,
    sha256: sha,
    uri: s.jarUri,
    log,
    signal,
    by: BY,
    ...(deps.partSize ? { partSize: deps.partSize } : {}),
  });
  if (s.configFile && s.configUri) {
    const path = resolve(p.workingDirectory, s.configFile);
    const configSha = await sha256File(path, signal).catch((err: unknown) => {
      throw new ActionError(`emr: cannot read app.configFile ${s.configFile}: ${errorMessage(err)}`);
    });
    await stageToS3({ client: s3, jarPath: path, sha256: configSha, uri: s.configUri, log, signal, by: BY });
  }
}

/** Placed is where the step landed. */
export interface Placed {
  clusterId: string;
  clusterArn?: string;
  stepId: string;
  logUri?: string;
  transient: boolean;
}

/** placeStep starts a transient cluster with the step, or adds the step to the configured cluster, once. */
export async function placeStep(
  clients: { emr: EMRClient; emrWrite: EMRClient },
  deps: EmrDeps,
  p: DeployPlan,
  s: Settings,
  step: StepConfig,
  since: number,
  signal: AbortSignal,
): Promise<Placed> {
  const { emr, emrWrite } = clients;
  if (s.cluster.kind === 'transient') {
    const req = buildRunJobFlow(p, s, step);
    const started = await runJobFlowOnce(emr, deps, req, since, signal, emrWrite);
    const clusterId = started.clusterId;
    deps.log.info(`emr: started transient cluster ${clusterId} (${req.ReleaseLabel})`);
    const steps = await retrying(
      deps,
      `ListSteps ${clusterId}`,
      () => emr.send(new ListStepsCommand({ ClusterId: clusterId }), { abortSignal: signal }),
      signal,
    );
    const ours = (steps.Steps ?? []).find((x) => x.Name === s.stepName);
    if (!ours?.Id) {
      await terminateCluster(emr, deps, clusterId, 'its step is missing');
      throw new ActionError(`emr: cluster ${clusterId} started without step "${s.stepName}"`);
    }
    return {
      clusterId,
      ...(started.clusterArn ? { clusterArn: started.clusterArn } : {}),
      stepId: ours.Id,
      ...(req.LogUri ? { logUri: req.LogUri } : {}),
      transient: true,
    };
  }
  const cluster = await resolveCluster(emr, deps, s, signal);
  const added = await addStepOnce(emr, deps, cluster.id, step, since, signal, emrWrite);
  return {
    clusterId: cluster.id,
    ...(cluster.arn ? { clusterArn: cluster.arn } : {}),
    stepId: added.stepId,
    ...(cluster.logUri ? { logUri: cluster.logUri } : {}),
    transient: false,
  };
}
