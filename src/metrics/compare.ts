// A run against the last successful deploy of the same app and environment. The few numbers compared live
// in that deployment's GitHub `payload` (under PAYLOAD_KEY), the only store the action keeps between runs.
import { compactBytes, compactDuration, percentChange } from './format.js';
import type { RunMetrics } from './model.js';

/** PAYLOAD_KEY is where a deployment's payload carries its run's numbers. */
export const PAYLOAD_KEY = 'spark_run';

/** RunBaseline is what a deployment's payload keeps of its run (snake_case, as GitHub payloads go). */
export interface RunBaseline {
  app_id: string;
  wall_ms: number;
  input_bytes: number;
  shuffle_read_bytes: number;
  shuffle_write_bytes: number;
  spill_bytes: number;
  task_ms: number;
}

/** baselineOf is the part of a run a deployment's payload keeps. */
export function baselineOf(m: RunMetrics): RunBaseline {
  return {
    app_id: m.appId,
    wall_ms: Math.round(m.wallMs),
    input_bytes: m.totals.inputBytes,
    shuffle_read_bytes: m.totals.shuffleReadBytes,
    shuffle_write_bytes: m.totals.shuffleWriteBytes,
    spill_bytes: m.totals.spillBytes,
    task_ms: m.totals.taskTimeMs,
  };
}

const NUMBER_KEYS = [
  'wall_ms',
  'input_bytes',
  'shuffle_read_bytes',
  'shuffle_write_bytes',
  'spill_bytes',
  'task_ms',
] as const;

/** parseBaseline reads a payload's baseline, or undefined when it has none (or one this version cannot read). */
export function parseBaseline(payload: unknown): RunBaseline | undefined {
  if (!payload || typeof payload !== 'object') return undefined;
  const b = (payload as Record<string, unknown>)[PAYLOAD_KEY];
  if (!b || typeof b !== 'object') return undefined;
  const o = b as Record<string, unknown>;
  if (typeof o.app_id !== 'string') return undefined;
  for (const k of NUMBER_KEYS) if (typeof o[k] !== 'number' || !Number.isFinite(o[k])) return undefined;
  return o as unknown as RunBaseline;
}

/** Previous identifies the deployment a run is compared with. */
export interface Previous {
  baseline: RunBaseline;
  deploymentId: number;
  sha?: string;
}

function change(before: number, now: number): string {
  const p = percentChange(before, now);
  if (p === undefined) return now === 0 ? '—' : 'new';
  const r = Math.round(p);
  return r === 0 ? '±0 %' : `${r > 0 ? '+' : '−'}${Math.abs(r)} %`;
}

/** renderComparison is the table of this run against the previous one, changes in per cent. */
export function renderComparison(now: RunBaseline, prev: Previous): string {
  const b = prev.baseline;
  const rows: [string, number, number, (n: number) => string][] = [
    ['wall time', b.wall_ms, now.wall_ms, compactDuration],
    ['task time', b.task_ms, now.task_ms, compactDuration],
    ['input', b.input_bytes, now.input_bytes, compactBytes],
    ['shuffle read', b.shuffle_read_bytes, now.shuffle_read_bytes, compactBytes],
    ['shuffle write', b.shuffle_write_bytes, now.shuffle_write_bytes, compactBytes],
    ['spill to disk', b.spill_bytes, now.spill_bytes, compactBytes],
  ];
  return [
    `Against the last successful deploy (deployment #${prev.deploymentId}${prev.sha ? `, ${prev.sha.slice(0, 7)}` : ''}, \`${b.app_id}\`):`,
    '',
    '| | last deploy | this run | change |',
    '| --- | ---: | ---: | ---: |',
    ...rows.map(([k, x, y, f]) => `| ${k} | ${f(x)} | ${f(y)} | ${change(x, y)} |`),
  ].join('\n');
}
