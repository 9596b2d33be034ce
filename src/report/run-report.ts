import type { RootCause } from '../deploy/root-cause.js';
import type { Finding } from '../findings.js';
import type { Artifact, DeploymentFacts, Reporter, SparkRunFacts, StageOutcome } from '../stage.js';
import type { Links, Status } from '../targets/target.js';

/** GitHubLinks is what GitHub reporting produced, for the job summary. */
export interface GitHubLinks {
  checkRun?: string;
  deployment?: { id: number; environment: string; url?: string };
  comment?: string;
  /** Reporting problems and fallbacks, one line each (already printed as warnings). */
  notes: string[];
}

/** RunReport collects what every stage learned, for the summary, the annotations and the check run. */
export class RunReport implements Reporter {
  readonly outputs = new Map<string, string>();
  readonly findings: Finding[] = [];
  readonly sections: { title: string; markdown: string }[] = [];
  readonly stages: StageOutcome[] = [];
  /** The failure that ended the run, if one did. */
  failure?: string;
  /** When the run started (ms since the epoch). */
  readonly startedAt = Date.now();
  /** The artifact as the last stage that touched it left it (path, size, SHA-256, main class, release; the pipeline sets it). */
  artifact?: Artifact;
  /** Where to look next, once the deploy stage knows (Spark UI, console, logs). */
  links?: Links;
  /** The deployed job's last observed status (phase, native state and message). */
  status?: Status;
  /** A remote log excerpt (e.g. the driver's stderr tail) shown collapsed in the job summary. */
  logExcerpt?: { title: string; text: string };
  /** Why the deployed job failed, when its log says. */
  rootCause?: RootCause;
  /** Set when the run ended by timeout rather than by failure (check run conclusion `timed_out`). */
  timedOut?: boolean;
  /** How the deployed Spark run went, when its metrics could be read. */
  sparkRunFacts?: SparkRunFacts;
  /** Filled in by GitHub reporting. */
  github?: GitHubLinks;
  /**
   * setOutput sets an action output; onFinding, when given, hears each finding as it is recorded, so it can
   * be logged inside the stage's log group (annotations are written once, at the end of the run).
   */
  constructor(
    private readonly setOutput: (name: string, value: string) => void,
    private readonly onFinding?: (f: Finding) => void,
  ) {}

  /** output sets an action output at once, so it is there even if a later stage fails. */
  output(name: string, value: string): void {
    this.outputs.set(name, value);
    this.setOutput(name, value);
  }

  finding(f: Finding): void {
    this.findings.push(f);
    this.onFinding?.(f);
  }

  deployment(facts: DeploymentFacts): void {
    this.links = facts.links;
    if (facts.status) this.status = facts.status;
    if (facts.logExcerpt) this.logExcerpt = facts.logExcerpt;
    if (facts.timedOut !== undefined) this.timedOut = facts.timedOut;
    if (facts.rootCause) this.rootCause = facts.rootCause;
  }

  sparkRun(facts: SparkRunFacts): void {
    this.sparkRunFacts = facts;
  }

  section(title: string, markdown: string): void {
    const existing = this.sections.find((s) => s.title === title);
    if (existing) existing.markdown = markdown;
    else this.sections.push({ title, markdown });
  }
}
