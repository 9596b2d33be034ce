// Compact number formats for the Spark run tables, where the exact byte counts of formatBytes would not fit.
import type { StageRun } from './model.js';

/** compactBytes renders a size as 812 B, 4.2 KiB, 31.7 MiB or 2.05 GiB. */
export function compactBytes(n: number): string {
  if (n < 1024) return `${Math.round(n)} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}

/** compactDuration renders ms as 850 ms, 12.3 s, 4 min 05 s or 2 h 03 min. */
export function compactDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms < 3_600_000) {
    const s = Math.round(ms / 1000);
    return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  }
  const m = Math.round(ms / 60_000);
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

/** compactCount renders a record count as 950, 12.3 k, 4.1 M. */
export function compactCount(n: number): string {
  if (n < 1000) return String(n);
  if (n < 1e6) return `${(n / 1e3).toFixed(1)} k`;
  if (n < 1e9) return `${(n / 1e6).toFixed(1)} M`;
  return `${(n / 1e9).toFixed(2)} G`;
}

/** stageLabel names a stage attempt: `stage 3 "save at Job.scala:42"` (attempt shown when retried). */
export function stageLabel(s: Pick<StageRun, 'stageId' | 'attempt' | 'name'>): string {
  return `stage ${s.stageId}${s.attempt > 0 ? ` (attempt ${s.attempt})` : ''} "${s.name}"`;
}

/** percentChange is the change from `before` to `now` in per cent, or undefined when `before` is 0. */
export function percentChange(before: number, now: number): number | undefined {
  if (before === 0) return undefined;
  return ((now - before) / before) * 100;
}
