// The EMR target: stage the JAR (and the app's config) on S3, add a command-runner.jar spark-submit step to
// an existing cluster or start a transient cluster with it, follow the step, cancel it, explain failures.
// Every AWS SDK import lives under this directory so the factory's dynamic import keeps it in its own chunk.
import { resolve } from 'node:path';
import {
  CancelStepsCommand,
  type EMRClient,
  ListClustersCommand,
  ListStepsCommand,
  TerminateJobFlowsCommand,
} from '@aws-sdk/client-emr';
import type { S3Client } from '@aws-sdk/client-s3';
import type { Finding } from '../../findings.js';
import type { Artifact } from '../../stage.js';
import { ActionError, errorMessage } from '../../util/errors.js';
import { sha256File } from '../../util/hash.js';
import type { DeployPlan, Handle, Links, Status, Target } from '../target.js';
import { buildRunJobFlow } from './cluster.js';
import { defaultClients, type EmrDeps, withDefaults } from './deps.js';
import { decodeHandleData, encodeHandleData, type HandleData } from './handle.js';
import { buildLinks, stepLogPrefix } from './links.js';
import { fetchStepStderr, tailLines, yarnApplicationId } from './logs.js';
import { maskDeep } from './mask.js';
import { stageToS3 } from './s3-stage.js';
import { resolveSettings } from './settings.js';
import { buildStep } from './step.js';
import { ACTIVE_CLUSTER_STATES, addStepOnce, resolveCluster, retrying, runJobFlowOnce } from './submit.js';
import { persistentSparkUi } from './ui.js';
import { watchStep } from './watch.js';

export { buildRunJobFlow, DEFAULT_INSTANCE_GROUPS, TAG } from './cluster.js';
export type { EmrDeps, Logger } from './deps.js';
export { buildLinks, consoleClusterUrl, stepLogPrefix } from './links.js';
export { stageToS3 } from './s3-stage.js';
export { parseS3Uri, resolveSettings, stepNameOf } from './settings.js';
export { mapStepState, STEP_STATES } from './states.js';
export { buildSparkSubmitArgs, buildStep, HADOOP_JAR_STEP_MAX_CHARS } from './step.js';

/** EmrTarget is the Target plus its findings. */
export interface EmrTarget extends Target {
  readonly findings: Finding[];
}

/** createEmrTarget builds the EMR Target over injected deps (see EmrDeps for defaults). */
export function createEmrTarget(partial: Partial<EmrDeps> = {}): EmrTarget {
  const deps = withDefaults(partial);
  const findings: Finding[] = [];
  let plan = deps.plan;
  let clients: { emr: EMRClient; emrWrite: EMRClient; s3: S3Client } | undefined;

  const clientsFor = (region: string | undefined) => {
    if (!clients) {
      const made = deps.emr && deps.s3 ? undefined : defaultClients(region);
      const emr = deps.emr ?? (made as { emr: EMRClient }).emr;
      clients = {
        emr,
        // Injected clients are used as they are; the default pair has a no-retry client for mutations.
        emrWrite: deps.emrWrite ?? (deps.emr ? emr : (made as { emrWrite: EMRClient }).emrWrite),
        s3: deps.s3 ?? (made as { s3: S3Client }).s3,
      };
    }
    return clients;
  };
  const regionOf = async (emr: EMRClient, fallback?: string): Promise<string> => {
    try {
      return (await emr.config.region()) || fallback || '';
    } catch {
      return fallback ?? '';
    }
  };
  const secrets = () => plan?.secrets ?? [];

  const renderStep = (p: DeployPlan, artifact: Artifact) => {
    const s = resolveSettings(p, artifact.jarPath);
    return { s, step: buildStep(p, artifact, s) };
  };

  const warnSecretsInStep = (p: DeployPlan, args: readonly string[]) => {
    if (p.secrets.some((sec) => sec.length > 0 && args.some((a) => a.includes(sec)))) {
      const f: Finding = {
        stage: 'deploy',
        severity: 'warning',
        title: 'secret in an EMR step',
        message:
          'a resolved secret is part of the spark-submit arguments; EMR shows step arguments to anyone allowed DescribeStep/ListSteps. Prefer reading it on the cluster (e.g. from Secrets Manager)',
        rule: 'emr/secret-in-step',
      };
      findings.push(f);
      deps.log.warning(`emr: ${f.message}`);
    }
  };

  const terminate = async (clusterId: string, why: string) => {
    const { emr } = clientsFor(plan?.config.emr?.region);
    try {
      await retrying(deps, `TerminateJobFlows ${clusterId}`, () =>
        emr.send(new TerminateJobFlowsCommand({ JobFlowIds: [clusterId] })),
      );
      deps.log.info(`emr: terminating transient cluster ${clusterId} (${why})`);
    } catch (err) {
      deps.log.warning(
        `emr: could not terminate cluster ${clusterId}: ${errorMessage(err)}; terminate it by hand`,
      );
    }
  };

  const logSparkUi = async (emr: EMRClient, arn: string, handle: Handle, signal: AbortSignal) => {
    const ui = await persistentSparkUi(emr, deps, arn, handle.applicationId, signal);
    if ('missing' in ui) {
      deps.log.info(
        `emr: no persistent Spark UI link (${ui.missing}); open it from the cluster page in the EMR console`,
      );
      return;
    }
    // The live log is the one place it may appear: printed once, then masked by the runner.
    deps.log.info(
      `emr: Spark UI (persistent History Server; a presigned URL that works as a credential and expires in minutes, not for sharing): ${ui.url}`,
    );
    deps.mask(ui.url);
  };

  const target: EmrTarget = {
    name: 'emr',
    /** A transient cluster runs (and bills) until it is terminated, whatever its step did. */
    outlives: (handle) => decodeHandleData(handle).transient,
    findings,

    async render(p, artifact) {
      const { s, step } = renderStep(p, artifact);
      const shown = (v: unknown) => JSON.stringify(maskDeep(v, p.secrets), null, 2);
      if (s.cluster.kind === 'transient') {
        return [{ kind: 'EMR RunJobFlow request', text: shown(buildRunJobFlow(p, s, step)) }];
      }
      const on = s.cluster.kind === 'id' ? s.cluster.id : `<active cluster named "${s.cluster.name}">`;
      return [{ kind: 'EMR AddJobFlowSteps request', text: shown({ JobFlowId: on, Steps: [step] }) }];
    },

    async submit(p, artifact, signal) {
      plan = p;
      const { s, step } = renderStep(p, artifact);
      warnSecretsInStep(p, step.HadoopJarStep?.Args ?? []);
      const { emr, emrWrite, s3 } = clientsFor(s.region);
      const log = (line: string) => deps.log.info(line);
      const since = deps.clock.now();

      const sha = artifact.sha256 ?? (await sha256File(artifact.jarPath, signal));
      await stageToS3({
        client: s3,
        jarPath: artifact.jarPath,
        sha256: sha,
        uri: s.jarUri,
        log,
        signal,
        ...(deps.partSize ? { partSize: deps.partSize } : {}),
      });
      if (s.configFile && s.configUri) {
        const path = resolve(p.workingDirectory, s.configFile);
        const configSha = await sha256File(path, signal).catch((err: unknown) => {
          throw new ActionError(`emr: cannot read app.configFile ${s.configFile}: ${errorMessage(err)}`);
        });
        await stageToS3({ client: s3, jarPath: path, sha256: configSha, uri: s.configUri, log, signal });
      }

      let clusterId: string;
      let clusterArn: string | undefined;
      let stepId: string;
      let logUri: string | undefined;
      const transient = s.cluster.kind === 'transient';
      if (s.cluster.kind === 'transient') {
        const req = buildRunJobFlow(p, s, step);
        const started = await runJobFlowOnce(emr, deps, req, since, signal, emrWrite);
        clusterId = started.clusterId;
        clusterArn = started.clusterArn;
        logUri = req.LogUri;
        deps.log.info(`emr: started transient cluster ${clusterId} (${req.ReleaseLabel})`);
        const steps = await retrying(
          deps,
          `ListSteps ${clusterId}`,
          () => emr.send(new ListStepsCommand({ ClusterId: clusterId }), { abortSignal: signal }),
          signal,
        );
        const ours = (steps.Steps ?? []).find((x) => x.Name === s.stepName);
        if (!ours?.Id) {
          await terminate(clusterId, 'its step is missing');
          throw new ActionError(`emr: cluster ${clusterId} started without step "${s.stepName}"`);
        }
        stepId = ours.Id;
      } else {
        const cluster = await resolveCluster(emr, deps, s, signal);
        clusterId = cluster.id;
        clusterArn = cluster.arn;
        logUri = cluster.logUri;
        const added = await addStepOnce(emr, deps, clusterId, step, since, signal, emrWrite);
        stepId = added.stepId;
      }
      const data: HandleData = {
        clusterId,
        ...(clusterArn ? { clusterArn } : {}),
        region: await regionOf(emr, s.region),
        stepName: s.stepName,
        transient,
        ...(logUri ? { logUri } : {}),
        appMode: s.appMode,
        healthyAfterMs: s.healthyAfterMs,
        timeoutMs: s.timeoutMs,
        submittedAt: since,
      };
      const handle: Handle = { target: 'emr', submissionId: stepId, data: encodeHandleData(data) };
      deps.onHandle?.(handle);
      deps.log.info(`emr: step ${stepId} "${s.stepName}" on cluster ${clusterId}`);
      return handle;
    },

    async *watch(handle, signal) {
      const data = decodeHandleData(handle);
      const { emr } = clientsFor(data.region || plan?.config.emr?.region);
      let ended = false;
      for await (const status of watchStep(
        handle,
        {
          emr,
          deps,
          onFailed: async (h, st) => {
            if (data.transient)
              await terminate(data.clusterId, `step ${h.submissionId} ended ${st.nativeState}`);
          },
        },
        signal,
      )) {
        ended = status.terminal;
        yield status;
      }
      // Only a watch followed to the end asks for the UI (a status look stops after the first state).
      if (ended && data.clusterArn) await logSparkUi(emr, data.clusterArn, handle, signal);
    },

    async cancel(handle) {
      const data = decodeHandleData(handle);
      const { emr } = clientsFor(data.region || plan?.config.emr?.region);
      try {
        const out = await retrying(deps, `CancelSteps ${handle.submissionId}`, () =>
          emr.send(
            new CancelStepsCommand({
              ClusterId: data.clusterId,
              StepIds: [handle.submissionId],
              StepCancellationOption: 'SEND_INTERRUPT',
            }),
          ),
        );
        for (const info of out.CancelStepsInfoList ?? []) {
          deps.log.info(
            `emr: cancel of step ${info.StepId}: ${info.Status}${info.Reason ? ` (${info.Reason})` : ''}`,
          );
        }
      } finally {
        if (data.transient) await terminate(data.clusterId, 'the deploy was cancelled');
      }
    },

    async find(selector) {
      if (!plan)
        throw new ActionError('emr: find needs the deploy config (pass the Plan to createEmrTarget)');
      const p = plan;
      const emr = clientsFor(p.config.emr?.region).emr;
      const region = await regionOf(emr, p.config.emr?.region);
      const prefix = `${selector.app}-`;
      // Without a preview, the environment's own steps only: a preview's app name is `<app>-pr-<N>`.
      const wanted = (name: string | undefined) =>
        !!name?.startsWith(prefix) &&
        (selector.preview !== undefined || !/^pr-\d+-/.test(name.slice(prefix.length)));
      const clusterIds: { id: string; transient: boolean; logUri?: string }[] = [];
      const emrConf = p.config.emr;
      if (emrConf?.cluster) {
        const page = await retrying(deps, 'ListClusters', () =>
          emr.send(new ListClustersCommand({ ClusterStates: ACTIVE_CLUSTER_STATES })),
        );
        for (const c of page.Clusters ?? [])
          if (c.Id && wanted(c.Name)) clusterIds.push({ id: c.Id, transient: true });
      } else if (emrConf?.clusterId || emrConf?.clusterName) {
        const s = resolveSettings(p, 'app.jar');
        const c = await resolveCluster(emr, deps, s);
        clusterIds.push({ id: c.id, transient: false, ...(c.logUri ? { logUri: c.logUri } : {}) });
      }
      const handles: Handle[] = [];
      for (const c of clusterIds) {
        const page = await retrying(deps, `ListSteps ${c.id}`, () =>
          emr.send(new ListStepsCommand({ ClusterId: c.id })),
        );
        for (const st of page.Steps ?? []) {
          if (!st.Id || !wanted(st.Name)) continue;
          const data: HandleData = {
            clusterId: c.id,
            region,
            stepName: st.Name ?? '',
            transient: c.transient,
            ...(c.logUri ? { logUri: c.logUri } : {}),
            appMode: p.config.app.mode,
            healthyAfterMs: p.config.app.healthyAfter * 1000,
            timeoutMs: p.timeoutMs,
            submittedAt: st.Status?.Timeline?.CreationDateTime?.getTime() ?? 0,
          };
          handles.push({
            target: 'emr',
            submissionId: st.Id,
            data: { ...encodeHandleData(data), state: st.Status?.State ?? '' },
          });
        }
      }
      return handles;
    },

    links(handle, status?: Status): Links {
      const data = decodeHandleData(handle);
      void status;
      return buildLinks(data.region || 'us-east-1', data.clusterId, handle.submissionId, data.logUri);
    },

    async logTail(handle, lines) {
      const data = decodeHandleData(handle);
      if (!data.logUri) {
        return '(no stderr: the cluster has no log URI; set emr.cluster.logUri or start the cluster with --log-uri)';
      }
      const prefix = stepLogPrefix(data.logUri, data.clusterId, handle.submissionId);
      if (!prefix) return undefined;
      const { s3 } = clientsFor(data.region || plan?.config.emr?.region);
      let why = '';
      for (const delay of deps.logFetchDelaysMs) {
        if (delay > 0) await deps.clock.sleep(delay);
        const got = await fetchStepStderr(s3, prefix);
        if ('text' in got) {
          const appId = yarnApplicationId(got.text);
          // The deploy stage reads it from the handle for the application-id output.
          if (appId) handle.applicationId ??= appId;
          return tailLines(got.text, lines, secrets());
        }
        why = got.missing;
        if (why.startsWith('no s3:GetObject')) break;
      }
      return `(stderr not readable: ${why}; step logs reach S3 minutes late: ${prefix})`;
    },
  };
  return target;
}
