// The commands that act on jobs already deployed: status, cancel and cleanup. Each finds the app's jobs
// through the target (labels, names, tags), looks at each, and acts; nothing is built or submitted.
import { Output } from '../constants.js';
import { escapeCell } from '../report/summary.js';
import type { Reporter } from '../stage.js';
import type { DeployPlan, Handle, Links, Status, Target } from '../targets/target.js';
import { ActionError, errorMessage } from '../util/errors.js';

export type TargetCommand = 'status' | 'cancel' | 'cleanup';

export interface CommandInput {
  command: TargetCommand;
  plan: DeployPlan;
  target: Target;
  signal: AbortSignal;
  log(line: string): void;
  /** How long to wait for one job's current state (default 30 s). */
  lookMs?: number;
}

/** JobView is one job as the command saw it. */
interface JobView {
  handle: Handle;
  status?: Status;
  links: Links;
  action?: string;
}

/** MAX_SHOWN bounds the jobs a status report lists (the newest first). */
export const MAX_SHOWN = 20;

/** currentStatus reads a job's state once: the first status its watch yields, or undefined. */
export async function currentStatus(
  target: Target,
  handle: Handle,
  signal: AbortSignal,
  lookMs: number,
): Promise<Status | undefined> {
  const look = AbortSignal.any([signal, AbortSignal.timeout(lookMs)]);
  const it = target.watch(handle, look)[Symbol.asyncIterator]();
  try {
    const first = await it.next();
    return first.done ? undefined : first.value;
  } catch (err) {
    if (signal.aborted) throw err;
    if (look.aborted) return undefined;
    // A job that is gone or cannot be read still gets a row; the reason is its message.
    return { phase: 'UNKNOWN', nativeState: '', message: errorMessage(err), terminal: false };
  } finally {
    await it.return?.(undefined).catch(() => undefined);
  }
}

/** removable tells whether cleanup acts on a job: while it may still run, or while it holds resources. */
function removable(target: Target, job: JobView): boolean {
  return !job.status?.terminal || (target.outlives?.(job.handle) ?? false);
}

function table(jobs: JobView[], withAction: boolean): string {
  const head = withAction
    ? ['| job | state | application | links | done |', '| --- | --- | --- | --- | --- |']
    : ['| job | state | application | links |', '| --- | --- | --- | --- |'];
  const rows = jobs.map((j) => {
    const st = j.status;
    const state = st
      ? `${st.phase}${st.nativeState ? ` (${st.nativeState})` : ''}${st.message ? ` — ${escapeCell(st.message.split('\n')[0] ?? '')}` : ''}`
      : 'not read';
    const links = [
      j.links.sparkUi ? `[Spark UI](${j.links.sparkUi})` : '',
      j.links.console ? `[console](${j.links.console})` : '',
      j.links.logs ? `[logs](${j.links.logs})` : '',
      j.links.portForward ? `\`${escapeCell(j.links.portForward)}\`` : '',
    ]
      .filter(Boolean)
      .join(' · ');
    const app = st?.applicationId ?? j.handle.applicationId;
    const cells = [`\`${j.handle.submissionId}\``, state, app ? `\`${app}\`` : '—', links || '—'];
    if (withAction) cells.push(j.action ?? '—');
    return `| ${cells.join(' | ')} |`;
  });
  return [...head, ...rows].join('\n');
}

/**
 * runTargetCommand runs status, cancel or cleanup for the Plan's app (and preview, if any) and returns
 * the one-line detail for the stage table. cleanup refuses to run without a preview: it deletes.
 */
export async function runTargetCommand(input: CommandInput, reporter: Reporter): Promise<string> {
  const { command, plan, target } = input;
  const app = plan.config.app.name;
  if (!app) {
    throw new ActionError(
      `${command}: the deploy config has no app.name for environment ${plan.environment ?? '(none)'}; jobs are found by it`,
    );
  }
  if (command === 'cleanup' && plan.preview === undefined) {
    throw new ActionError(
      'cleanup: the `preview` input is required (a pull-request number, or "auto" in a pull_request workflow): cleanup removes one preview\'s jobs and never an environment\'s',
    );
  }
  reporter.output(Output.target, target.name);
  const selector = { app, ...(plan.preview !== undefined ? { preview: plan.preview } : {}) };
  const what = `${app}${plan.preview !== undefined ? ` (preview #${plan.preview})` : ''} on ${target.name}`;
  input.log(`${command}: looking for the jobs of ${what}`);
  const handles = await target.find(selector);
  const lookMs = input.lookMs ?? 30_000;
  const jobs: JobView[] = [];
  for (const handle of handles.slice(0, command === 'status' ? MAX_SHOWN : handles.length)) {
    const status = await currentStatus(target, handle, input.signal, lookMs);
    jobs.push({ handle, ...(status ? { status } : {}), links: target.links(handle, status) });
  }

  if (command === 'status') {
    const newest = jobs[0];
    if (newest) {
      reporter.output(Output.submissionId, newest.handle.submissionId);
      reporter.output(Output.state, newest.status?.phase ?? 'UNKNOWN');
      const appId = newest.status?.applicationId ?? newest.handle.applicationId;
      if (appId) reporter.output(Output.applicationId, appId);
      if (newest.links.sparkUi) reporter.output(Output.sparkUiUrl, newest.links.sparkUi);
    }
    for (const j of jobs) input.log(`status: ${j.handle.submissionId}: ${j.status?.phase ?? 'not read'}`);
    reporter.section(
      'Status',
      jobs.length
        ? `${handles.length > jobs.length ? `The newest ${jobs.length} of ${handles.length} jobs` : `${jobs.length} job${jobs.length === 1 ? '' : 's'}`} of ${escapeCell(what)}, newest first:\n\n${table(jobs, false)}`
        : `No jobs of ${escapeCell(what)} were found.`,
    );
    return jobs.length
      ? `${jobs.length} job(s); newest ${newest?.status?.phase ?? 'UNKNOWN'}`
      : 'no jobs found';
  }

  const act = jobs.filter((j) => (command === 'cleanup' ? removable(target, j) : !j.status?.terminal));
  const failures: string[] = [];
  for (const j of act) {
    try {
      await target.cancel(j.handle);
      j.action = command === 'cleanup' && target.name === 'kubernetes' ? 'deleted' : 'cancelled';
      input.log(`${command}: ${j.action} ${j.handle.submissionId}`);
    } catch (err) {
      j.action = `failed: ${errorMessage(err).split('\n')[0]}`;
      failures.push(`${j.handle.submissionId}: ${errorMessage(err)}`);
    }
  }
  const verb = command === 'cleanup' ? 'removed' : 'cancelled';
  reporter.section(
    command === 'cleanup' ? 'Cleanup' : 'Cancel',
    act.length
      ? `${act.length} job${act.length === 1 ? '' : 's'} of ${escapeCell(what)}:\n\n${table(act, true)}`
      : `Nothing to do: ${jobs.length ? `the ${jobs.length} job(s) of ${escapeCell(what)} have all ended` : `no jobs of ${escapeCell(what)} were found`}.`,
  );
  if (failures.length) {
    throw new ActionError(
      `${command}: ${failures.length} of ${act.length} job(s) could not be ${verb}:\n${failures.map((f) => `  ${f}`).join('\n')}`,
    );
  }
  return act.length ? `${verb} ${act.length} job(s)` : 'nothing to do';
}
