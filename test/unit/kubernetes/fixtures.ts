// Shared doubles for the Kubernetes target tests: a Plan builder over the staging example's settings.
import type { DeployConfig } from '../../../src/plan/plan.js';
import type { Artifact } from '../../../src/stage.js';
import type { DeployPlan } from '../../../src/targets/target.js';

export const DIGEST = `sha256:${'ab'.repeat(32)}`;
export const IMAGE = `ghcr.io/acme/etl-pipeline@${DIGEST}`;
export const SHA = '0123456789abcdef0123456789abcdef01234567';

export interface PlanOverrides {
  app?: Partial<DeployConfig['app']>;
  spark?: Partial<DeployConfig['spark']>;
  kubernetes?: DeployConfig['kubernetes'];
  image?: DeployConfig['image'];
  preview?: number;
  environment?: string;
  timeoutMs?: number;
  secrets?: string[];
  runId?: string;
  runAttempt?: string;
  sha?: string;
  locate?: boolean;
  mainClass?: string;
}

/** makePlan builds a kubernetes DeployPlan like the etl-app's staging environment. */
export function makePlan(o: PlanOverrides = {}): DeployPlan {
  const config: DeployConfig = {
    target: 'kubernetes',
    app: {
      name: 'etl-pipeline-staging',
      mainClass: 'com.etl.Main',
      args: ['--config', '/app/configs/staging.json'],
      mode: 'batch',
      healthyAfter: 60,
      ...o.app,
    },
    spark: { version: '3.5.6', scalaVersion: '2.12', javaRelease: 17, ...o.spark },
    ...(o.image ? { image: o.image } : {}),
    kubernetes: o.kubernetes ?? { namespace: 'data-pipelines', image: IMAGE },
  };
  return {
    command: 'deploy',
    stages: ['deploy'],
    workspace: '/ws',
    workingDirectory: '/ws',
    sbtTasks: ['assembly'],
    javaRelease: 17,
    wait: true,
    timeoutMs: o.timeoutMs ?? 60 * 60_000,
    cancelOnAbort: true,
    dryRun: false,
    target: 'kubernetes',
    environment: o.environment ?? 'staging',
    ...(o.preview !== undefined ? { preview: o.preview } : {}),
    ...(o.mainClass ? { mainClass: o.mainClass } : {}),
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
      sha: o.sha ?? SHA,
      ref: 'refs/heads/main',
      refName: 'main',
      runId: o.runId ?? '4242',
      runAttempt: o.runAttempt ?? '1',
      serverUrl: 'https://github.com',
      apiUrl: 'https://api.github.com',
      eventName: 'push',
    },
    secrets: o.secrets ?? [],
  };
}

/** artifact is the assembly JAR as the build stage hands it over. */
export const artifact: Artifact = {
  jarPath: '/ws/target/scala-2.12/etl-pipeline-assembly-1.0.0.jar',
  jarDisplayPath: 'target/scala-2.12/etl-pipeline-assembly-1.0.0.jar',
  sizeBytes: 1234,
  mainClass: 'com.etl.Main',
};

/** staging is the examples/etl-app staging environment's kubernetes section (plus the image it lacks). */
export const staging: NonNullable<DeployConfig['kubernetes']> = {
  namespace: 'data-pipelines',
  image: IMAGE,
  serviceAccount: 'spark-driver-sa',
  restartPolicy: {
    type: 'OnFailure',
    onFailureRetries: 3,
    onFailureRetryInterval: 10,
    onSubmissionFailureRetries: 5,
    onSubmissionFailureRetryInterval: 20,
  },
  labels: { team: 'data-platform' },
  keepHistory: 5,
  monitoring: {
    exposeDriverMetrics: true,
    exposeExecutorMetrics: true,
    port: 8090,
    jmxExporterJar: '/prometheus/jmx_prometheus_javaagent-0.17.0.jar',
  },
};
