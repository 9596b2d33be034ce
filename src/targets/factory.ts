import type { TargetName } from '../constants.js';
import type { DeployPlan, Handle, Target } from './target.js';

/** TargetHooks are what the run asks of every target. */
export interface TargetHooks {
  /** Called the moment a submission exists (before submit returns), so the post step can cancel it. */
  onHandle?(handle: Handle): void;
}

/**
 * createTarget loads the chosen target's module on demand, so a run pays the load time of one backend's
 * SDK only (the AWS and Kubernetes clients are large). `plan` may be absent in the post step when the
 * Plan cannot be rebuilt; targets then work from the saved handle alone.
 */
export async function createTarget(
  name: TargetName,
  plan: DeployPlan | undefined,
  hooks: TargetHooks = {},
): Promise<Target> {
  switch (name) {
    case 'standalone': {
      const { createStandaloneTarget } = await import('./standalone/index.js');
      return createStandaloneTarget({
        ...(plan ? { plan } : {}),
        ...(hooks.onHandle ? { onHandle: hooks.onHandle } : {}),
      });
    }
    case 'kubernetes': {
      const { createKubernetesTarget } = await import('./kubernetes/index.js');
      return createKubernetesTarget({
        ...(plan ? { plan } : {}),
        ...(hooks.onHandle ? { onHandle: hooks.onHandle } : {}),
      });
    }
    case 'emr': {
      const { createEmrTarget } = await import('./emr/index.js');
      return createEmrTarget({
        ...(plan ? { plan } : {}),
        ...(hooks.onHandle ? { onHandle: hooks.onHandle } : {}),
      });
    }
  }
}
