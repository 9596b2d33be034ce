// Whether a streaming redeploy must stop the previous step before adding the new one: an EMR cluster runs
// Cluster.StepConcurrencyLevel steps at once, 1 unless RunJobFlow or ModifyCluster set more (EMR API
// Reference, RunJobFlow and ModifyCluster: "The default value is 1. The maximum value is 256"), so there a
// new step waits PENDING behind the running one, which the deploy would retire only once the new one is
// healthy: never (docs/protocols.md 3.2).
import type { EMRClient } from '@aws-sdk/client-emr';
import type { DeployPlan } from '../target.js';
import type { EmrDeps } from './deps.js';
import type { EmrSettings } from './settings.js';
import { resolveCluster } from './submit.js';

/** stepsRunOneAtATime is the reason to retire first on the configured cluster, or undefined. */
export async function stepsRunOneAtATime(
  emr: EMRClient,
  deps: EmrDeps,
  p: DeployPlan,
  s: EmrSettings,
  signal?: AbortSignal,
): Promise<{ reason: string; unit: string } | undefined> {
  // A transient cluster is started for this run: no previous step shares it.
  if (p.config.app.mode !== 'streaming' || s.cluster.kind === 'transient') return undefined;
  const c = await resolveCluster(emr, deps, s, signal);
  if (c.stepConcurrencyLevel > 1) return undefined;
  return {
    reason: `emr: cluster ${c.id} runs one step at a time (StepConcurrencyLevel ${c.stepConcurrencyLevel})`,
    unit: 'step',
  };
}
