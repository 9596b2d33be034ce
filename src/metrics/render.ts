// The "Spark run" section of the job summary: wall time, jobs, a table of stages and a Mermaid Gantt chart
// of them (GitHub renders ```mermaid blocks in job summaries and check runs).
import { escapeCell } from '../report/summary.js';
import { compactBytes, compactCount, compactDuration } from './format.js';
import type { RunMetrics, StageRun } from './model.js';

/** Stages listed in the table and the chart; a longer run shows its longest ones. */
export const MAX_STAGE_ROWS = 40;

/** mermaidText makes a stage name safe as a Gantt task name (no `:`, `#` or `;`, one line, short). */
export function mermaidText(s: string): string {
  const t = s
    .replace(/[:#;`"<>{}]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return t.length > 48 ? `${t.slice(0, 47)}…` : t || 'stage';
}

/**
 * renderGantt draws the stages on a time axis from the application's start, one section per job (a stage
 * several jobs share is drawn under the first); `dateFormat x` takes the offsets as ms timestamps.
 */
export function renderGantt(m: RunMetrics, stages: readonly StageRun[]): string {
  const lines = ['```mermaid', 'gantt', `  title Stages of ${mermaidText(m.appId)}`, '  dateFormat x'];
  lines.push(m.wallMs >= 3_600_000 ? '  axisFormat %H:%M' : '  axisFormat %M:%S');
  const byJob = new Map<string, StageRun[]>();
  const seen = new Set<string>();
  for (const j of m.jobs) {
    for (const s of stages.filter((x) => j.stageIds.includes(x.stageId))) {
      const key = `${s.stageId}.${s.attempt}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const title = `Job ${j.jobId}`;
      byJob.set(title, [...(byJob.get(title) ?? []), s]);
    }
  }
  const orphans = stages.filter((s) => !seen.has(`${s.stageId}.${s.attempt}`));
  if (orphans.length) byJob.set('Other stages', orphans);
  for (const [title, list] of byJob) {
    lines.push(`  section ${title}`);
    for (const s of list) {
      const tag = s.status === 'FAILED' ? 'crit, ' : s.status === 'ACTIVE' ? 'active, ' : '';
      // A zero-length bar is not drawn: give every stage at least 1 ms.
      const end = Math.max(s.endMs, s.startMs + 1);
      lines.push(
        `  ${mermaidText(`${s.stageId}${s.attempt ? `.${s.attempt}` : ''} ${s.name}`)} :${tag}s${s.stageId}_${s.attempt}, ${Math.round(s.startMs)}, ${Math.round(end)}`,
      );
    }
  }
  lines.push('```');
  return lines.join('\n');
}

function ioCell(bytes: number, records: number): string {
  return bytes || records ? `${compactBytes(bytes)}${records ? ` / ${compactCount(records)}` : ''}` : '—';
}

/** renderStageRows is the stage table: one row per stage attempt. */
export function renderStageRows(stages: readonly StageRun[]): string {
  const head = [
    '| stage | name | status | duration | tasks | input | output | shuffle read / write | spill memory / disk | GC |',
    '| ---: | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  const rows = stages.map((s) => {
    const tasks = `${s.tasks}${s.failedTasks ? ` (${s.failedTasks} failed)` : ''}`;
    const shuffle =
      s.shuffleReadBytes || s.shuffleWriteBytes
        ? `${compactBytes(s.shuffleReadBytes)} / ${compactBytes(s.shuffleWriteBytes)}`
        : '—';
    const spill =
      s.memorySpillBytes || s.diskSpillBytes
        ? `**${compactBytes(s.memorySpillBytes)} / ${compactBytes(s.diskSpillBytes)}**`
        : '—';
    const gc = s.taskTimeMs ? `${Math.round((100 * s.gcTimeMs) / s.taskTimeMs)} %` : '—';
    return `| ${s.stageId}${s.attempt ? `.${s.attempt}` : ''} | ${escapeCell(s.name)} | ${s.status} | ${compactDuration(s.durationMs)} | ${tasks} | ${ioCell(s.inputBytes, s.inputRecords)} | ${ioCell(s.outputBytes, s.outputRecords)} | ${shuffle} | ${spill} | ${gc} |`;
  });
  return [...head, ...rows].join('\n');
}

/** renderSparkRun renders the whole section; `comparison` is the table against the last deploy, if any. */
export function renderSparkRun(m: RunMetrics, comparison?: string): string {
  const t = m.totals;
  const shown =
    m.stages.length > MAX_STAGE_ROWS
      ? [...m.stages]
          .sort((a, b) => b.durationMs - a.durationMs)
          .slice(0, MAX_STAGE_ROWS)
          .sort((a, b) => a.startMs - b.startMs)
      : m.stages;
  const failedJobs = m.jobs.filter((j) => j.status === 'FAILED').length;
  const gcShare = t.taskTimeMs ? ` · GC ${Math.round((100 * t.gcTimeMs) / t.taskTimeMs)} % of task time` : '';
  const out = [
    `\`${m.appId}\` (${escapeCell(m.name)}${m.sparkVersion ? `, Spark ${m.sparkVersion}` : ''}) ${m.completed ? 'ran' : 'has run'} **${compactDuration(m.wallMs)}**: ${m.jobs.length} job${m.jobs.length === 1 ? '' : 's'}${failedJobs ? ` (${failedJobs} failed)` : ''}, ${m.stages.length} stage attempt${m.stages.length === 1 ? '' : 's'}, ${m.executors.total} executor${m.executors.total === 1 ? '' : 's'}${m.executors.lost.length ? ` (${m.executors.lost.length} lost)` : ''}.`,
    '',
    `Input ${compactBytes(t.inputBytes)} · output ${compactBytes(t.outputBytes)} · shuffle ${compactBytes(t.shuffleReadBytes)} read, ${compactBytes(t.shuffleWriteBytes)} written · spill ${compactBytes(t.spillBytes)} to disk${gcShare}`,
    '',
  ];
  if (comparison) out.push(comparison, '');
  if (shown.length) {
    out.push(renderGantt(m, shown), '');
    out.push(
      `<details${m.stages.length <= 12 ? ' open' : ''}><summary>Stages${shown.length < m.stages.length ? ` (the ${shown.length} longest of ${m.stages.length})` : ''}</summary>`,
      '',
      renderStageRows(shown),
      '',
      '</details>',
      '',
    );
  }
  out.push(
    `<sub>Read from ${m.source.kind === 'history' ? 'the History Server' : "the driver's live UI"} at ${m.source.api}</sub>`,
  );
  return out.join('\n');
}
