// Killing a driver: POST /v1/submissions/kill/{id} (REST), or Spark's client over RPC (a spark:// master). Over REST
// the kill is asynchronous on the master (the driver turns KILLED later) and safe to
// repeat, so unlike create it is simply retried.
import { ActionError, errorMessage } from '../../util/errors.js';
import { backoffDelay } from '../../util/poll.js';
import type { DeployPlan, Handle } from '../target.js';
import type { StandaloneDeps } from './deps.js';
import { sparkVersionOf } from './provision.js';
import { reachableMasterUrl } from './reach.js';
import {
  describeReply,
  exchange,
  fatalReply,
  isNotAlive,
  type RestTransport,
  sparkMessageSummary,
} from './rest-client.js';
import { decodeHandleData } from './settings.js';
import { authFailure, type SpawnResult, tailLines } from './spark-submit.js';
import { restUrl } from './urls.js';

const ROUNDS = 3;

/**
 * killDriver asks the masters (the one that accepted first) to kill a driver. A standby master is skipped;
 * "has already finished or does not exist" (HTTP 200, success false) counts as done. Failed rounds are
 * retried with backoff; after three, an ActionError names each master's answer.
 */
export async function killDriver(
  transport: RestTransport,
  handle: Handle,
  deps: StandaloneDeps,
): Promise<void> {
  const data = decodeHandleData(handle);
  const id = handle.submissionId;
  const order = [data.acceptedBy, ...data.masters.filter((m) => m !== data.acceptedBy)].filter(Boolean);
  let problems: string[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    problems = [];
    for (const m of order) {
      const reply = await exchange(transport, restUrl(m, 'kill', id), 'POST', undefined);
      const fatal = fatalReply(m, 'kill', reply);
      if (fatal) throw fatal;
      if (reply.kind === 'message' && reply.http === 200 && reply.msg.action === 'KillSubmissionResponse') {
        if (reply.msg.success === true) {
          deps.log.info(`standalone: kill of ${id} requested at ${m}`);
          return;
        }
        if (!isNotAlive(reply.msg.message)) {
          deps.log.info(
            `standalone: ${sparkMessageSummary(reply.msg.message) || `driver ${id} is not running`}`,
          );
          return;
        }
      }
      problems.push(`${m}: ${describeReply(reply)}`);
    }
    if (round < ROUNDS - 1) await deps.clock.sleep(backoffDelay(round, deps.backoff));
  }
  throw new ActionError(`standalone: could not kill driver ${id}: ${problems.join('; ')}`);
}

/**
 * killViaClient kills a driver of a master without REST through its RPC gateway, with Spark's standalone
 * client (`org.apache.spark.deploy.Client kill <masters> <id>`, what `spark-class` runs; spark-submit's own
 * --kill speaks only REST). "has already finished or does not exist" counts as done, as over REST.
 */
export async function killViaClient(
  handle: Handle,
  deps: StandaloneDeps,
  plan: DeployPlan | undefined,
): Promise<void> {
  const data = decodeHandleData(handle);
  const id = handle.submissionId;
  const master = await reachableMasterUrl(
    `spark://${data.masters.map((m) => m.replace(/^spark:\/\//i, '')).join(',')}`,
    deps.log,
  );
  const { client } = await deps.sparkSubmit(sparkVersionOf(plan));
  let result: SpawnResult;
  try {
    result = await deps.spawn(client.command, [...client.args, 'kill', master, id], {});
  } catch (err) {
    throw new ActionError(
      `standalone: could not run Spark's client to kill driver ${id}: ${errorMessage(err)}`,
    );
  }
  const output = `${result.stdout}\n${result.stderr}`;
  if (/has already finished or does not exist/.test(output)) {
    deps.log.info(`standalone: driver ${id} has already finished (or does not exist)`);
    return;
  }
  const auth = authFailure(output);
  if (auth) throw new ActionError(`standalone: could not kill driver ${id}: ${auth}`);
  if (result.exitCode === 0 || /Kill request for \S+ submitted/.test(output)) {
    deps.log.info(`standalone: kill of ${id} requested at ${master}`);
    return;
  }
  throw new ActionError(
    `standalone: could not kill driver ${id} at ${master}: Spark's client exited ${result.exitCode ?? 'by a signal'}; last lines of its output:\n${tailLines(output, 20)}`,
  );
}
