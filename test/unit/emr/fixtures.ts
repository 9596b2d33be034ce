// Shared test doubles for the EMR target: a Plan builder, a virtual clock and a recording logger.
import type { DeployConfig } from '../../../src/plan/plan.js';
import type { Artifact } from '../../../src/stage.js';
import type { Logger } from '../../../src/targets/emr/deps.js';
import type { DeployPlan } from '../../../src/targets/target.js';
import type { Clock } from '../../../src/util/poll.js';

export interface PlanOverrides {
  emr?: DeployConfig['emr'];
  app?: Partial<DeployConfig['app']>;
  spark?: Partial<DeployConfig['spark']>;
  timeoutMs?: number;
  secrets?: string[];
  environment?: string;
  workingDirectory?: string;
  locate?: boolean;
}

/** makePlan builds a DeployPlan for the EMR target; by default an existing cluster by id. */
export function makePlan(o: PlanOverrides = {}): DeployPlan {
  const config: DeployConfig = {
    target: 'emr',
    app: { name: 'etl-pipeline', mainClass: 'com.etl.Main', mode: 'batch', healthyAfter: 60, ...o.app },
    spark: { version: '3.5.6', scalaVersion: '2.12', javaRelease: 17, ...o.spark },
    emr: o.emr ?? {
      region: 'eu-west-1',
      clusterId: 'j-2AXXXXXXGAPLF',
      s3: { jar: 's3://etl-artifacts/jars/abc1234/' },
    },
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
    target: 'emr',
    environment: o.environment ?? 'prod',
    config,
    ...(o.locate
      ? {
          configRef: {
            source: { file: '.github/spark-deploy.yml', data: {}, position: () => undefined },
            locate: () => ({ file: '.github/spark-deploy.yml', line: 12, column: 5 }),
          },
        }
      : {}),
    context: {
      workspace: '/ws',
      sha: 'abc1234def5678',
      ref: 'refs/heads/main',
      refName: 'main',
      runId: '4242',
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
  advance(ms: number): void;
}

export function virtualClock(start = 1_795_630_000_000): VirtualClock {
  let t = start;
  const slept: number[] = [];
  return {
    slept,
    now: () => t,
    advance(ms) {
      t += ms;
    },
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
  all(): string {
    return this.lines.map((l) => l.message).join('\n');
  }
}

/** awsError builds an error shaped like the SDK's service exceptions. */
export function awsError(name: string, status: number, message = name): Error {
  return Object.assign(new Error(message), {
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
  });
}
