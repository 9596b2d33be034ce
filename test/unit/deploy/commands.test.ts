// status / cancel / cleanup, the streaming replacement and the render file, over an in-memory Target
// (our own interface, not a remote protocol: the real targets are covered against their servers).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import type { TargetName } from '../../../src/constants.js';
import { runTargetCommand } from '../../../src/deploy/commands.js';
import { writeRendered } from '../../../src/deploy/deploy-stage.js';
import { retirePrevious } from '../../../src/deploy/replace.js';
import { previewAppName } from '../../../src/plan/preview.js';
import { RunReport } from '../../../src/report/run-report.js';
import type { DeployPlan, Handle, Phase, Status, Target } from '../../../src/targets/target.js';
import { ActionError } from '../../../src/util/errors.js';
import { makePlan } from '../standalone/fixtures.js';

interface Job {
  id: string;
  phase: Phase;
  native: string;
  transient?: boolean;
  failCancel?: boolean;
}

class MemoryTarget implements Target {
  readonly cancelled: string[] = [];
  readonly selectors: { app: string; preview?: number }[] = [];
  constructor(
    readonly name: TargetName,
    readonly jobs: Job[],
  ) {}
  // As the real targets say it: Kubernetes replaces runs itself and its objects outlive the job; an EMR
  // transient cluster outlives its step.
  get replacesPreviousRun() {
    return this.name === 'kubernetes';
  }
  outlives(handle: Handle) {
    return this.name === 'kubernetes' || handle.data.transient === 'true';
  }
  async render() {
    return [];
  }
  async submit(): Promise<Handle> {
    throw new Error('not used');
  }
  async *watch(handle: Handle): AsyncGenerator<Status> {
    const j = this.jobs.find((x) => x.id === handle.submissionId);
    if (!j) throw new ActionError(`no job ${handle.submissionId}`);
    const terminal = ['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(j.phase);
    yield { phase: j.phase, nativeState: j.native, terminal, applicationId: `app-${j.id}` };
    if (!terminal) await new Promise(() => undefined); // a running job's watch goes on
  }
  async cancel(handle: Handle) {
    const j = this.jobs.find((x) => x.id === handle.submissionId);
    if (j?.failCancel) throw new ActionError(`kill of ${handle.submissionId} refused`);
    this.cancelled.push(handle.submissionId);
  }
  async find(selector: { app: string; preview?: number }) {
    this.selectors.push(selector);
    return this.jobs.map(
      (j): Handle => ({
        target: this.name,
        submissionId: j.id,
        data: j.transient ? { transient: 'true' } : {},
      }),
    );
  }
  links(handle: Handle) {
    return { sparkUi: `http://ui/${handle.submissionId}`, console: 'http://console' };
  }
}

const plan = (preview?: number): DeployPlan => {
  const p = makePlan({ app: { name: previewAppName('etl-staging', preview) } });
  return { ...p, environment: 'staging', ...(preview !== undefined ? { preview } : {}) };
};
const report = () => new RunReport(() => undefined);
const signal = new AbortController().signal;
const jobs = (): Job[] => [
  { id: 'j3', phase: 'RUNNING', native: 'RUNNING' },
  { id: 'j2', phase: 'PENDING', native: 'SUBMITTED' },
  { id: 'j1', phase: 'SUCCEEDED', native: 'FINISHED' },
];

describe('runTargetCommand', () => {
  test('status lists the jobs newest first and sets the outputs from the newest', async () => {
    const t = new MemoryTarget('standalone', jobs());
    const r = report();
    const detail = await runTargetCommand(
      { command: 'status', plan: plan(), target: t, signal, log: () => {}, lookMs: 200 },
      r,
    );
    expect(detail).toBe('3 job(s); newest RUNNING');
    expect(Object.fromEntries(r.outputs)).toMatchObject({
      target: 'standalone',
      'submission-id': 'j3',
      state: 'RUNNING',
      'application-id': 'app-j3',
      'spark-ui-url': 'http://ui/j3',
    });
    const md = r.sections.find((s) => s.title === 'Status')?.markdown ?? '';
    expect(md.split('\n').filter((l) => l.startsWith('| `j'))).toHaveLength(3);
    expect(md).toContain('| `j1` | SUCCEEDED (FINISHED) |');
    expect(t.cancelled).toEqual([]);
    expect(t.selectors).toEqual([{ app: 'etl-staging' }]);
  });

  test('cancel stops what still runs and leaves ended jobs alone', async () => {
    const t = new MemoryTarget('emr', jobs());
    const detail = await runTargetCommand(
      { command: 'cancel', plan: plan(), target: t, signal, log: () => {}, lookMs: 200 },
      report(),
    );
    expect(t.cancelled).toEqual(['j3', 'j2']);
    expect(detail).toBe('cancelled 2 job(s)');
  });

  test('cleanup refuses to run without a preview: it must never reach an environment', async () => {
    const t = new MemoryTarget('kubernetes', jobs());
    await expect(
      runTargetCommand({ command: 'cleanup', plan: plan(), target: t, signal, log: () => {} }, report()),
    ).rejects.toThrow(/cleanup: the `preview` input is required/);
    expect(t.selectors).toEqual([]);
  });

  test.each([
    ['kubernetes', false, ['j3', 'j2', 'j1']],
    ['standalone', false, ['j3', 'j2']],
    ['emr', true, ['j3', 'j2', 'j1']],
  ] as const)('cleanup on %s (transient: %s) removes %j', async (name, transient, removed) => {
    const t = new MemoryTarget(
      name,
      jobs().map((j) => ({ ...j, transient })),
    );
    const r = report();
    await runTargetCommand(
      { command: 'cleanup', plan: plan(7), target: t, signal, log: () => {}, lookMs: 200 },
      r,
    );
    expect(t.cancelled).toEqual(removed);
    expect(t.selectors).toEqual([{ app: 'etl-staging-pr-7', preview: 7 }]);
    expect(r.sections.find((s) => s.title === 'Cleanup')?.markdown).toContain(`${removed.length} job`);
  });

  test('a job that cannot be cancelled fails the command and names it; the others are still cancelled', async () => {
    const t = new MemoryTarget('standalone', [
      { id: 'a', phase: 'RUNNING', native: 'RUNNING', failCancel: true },
      { id: 'b', phase: 'RUNNING', native: 'RUNNING' },
    ]);
    await expect(
      runTargetCommand(
        { command: 'cancel', plan: plan(), target: t, signal, log: () => {}, lookMs: 200 },
        report(),
      ),
    ).rejects.toThrow('cancel: 1 of 2 job(s) could not be cancelled:\n  a: kill of a refused');
    expect(t.cancelled).toEqual(['b']);
  });

  test('no jobs: nothing to do, said plainly', async () => {
    const t = new MemoryTarget('standalone', []);
    const r = report();
    expect(
      await runTargetCommand({ command: 'cancel', plan: plan(), target: t, signal, log: () => {} }, r),
    ).toBe('nothing to do');
    expect(r.sections[0]?.markdown).toBe('Nothing to do: no jobs of etl-staging on standalone were found.');
  });
});

describe('retirePrevious (streaming redeploy)', () => {
  const self: Handle = { target: 'standalone', submissionId: 'j3', data: {} };
  test('cancels the running previous runs, never itself or ended ones', async () => {
    const t = new MemoryTarget('standalone', [...jobs(), { id: 'j0', phase: 'RUNNING', native: 'RUNNING' }]);
    const lines: string[] = [];
    const r = await retirePrevious(t, plan(3), self, signal, (l) => lines.push(l), 200);
    expect(r).toEqual({ retired: ['j2', 'j0'], failed: [] });
    expect(t.cancelled).toEqual(['j2', 'j0']);
    expect(t.selectors).toEqual([{ app: 'etl-staging-pr-3', preview: 3 }]);
    expect(lines[0]).toBe('replaced: cancelled j2 (SUBMITTED), the previous run of etl-staging-pr-3');
  });
  test('Kubernetes replaces in place (or blue-green) itself: nothing is looked up', async () => {
    const t = new MemoryTarget('kubernetes', jobs());
    expect(await retirePrevious(t, plan(), self, signal, () => {}, 200)).toEqual({ retired: [], failed: [] });
    expect(t.selectors).toEqual([]);
  });
});

describe('previewAppName', () => {
  test.each([
    ['etl-staging', undefined, 'etl-staging'],
    ['etl-staging', 7, 'etl-staging-pr-7'],
    ['etl-pr-7', 7, 'etl-pr-7'],
    ['etl-PR-7-staging', 7, 'etl-PR-7-staging'],
    ['etl-pr-71', 7, 'etl-pr-71-pr-7'],
    ['etlpr-7', 7, 'etlpr-7-pr-7'],
  ])('%s for preview %s is %s', (name, preview, want) => {
    expect(previewAppName(name, preview)).toBe(want);
  });
});

describe('writeRendered', () => {
  const dir = mkdtempSync(join(tmpdir(), 'render-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  test('Kubernetes objects become one multi-document YAML file', () => {
    const file = writeRendered(dir, plan(), 'kubernetes', [
      { kind: 'SparkApplication ns/a', text: 'kind: SparkApplication\n' },
      { kind: 'Service ns/a-metrics', text: 'kind: Service' },
    ]);
    expect(file).toBe(join(dir, 'spark-deploy-staging-kubernetes.yaml'));
    expect(readFileSync(file, 'utf8')).toBe(
      '# SparkApplication ns/a\nkind: SparkApplication\n---\n# Service ns/a-metrics\nkind: Service\n',
    );
  });
  test('one JSON request is written as .json, anything else as text with its kind', () => {
    const json = writeRendered(dir, plan(), 'emr', [
      { kind: 'EMR AddJobFlowSteps request', text: '{"a":1}' },
    ]);
    expect(json.endsWith('spark-deploy-staging-emr.json')).toBe(true);
    expect(JSON.parse(readFileSync(json, 'utf8'))).toEqual({ a: 1 });
    const txt = writeRendered(dir, plan(), 'standalone', [
      { kind: 'spark-submit command', text: 'spark-submit x' },
    ]);
    expect(readFileSync(txt, 'utf8')).toBe('# spark-submit command\nspark-submit x\n');
  });
});
