// A target's view of drivers it may not have started: find an app's drivers, their links, their log tail.
import { ActionError } from '../../util/errors.js';
import type { Handle, Links, Status } from '../target.js';
import type { TargetContext } from './context.js';
import { LOG_CHUNK_BYTES } from './driver-log.js';
import { handlesOfApp } from './find.js';
import { buildLinks } from './links.js';
import { cleanDriverLog, fetchDriverLog } from './logs.js';
import { fetchMasterState } from './master-json.js';
import { decodeHandleData } from './settings.js';

/** findRuns lists the drivers of application `selector.app` on the master, as handles. */
export async function findRuns(ctx: TargetContext, selector: { app: string }): Promise<Handle[]> {
  const s = ctx.settings();
  const plan = ctx.plan();
  if (!s || !plan)
    throw new ActionError(
      'standalone: find needs the deploy config (pass the Plan to createStandaloneTarget)',
    );
  const { deps } = ctx;
  const got = await fetchMasterState(s.webUis, deps.fetch, ctx.headersFor, deps.requestTimeoutMs);
  if (!got) {
    throw new ActionError(
      `standalone: cannot read the master's /json/ at ${s.webUis.join(', ')}; set standalone.webUi to a reachable master web UI`,
    );
  }
  // Only the head of each log: the launch command and the registration come first.
  const found = await handlesOfApp(
    got.state,
    got.webUi,
    s,
    selector.app,
    plan.mainClass ?? plan.config.app.mainClass,
    ctx.follower.readLog(undefined, LOG_CHUNK_BYTES),
  );
  for (const f of found) ctx.known.set(f.handle.submissionId, f.known);
  return found.map((f) => f.handle);
}

/** linksOf is where a person looks next for a driver: master, application, worker log, history. */
export function linksOf(ctx: TargetContext, handle: Handle, status?: Status): Links {
  const data = decodeHandleData(handle);
  const k = { ...ctx.known.get(handle.submissionId) };
  k.appId ??= status?.applicationId ?? handle.applicationId;
  return buildLinks(data, handle.submissionId, k);
}

/** driverLogTail reads the last `lines` of the driver's stderr from its worker (redacted where it leaves the action). */
export async function driverLogTail(
  ctx: TargetContext,
  handle: Handle,
  lines: number,
): Promise<string | undefined> {
  let k = ctx.known.get(handle.submissionId);
  if (!k?.workerUi) k = await ctx.follower.lookup(handle, k?.workerId);
  if (!k.workerUi) return undefined;
  const { deps } = ctx;
  const text = await fetchDriverLog(deps.fetch, k.workerUi, handle.submissionId, deps.requestTimeoutMs);
  return text === undefined ? undefined : cleanDriverLog(text, lines);
}
