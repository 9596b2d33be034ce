// A streaming app runs until stopped, so a new deploy of it must retire the one it replaces: once the new
// job is healthy, the app's other jobs that still run are cancelled (the same app name, and the same
// preview if any). A target that replaces the run itself (Kubernetes: in place, or blue-green) says so.
import type { DeployPlan, Handle, Target } from '../targets/target.js';
import { errorMessage } from '../util/errors.js';
import { currentStatus } from './commands.js';

export interface RetireResult {
  retired: string[];
  failed: string[];
}

/** retirePrevious cancels the app's other running jobs after `handle` became healthy. */
export async function retirePrevious(
  target: Target,
  plan: DeployPlan,
  handle: Handle,
  signal: AbortSignal,
  log: (line: string) => void,
  lookMs = 30_000,
): Promise<RetireResult> {
  const result: RetireResult = { retired: [], failed: [] };
  const app = plan.config.app.name;
  if (!app || target.replacesPreviousRun) return result;
  const found = await target.find({ app, ...(plan.preview !== undefined ? { preview: plan.preview } : {}) });
  for (const other of found) {
    if (other.submissionId === handle.submissionId) continue;
    const status = await currentStatus(target, other, signal, lookMs);
    if (!status || status.terminal) continue;
    try {
      await target.cancel(other);
      result.retired.push(other.submissionId);
      log(`replaced: cancelled ${other.submissionId} (${status.nativeState}), the previous run of ${app}`);
    } catch (err) {
      result.failed.push(`${other.submissionId}: ${errorMessage(err)}`);
    }
  }
  return result;
}
