import type { Finding } from '../findings.js';
import type { Reporter, StageOutcome } from '../stage.js';

/** RunReport collects what every stage learned, for the summary, the annotations and the check run. */
export class RunReport implements Reporter {
  readonly outputs = new Map<string, string>();
  readonly findings: Finding[] = [];
  readonly sections: { title: string; markdown: string }[] = [];
  readonly stages: StageOutcome[] = [];
  /** The failure that ended the run, if one did. */
  failure?: string;
  constructor(private readonly setOutput: (name: string, value: string) => void) {}

  /** output sets an action output at once, so it is there even if a later stage fails. */
  output(name: string, value: string): void {
    this.outputs.set(name, value);
    this.setOutput(name, value);
  }

  finding(f: Finding): void {
    this.findings.push(f);
  }

  section(title: string, markdown: string): void {
    const existing = this.sections.find((s) => s.title === title);
    if (existing) existing.markdown = markdown;
    else this.sections.push({ title, markdown });
  }
}
