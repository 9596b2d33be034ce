import type { DeployPlan, Handle } from './target.js';

/** cancelHandle cancels a saved submission from the post step; the Plan, when it can be rebuilt, supplies credentials. */
export async function cancelHandle(handle: Handle, plan?: DeployPlan): Promise<void> {
  const { createTarget } = await import('./factory.js');
  const target = await createTarget(handle.target, plan);
  await target.cancel(handle);
}
