// Ending things on EMR: a step (CancelSteps) and a transient cluster (TerminateJobFlows).
import { CancelStepsCommand, type EMRClient, TerminateJobFlowsCommand } from '@aws-sdk/client-emr';
import { errorMessage } from '../../util/errors.js';
import type { Handle } from '../target.js';
import type { EmrDeps } from './deps.js';
import { decodeHandleData } from './handle.js';
import { retrying } from './submit.js';

/** terminateCluster terminates a transient cluster; a failure is a warning (terminate it by hand). */
export async function terminateCluster(
  emr: EMRClient,
  deps: EmrDeps,
  clusterId: string,
  why: string,
): Promise<void> {
  try {
    await retrying(deps, `TerminateJobFlows ${clusterId}`, () =>
      emr.send(new TerminateJobFlowsCommand({ JobFlowIds: [clusterId] })),
    );
    deps.log.info(`emr: terminating transient cluster ${clusterId} (${why})`);
  } catch (err) {
    deps.log.warning(
      `emr: could not terminate cluster ${clusterId}: ${errorMessage(err)}; terminate it by hand`,
    );
  }
}

/** cancelStep interrupts a step (SEND_INTERRUPT) and terminates its cluster when it is transient. */
export async function cancelStep(emr: EMRClient, deps: EmrDeps, handle: Handle): Promise<void> {
  const data = decodeHandleData(handle);
  try {
    const out = await retrying(deps, `CancelSteps ${handle.submissionId}`, () =>
      emr.send(
        new CancelStepsCommand({
          ClusterId: data.clusterId,
          StepIds: [handle.submissionId],
          StepCancellationOption: 'SEND_INTERRUPT',
        }),
      ),
    );
    for (const info of out.CancelStepsInfoList ?? []) {
      deps.log.info(
        `emr: cancel of step ${info.StepId}: ${info.Status}${info.Reason ? ` (${info.Reason})` : ''}`,
      );
    }
  } finally {
    if (data.transient) await terminateCluster(emr, deps, data.clusterId, 'the deploy was cancelled');
  }
}
