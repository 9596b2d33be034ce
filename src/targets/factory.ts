import type { TargetName } from '../constants.js';
import { ActionError } from '../util/errors.js';
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
    case 'kubernetes':
      throw new ActionError(
        'deploy: target kubernetes is not yet supported by this version of spark-deploy-action (Spark Operator support is in progress); use target standalone, or run with stages build,verify',
      );
    case 'emr':
      throw new ActionError(
        'deploy: target emr is not yet supported by this version of spark-deploy-action (EMR support is in progress); use target standalone, or run with stages build,verify',
      );
  }
}
