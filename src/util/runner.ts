// The runner protocol (workflow commands, GITHUB_OUTPUT / GITHUB_STATE / GITHUB_STEP_SUMMARY) is
// @actions/core's: this module only names the part of it the action uses, so stages and tests import one
// place, and adds the summary call the way main.ts needs it.
import { summary } from '@actions/core';

export type { AnnotationProperties } from '@actions/core';
export {
  debug,
  error,
  getInput,
  getState,
  group,
  info,
  notice,
  saveState,
  setFailed,
  setOutput,
  setSecret,
  warning,
} from '@actions/core';

/** appendSummary adds markdown to the job summary; false when the runner gives no summary file. */
export async function appendSummary(markdown: string): Promise<boolean> {
  if (!process.env.GITHUB_STEP_SUMMARY) return false;
  await summary.addRaw(markdown.endsWith('\n') ? markdown : `${markdown}\n`).write();
  return true;
}
