// One reporting call at a time, never failing the run: a 403 (fork pull requests, missing permissions) marks
// its feature denied, said once at the end with the permission to grant; anything else becomes a warning.
import { errorMessage } from '../../util/errors.js';
import type { GitHubLinks } from '../run-report.js';
import { oneLine } from './views.js';

export type Feature = 'checks' | 'deployments' | 'comments';
const FEATURE: Record<Feature, { what: string; permission: string }> = {
  checks: { what: 'check runs', permission: 'checks: write' },
  deployments: { what: 'deployments', permission: 'deployments: write' },
  comments: { what: 'PR comments', permission: 'pull-requests: write' },
};

/** ReportingGuard runs reporting calls for one run and remembers which features the token may not use. */
export class ReportingGuard {
  private readonly denied = new Set<Feature>();

  constructor(
    private readonly links: GitHubLinks,
    private readonly warn: (message: string) => void,
  ) {}

  isDenied(feature: Feature): boolean {
    return this.denied.has(feature);
  }

  /** run runs one reporting call: a 403 marks the feature denied, anything else becomes a warning. */
  async run<T>(feature: Feature, what: string, fn: () => Promise<T>): Promise<T | undefined> {
    if (this.denied.has(feature)) return undefined;
    try {
      return await fn();
    } catch (err) {
      const status = (err as { status?: number }).status;
      if (status === 403) {
        this.denied.add(feature);
        return undefined;
      }
      this.note(
        `GitHub reporting: could not ${what}: ${status ? `${status} ` : ''}${oneLine(errorMessage(err))}`,
      );
      return undefined;
    }
  }

  /** note records a reporting problem for the summary and warns once. */
  note(message: string): void {
    this.links.notes.push(message);
    this.warn(message);
  }

  /** sayDenied explains, once, what the token could not do and how to grant it. */
  sayDenied(findings: number): void {
    if (this.denied.size === 0) return;
    const list = [...this.denied].map((f) => FEATURE[f]);
    this.note(
      `GitHub reporting: this token may not create ${list.map((f) => f.what).join(', ')} (403 Resource not accessible by integration). Pull requests from forks always get a read-only token; otherwise grant ${list.map((f) => `\`${f.permission}\``).join(', ')} in the workflow's permissions. Findings are annotated with workflow commands instead (GitHub shows at most 10 errors and 10 warnings per step)${findings ? `; the job summary lists all ${findings}` : ''}.`,
    );
  }
}
