import type { TargetName } from '../constants.js';
import type { Finding } from '../findings.js';
import type { SourceAnswer } from '../metrics/collect.js';
import type { Plan } from '../plan/plan.js';
import type { Artifact } from '../stage.js';

/** Phase is the target-independent state of a deployed job. */
export type Phase = 'PENDING' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED' | 'UNKNOWN';

/** Handle identifies one submitted job; it is JSON-serialisable so the post step can cancel it. */
export interface Handle {
  target: TargetName;
  /** Spark driver id, SparkApplication name, EMR step id. */
  submissionId: string;
  /** Spark application id once known. */
  applicationId?: string;
  /** Target-specific data needed to find the job again (master URL, namespace, cluster id...). */
  data: Record<string, string>;
}

/** Status is one observation of a job: the mapped phase plus the native state and message, nothing lost. */
export interface Status {
  phase: Phase;
  nativeState: string;
  message?: string;
  applicationId?: string;
  /** True once the phase can no longer change. */
  terminal: boolean;
  /**
   * A cause the target itself knows to be decisive (a container OOMKilled, a submission the operator
   * refused): it leads the failure report before anything read from the driver log.
   */
  cause?: string;
  /** When the target recorded this state, if it says (ms since epoch). */
  at?: number;
}

/** Links are where a user looks next. */
export interface Links {
  sparkUi?: string;
  /** Master UI, Kubernetes dashboard or EMR console. */
  console?: string;
  logs?: string;
  /** A command to reach a UI that has no public URL (e.g. kubectl port-forward). */
  portForward?: string;
  history?: string;
}

/** DeployPlan is the Plan with its config present: deploy never runs without one. */
export type DeployPlan = Plan & { config: NonNullable<Plan['config']>; target: TargetName };

/** Target is what every deploy backend implements (docs/design.md, "The Target interface"). */
export interface Target {
  readonly name: TargetName;
  /** render returns what submit would send, for dry runs and the `render` command; secrets masked. */
  render(plan: DeployPlan, artifact: Artifact): Promise<{ kind: string; text: string }[]>;
  submit(plan: DeployPlan, artifact: Artifact, signal: AbortSignal): Promise<Handle>;
  /** watch yields statuses until terminal (batch) or healthy (streaming), or the signal aborts. */
  watch(handle: Handle, signal: AbortSignal): AsyncIterable<Status>;
  cancel(handle: Handle): Promise<void>;
  find(selector: { app: string; preview?: number }): Promise<Handle[]>;
  links(handle: Handle, status?: Status): Links;
  /**
   * metricsSource says where the run's Spark monitoring REST API can be read once the watch ended (a
   * History Server, the driver's live UI), or why nowhere; a target without it has no reachable source.
   */
  metricsSource?(handle: Handle, status?: Status): SourceAnswer;
  /** logTail fetches the last lines of the driver log, when the target can. */
  logTail?(handle: Handle, lines: number): Promise<string | undefined>;
  /** Findings gathered along the way (warnings such as insecure REST). */
  readonly findings?: Finding[];
  /**
   * True when the target itself replaces a streaming app's previous run on redeploy (Kubernetes updates the
   * SparkApplication in place, or retires the old one after blue-green); otherwise the deploy cancels it.
   */
  readonly replacesPreviousRun?: boolean;
  /**
   * retireFirst says, for a streaming redeploy, why the app's previous run must be stopped before the new one
   * is submitted (an EMR cluster that runs one step at a time would keep the new step PENDING behind it until
   * the timeout), naming what a run is there (`unit`: "step"); undefined keeps the default, the previous run
   * retired once the new one is healthy (src/deploy/replace.ts).
   */
  retireFirst?(plan: DeployPlan, signal: AbortSignal): Promise<{ reason: string; unit: string } | undefined>;
  /**
   * outlives tells whether a job still holds something on the cluster after it ended (a SparkApplication
   * object, a transient EMR cluster), which cleanup must remove; by default an ended job holds nothing.
   */
  outlives?(handle: Handle): boolean;
}
