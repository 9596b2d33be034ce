import { defineConfig } from 'vitest/config';

// Three lanes, each one file at a time. The files of a lane share a real local service that cannot take two
// of them at once (the same Spark cluster, ports and app names); the lanes share none, so scripts/test.sh runs
// them side by side as processes of their own (`--project <lane>`: vitest itself runs projects one after the other
// when each allows one worker):
//   shared-spark  the REST-on local cluster (6066/8080, History Server 18080) that the README starts,
//                 and the sbt builds of build.e2e.ts;
//   own-services  everything else: the act workflows, on a REST-on cluster of their own (6466/8480,
//                 started by scripts/test.sh), EMR (moto, the local EMR double), the registry, the
//                 REST-off and auth clusters (7177/7277), the fakes;
//   kubernetes    the local control plane with the Spark Operator, once scripts/test.sh has built it.
// Running one file (`npx vitest run --config vitest.e2e.config.ts test/e2e/x.e2e.ts`) works as before.
const OWN_SERVICES = [
  'test/e2e/workflows.e2e.ts',
  'test/e2e/emr-moto.e2e.ts',
  'test/e2e/emr-double.e2e.ts',
  'test/e2e/emr-action-deploy.e2e.ts',
  'test/e2e/emr-action-secrets.e2e.ts',
  'test/e2e/emr-action-left-running.e2e.ts',
  'test/e2e/emr-spark.e2e.ts',
  'test/e2e/emr-steps.e2e.ts',
  'test/e2e/emr-oidc.e2e.ts',
  'test/e2e/image.e2e.ts',
  'test/e2e/verify.e2e.ts',
  'test/e2e/report.e2e.ts',
  'test/e2e/standalone-rpc.e2e.ts',
];

// The Kubernetes target's files: the real control plane (scripts/local-k8s.sh), whose cold build the other
// lanes need not wait for, and the fake API server for what a real one cannot be made to do.
const KUBERNETES = [
  'test/e2e/kubernetes-cluster-deploy.e2e.ts',
  'test/e2e/kubernetes-cluster-access.e2e.ts',
  'test/e2e/kubernetes-cluster-failures.e2e.ts',
  'test/e2e/kubernetes-cluster-stop.e2e.ts',
  'test/e2e/kubernetes-secrets.e2e.ts',
  'test/e2e/kubernetes.e2e.ts',
];

/** The act workflows' own cluster: scripts/test.sh starts it with these ports (see its header). */
export const ACT_SPARK = {
  rest: process.env.SPARK_ACT_REST_URL || 'http://127.0.0.1:6466',
  ui: process.env.SPARK_ACT_MASTER_UI_URL || 'http://127.0.0.1:8480',
};

const common = {
  testTimeout: 900_000,
  hookTimeout: 900_000,
  fileParallelism: false,
  pool: 'forks',
} as const;

export default defineConfig({
  test: {
    globalSetup: ['test/e2e/global-setup.ts'],
    projects: [
      {
        test: {
          ...common,
          name: 'shared-spark',
          include: ['test/e2e/**/*.e2e.ts'],
          exclude: [...OWN_SERVICES, ...KUBERNETES],
        },
      },
      {
        test: {
          ...common,
          name: 'own-services',
          include: OWN_SERVICES,
          env: { SPARK_REST_URL: ACT_SPARK.rest, SPARK_MASTER_UI_URL: ACT_SPARK.ui },
        },
      },
      { test: { ...common, name: 'kubernetes', include: KUBERNETES } },
    ],
  },
});
