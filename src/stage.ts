import type { Command, Stage } from './constants.js';
import type { RootCause } from './deploy/root-cause.js';
import type { Finding } from './findings.js';
import type { RunBaseline } from './metrics/compare.js';
import type { RunMetrics } from './metrics/model.js';
import type { Links, Status } from './targets/target.js';

/** StageOutcome is how one stage ended, for the stage table in the summary and the check run. */
export interface StageOutcome {
  /** The stage, or the command (status, cancel, cleanup) when the run acts on deployed jobs. */
  stage: Stage | Exclude<Command, 'deploy' | 'render'>;
  result: 'success' | 'failure' | 'skipped' | 'cancelled';
  durationMs: number;
  /** One line shown in the stage table (e.g. "12 tests passed", "driver FINISHED"). */
  detail?: string;
}

/** Artifact is what the build (or the `jar` input) hands to verify, image and deploy. */
export interface Artifact {
  /** Absolute path of the assembly JAR. */
  jarPath: string;
  /** Path relative to the workspace, forward slashes (what users and annotations see). */
  jarDisplayPath: string;
  sizeBytes: number;
  sha256?: string;
  /** Main class as verified from the manifest, when the verify stage ran. */
  mainClass?: string;
  /** Java release the main class was compiled for, when the verify stage ran. */
  javaRelease?: number;
  /** The image built by the image stage, pinned by digest (deploy uses `reference`, never a tag). */
  image?: { repository: string; digest: string; reference: string };
}

/** Reporter is the narrow view of reporting a stage gets: outputs as soon as known, and findings. */
export interface Reporter {
  output(name: string, value: string): void;
  finding(f: Finding): void;
  /** A markdown section added to the job summary (e.g. the artifact or the deployment). */
  section(title: string, markdown: string): void;
  /** What the deploy stage learned, for the check run, the deployment status and the PR comment (only the
   * deploy stage reports it, so stage tests of other stages need not). */
  deployment?(facts: DeploymentFacts): void;
  /** How the deployed Spark run went, read from its monitoring REST API (src/metrics/). */
  sparkRun?(facts: SparkRunFacts): void;
}

/** SparkRunFacts are a run's metrics and the few numbers a GitHub deployment's payload keeps of them. */
export interface SparkRunFacts {
  metrics: RunMetrics;
  baseline: RunBaseline;
}

/** DeploymentFacts is what the deploy stage knows about the job it follows, as it learns it. */
export interface DeploymentFacts {
  links: Links;
  /** The job's last observed status. */
  status?: Status;
  /** A remote log excerpt (e.g. the driver's stderr tail). */
  logExcerpt?: { title: string; text: string };
  /** The wait ended at timeout-minutes rather than at a state. */
  timedOut?: boolean;
  /** Why the job failed, read from its log (src/deploy/root-cause.ts). */
  rootCause?: RootCause;
}
