import type { Finding } from '../findings.js';

/** AnnotationSink is what writes workflow-command annotations. */
export interface AnnotationSink {
  error(message: string, props: AnnotationProps): void;
  warning(message: string, props: AnnotationProps): void;
  notice(message: string, props: AnnotationProps): void;
}
export interface AnnotationProps {
  title?: string;
  file?: string;
  startLine?: number;
  endLine?: number;
  startColumn?: number;
}

/**
 * emitAnnotations writes one workflow-command annotation per finding (`::error file=…,line=…::…`).
 * GitHub shows at most 10 errors and 10 warnings per step; the job summary lists them all.
 */
export function emitAnnotations(findings: readonly Finding[], sink: AnnotationSink): void {
  for (const f of findings) {
    const props: AnnotationProps = { title: f.title };
    if (f.file) props.file = f.file;
    if (f.file && f.line) props.startLine = f.line;
    if (f.file && f.line && f.endLine) props.endLine = f.endLine;
    if (f.file && f.line && f.column) props.startColumn = f.column;
    sink[f.severity](f.message || f.title, props);
  }
}

/** findingLine is the one log line a finding gets in its stage's log group: severity, where, title. */
export function findingLine(f: Finding): string {
  const where = f.file
    ? ` ${f.file}${f.line ? `:${f.line}` : ''}${f.line && f.column ? `:${f.column}` : ''}`
    : '';
  return `${f.severity}${f.rule ? ` [${f.rule}]` : ''}${where}: ${f.title}`;
}
