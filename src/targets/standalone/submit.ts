// Starting a driver: what would be sent (render), and sending it, over REST or through spark-submit.
import type { Artifact } from '../../stage.js';
import { ActionError, errorMessage } from '../../util/errors.js';
import { stagedOnlyOnDeploy } from '../staged-note.js';
import type { DeployPlan, Handle } from '../target.js';
import type { TargetContext } from './context.js';
import { createSubmission } from './create.js';
import { sparkVersionOf } from './provision.js';
import { reachableMasterUrl } from './reach.js';
import { buildCreateRequest, type CreateSubmissionRequest, renderCreateRequest } from './request.js';
import { withSecretProperties } from './secret-props.js';
import { encodeHandleData, handleDataFor, type Settings } from './settings.js';
import { buildSparkSubmitArgs, shellQuote, submissionIdFromSparkSubmit } from './spark-submit.js';
import { applyStaging, planStaging } from './staging.js';
import { restUrl } from './urls.js';

/** renderSubmission is what submit would send: the spark-submit command or the REST create request. */
export async function renderSubmission(
  ctx: TargetContext,
  p: DeployPlan,
  artifact: Artifact,
): Promise<{ kind: string; text: string }[]> {
  const s = ctx.prepare(p);
  const sp = planStaging(p, artifact, s);
  const staged = [...(sp.uploads ?? []).map((u) => u.uri), ...sp.copies.map((c) => c.to)];
  const note = staged.length ? `; ${stagedOnlyOnDeploy(staged)}` : '';
  if (s.mode === 'spark-submit') {
    const args = buildSparkSubmitArgs(p, artifact, sp.appResource, sp.configFile);
    return [{ kind: `spark-submit command${note}`, text: `spark-submit ${shellQuote(args)}` }];
  }
  const req = buildCreateRequest(p, artifact, sp.appResource, sp.configFile);
  const where = s.endpoints.map((e) => restUrl(e.rest, 'create')).join(' | ');
  return [
    { kind: `Spark REST CreateSubmissionRequest (POST ${where})${note}`, text: renderCreateRequest(req) },
  ];
}

/** Accepted is a started driver and the master that took it. */
interface Accepted {
  submissionId: string;
  acceptedBy: string;
}

/** viaSparkSubmit runs spark-submit in cluster deploy mode and reads the driver id from its output. */
async function viaSparkSubmit(
  ctx: TargetContext,
  p: DeployPlan,
  s: Settings,
  args: string[],
  signal: AbortSignal,
): Promise<Accepted> {
  const { deps } = ctx;
  if (Object.keys(s.headers).length > 0) {
    deps.log.warning(
      'standalone: spark-submit cannot send standalone.headers; they are used only to follow the driver',
    );
  }
  if (s.gateway === 'rpc' && args[0] === '--master' && args[1]) {
    args = ['--master', await reachableMasterUrl(args[1], deps.log), ...args.slice(2)];
  }
  const program = await deps.sparkSubmit(sparkVersionOf(p));
  deps.log.debug(`standalone: spark-submit from ${program.from}`);
  let result: Awaited<ReturnType<typeof deps.spawn>>;
  try {
    // The argv as run: secret confs are in the private properties file, not here.
    result = await withSecretProperties(args, p.secrets, (argv) => {
      deps.log.info(`standalone: spark-submit ${shellQuote(argv)}`);
      return deps.spawn(program.command, [...program.args, ...argv], { signal });
    });
  } catch (err) {
    throw new ActionError(
      `standalone: could not run spark-submit (${errorMessage(err)}); put Spark's bin directory on PATH, or use standalone.mode: rest (no Spark install needed)`,
    );
  }
  return {
    submissionId: submissionIdFromSparkSubmit(result),
    acceptedBy: s.endpoints[0]?.rest ?? s.rpcMasters[0]?.url ?? '',
  };
}

/** viaRest sends the create request to the masters' REST servers. */
async function viaRest(
  ctx: TargetContext,
  s: Settings,
  req: CreateSubmissionRequest,
  signal: AbortSignal,
): Promise<Accepted> {
  const created = await createSubmission(
    {
      transport: ctx.transport(),
      endpoints: s.endpoints,
      webUis: s.webUis,
      headersFor: ctx.headersFor,
      deps: ctx.deps,
      signal,
    },
    req,
  );
  return { submissionId: created.submissionId, acceptedBy: created.acceptedBy };
}

/** submitDriver stages the JAR, starts the driver and returns its handle (also given to deps.onHandle). */
export async function submitDriver(
  ctx: TargetContext,
  p: DeployPlan,
  artifact: Artifact,
  signal: AbortSignal,
): Promise<Handle> {
  const { deps } = ctx;
  const s = ctx.prepare(p);
  const sp = planStaging(p, artifact, s);
  try {
    await applyStaging(sp, { s3Client: deps.s3Client, log: (l) => deps.log.info(l), signal });
  } catch (err) {
    if (signal.aborted) throw err;
    // The S3 errors already name the bucket, the key and the fix.
    if (err instanceof ActionError) throw err;
    throw new ActionError(`standalone: staging the JAR failed (${sp.description}): ${errorMessage(err)}`);
  }
  deps.log.info(`standalone: ${sp.description}`);
  const req = buildCreateRequest(p, artifact, sp.appResource, sp.configFile);
  deps.log.info(
    `standalone: submitting ${req.mainClass} as "${s.appName}" (${Object.keys(req.sparkProperties).length} Spark properties: ${Object.keys(req.sparkProperties).join(', ')})`,
  );
  const submittedAt = deps.clock.now();
  const accepted =
    s.mode === 'spark-submit'
      ? await viaSparkSubmit(
          ctx,
          p,
          s,
          buildSparkSubmitArgs(p, artifact, sp.appResource, sp.configFile),
          signal,
        )
      : await viaRest(ctx, s, req, signal);
  const data = handleDataFor(s, {
    acceptedBy: accepted.acceptedBy,
    appName: s.appName,
    mainClass: req.mainClass,
    submittedAt,
    via: s.mode,
  });
  const handle: Handle = {
    target: 'standalone',
    submissionId: accepted.submissionId,
    data: encodeHandleData(data),
  };
  deps.onHandle?.(handle);
  deps.log.info(`standalone: submitted as ${accepted.submissionId} via ${accepted.acceptedBy}`);
  // Returned even when `signal` aborted meanwhile, so the caller can cancel what was started.
  return handle;
}
