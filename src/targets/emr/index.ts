// The EMR target: stage the JAR (and the app's config) on S3, add a command-runner.jar spark-submit step to
// an existing cluster or start a transient cluster with it, follow the step, cancel it, explain failures.
// Every AWS SDK import lives under this directory so the factory's dynamic import keeps it in its own chunk.
import type { EMRClient } from '@aws-sdk/client-emr';
import type { S3Client } from '@aws-sdk/client-s3';
import type { Finding } from '../../findings.js';
import { ActionError } from '../../util/errors.js';
import { stagedOnlyOnDeploy } from '../staged-note.js';
import type { DeployPlan, Handle, Links, Status, Target } from '../target.js';
import { buildRunJobFlow } from './cluster.js';
import { credentialsFor, defaultClients, type EmrDeps, withDefaults } from './deps.js';
import { findSteps } from './find.js';
import { decodeHandleData, encodeHandleData, type HandleData } from './handle.js';
import { cancelStep, terminateCluster } from './lifecycle.js';
import { buildLinks, consoleClusterUrl } from './links.js';
import { stepApplicationId, stepLogTail } from './log-tail.js';
import { stepsRunOneAtATime } from './one-at-a-time.js';
import { placeStep, stageArtifacts } from './place.js';
import { resolveSettings } from './settings.js';
import { buildStep } from './step.js';
import { watchStep } from './watch.js';

export { stageToS3 } from '../../s3/stage.js';
export { parseS3Uri } from '../../s3/uri.js';
export { buildRunJobFlow, DEFAULT_INSTANCE_GROUPS, TAG } from './cluster.js';
export type { EmrDeps, Logger } from './deps.js';
export { buildLinks, consoleClusterUrl, stepLogPrefix } from './links.js';
export { resolveSettings, stepNameOf } from './settings.js';
export { mapStepState, STEP_STATES } from './states.js';
export { buildSparkSubmitArgs, buildStep, HADOOP_JAR_STEP_MAX_CHARS } from './step.js';

/** EmrTarget is the Target plus its findings. */
export interface EmrTarget extends Target {
  readonly findings: Finding[];
}

type Clients = { emr: EMRClient; emrWrite: EMRClient; s3: S3Client };

/** makeClients takes the injected clients, else the default ones (a no-retry client for mutations). */
function makeClients(deps: EmrDeps, region: string | undefined, plan: DeployPlan | undefined): Clients {
  const made = deps.emr && deps.s3 ? undefined : defaultClients(region, credentialsFor(deps, plan, region));
  const emr = deps.emr ?? (made as { emr: EMRClient }).emr;
  return {
    emr,
    emrWrite: deps.emrWrite ?? (deps.emr ? emr : (made as { emrWrite: EMRClient }).emrWrite),
    s3: deps.s3 ?? (made as { s3: S3Client }).s3,
  };
}

async function regionOf(emr: EMRClient, fallback?: string): Promise<string> {
  try {
    return (await emr.config.region()) || fallback || '';
  } catch {
    return fallback ?? '';
  }
}

/** secretInStep is the warning for a resolved secret among the step's arguments (EMR shows them to readers). */
function secretInStep(p: DeployPlan, args: readonly string[]): Finding | undefined {
  if (!p.secrets.some((sec) => sec.length > 0 && args.some((a) => a.includes(sec)))) return undefined;
  return {
    stage: 'deploy',
    severity: 'warning',
    title: 'secret in an EMR step',
    message:
      'a resolved secret is part of the spark-submit arguments; EMR shows step arguments to anyone allowed DescribeStep/ListSteps. Prefer reading it on the cluster (e.g. from Secrets Manager)',
    rule: 'emr/secret-in-step',
  };
}

/**
 * logSparkUi says where the finished step's Spark UI is. EMR serves it through a presigned URL, which is a
 * credential (and logs of public repositories are public), so the log names the console page instead.
 */
function logSparkUi(deps: EmrDeps, region: string, clusterId: string) {
  deps.log.info(
    `emr: Spark UI: open ${consoleClusterUrl(region, clusterId)} and choose "Spark History Server" under "Applications" (persistent application UI; its address is a presigned URL the action never prints)`,
  );
}

/** Why the EMR target reads no Spark metrics (docs/targets.md, "Spark run metrics"). */
const NO_METRICS =
  'emr: no Spark metrics: the cluster\'s Spark History Server (the persistent application UI) is reached only through presigned URLs, which the action does not read (see docs/targets.md, "Spark run metrics")';

/** createEmrTarget builds the EMR Target over injected deps (see EmrDeps for defaults). */
export function createEmrTarget(partial: Partial<EmrDeps> = {}): EmrTarget {
  const deps = withDefaults(partial);
  const findings: Finding[] = [];
  let plan = deps.plan;
  let clients: Clients | undefined;
  const clientsFor = (region: string | undefined) => {
    clients ??= makeClients(deps, region, plan);
    return clients;
  };
  const regionFor = (handle: Handle) => decodeHandleData(handle).region || plan?.config.emr?.region;

  async function render(p: DeployPlan, artifact: Parameters<Target['render']>[1]) {
    const s = resolveSettings(p, artifact.jarPath);
    const step = buildStep(p, artifact, s);
    const shown = (v: unknown) => JSON.stringify(v, null, 2);
    const note = `; ${stagedOnlyOnDeploy([s.jarUri, ...(s.configUri ? [s.configUri] : [])])}`;
    if (s.cluster.kind === 'transient') {
      return [{ kind: `EMR RunJobFlow request${note}`, text: shown(buildRunJobFlow(p, s, step)) }];
    }
    const on = s.cluster.kind === 'id' ? s.cluster.id : `<active cluster named "${s.cluster.name}">`;
    return [{ kind: `EMR AddJobFlowSteps request${note}`, text: shown({ JobFlowId: on, Steps: [step] }) }];
  }

  async function submit(p: DeployPlan, artifact: Parameters<Target['submit']>[1], signal: AbortSignal) {
    plan = p;
    const s = resolveSettings(p, artifact.jarPath);
    const step = buildStep(p, artifact, s);
    const warning = secretInStep(p, step.HadoopJarStep?.Args ?? []);
    if (warning) {
      findings.push(warning);
      deps.log.warning(`emr: ${warning.message}`);
    }
    const c = clientsFor(s.region);
    const since = deps.clock.now();
    await stageArtifacts(c.s3, deps, p, s, artifact, signal);
    const placed = await placeStep(c, deps, p, s, step, since, signal);
    const data: HandleData = {
      clusterId: placed.clusterId,
      ...(placed.clusterArn ? { clusterArn: placed.clusterArn } : {}),
      region: await regionOf(c.emr, s.region),
      stepName: s.stepName,
      transient: placed.transient,
      ...(placed.logUri ? { logUri: placed.logUri } : {}),
      appMode: s.appMode,
      healthyAfterMs: s.healthyAfterMs,
      timeoutMs: s.timeoutMs,
      submittedAt: since,
    };
    const handle: Handle = { target: 'emr', submissionId: placed.stepId, data: encodeHandleData(data) };
    deps.onHandle?.(handle);
    deps.log.info(`emr: step ${placed.stepId} "${s.stepName}" on cluster ${placed.clusterId}`);
    return handle;
  }

  async function* watch(handle: Handle, signal: AbortSignal): AsyncGenerator<Status> {
    const data = decodeHandleData(handle);
    const { emr } = clientsFor(regionFor(handle));
    const onFailed = async (h: Handle, st: Status) => {
      if (data.transient)
        await terminateCluster(emr, deps, data.clusterId, `step ${h.submissionId} ended ${st.nativeState}`);
    };
    let ended = false;
    // One read of the step's stderr for the YARN id, which DescribeStep does not carry.
    const applicationIdOf = (h: Handle) => stepApplicationId(clientsFor(regionFor(h)).s3, h);
    for await (const status of watchStep(handle, { emr, deps, onFailed, applicationIdOf }, signal)) {
      ended = status.terminal;
      yield status;
    }
    // Only a watch followed to the end points at the UI (a status look stops after the first state).
    if (ended) logSparkUi(deps, data.region || 'us-east-1', data.clusterId);
  }

  async function find(selector: { app: string; preview?: number }): Promise<Handle[]> {
    if (!plan) throw new ActionError('emr: find needs the deploy config (pass the Plan to createEmrTarget)');
    const { emr } = clientsFor(plan.config.emr?.region);
    return findSteps(emr, deps, plan, await regionOf(emr, plan.config.emr?.region), selector);
  }

  async function retireFirst(p: DeployPlan, signal: AbortSignal) {
    plan = p;
    const s = resolveSettings(p, 'app.jar');
    return stepsRunOneAtATime(clientsFor(s.region).emr, deps, p, s, signal);
  }

  return {
    name: 'emr',
    retireFirst,
    /** A transient cluster runs (and bills) until it is terminated, whatever its step did. */
    outlives: (handle) => decodeHandleData(handle).transient,
    findings,
    render,
    submit,
    watch,
    cancel: (handle) => cancelStep(clientsFor(regionFor(handle)).emr, deps, handle),
    find,
    links(handle, _status?: Status): Links {
      const data = decodeHandleData(handle);
      return buildLinks(data.region || 'us-east-1', data.clusterId, handle.submissionId, data.logUri);
    },
    metricsSource: () => ({ missing: NO_METRICS }),
    logTail: (handle, lines) => stepLogTail(clientsFor(regionFor(handle)).s3, deps, handle, lines),
  };
}
