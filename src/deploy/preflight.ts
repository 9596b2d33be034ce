import { join } from 'node:path';
import type { Plan } from '../plan/plan.js';
import type { Artifact } from '../stage.js';
import type { DeployPlan, Target } from '../targets/target.js';
import { AnnotatedError } from '../util/errors.js';

/**
 * standInArtifact is what the deploy would get from the stages before it, as far as a target's settings
 * depend on it: a JAR in the working directory, a main class, and the image stage's digest reference when
 * that stage runs. Names built from it are never used: the stand-in is only rendered, never submitted.
 */
export function standInArtifact(plan: Plan): Artifact {
  const repository = plan.config?.image?.repository;
  return {
    jarPath: join(plan.workingDirectory, 'app.jar'),
    jarDisplayPath: 'app.jar',
    sizeBytes: 0,
    mainClass: 'preflight.Main',
    ...(plan.stages.includes('image')
      ? {
          image: {
            repository: repository ?? 'image',
            digest: `sha256:${'0'.repeat(64)}`,
            reference: `${repository ?? 'image'}@sha256:${'0'.repeat(64)}`,
          },
        }
      : {}),
  };
}

/**
 * preflight renders the deployment with a stand-in artifact before any stage runs, so that a target setting
 * that is wrong (a missing key, a bad combination, `file:line: key: …`) fails the run at once instead of
 * after a build of minutes. Only a config key's own error (AnnotatedError) is thrown: anything else depends
 * on the real artifact or the cluster, and the deploy stage reports it as before. Nothing is sent anywhere.
 */
export async function preflight(plan: DeployPlan, target: Target): Promise<void> {
  try {
    await target.render(plan, standInArtifact(plan));
  } catch (err) {
    if (err instanceof AnnotatedError) throw err;
  }
}
