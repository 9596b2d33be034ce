// Runs the pipeline as the action does (buildPlan from a config file in a temp workspace, then runPipeline)
// without a runner: inputs as the action reads them, the log, outputs and stage table recorded.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseInputs } from '../../src/inputs.js';
import { runPipeline } from '../../src/pipeline.js';
import { buildPlan } from '../../src/plan/build-plan.js';
import { RunReport } from '../../src/report/run-report.js';
import { goodEntries } from './jar-fixtures.js';
import { runContext } from './plan.js';
import { writeZip } from './zip-writer.js';

export interface PipelineRun {
  error: unknown;
  report: RunReport;
  log: string[];
  outputs: Record<string, string>;
}

const dirs: string[] = [];

/** removeWorkspaces deletes every workspace made so far (call it in afterAll). */
export function removeWorkspaces(): void {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

/**
 * runInWorkspace writes `files` (the deploy config at .github/spark-deploy.yml among them) and app.jar (a
 * JAR with Main-Class com.etl.Main) into a new temp workspace and runs the pipeline there.
 */
export async function runInWorkspace(
  files: Record<string, string>,
  inputs: Record<string, string>,
  env: NodeJS.ProcessEnv = {},
): Promise<PipelineRun> {
  const ws = mkdtempSync(join(tmpdir(), 'spark-deploy-pipeline-'));
  dirs.push(ws);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(ws, path)), { recursive: true });
    writeFileSync(join(ws, path), text);
  }
  writeZip(join(ws, 'app.jar'), goodEntries());
  const plan = await buildPlan(
    parseInputs((n) => inputs[n] ?? ''),
    runContext(ws),
    {
      env,
      setSecret: () => {},
    },
  );
  const outputs: Record<string, string> = {};
  const report = new RunReport(
    (name, value) => {
      outputs[name] = value;
    },
    () => {},
  );
  const log: string[] = [];
  const io = {
    group: <T>(_: string, fn: () => Promise<T>) => fn(),
    info: (l: string) => log.push(l),
    notice: (l: string) => log.push(l),
    warning: (l: string) => log.push(l),
    saveHandle: () => {},
    markFinished: () => {},
    tempDir: ws,
  };
  const error = await runPipeline(plan, report, new AbortController().signal, io).then(
    () => undefined,
    (e: unknown) => e,
  );
  return { error, report, log, outputs };
}
