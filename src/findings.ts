/** A problem or observation from one stage, with where it points to, flowing to the report stage. */
export interface Finding {
  stage: 'plan' | 'build' | 'verify' | 'image' | 'deploy' | 'report';
  severity: 'error' | 'warning' | 'notice';
  /** One line, shown as the annotation title. */
  title: string;
  /** What happened and how to fix it. */
  message: string;
  /** Repository-relative path (forward slashes) the finding points to, if any. */
  file?: string;
  line?: number;
  column?: number;
  endLine?: number;
  /** Stable rule id for machine consumers, e.g. `verify/signature-files`. */
  rule?: string;
}

/** hasErrors tells whether any finding is an error. */
export function hasErrors(findings: readonly Finding[]): boolean {
  return findings.some((f) => f.severity === 'error');
}

/** formatFindingLine renders a finding as one line: `file:line:col: title: message`. */
export function formatFindingLine(f: Finding): string {
  const where = f.file
    ? `${f.file}${f.line ? `:${f.line}` : ''}${f.line && f.column ? `:${f.column}` : ''}: `
    : '';
  return `${where}${f.title}${f.message ? ` — ${f.message}` : ''}`;
}
