import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Output } from '../constants.js';
import { escapeCell } from '../report/summary.js';
import type { Artifact, Reporter } from '../stage.js';
import type { DeployPlan, Handle, Links, Status, Target } from '../targets/target.js';
import { ActionError, errorMessage, WatchLost } from '../util/errors.js';
import { redact } from '../util/redact.js';
import { retireFirstQuietly, retirePrevious } from './replace.js';
import { causeLine, type RootCause, rootCauseFromLog } from './root-cause.js';

/** Lines of the driver log read to find why a job failed, and lines shown in the job summary. */
const ANALYSED_LOG_LINES = 500;
const SHOWN_LOG_LINES = 50;

export interface DeployStageInput {
  plan: DeployPlan;
  artifact: Artifact;
  target: Target;
  /** Aborted when the workflow run is cancelled (SIGINT/SIGTERM). */
  signal: AbortSignal;
  /** Called the moment a submission exists, so the post step can cancel it if this step dies. */
  saveHandle(handle: Handle): void;
  /** Called once the job no longer needs the post step's attention. */
  markFinished(): void;
  log(line: string): void;
  /** A problem that does not fail the deploy (e.g. the previous streaming run could not be cancelled). */
  warn?(message: string): void;
  /** Where `command: render` and dry runs write what they rendered (output manifest-path). */
  renderDir?: string;
  /**
   * Called once the watch ended at a state (not at the timeout or a cancel), before the run is judged:
   * reads how the Spark run went (src/metrics/report-run.ts). It must not throw.
   */
  afterWatch?(handle: Handle, last: Status | undefined): Promise<void>;
}

/**
 * writeRendered writes what would be submitted to one file: the Kubernetes objects as one multi-document
 * YAML file (ready for GitOps), a single JSON request as .json, anything else as text with its kind.
 */
export function writeRendered(
  dir: string,
  plan: DeployPlan,
  target: string,
  rendered: { kind: string; text: string }[],
): string {
  const base = `spark-deploy-${[plan.environment, target]
    .filter(Boolean)
    .join('-')
    .replace(/[^\w.-]+/g, '_')}`;
  // Each document under a comment naming it; YAML documents are separated as YAML separates them.
  const labelled = (sep: string) =>
    rendered.map((r) => `# ${r.kind}\n${r.text.replace(/\n*$/, '\n')}`).join(sep);
  const only = rendered.length === 1 ? rendered[0]?.text : undefined;
  const [file, text] =
    target === 'kubernetes'
      ? [join(dir, `${base}.yaml`), labelled('---\n')]
      : only !== undefined && isJson(only)
        ? [join(dir, `${base}.json`), `${only.replace(/\n*$/, '')}\n`]
        : [join(dir, `${base}.txt`), labelled('\n')];
  mkdirSync(dir, { recursive: true });
  writeFileSync(file, redact(text));
  return file;
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

export interface DeployStageResult {
  handle?: Handle;
  status?: Status;
  links?: Links;
  detail: string;
}

function linksTable(links: Links): string {
  const rows: [string, string | undefined][] = [
    ['Spark UI', links.sparkUi],
    ['Console', links.console],
    ['Driver logs', links.logs],
    ['History', links.history],
  ];
  const lines = rows.filter(([, v]) => v).map(([k, v]) => `| ${k} | ${v} |`);
  if (links.portForward) lines.push(`| Port-forward | \`${links.portForward}\` |`);
  return lines.length ? ['| link | |', '| --- | --- |', ...lines].join('\n') : '';
}

function statusLine(s: Status): string {
  return `${s.phase} (${s.nativeState || 'no state yet'})${s.message ? `: ${s.message.split('\n')[0]}` : ''}`;
}

/**
 * runDeployStage submits the job, saves its handle, follows it to a terminal or healthy state within the
 * plan's timeout, and reports ids, state and links. A failed job throws with the driver log tail.
 */
export async function runDeployStage(
  input: DeployStageInput,
  reporter: Reporter,
): Promise<DeployStageResult> {
  const { plan, artifact, target } = input;
  reporter.output(Output.target, target.name);
  if (plan.dryRun || plan.command === 'render') {
    const rendered = await target.render(plan, artifact);
    for (const r of rendered)
      input.log(`${plan.command === 'render' ? 'render' : 'dry run'}: ${r.kind}\n${r.text}`);
    if (input.renderDir) {
      const file = writeRendered(input.renderDir, plan, target.name, rendered);
      reporter.output(Output.manifestPath, file);
      input.log(`rendered to ${file}`);
    }
    reporter.section(
      'Dry run',
      rendered
        .map((r) => `<details><summary>${r.kind}</summary>\n\n\`\`\`\n${r.text}\n\`\`\`\n\n</details>`)
        .join('\n'),
    );
    return {
      detail: `${plan.command === 'render' ? 'rendered' : 'dry run: rendered'}, nothing submitted`,
    };
  }

  // Where the old run would keep the new one from starting, it is retired before the submit.
  const retiredFirst =
    plan.config.app.mode === 'streaming'
      ? await retireFirstQuietly(target, plan, input.signal, input.log, input.warn)
      : [];
  const handle = await target.submit(plan, artifact, input.signal);
  input.saveHandle(handle);
  reporter.output(Output.submissionId, handle.submissionId);
  input.log(`submitted: ${handle.submissionId}`);

  const report = (status: Status | undefined) => {
    const links = target.links(handle, status);
    if (links.sparkUi) reporter.output(Output.sparkUiUrl, links.sparkUi);
    const appId = status?.applicationId ?? handle.applicationId;
    if (appId) reporter.output(Output.applicationId, appId);
    if (status) reporter.output(Output.state, status.phase);
    const rows = [
      `| target | ${target.name} |`,
      `| submission | \`${handle.submissionId}\` |`,
      ...(appId ? [`| application | \`${appId}\` |`] : []),
      ...(status ? [`| state | ${status.phase} (native: ${status.nativeState || '—'}) |`] : []),
      ...(status?.message ? [`| message | ${escapeCell(status.message.split('\n')[0] ?? '')} |`] : []),
    ];
    reporter.section('Deployment', ['| | |', '| --- | --- |', ...rows, '', linksTable(links)].join('\n'));
    reporter.deployment?.({ links, ...(status ? { status } : {}) });
    return links;
  };

  if (!plan.wait) {
    const links = report(undefined);
    input.markFinished();
    return { handle, links, detail: `submitted ${handle.submissionId} (not waiting)` };
  }

  const timeout = AbortSignal.timeout(plan.timeoutMs);
  const watchSignal = AbortSignal.any([input.signal, timeout]);
  const watchStarted = Date.now();
  let last: Status | undefined;
  let timedOut = false;
  let watchError = '';
  try {
    for await (const status of target.watch(handle, watchSignal)) {
      if (!last || last.phase !== status.phase || last.nativeState !== status.nativeState) {
        input.log(`state: ${statusLine(status)}`);
      }
      last = status;
      if (status.applicationId) handle.applicationId = status.applicationId;
    }
  } catch (err) {
    if (err instanceof WatchLost && !input.signal.aborted) {
      // The job goes on where we cannot see it: never cancelled for this, and no post-step cancel either.
      input.markFinished();
      report(last);
      reporter.output(Output.state, 'UNKNOWN');
      throw new ActionError(`deploy: stopped watching ${handle.submissionId}: ${err.message}`);
    }
    // A target may enforce the timeout itself and throw: treat that like our own deadline.
    timedOut = timeout.aborted || Date.now() - watchStarted >= plan.timeoutMs - 1000;
    if (!watchSignal.aborted && !timedOut) throw err;
    // What the target knows about why (a stuck driver's pod events, say) goes into our message.
    if (!input.signal.aborted && err instanceof ActionError) watchError = err.message;
  }
  if (watchSignal.aborted || timedOut) {
    const why = input.signal.aborted
      ? 'the workflow run was cancelled'
      : `timed out after ${+(plan.timeoutMs / 60_000).toFixed(2)} min`;
    let cancelled = '';
    if (plan.cancelOnAbort) {
      try {
        await target.cancel(handle);
        cancelled = `; cancelled ${handle.submissionId} (cancel-on-abort)`;
      } catch (err) {
        cancelled = `; cancelling ${handle.submissionId} failed: ${errorMessage(err)}`;
      }
    } else cancelled = `; ${handle.submissionId} is left running (cancel-on-abort is false)`;
    input.markFinished();
    const links = report(last);
    reporter.deployment?.({ links, ...(last ? { status: last } : {}), timedOut: !input.signal.aborted });
    reporter.output(Output.state, input.signal.aborted ? 'CANCELLED' : (last?.phase ?? 'UNKNOWN'));
    // A driver the target found stuck (an image that cannot be pulled, a pod that cannot be scheduled): its
    // cause leads, then the state it was left in, then the rest of the target's diagnosis.
    if (last?.cause && !last.terminal)
      throw new ActionError(
        [
          `deploy: ${why}: ${last.cause}`,
          `${handle.submissionId} was still ${last.phase} (${last.nativeState || 'no state yet'})${cancelled}`,
          ...(last.message?.split('\n') ?? []),
        ].join('\n'),
      );
    throw new ActionError(
      `deploy: ${why} while ${handle.submissionId} was ${last ? statusLine(last) : 'not yet observed'}${cancelled}${watchError ? `\n${watchError}` : ''}`,
    );
  }
  input.markFinished();
  const links = report(last);
  await input.afterWatch?.(handle, last);
  const streamingHealthy = plan.config.app.mode === 'streaming' && last?.phase === 'RUNNING';
  if (last?.phase === 'SUCCEEDED' || streamingHealthy) {
    let replaced = '';
    if (streamingHealthy) {
      try {
        const { retired, failed } = await retirePrevious(target, plan, handle, input.signal, input.log);
        const all = [...retiredFirst, ...retired];
        if (all.length) replaced = `; replaced ${all.join(', ')}`;
        for (const f of failed) input.warn?.(`deploy: could not cancel the previous run ${f}`);
      } catch (err) {
        input.warn?.(`deploy: could not look for the previous run to replace: ${errorMessage(err)}`);
      }
    }
    return {
      handle,
      ...(last ? { status: last } : {}),
      links,
      detail: streamingHealthy
        ? `healthy: RUNNING for ${plan.config.app.healthyAfter} s${replaced}`
        : `${last?.nativeState ?? ''}`,
    };
  }
  // Read more of the log than is shown: the cause of a failure often sits 100+ lines before its end.
  let log: string | undefined;
  try {
    log = await target.logTail?.(handle, ANALYSED_LOG_LINES);
  } catch (err) {
    log = `(could not fetch the driver log: ${errorMessage(err)})`;
  }
  const tail = log?.split('\n').slice(-SHOWN_LOG_LINES).join('\n');
  const cause = log ? rootCauseFromLog(log, 'driver stderr') : undefined;
  // The log may name the application (EMR: the YARN id in the step's stderr).
  if (handle.applicationId) reporter.output(Output.applicationId, handle.applicationId);
  reporter.deployment?.({
    links,
    ...(last ? { status: last } : {}),
    ...(tail ? { logExcerpt: { title: `Driver log (last ${SHOWN_LOG_LINES} lines)`, text: tail } } : {}),
    ...(cause ? { rootCause: cause } : {}),
  });
  if (tail) {
    // Collapsed when the cause was found (it leads the summary already); open when the reader must look.
    reporter.section(
      `Driver log (last ${SHOWN_LOG_LINES} lines)`,
      `<details${cause ? '' : ' open'}><summary>stderr</summary>\n\n\`\`\`text\n${tail}\n\`\`\`\n\n</details>`,
    );
  }
  // A target that could not read the log says why in one parenthesised line.
  const unread = !log
    ? "The driver's stderr could not be read."
    : /^\(.*\)$/.test(log.trim())
      ? log.trim()
      : undefined;
  throw new ActionError(failureText(handle, last, links, cause, unread));
}

/**
 * failureText is the error of a job that ended badly, short enough for an annotation: the state and the root
 * cause first, what fixes it, the target's diagnosis, where the log is. The log tail is in the job summary.
 */
export function failureText(
  handle: Handle,
  last: Status | undefined,
  links: Links,
  cause: RootCause | undefined,
  unread: string | undefined,
): string {
  const lines = [
    `deploy: ${handle.submissionId} ended ${last ? `${last.phase} (${last.nativeState || 'no state yet'})` : 'without a state'}: ${last?.cause ?? (cause ? causeLine(cause) : (last?.message?.split('\n')[0] ?? 'no reason given'))}`,
  ];
  if (last?.cause && cause) lines.push(`The driver log's last exception: ${causeLine(cause)}`);
  else if (cause?.hint) lines.push(`Fix: ${cause.hint}`);
  if (!last?.cause && cause && last?.message)
    lines.push(`${last.nativeState}: ${last.message.split('\n')[0]}`);
  // The rest of the status message is the target's diagnosis (pod reasons, events).
  lines.push(...(last?.message?.split('\n').slice(1, 6) ?? []));
  if (!cause) {
    lines.push(
      unread ??
        `No exception in the last ${ANALYSED_LOG_LINES} lines of the driver's stderr (its tail is in the job summary).`,
    );
  }
  if (links.logs) lines.push(`Driver log: ${links.logs}`);
  else if (links.console) lines.push(`Console: ${links.console}`);
  return lines.join('\n');
}
