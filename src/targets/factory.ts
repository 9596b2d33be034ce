import type { TargetName } from '../constants.js';
import { ActionError } from '../util/errors.js';
import type { DeployPlan, Target } from './target.js';

/**
 * createTarget loads the chosen target's module on demand, so a run pays the load time of one backend's
 * SDK only (the AWS and Kubernetes clients are large).
 */
export async function createTarget(name: TargetName, plan: DeployPlan): Promise<Target> {
  switch (name) {
    case 'standalone':
      void plan;
      throw new ActionError('deploy: target standalone is not yet supported by this build');
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
