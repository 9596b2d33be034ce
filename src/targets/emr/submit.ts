// Getting the step onto a cluster exactly once: resolve or start the cluster, add the step, and after an
// ambiguous failure adopt the step that landed instead of adding a second (EMR steps have no client token).
import {
  AddJobFlowStepsCommand,
  type ClusterState,
  DescribeClusterCommand,
  type DescribeClusterCommandOutput,
  type EMRClient,
  ListClustersCommand,
  ListStepsCommand,
  RunJobFlowCommand,
  type RunJobFlowCommandInput,
  type StepConfig,
  type StepSummary,
} from '@aws-sdk/client-emr';
import { awsErrorCode, isAmbiguous, isTransient } from '../../util/aws-errors.js';
import { ActionError, errorMessage } from '../../util/errors.js';
import type { EmrDeps } from './deps.js';
import type { EmrSettings } from './settings.js';
import { STEP_ACCEPTING_CLUSTER_STATES } from './states.js';
import { jittered } from './watch.js';

/** Active cluster states, for resolving emr.clusterName. */
export const ACTIVE_CLUSTER_STATES: ClusterState[] = ['STARTING', 'BOOTSTRAPPING', 'RUNNING', 'WAITING'];
/** How many times a mutating call is tried (after a transient or ambiguous failure) before giving up. */
const MAX_TRIES = 5;
/** Slack for clock skew between the runner and EMR when matching a step by its creation time. */
const SKEW_MS = 5 * 60_000;

function awsFailure(what: string, err: unknown): ActionError {
  return new ActionError(`emr: ${what} failed: ${awsErrorCode(err) ?? 'error'}: ${errorMessage(err)}`);
}

/** retrying runs a read-only call, backing off on throttling and transient errors. */
export async function retrying<T>(
  deps: EmrDeps,
  what: string,
  fn: () => Promise<T>,
  signal?: AbortSignal,
): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await fn();
    } catch (err) {
      if (signal?.aborted) throw signal.reason ?? err;
      if (!isTransient(err) || i + 1 >= MAX_TRIES) throw awsFailure(what, err);
      const delay = jittered(i, deps.errorBackoff, deps.random);
      deps.log.debug(`emr: ${what}: ${awsErrorCode(err)}; retrying in ${delay} ms`);
      await deps.clock.sleep(delay, signal);
    }
  }
}

/** ClusterInfo is what the target needs to know of the cluster it adds a step to. */
export interface ClusterInfo {
  id: string;
  /** ClusterArn, for the persistent Spark UI. */
  arn?: string;
  state: string;
  logUri?: string;
  /** How many steps the cluster runs at once (Cluster.StepConcurrencyLevel; EMR's default is 1). */
  stepConcurrencyLevel: number;
}

/** resolveCluster finds the configured existing cluster and checks that it accepts steps. */
export async function resolveCluster(
  emr: EMRClient,
  deps: EmrDeps,
  s: EmrSettings,
  signal?: AbortSignal,
): Promise<ClusterInfo> {
  let id: string;
  if (s.cluster.kind === 'id') id = s.cluster.id;
  else if (s.cluster.kind === 'name') {
    const name = s.cluster.name;
    const matches: { id: string; state: string }[] = [];
    let marker: string | undefined;
    do {
      const page = await retrying(
        deps,
        'ListClusters',
        () =>
          emr.send(
            new ListClustersCommand({
              ClusterStates: ACTIVE_CLUSTER_STATES,
              ...(marker ? { Marker: marker } : {}),
            }),
            signal ? { abortSignal: signal } : {},
          ),
        signal,
      );
      for (const c of page.Clusters ?? []) {
        if (c.Name === name && c.Id) matches.push({ id: c.Id, state: c.Status?.State ?? '' });
      }
      marker = page.Marker;
    } while (marker);
    if (matches.length !== 1) {
      throw new ActionError(
        matches.length === 0
          ? `emr: no active cluster is named "${name}" (emr.clusterName; looked at ${ACTIVE_CLUSTER_STATES.join(', ')} clusters); start it, or set emr.clusterId`
          : `emr: ${matches.length} active clusters are named "${name}" (${matches.map((m) => `${m.id} ${m.state}`).join(', ')}); set emr.clusterId to the one to use`,
      );
    }
    id = (matches[0] as { id: string }).id;
  } else throw new Error('resolveCluster: transient clusters are started, not resolved');

  let cluster: DescribeClusterCommandOutput;
  try {
    cluster = await retrying(
      deps,
      `DescribeCluster ${id}`,
      () => emr.send(new DescribeClusterCommand({ ClusterId: id }), signal ? { abortSignal: signal } : {}),
      signal,
    );
  } catch (err) {
    throw new ActionError(`${errorMessage(err)} (emr.clusterId ${id}: is it in this account and region?)`);
  }
  const state = cluster.Cluster?.Status?.State ?? '';
  if (!(STEP_ACCEPTING_CLUSTER_STATES as readonly string[]).includes(state)) {
    throw new ActionError(
      `emr: cluster ${id} is ${state || 'in an unknown state'}; steps can be added only while it is ${STEP_ACCEPTING_CLUSTER_STATES.join(', ')}`,
    );
  }
  const logUri = cluster.Cluster?.LogUri;
  const arn = cluster.Cluster?.ClusterArn;
  const stepConcurrencyLevel = cluster.Cluster?.StepConcurrencyLevel ?? 1;
  return { id, state, ...(arn ? { arn } : {}), ...(logUri ? { logUri } : {}), stepConcurrencyLevel };
}

/** findStepByName is the newest step with this name created since `since` (ListSteps is newest first). */
export async function findStepByName(
  emr: EMRClient,
  clusterId: string,
  name: string,
  since: number,
  signal?: AbortSignal,
): Promise<StepSummary | undefined> {
  let marker: string | undefined;
  do {
    const page = await emr.send(
      new ListStepsCommand({ ClusterId: clusterId, ...(marker ? { Marker: marker } : {}) }),
      signal ? { abortSignal: signal } : {},
    );
    for (const st of page.Steps ?? []) {
      const created = st.Status?.Timeline?.CreationDateTime?.getTime();
      if (created !== undefined && created < since - SKEW_MS) return undefined;
      if (st.Name === name) return st;
    }
    marker = page.Marker;
  } while (marker);
  return undefined;
}

/**
 * addStepOnce adds the step; when a try fails ambiguously (5xx, timeout, lost connection) it lists the
 * cluster's steps and adopts one of the same name created since `since` rather than adding a second.
 * It adds again only after a listing showed none.
 */
export async function addStepOnce(
  emr: EMRClient,
  deps: EmrDeps,
  clusterId: string,
  step: StepConfig,
  since: number,
  signal?: AbortSignal,
  write: EMRClient = emr,
): Promise<{ stepId: string; adopted: boolean }> {
  const name = step.Name as string;
  let mustLook = false;
  for (let i = 0; i < MAX_TRIES; i++) {
    if (i > 0) await deps.clock.sleep(jittered(i - 1, deps.errorBackoff, deps.random), signal);
    if (mustLook) {
      try {
        const found = await findStepByName(emr, clusterId, name, since, signal);
        mustLook = false;
        if (found?.Id) {
          deps.log.info(
            `emr: adopting step ${found.Id} "${name}" (${found.Status?.State}) left by the failed try`,
          );
          return { stepId: found.Id, adopted: true };
        }
      } catch (err) {
        if (signal?.aborted) throw signal.reason ?? err;
        deps.log.debug(`emr: ListSteps: ${awsErrorCode(err)}; looking again before adding`);
        continue;
      }
    }
    try {
      const out = await write.send(
        new AddJobFlowStepsCommand({ JobFlowId: clusterId, Steps: [step] }),
        signal ? { abortSignal: signal } : {},
      );
      const id = out.StepIds?.[0];
      if (!id) throw new ActionError(`emr: AddJobFlowSteps on ${clusterId} returned no step id`);
      return { stepId: id, adopted: false };
    } catch (err) {
      if (err instanceof ActionError) throw err;
      if (signal?.aborted) throw signal.reason ?? err;
      if (isAmbiguous(err)) mustLook = true;
      else if (!isTransient(err)) throw awsFailure(`AddJobFlowSteps on cluster ${clusterId}`, err);
      deps.log.warning(
        `emr: AddJobFlowSteps on ${clusterId}: ${awsErrorCode(err)}: ${errorMessage(err)}; trying again`,
      );
    }
  }
  throw new ActionError(
    `emr: could not add step "${name}" to cluster ${clusterId} after ${MAX_TRIES} tries; check the cluster's step list before re-running`,
  );
}

/** findClusterByName is the newest active cluster with this name created since `since`. */
async function findClusterByName(emr: EMRClient, name: string, since: number, signal?: AbortSignal) {
  let marker: string | undefined;
  do {
    const page = await emr.send(
      new ListClustersCommand({
        ClusterStates: ACTIVE_CLUSTER_STATES,
        CreatedAfter: new Date(since - SKEW_MS),
        ...(marker ? { Marker: marker } : {}),
      }),
      signal ? { abortSignal: signal } : {},
    );
    const hit = (page.Clusters ?? []).find((c) => c.Name === name && c.Id);
    if (hit?.Id) return hit.Id;
    marker = page.Marker;
  } while (marker);
  return undefined;
}

/** runJobFlowOnce starts the transient cluster, adopting one of the same name after an ambiguous failure. */
export async function runJobFlowOnce(
  emr: EMRClient,
  deps: EmrDeps,
  req: RunJobFlowCommandInput,
  since: number,
  signal?: AbortSignal,
  write: EMRClient = emr,
): Promise<{ clusterId: string; clusterArn?: string; adopted: boolean }> {
  let mustLook = false;
  for (let i = 0; i < MAX_TRIES; i++) {
    if (i > 0) await deps.clock.sleep(jittered(i - 1, deps.errorBackoff, deps.random), signal);
    if (mustLook) {
      try {
        const found = await findClusterByName(emr, req.Name as string, since, signal);
        mustLook = false;
        if (found) {
          deps.log.info(`emr: adopting cluster ${found} "${req.Name}" left by the failed try`);
          return { clusterId: found, adopted: true };
        }
      } catch (err) {
        if (signal?.aborted) throw signal.reason ?? err;
        continue;
      }
    }
    try {
      const out = await write.send(new RunJobFlowCommand(req), signal ? { abortSignal: signal } : {});
      if (!out.JobFlowId) throw new ActionError('emr: RunJobFlow returned no cluster id');
      return {
        clusterId: out.JobFlowId,
        ...(out.ClusterArn ? { clusterArn: out.ClusterArn } : {}),
        adopted: false,
      };
    } catch (err) {
      if (err instanceof ActionError) throw err;
      if (signal?.aborted) throw signal.reason ?? err;
      if (isAmbiguous(err)) mustLook = true;
      else if (!isTransient(err)) throw awsFailure('RunJobFlow', err);
      deps.log.warning(`emr: RunJobFlow: ${awsErrorCode(err)}: ${errorMessage(err)}; trying again`);
    }
  }
  throw new ActionError(`emr: could not start cluster "${req.Name}" after ${MAX_TRIES} tries`);
}
