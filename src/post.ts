import { State } from './constants.js';
import type { Handle } from './targets/target.js';
import { errorMessage } from './util/errors.js';
import * as core from './util/runner.js';

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
    await cancelHandle(handle);
    core.notice(
      `post: cancelled ${handle.target} submission ${handle.submissionId} left running by an interrupted step`,
    );
  } catch (err) {
    core.warning(`post: could not cancel ${handle.submissionId}: ${errorMessage(err)}`);
  }
}
