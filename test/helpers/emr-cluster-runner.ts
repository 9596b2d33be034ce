// The EMR double's clusters when steps run for real (docs/protocols.md 3.2, 3.7): StepConcurrencyLevel steps at
// a time (default 1) in the order added, PENDING -> RUNNING while its process lives -> COMPLETED / FAILED
// (FailureDetails) / CANCELLED; ActionOnFailure applied on FAILED (CONTINUE runs the next step,
// CANCEL_AND_WAIT cancels the pending ones, TERMINATE_CLUSTER / TERMINATE_JOB_FLOW also ends the cluster);
// a cancelled running step neither triggers ActionOnFailure nor starts the next step; a cluster without
// KeepJobFlowAliveWhenNoSteps terminates once every step has ended, else it waits (WAITING).
import { type FailureDetails, type RunnerOptions, runStep, type StepRun } from './emr-step-runner.js';

export type LiveStepState = 'PENDING' | 'RUNNING' | 'CANCEL_PENDING' | 'COMPLETED' | 'CANCELLED' | 'FAILED';

/** LiveState is a step's state while the double runs it. */
export interface LiveState {
  State: LiveStepState;
  FailureDetails?: FailureDetails;
  start?: number;
  end?: number;
  /** The YARN application the step's spark-submit started. */
  appId?: string;
  run?: StepRun;
}
export interface LiveStep {
  Id: string;
  ActionOnFailure: string;
  Config: { Jar: string; Args: string[] };
  live?: LiveState;
}
export interface LiveCluster {
  Id: string;
  State: string;
  LogUri?: string;
  StateChangeReason?: { Code?: string; Message?: string };
  steps: LiveStep[];
  keepAlive: boolean;
  /** How many steps run at once (default 1). */
  StepConcurrencyLevel?: number;
}

const ENDED = ['COMPLETED', 'CANCELLED', 'FAILED'];
const GONE = ['TERMINATING', 'TERMINATED', 'TERMINATED_WITH_ERRORS'];

export interface ClusterRunner {
  /** Start the cluster's next pending step if none runs; settle the cluster when all have ended. */
  kick(c: LiveCluster): void;
  /** CancelSteps for one step: the CancelStepsInfo status and reason. */
  cancel(c: LiveCluster, s: LiveStep, option: string): { Status: 'SUBMITTED' | 'FAILED'; Reason?: string };
  /** TerminateJobFlows: pending steps cancelled, the running one killed, TERMINATED once it is gone. */
  terminate(c: LiveCluster, code: string, message: string): void;
  /** Kill every step still running and wait for them. */
  close(): Promise<void>;
}

export function createClusterRunner(o: RunnerOptions): ClusterRunner {
  const clusterTs = Date.now();
  let seq = 0;
  const inFlight = new Set<Promise<unknown>>();
  const runs = new Set<StepRun>();
  const ending = new Map<LiveCluster, { code: string; message: string; withErrors: boolean }>();

  const cancelPending = (c: LiveCluster) => {
    for (const s of c.steps)
      if (s.live?.State === 'PENDING') Object.assign(s.live, { State: 'CANCELLED', end: Date.now() });
  };
  const runningStep = (c: LiveCluster) =>
    c.steps.find((s) => s.live?.State === 'RUNNING' || s.live?.State === 'CANCEL_PENDING');

  const settle = (c: LiveCluster) => {
    const end = ending.get(c);
    if (end) {
      if (!runningStep(c)) {
        c.State = end.withErrors ? 'TERMINATED_WITH_ERRORS' : 'TERMINATED';
        c.StateChangeReason = { Code: end.code, Message: end.message };
      }
      return;
    }
    if (c.steps.some((s) => s.live && !ENDED.includes(s.live.State))) return;
    if (c.keepAlive) c.State = 'WAITING';
    else {
      c.State = 'TERMINATED';
      c.StateChangeReason = { Code: 'ALL_STEPS_COMPLETED', Message: 'Steps completed' };
    }
  };

  const runner: ClusterRunner = {
    kick(c) {
      const holding = c.steps.filter(
        (s) => s.live?.State === 'RUNNING' || s.live?.State === 'CANCEL_PENDING',
      );
      if (GONE.includes(c.State) || holding.length >= (c.StepConcurrencyLevel ?? 1)) return settle(c);
      const next = c.steps.find((s) => s.live?.State === 'PENDING');
      if (!next?.live) return settle(c);
      const live = next.live;
      c.State = 'RUNNING';
      live.State = 'RUNNING';
      live.start = Date.now();
      live.appId = `application_${clusterTs}_${String(++seq).padStart(4, '0')}`;
      live.run = runStep(o, {
        clusterId: c.Id,
        stepId: next.Id,
        ...(c.LogUri ? { logUri: c.LogUri } : {}),
        jar: next.Config.Jar,
        args: next.Config.Args,
        appId: live.appId,
      });
      const run = live.run;
      runs.add(run);
      const p = run.done
        .catch((err: unknown): { state: 'FAILED'; failure: FailureDetails } => ({
          state: 'FAILED',
          failure: { Reason: 'Unknown Error.', Message: String(err) },
        }))
        .then((out) => {
          live.State = out.state;
          live.end = Date.now();
          if (out.failure) live.FailureDetails = out.failure;
          if (out.state === 'FAILED' && !ending.has(c)) {
            const a = next.ActionOnFailure;
            if (a === 'CANCEL_AND_WAIT') cancelPending(c);
            if (a === 'TERMINATE_CLUSTER' || a === 'TERMINATE_JOB_FLOW') {
              runner.terminate(c, 'STEP_FAILURE', `Shut down as step failed: ${next.Id}`);
              return;
            }
          }
          // A cancelled step does not start the next one (docs/protocols.md 3.2, CancelSteps).
          if (out.state === 'CANCELLED') settle(c);
          else runner.kick(c);
        })
        .finally(() => {
          inFlight.delete(p);
          runs.delete(run);
        });
      inFlight.add(p);
      // With StepConcurrencyLevel > 1 the next pending step may start beside this one.
      runner.kick(c);
    },
    cancel(c, s, option) {
      const state = s.live?.State;
      if (state === 'PENDING' && s.live) {
        Object.assign(s.live, { State: 'CANCELLED', end: Date.now() });
        settle(c);
        return { Status: 'SUBMITTED' };
      }
      if (state === 'RUNNING' && s.live?.run) {
        s.live.State = 'CANCEL_PENDING';
        s.live.run.cancel(option === 'TERMINATE_PROCESS' ? 'SIGKILL' : 'SIGTERM');
        return { Status: 'SUBMITTED' };
      }
      return {
        Status: 'FAILED',
        Reason: `Step ${s.Id} is in state ${state ?? 'unknown'} and cannot be cancelled.`,
      };
    },
    terminate(c, code, message) {
      if (GONE.includes(c.State)) return;
      ending.set(c, { code, message, withErrors: code === 'STEP_FAILURE' });
      c.State = 'TERMINATING';
      cancelPending(c);
      for (const s of c.steps)
        if ((s.live?.State === 'RUNNING' || s.live?.State === 'CANCEL_PENDING') && s.live.run)
          s.live.run.cancel('SIGKILL');
      settle(c);
    },
    async close() {
      for (const r of runs) r.cancel('SIGKILL');
      await Promise.all([...inFlight]);
    },
  };
  return runner;
}
