import { State } from './constants.js';
import { getInputs } from './inputs.js';
import { buildPlan } from './plan/build-plan.js';
import { readRunContext } from './plan/context.js';
import type { DeployPlan, Handle } from './targets/target.js';
import { errorMessage } from './util/errors.js';
import * as core from './util/runner.js';

// The post step gets the same inputs as the main step: rebuild the Plan for the target's credentials
// (e.g. standalone.headers), which are never saved as state.
async function rebuildPlan(): Promise<DeployPlan | undefined> {
  try {
    const plan = await buildPlan(getInputs(), readRunContext(), {
      env: process.env,
      setSecret: (s) => core.setSecret(s),
    });
    return plan.config && plan.target ? (plan as DeployPlan) : undefined;
  } catch {
    return undefined;
  }
}

/** post runs after the job's steps: if the main step died with a job still running, cancel it. */
export async function post(): Promise<void> {
  const raw = core.getState(State.handle);
  if (!raw || core.getState(State.finished) === 'true') return;
  if (core.getState(State.cancelOnAbort) === 'false') {
    core.info('post: the job may still be running; cancel-on-abort is false, so it is left alone');
    return;
  }
  let handle: Handle;
  try {
    handle = JSON.parse(raw) as Handle;
  } catch {
    core.warning('post: saved submission state is unreadable; nothing cancelled');
    return;
  }
  try {
    const { cancelHandle } = await import('./targets/cancel.js');
    await cancelHandle(handle, await rebuildPlan());
    core.notice(
      `post: cancelled ${handle.target} submission ${handle.submissionId} left running by an interrupted step`,
    );
  } catch (err) {
    core.warning(`post: could not cancel ${handle.submissionId}: ${errorMessage(err)}`);
  }
}
