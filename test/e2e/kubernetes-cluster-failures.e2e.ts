// Failed Kubernetes deploys diagnosed through the BUNDLED action against a REAL control plane: etcd,
// kube-apiserver, scheduler, controller-manager (garbage collection), kwok playing the pods' lives and the
// real Spark Operator running the real spark-submit (scripts/local-k8s.sh). A driver that fails (its
// exception read from the driver log kwok serves), is OOMKilled, cannot pull its image, cannot be scheduled
// or is refused by a ResourceQuota, each diagnosed from the real pod and events; a ServiceMonitor without the
// Prometheus Operator's CRD named, with no half deployment left. The deployer's token appears in no output of
// a run (checked after all). Shared setup: test/helpers/k8s-cluster-e2e.ts.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import {
  action,
  expectTokenInNoRun,
  hasCluster,
  kube,
  NS,
  QUOTA_NS,
  SHORT,
  useLocalCluster,
  ws,
} from '../helpers/k8s-cluster-e2e.js';
import { failure } from '../helpers/run-action.js';

// In the CRI log format kwok serves (as a kubelet reads a container runtime's log files).
const DRIVER_LOG = [
  '26/01/01 12:00:00 INFO SparkContext: Running Spark version 3.5.6',
  'Exception in thread "main" java.lang.IllegalStateException: input path s3a://bucket/in does not exist',
  '\tat com.etl.Main$.main(Main.scala:12)',
  '\tat com.etl.Main.main(Main.scala)',
]
  .map((l) => `2026-01-01T12:00:00.000000000Z stderr F ${l}\n`)
  .join('');

useLocalCluster();
afterAll(expectTokenInNoRun);

describe.skipIf(!hasCluster)(
  'kubernetes target through the bundled action (real control plane, real Spark Operator)',
  () => {
    // Each scenario: the environment whose driver lives that life, the run id, what the error and the summary
    // say, the headline, and the state output.
    const scenarios: [string, string, RegExp[], RegExp, string][] = [
      [
        'k8s-fail',
        '8101',
        [
          // The driver log's exception leads; the container's exit follows.
          /ended FAILED \(FAILED\): IllegalStateException: input path s3a:\/\/bucket\/in does not exist/,
          /FAILED: driver container failed with ExitCode: 3, Reason: Error/,
          /driver pod etl-pipeline-k8s-fail-c0ffee0-8101-driver: spark-kubernetes-driver terminated: Error, exit code 3/,
        ],
        /IllegalStateException: input path s3a:\/\/bucket\/in does not exist/,
        'FAILED',
      ],
      [
        'k8s-oom',
        '8102',
        [
          /ended FAILED \(FAILED\): driver container failed with ExitCode: 137, Reason: OOMKilled/,
          /terminated: OOMKilled, exit code 137 — the driver ran out of memory/,
        ],
        /ExitCode: 137, Reason: OOMKilled/,
        'FAILED',
      ],
      [
        'k8s-image-pull',
        '8103',
        [
          /was still PENDING \(SUBMITTED\); cancelled/,
          /waiting: ImagePullBackOff \(Back-off pulling image "registry\.invalid\/acme\/etl-pipeline@sha256:(0d){32}"\)/,
          /the image cannot be pulled/,
        ],
        /timed out after .*: ImagePullBackOff: Back-off pulling image "registry\.invalid\/acme\/etl-pipeline@sha256:(0d){32}"/,
        'PENDING',
      ],
      [
        'k8s-unschedulable',
        '8104',
        [
          /was still PENDING \(SUBMITTED\); cancelled/,
          /-driver is Unschedulable: 0\/1 nodes are available: 1 Insufficient cpu/,
        ],
        /timed out after .*: Unschedulable: 0\/1 nodes are available: 1 Insufficient cpu/,
        'PENDING',
      ],
      [
        'k8s-quota',
        '8105',
        [
          /ended FAILED \(FAILED\): failed to submit spark application: failed to run spark-submit: .*pods "etl-pipeline-k8s-quota-c0ffee0-8105-driver" is forbidden: exceeded quota: no-pods/,
        ],
        /failed to run spark-submit/,
        'FAILED',
      ],
    ];
    // Concurrently (the stuck ones wait out their minute together), each with its own expect.
    test.concurrent.for(scenarios)(
      'failure: %s is diagnosed from the real pod and events',
      async ([environment, runId, expected, headline, state], { expect }) => {
        const name = `etl-pipeline-${environment}-${SHORT}-${runId}`;
        const stuck = state === 'PENDING';
        if (environment === 'k8s-fail') {
          // kwok serves this file as the driver container's log (the API server's pods/log, through the node).
          const logFile = join(ws, '..', `${ws.split('/').pop()}-driver.log`);
          writeFileSync(logFile, DRIVER_LOG);
          await kube.apply({
            apiVersion: 'kwok.x-k8s.io/v1alpha1',
            kind: 'Logs',
            metadata: { name: `${name}-driver`, namespace: NS },
            spec: { logs: [{ containers: ['spark-kubernetes-driver'], logsFile: logFile }] },
          });
        }
        const r = await action({ environment, ...(stuck ? { 'timeout-minutes': '1' } : {}) }, { runId });
        expect(r.code, r.stdout).toBe(1);
        const error = failure(r);
        for (const re of expected) {
          expect(error).toMatch(re);
          expect(r.summary).toMatch(re);
        }
        expect(error.split('\n')[0]).toMatch(headline);
        expect(r.outputs['submission-id']).toBe(name);
        expect(r.outputs.state).toBe(state);
        const namespace = environment === 'k8s-quota' ? QUOTA_NS : NS;
        // Each problem is said once, though the scheduler records its message as several events.
        expect(new Set(error.split('\n')).size).toBe(error.split('\n').length);
        if (stuck) {
          // Deleted when the wait gave up (cancel-on-abort); the garbage collector takes its driver pod.
          expect(await kube.get('sparkapplications', namespace, name)).toBeUndefined();
          await expect
            .poll(() => kube.get('pods', namespace, `${name}-driver`), { timeout: 20_000 })
            .toBeUndefined();
        } else {
          const app = await kube.get('sparkapplications', namespace, name);
          expect(app?.status.applicationState.state).toBe('FAILED');
        }
      },
    );

    test('a ServiceMonitor without the Prometheus Operator CRD: the error names that CRD and the setting; no half deployment is left', async () => {
      const name = `etl-pipeline-k8s-servicemonitor-${SHORT}-8601`;
      const r = await action({ environment: 'k8s-servicemonitor', wait: 'false' }, { runId: '8601' });
      expect(r.code).toBe(1);
      expect(failure(r)).toMatch(
        /applying ServiceMonitor .*-metrics failed \(404\): 404 page not found — is the Prometheus Operator \(its ServiceMonitor CRD, monitoring\.coreos\.com\/v1\) installed in this cluster\? If not, set kubernetes\.monitoring\.serviceMonitor: false/,
      );
      // The SparkApplication applied before it is deleted again; the Service it owns goes with it.
      expect(failure(r)).toContain(`SparkApplication ${NS}/${name} was deleted again`);
      expect(await kube.get('sparkapplications', NS, name)).toBeUndefined();
      await expect
        .poll(() => kube.get('services', NS, `${name}-metrics`), { timeout: 30_000 })
        .toBeUndefined();
    });
  },
);
