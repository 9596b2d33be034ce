import type { Finding } from '../findings.js';
import type { StageOutcome } from '../stage.js';
import { clipText } from '../util/clip.js';
import type { RunReport } from './run-report.js';

const ICON: Record<string, string> = { success: '✅', failure: '❌', skipped: '⏭️', cancelled: '🚫' };
/** Findings listed in the summary; the rest are counted (the check run carries them all). */
const MAX_FINDING_ROWS = 500;
/** Findings shown without expanding the list. */
const OPEN_FINDINGS = 20;
/** GitHub refuses a step summary over 1 MiB; stay well under. */
const MAX_SUMMARY = 900 * 1024;

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

/** formatBytes renders a size as 812 B, 4.2 KiB or 31.7 MiB, with the exact byte count for larger sizes. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const unit = n < 1024 * 1024 ? 'KiB' : 'MiB';
  const v = n / (unit === 'KiB' ? 1024 : 1024 * 1024);
  return `${v.toFixed(1)} ${unit} (${n.toLocaleString('en-US')} bytes)`;
}

function code(s: string): string {
  return `\`${s.replace(/`/g, 'ˋ')}\``;
}

function link(url: string | undefined): string | undefined {
  return url ? `<${escapeCell(url).replace(/>/g, '%3E')}>` : undefined;
}

/** renderStageTable renders the stage table (stage, result, duration, details) shared with the check run. */
export function renderStageTable(stages: readonly StageOutcome[]): string {
  if (stages.length === 0) return '';
  return [
    '| stage | result | duration | details |',
    '| --- | --- | --- | --- |',
    ...stages.map(
      (s) =>
        `| ${s.stage} | ${ICON[s.result] ?? ''} ${s.result} | ${s.result === 'skipped' && s.durationMs === 0 ? '—' : formatDuration(s.durationMs)} | ${escapeCell(s.detail ?? '')} |`,
    ),
  ].join('\n');
}

function table(rows: [string, string | undefined][]): string {
  const kept = rows.filter(([, v]) => v !== undefined && v !== '');
  return kept.length ? ['| | |', '| --- | --- |', ...kept.map(([k, v]) => `| ${k} | ${v} |`)].join('\n') : '';
}

function findingRow(f: Finding): string {
  const loc = f.file
    ? `${f.file}${f.line ? `:${f.line}` : ''}${f.line && f.column ? `:${f.column}` : ''}`
    : '';
  const sev = f.severity === 'error' ? '❌ error' : f.severity === 'warning' ? '⚠️ warning' : 'ℹ️ notice';
  return `| ${sev} | ${f.stage} | ${escapeCell(clipText(f.title, 200))} | ${loc ? code(loc) : ''} | ${escapeCell(clipText(f.message, 400))} |`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function artifactSection(report: RunReport): string {
  const a = report.artifact;
  const path = a?.jarDisplayPath ?? report.outputs.get('jar-path');
  if (!path) return '';
  const sha = a?.sha256 ?? report.outputs.get('jar-sha256');
  return table([
    ['Path', code(path)],
    ['Size', a ? formatBytes(a.sizeBytes) : undefined],
    ['SHA-256', sha ? code(sha) : undefined],
    ['Main-Class', a?.mainClass ? code(a.mainClass) : undefined],
    ['Java release', a?.javaRelease ? String(a.javaRelease) : undefined],
  ]);
}

function imageLine(report: RunReport): string {
  const pinned = report.artifact?.image?.reference;
  if (pinned) return code(pinned);
  const image = report.outputs.get('image');
  const digest = report.outputs.get('image-digest');
  if (!image) return '';
  return code(digest && !image.includes('@') ? `${image.replace(/:[^/:]+$/, '')}@${digest}` : image);
}

function deploymentSection(report: RunReport): string {
  const o = report.outputs;
  const s = report.status;
  const state = s
    ? `${s.phase} (native: ${s.nativeState || '—'})`
    : o.get('state')
      ? (o.get('state') as string)
      : undefined;
  const l = report.links;
  return table([
    ['Target', o.get('target')],
    ['Submission', o.get('submission-id') ? code(o.get('submission-id') as string) : undefined],
    ['Application', o.get('application-id') ? code(o.get('application-id') as string) : undefined],
    ['State', state],
    ['Message', s?.message ? escapeCell(clipText(s.message.split('\n')[0] ?? '', 300)) : undefined],
    ['Spark UI', link(l?.sparkUi ?? o.get('spark-ui-url'))],
    ['Port-forward', l?.portForward ? code(l.portForward) : undefined],
    ['Console', link(l?.console)],
    ['Driver logs', link(l?.logs)],
    ['History', link(l?.history)],
  ]);
}

function githubSection(report: RunReport): string {
  const g = report.github;
  if (!g) return '';
  const d = g.deployment;
  const rows = table([
    ['Check run', link(g.checkRun)],
    ['Deployment', d ? `${d.id} to \`${d.environment}\`${d.url ? ` (${link(d.url)})` : ''}` : undefined],
    ['PR comment', link(g.comment)],
  ]);
  const notes = g.notes.map((n) => `> ${escapeCell(n)}`);
  return [rows, ...(notes.length ? ['', '> [!WARNING]', ...notes] : [])].filter(Boolean).join('\n');
}

function findingsSection(findings: readonly Finding[]): string {
  const shown = findings.slice(0, MAX_FINDING_ROWS);
  const rest = findings.length - shown.length;
  return [
    `<details${findings.length <= OPEN_FINDINGS ? ' open' : ''}><summary>${plural(findings.length, 'finding')}</summary>`,
    '',
    '| severity | stage | finding | where | details |',
    '| --- | --- | --- | --- | --- |',
    ...shown.map(findingRow),
    ...(rest > 0 ? ['', `… and ${rest} more: the check run's annotations carry them all.`] : []),
    '',
    '</details>',
  ].join('\n');
}

function fenced(text: string): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}text\n${text.replace(/\n$/, '')}\n${fence}`;
}

/**
 * renderSummary renders the job summary: the outcome, the stage table, the artifact, the image, the
 * deployment and its links, GitHub reporting, every finding and (collapsed) the remote log and the error.
 * Stage sections (JAR, Deployment, Dry run, Driver log) take the place of the generic ones they cover.
 */
export function renderSummary(report: RunReport, heading: string): string {
  const out: string[] = [`## ${heading}`, ''];
  const first = report.failure?.split('\n')[0] ?? '';
  if (report.failure) out.push('> [!CAUTION]', `> ${escapeCell(first)}`, '');
  else if (report.stages.length > 0) {
    const total = report.stages.reduce((t, s) => t + s.durationMs, 0);
    const ran = report.stages.filter((s) => s.result === 'success').map((s) => s.stage);
    out.push(`✅ ${ran.length ? ran.join(', ') : 'nothing to do'} in ${formatDuration(total)}`, '');
  }
  const stageTable = renderStageTable(report.stages);
  if (stageTable) out.push(stageTable, '');

  const has = (title: string) => report.sections.some((s) => s.title === title);
  const push = (title: string, body: string) => {
    if (body) out.push(`### ${title}`, '', body, '');
  };
  if (!has('JAR')) push('Artifact', artifactSection(report));
  const image = imageLine(report);
  if (image && !has('Image')) push('Image', image);
  if (!has('Deployment')) push('Deployment', deploymentSection(report));
  for (const s of report.sections) push(s.title, s.markdown);

  if (report.findings.length > 0) {
    const errors = report.findings.filter((f) => f.severity === 'error').length;
    const warnings = report.findings.filter((f) => f.severity === 'warning').length;
    push(
      `Findings (${plural(errors, 'error')}, ${plural(warnings, 'warning')})`,
      findingsSection(report.findings),
    );
  }
  push('GitHub', githubSection(report));
  const log = report.logExcerpt;
  if (log && !report.sections.some((s) => /log/i.test(s.title))) {
    out.push(
      `<details><summary>${escapeCell(log.title)}</summary>`,
      '',
      fenced(log.text),
      '',
      '</details>',
      '',
    );
  }
  if (report.failure?.includes('\n')) {
    out.push('<details><summary>Error</summary>', '', fenced(report.failure), '', '</details>', '');
  }
  const md = out.join('\n');
  return md.length > MAX_SUMMARY
    ? `${md.slice(0, MAX_SUMMARY)}\n\n… (truncated: the job summary is limited to 1 MiB)\n`
    : md;
}
