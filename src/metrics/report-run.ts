// After the watch: read how the Spark run went and report it (the "Spark run" section, findings, a JSON
// file for later steps, the numbers GitHub reporting compares and keeps). Never throws and never changes
// the run's result: anything missing is one notice.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Output } from '../constants.js';
import type { Reporter } from '../stage.js';
import type { Handle, Status, Target } from '../targets/target.js';
import { errorMessage } from '../util/errors.js';
import type { FetchLike } from '../util/http.js';
import type { Clock } from '../util/poll.js';
import { analyzeRun } from './analyze.js';
import { collectRunMetrics } from './collect.js';
import { baselineOf } from './compare.js';
import { compactDuration } from './format.js';
import { renderSparkRun } from './render.js';

/** SPARK_RUN_SECTION is the job summary section's title. */
export const SPARK_RUN_SECTION = 'Spark run';

export interface ReportRunInput {
  target: Pick<Target, 'name' | 'metricsSource'>;
  handle: Handle;
  last?: Status;
  /** The app runs as a batch job (read once completed) rather than streaming (read as it runs). */
  batch: boolean;
  /** Where the JSON file goes (RUNNER_TEMP). */
  dir?: string;
  /** Whether a GitHub token lets the run be compared with the last deploy. */
  canCompare: boolean;
  log(line: string): void;
  notice(message: string): void;
  fetch?: FetchLike;
  clock?: Clock;
  /** Bound on waiting for a History Server to list the run (default 15 s). */
  waitMs?: number;
  signal?: AbortSignal;
}

/** reportSparkRun reads the run's metrics and reports them through `reporter`; it never throws. */
export async function reportSparkRun(input: ReportRunInput, reporter: Reporter): Promise<void> {
  try {
    await reportUnguarded(input, reporter);
  } catch (err) {
    input.notice(`Spark run: the metrics could not be read: ${errorMessage(err)}`);
  }
}

async function reportUnguarded(input: ReportRunInput, reporter: Reporter): Promise<void> {
  // The target's own reason comes first: without a source the application id would not help.
  const source = input.target.metricsSource?.(input.handle, input.last) ?? {
    missing: `${input.target.name}: no Spark metrics: this target has no reachable Spark monitoring REST API for the run (see docs/targets.md, "Spark run metrics")`,
  };
  if ('missing' in source) {
    input.notice(source.missing);
    return;
  }
  const appId = input.last?.applicationId ?? input.handle.applicationId;
  if (!appId) {
    input.notice('Spark run: no metrics: the Spark application id of this run is not known');
    return;
  }
  const started = Date.now();
  const got = await collectRunMetrics({
    source,
    appId,
    batch: input.batch,
    ...(input.fetch ? { fetch: input.fetch } : {}),
    ...(input.clock ? { clock: input.clock } : {}),
    ...(input.waitMs !== undefined ? { waitMs: input.waitMs } : {}),
    ...(input.signal ? { signal: input.signal } : {}),
  });
  if ('unavailable' in got) {
    input.notice(`Spark run: no metrics: ${got.unavailable}`);
    return;
  }
  const m = got.metrics;
  input.log(
    `spark run: ${m.appId} read from ${m.source.api} in ${compactDuration(Date.now() - started)} (${compactDuration(got.waitedMs)} of it waiting for it to be listed): ${m.stages.length} stages, wall ${compactDuration(m.wallMs)}`,
  );
  if (input.dir) {
    mkdirSync(input.dir, { recursive: true });
    const file = join(input.dir, `spark-run-${appId.replace(/[^\w.-]+/g, '_')}.json`);
    writeFileSync(file, `${JSON.stringify(m, null, 2)}\n`);
    reporter.output(Output.sparkMetricsPath, file);
  }
  for (const f of analyzeRun(m)) reporter.finding(f);
  reporter.section(SPARK_RUN_SECTION, renderSparkRun(m));
  reporter.sparkRun?.({ metrics: m, baseline: baselineOf(m) });
  if (!input.canCompare) {
    input.notice(
      'Spark run: not compared with the last deploy: that needs a github-token (the numbers are kept in GitHub deployment payloads) and an environment',
    );
  }
}
