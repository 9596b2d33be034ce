import type { Finding } from '../findings.js';
import type { RunReport } from './run-report.js';

const ICON: Record<string, string> = { success: '✅', failure: '❌', skipped: '⏭️', cancelled: '🚫' };

/** escapeCell makes text safe inside a markdown table cell. */
export function escapeCell(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>');
}

/** formatDuration renders milliseconds as 850 ms, 12.3 s or 4 min 05 s. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const m = Math.floor(ms / 60_000);
  const s = Math.round((ms % 60_000) / 1000);
  return `${m} min ${String(s).padStart(2, '0')} s`;
}

function findingRow(f: Finding): string {
  const where = f.file ? `\`${f.file}${f.line ? `:${f.line}` : ''}\`` : '';
  const sev = f.severity === 'error' ? '❌ error' : f.severity === 'warning' ? '⚠️ warning' : 'ℹ️ notice';
  return `| ${sev} | ${f.stage} | ${escapeCell(f.title)} | ${where} | ${escapeCell(f.message)} |`;
}

/** renderSummary renders the job summary: stage table, sections, every finding, and the failure. */
export function renderSummary(report: RunReport, heading: string): string {
  const out: string[] = [`## ${heading}`, ''];
  if (report.failure) out.push(`> [!CAUTION]\n> ${escapeCell(report.failure.split('\n')[0] ?? '')}`, '');
  if (report.stages.length > 0) {
    out.push('| stage | result | duration | details |', '| --- | --- | --- | --- |');
    for (const s of report.stages) {
      out.push(
        `| ${s.stage} | ${ICON[s.result] ?? ''} ${s.result} | ${formatDuration(s.durationMs)} | ${escapeCell(s.detail ?? '')} |`,
      );
    }
    out.push('');
  }
  for (const s of report.sections) out.push(`### ${s.title}`, '', s.markdown, '');
  if (report.findings.length > 0) {
    const errors = report.findings.filter((f) => f.severity === 'error').length;
    const warnings = report.findings.filter((f) => f.severity === 'warning').length;
    out.push(
      `### Findings (${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'})`,
      '',
      '| severity | stage | finding | where | details |',
      '| --- | --- | --- | --- | --- |',
      ...report.findings.map(findingRow),
      '',
    );
  }
  if (report.failure && report.failure.includes('\n')) {
    out.push('<details><summary>Error</summary>', '', '```text', report.failure, '```', '', '</details>', '');
  }
  return out.join('\n');
}
