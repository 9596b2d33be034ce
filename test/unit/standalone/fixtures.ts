// Shared test doubles for the standalone target: a Plan builder, a virtual clock and a recording logger.
import type { DeployConfig } from '../../../src/plan/plan.js';
import type { Artifact } from '../../../src/stage.js';
import type { Logger } from '../../../src/targets/standalone/deps.js';
import type { DeployPlan } from '../../../src/targets/target.js';
import type { Clock } from '../../../src/util/poll.js';

export interface PlanOverrides {
  standalone?: DeployConfig['standalone'];
  app?: Partial<DeployConfig['app']>;
  spark?: Partial<DeployConfig['spark']>;
  timeoutMs?: number;
  mainClass?: string;
  secrets?: string[];
  workingDirectory?: string;
  locate?: boolean;
}

/** makePlan builds a DeployPlan for the standalone target with sensible defaults. */
export function makePlan(o: PlanOverrides = {}): DeployPlan {
  const config: DeployConfig = {
    target: 'standalone',
    app: { name: 'etl-pipeline', mainClass: 'com.etl.Main', mode: 'batch', healthyAfter: 60, ...o.app },
    spark: { version: '3.5.6', scalaVersion: '2.12', javaRelease: 17, ...o.spark },
    standalone: o.standalone ?? { masters: ['http://127.0.0.1:6066'] },
  };
  return {
    command: 'deploy',
    stages: ['deploy'],
    workspace: '/ws',
    workingDirectory: o.workingDirectory ?? '/ws',
    sbtTasks: ['assembly'],
    javaRelease: 17,
    wait: true,
    timeoutMs: o.timeoutMs ?? 60 * 60_000,
    cancelOnAbort: true,
    dryRun: false,
    target: 'standalone',
    config,
    ...(o.mainClass ? { mainClass: o.mainClass } : {}),
    ...(o.locate
      ? {
          configRef: {
            source: { file: '.github/spark-deploy.yml', data: {}, position: () => undefined },
            locate: () => ({ file: '.github/spark-deploy.yml', line: 7, column: 3 }),
          },
        }
      : {}),
    context: {
      workspace: '/ws',
      sha: 'abc123',
      ref: 'refs/heads/main',
      refName: 'main',
      runId: '42',
      runAttempt: '1',
      serverUrl: 'https://github.com',
      apiUrl: 'https://api.github.com',
      eventName: 'push',
    },
    secrets: o.secrets ?? [],
  };
}

/** artifact is a JAR as the build stage hands it over. */
export const artifact: Artifact = {
  jarPath: '/ws/target/scala-2.12/etl-pipeline-assembly-1.0.0.jar',
  jarDisplayPath: 'target/scala-2.12/etl-pipeline-assembly-1.0.0.jar',
  sizeBytes: 1234,
  sha256: '0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
  mainClass: 'com.etl.Main',
};

/** VirtualClock advances only when something sleeps, so backoff and timeouts cost no real time. */
export interface VirtualClock extends Clock {
  slept: number[];
}

export function virtualClock(start = 1_795_630_000_000): VirtualClock {
  let t = start;
  const slept: number[] = [];
  return {
    slept,
    now: () => t,
    async sleep(ms, signal) {
      if (signal?.aborted) throw signal.reason;
      slept.push(ms);
      t += ms;
      await new Promise((r) => setImmediate(r));
      if (signal?.aborted) throw signal.reason;
    },
  };
}

/** RecordingLog keeps every line the target logs, by level. */
export class RecordingLog implements Logger {
  readonly lines: { level: 'info' | 'warning' | 'debug'; message: string }[] = [];
  info = (message: string) => {
    this.lines.push({ level: 'info', message });
  };
  warning = (message: string) => {
    this.lines.push({ level: 'warning', message });
  };
  debug = (message: string) => {
    this.lines.push({ level: 'debug', message });
  };
  get warnings(): string[] {
    return this.lines.filter((l) => l.level === 'warning').map((l) => l.message);
  }
  all(): string {
    return this.lines.map((l) => l.message).join('\n');
  }
}
