// Finding an app's steps again (status, cleanup, replacing a streaming run): by step name prefix, on the
// configured cluster or on the active transient clusters the app started.
import { type EMRClient, ListClustersCommand, ListStepsCommand } from '@aws-sdk/client-emr';
import type { DeployPlan, Handle } from '../target.js';
import type { EmrDeps } from './deps.js';
import { encodeHandleData, type HandleData } from './handle.js';
import { resolveSettings } from './settings.js';
import { ACTIVE_CLUSTER_STATES, resolveCluster, retrying } from './submit.js';

/** findSteps lists the handles of the app's steps, with their last state as `data.state`. */
export async function findSteps(
  emr: EMRClient,
  deps: EmrDeps,
  p: DeployPlan,
  region: string,
  selector: { app: string; preview?: number },
): Promise<Handle[]> {
  const prefix = `${selector.app}-`;
  // Without a preview, the environment's own steps only: a preview's app name is `<app>-pr-<N>`.
  const wanted = (name: string | undefined) =>
    !!name?.startsWith(prefix) &&
    (selector.preview !== undefined || !/^pr-\d+-/.test(name.slice(prefix.length)));
  const clusters: { id: string; transient: boolean; logUri?: string }[] = [];
  const emrConf = p.config.emr;
  if (emrConf?.cluster) {
    const page = await retrying(deps, 'ListClusters', () =>
      emr.send(new ListClustersCommand({ ClusterStates: ACTIVE_CLUSTER_STATES })),
    );
    for (const c of page.Clusters ?? [])
      if (c.Id && wanted(c.Name)) clusters.push({ id: c.Id, transient: true });
  } else if (emrConf?.clusterId || emrConf?.clusterName) {
    const c = await resolveCluster(emr, deps, resolveSettings(p, 'app.jar'));
    clusters.push({ id: c.id, transient: false, ...(c.logUri ? { logUri: c.logUri } : {}) });
  }
  const handles: Handle[] = [];
  for (const c of clusters) {
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
}
