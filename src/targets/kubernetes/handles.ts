// Handles: what a later process (the post step, status, cleanup) needs to find a SparkApplication again.
import type { DeployPlan, Handle } from '../target.js';
import type { KubeObject } from './render.js';
import { Label, type Settings } from './settings.js';
import type { AppStatus } from './watch.js';

/** handleFor is the handle of the run this Plan applied (all strings). */
export function handleFor(s: Settings, plan: DeployPlan, uid: string): Handle {
  const k = plan.config.kubernetes ?? {};
  return {
    target: 'kubernetes',
    submissionId: s.name,
    data: {
      namespace: s.namespace,
      name: s.name,
      uid,
      app: plan.config.app.name ?? s.base,
      mode: s.mode,
      healthyAfterMs: String(s.healthyAfterMs),
      timeoutMs: String(s.timeoutMs),
      strategy: s.strategy,
      ...(k.context ? { context: k.context } : {}),
      ...(k.uiIngressUrl ? { uiIngressUrl: k.uiIngressUrl } : {}),
      ...(plan.preview !== undefined ? { preview: String(plan.preview) } : {}),
    },
  };
}

/** handleOfApp is the handle of a SparkApplication found on the cluster. */
export function handleOfApp(a: KubeObject, app: string, namespace: string, plan: DeployPlan): Handle {
  const st = a.status as AppStatus | undefined;
  const labels = a.metadata.labels ?? {};
  const k = plan.config.kubernetes ?? {};
  return {
    target: 'kubernetes',
    submissionId: a.metadata.name,
    ...(st?.sparkApplicationId ? { applicationId: st.sparkApplicationId } : {}),
    data: {
      namespace,
      name: a.metadata.name,
      uid: a.metadata.uid ?? '',
      app,
      state: st?.applicationState?.state ?? '',
      ...(labels[Label.commit] ? { commit: labels[Label.commit] } : {}),
      ...(labels[Label.preview] ? { preview: labels[Label.preview] } : {}),
      ...(k.context ? { context: k.context } : {}),
      ...(k.uiIngressUrl ? { uiIngressUrl: k.uiIngressUrl } : {}),
    },
  };
}
