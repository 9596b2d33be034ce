import { ActionError } from '../util/errors.js';
import type { Handle } from './target.js';

/** cancelHandle cancels a saved submission from the post step, with no Plan at hand. */
export async function cancelHandle(handle: Handle): Promise<void> {
  throw new ActionError(`cancelling a ${handle.target} submission from the post step is not yet supported`);
}
