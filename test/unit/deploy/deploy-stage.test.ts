// The deploy stage reports what it learns to the RunReport as the job goes (links, status, log excerpt,
// timeout), since the check run, the deployment status and the PR comment read them there.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runDeployStage } from '../../../src/deploy/deploy-stage.js';
import { RunReport } from '../../../src/report/run-report.js';
import type { DeployPlan, Handle, Links, Status, Target } from '../../../src/targets/target.js';
import { WatchLost } from '../../../src/util/errors.js';
import { basePlan } from '../../helpers/plan.js';

const LINKS: Links = { console: 'http://master:8080', logs: 'http://worker:8081/logPage/?driverId=d-1' };

/** scripted is a Target over our own interface whose job goes through the given statuses. */
function scripted(
  statuses: Status[],
  opts: { hang?: boolean; tail?: string; lose?: Error; cancelled?: string[] } = {},
): Target {
  return {
    name: 'standalone',
    render: async () => [],
    submit: async (): Promise<Handle> => ({ target: 'standalone', submissionId: 'd-1', data: {} }),
    async *watch(_h, signal) {
      for (const s of statuses) yield s;
      if (opts.lose) throw opts.lose;
      if (opts.hang) {
        await new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
      }
    },
    cancel: async (h) => {
      opts.cancelled?.push(h.submissionId);
    },
    find: async () => [],
    links: (_h, status) =>
      status?.applicationId
        ? { ...LINKS, sparkUi: `http://master:8080/app/?appId=${status.applicationId}` }
        : LINKS,
    logTail: async () => opts.tail,
  };
}

function plan(timeoutMs = 60_000): DeployPlan {
  return {
    ...basePlan(),
    stages: ['deploy'],
    target: 'standalone',
    timeoutMs,
    config: { app: { name: 'etl', mode: 'batch', healthyAfter: 60 } },
  } as DeployPlan;
}

const input = (target: Target, p = plan()) => ({
  plan: p,
  artifact: { jarPath: '/ws/a.jar', jarDisplayPath: 'a.jar', sizeBytes: 1 },
  target,
  signal: new AbortController().signal,
  saveHandle: () => undefined,
  markFinished: () => undefined,
  log: () => undefined,
});

const running: Status = { phase: 'RUNNING', nativeState: 'RUNNING', terminal: false, applicationId: 'app-1' };

describe('runDeployStage reports to the RunReport', () => {
  it('links and the last status of a job that succeeded', async () => {
    const report = new RunReport(() => undefined);
    const done: Status = {
      phase: 'SUCCEEDED',
      nativeState: 'FINISHED',
      terminal: true,
      applicationId: 'app-1',
    };
    await runDeployStage(input(scripted([running, done])), report);
    expect(report.links?.sparkUi).toBe('http://master:8080/app/?appId=app-1');
    expect(report.links?.logs).toBe(LINKS.logs);
    expect(report.status).toEqual(done);
    expect(report.timedOut).toBeUndefined();
    expect(report.logExcerpt).toBeUndefined();
  });

  it('the driver log excerpt of a job that failed', async () => {
    const report = new RunReport(() => undefined);
    const failed: Status = { phase: 'FAILED', nativeState: 'FAILED', terminal: true };
    await expect(
      runDeployStage(input(scripted([failed], { tail: 'Caused by: boom' })), report),
    ).rejects.toThrow(/ended FAILED/);
    expect(report.status).toEqual(failed);
    expect(report.logExcerpt).toEqual({ title: 'Driver log (last 50 lines)', text: 'Caused by: boom' });
    expect(report.links).toEqual(LINKS);
  });

  it('the root cause of a failure, read from 300 lines of real driver log, leads a short error', async () => {
    const report = new RunReport(() => undefined);
    const stderr = readFileSync(
      new URL('../../fixtures/driver-logs/local-nested.stderr.txt', import.meta.url),
      'utf8',
    );
    const failed: Status = { phase: 'FAILED', nativeState: 'FAILED', terminal: true };
    const err = await runDeployStage(input(scripted([failed], { tail: stderr.trimEnd() })), report).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    const lines = err?.message.split('\n') ?? [];
    expect(lines[0]).toBe(
      `deploy: d-1 ended FAILED (FAILED): NumberFormatException: For input string: "x3" (in: bad record 'x3': not an order id)`,
    );
    expect(lines.length).toBeLessThanOrEqual(10);
    expect(lines.at(-1)).toBe(`Driver log: ${LINKS.logs}`);
    expect(report.rootCause?.exception).toBe('java.lang.NumberFormatException');
    // The summary shows the last 50 lines; the cause was found further up.
    expect(report.logExcerpt?.text.split('\n')).toHaveLength(50);
  });

  it('a failure whose log has no exception says which log was read', async () => {
    const report = new RunReport(() => undefined);
    const failed: Status = { phase: 'FAILED', nativeState: 'FAILED', terminal: true, message: 'exit code 1' };
    await expect(runDeployStage(input(scripted([failed], { tail: 'INFO only' })), report)).rejects.toThrow(
      /^deploy: d-1 ended FAILED \(FAILED\): exit code 1\nNo exception in the last 500 lines of the driver's stderr/,
    );
    expect(report.rootCause).toBeUndefined();
  });

  it('a wait that ran into timeout-minutes', async () => {
    const report = new RunReport(() => undefined);
    await expect(
      runDeployStage(input(scripted([running], { hang: true }), plan(300)), report),
    ).rejects.toThrow(/timed out/);
    expect(report.timedOut).toBe(true);
    expect(report.status).toEqual(running);
  });

  it('a wait that lost sight of the job (credentials expired): state UNKNOWN, finished, nothing cancelled', async () => {
    const outputs: Record<string, string> = {};
    const report = new RunReport((k, v) => {
      outputs[k] = v;
    });
    const cancelled: string[] = [];
    let finished = false;
    await expect(
      runDeployStage(
        {
          ...input(
            scripted([running], { lose: new WatchLost('emr: the AWS credentials expired'), cancelled }),
          ),
          markFinished: () => {
            finished = true;
          },
        },
        report,
      ),
    ).rejects.toThrow(/^deploy: stopped watching d-1: emr: the AWS credentials expired$/);
    expect(outputs.state).toBe('UNKNOWN');
    expect(finished).toBe(true);
    expect(cancelled).toEqual([]);
    expect(report.status).toEqual(running);
  });
});
