// The Kubernetes target's deploy through the BUNDLED action against a REAL control plane: etcd,
// kube-apiserver, scheduler, controller-manager (garbage collection), kwok playing the pods' lives and the
// real Spark Operator running the real spark-submit (scripts/local-k8s.sh). The staging deploy applied
// server-side and watched to COMPLETED, re-runs and re-run attempts each starting a new SparkApplication, an
// exec auth plugin in the kubeconfig supplying the token, and the ServiceAccount token (from the TokenRequest
// API) in no output of any of these runs. Shared setup: test/helpers/k8s-cluster-e2e.ts.
import { rmSync, writeFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { parseDocument } from 'yaml';
import {
  action,
  cluster,
  expectTokenInNoRun,
  hasCluster,
  IMAGE,
  kube,
  kubeconfig,
  managedBy,
  NS,
  runs,
  SHA,
  SHORT,
  token,
  useLocalCluster,
} from '../helpers/k8s-cluster-e2e.js';
import { kubeconfigFor, type LocalK8s } from '../helpers/local-k8s.js';
import { failure } from '../helpers/run-action.js';

useLocalCluster();

describe.skipIf(!hasCluster)(
  'kubernetes target through the bundled action (real control plane, real Spark Operator)',
  () => {
    test('staging deploy: applied server-side, run by the operator through spark-submit, watched to COMPLETED', async () => {
      const runId = '8001';
      const name = `etl-pipeline-staging-${SHORT}-${runId}`;
      const r = await action({}, { runId });
      expect(failure(r)).toBe('');
      expect(r.code).toBe(0);
      expect(r.outputs).toMatchObject({ target: 'kubernetes', 'submission-id': name, state: 'SUCCEEDED' });
      // spark-submit's own application id (the driver pod's spark-app-selector), as the operator reports it.
      expect(r.outputs['application-id']).toMatch(/^spark-[0-9a-f]{32}$/);
      expect(r.summary).toContain(`\`kubectl -n ${NS} port-forward svc/${name}-ui-svc 4040:4040\``);
      expect(r.summary).toMatch(/\| state \| SUCCEEDED \(native: COMPLETED\) \|/);

      const app = await kube.get('sparkapplications', NS, name);
      expect(app?.status.applicationState.state).toBe('COMPLETED');
      expect(app?.status.sparkApplicationId).toBe(r.outputs['application-id']);
      // The action's field manager applied; the operator wrote the status subresource under its own.
      expect(managedBy(app)).toContain('spark-deploy-action/Apply');
      expect(managedBy(app).some((m: string) => m !== 'spark-deploy-action/Apply')).toBe(true);
      expect(app?.metadata.labels).toMatchObject({
        'app.kubernetes.io/managed-by': 'spark-deploy-action',
        'spark-deploy-action/commit': SHA,
        'spark-deploy-action/environment': 'staging',
      });
      // The driver pod spark-submit created: owned by the app, run by kwok to Succeeded.
      const pod = await kube.get('pods', NS, `${name}-driver`);
      expect(pod?.status.phase).toBe('Succeeded');
      expect(pod?.spec.serviceAccountName).toBe('spark-driver-sa');
      expect(pod?.spec.containers[0].image).toBe(IMAGE);
    });

    test('a second run of the same commit, a re-run attempt and the same attempt again each start a new SparkApplication', async () => {
      const first = `etl-pipeline-staging-${SHORT}-8001`;
      const secondName = `etl-pipeline-staging-${SHORT}-8002`;
      const before = await kube.get('sparkapplications', NS, first);
      expect(before?.status.applicationState.state).toBe('COMPLETED');
      const second = await action({}, { runId: '8002' });
      expect(second.code).toBe(0);
      expect(second.outputs['submission-id']).toBe(secondName);
      const rerun = await action({}, { runId: '8001', env: { GITHUB_RUN_ATTEMPT: '2' } });
      expect(rerun.code).toBe(0);
      expect(rerun.outputs['submission-id']).toBe(`${first}-2`);
      const apps = await Promise.all(
        [first, secondName, `${first}-2`].map((n) => kube.get('sparkapplications', NS, n)),
      );
      expect(apps.map((a) => a?.status.applicationState.state)).toEqual([
        'COMPLETED',
        'COMPLETED',
        'COMPLETED',
      ]);
      expect(new Set(apps.map((a) => a?.metadata.uid)).size).toBe(3);
      // The first run's object was left as it was (not re-applied, so not re-run by the operator).
      expect(apps[0]?.metadata.resourceVersion).toBe(before?.metadata.resourceVersion);
      // The same run attempt deploying again: the finished app is re-created, and run again by the operator.
      const again = await action({}, { runId: '8002' });
      expect(again.code).toBe(0);
      expect(again.stdout).toMatch(/already ran in this workflow run attempt \(COMPLETED\)/);
      const recreated = await kube.get('sparkapplications', NS, secondName);
      expect(recreated?.metadata.uid).not.toBe(apps[1]?.metadata.uid);
      expect(recreated?.status.applicationState.state).toBe('COMPLETED');
      expect(again.outputs['application-id']).not.toBe(second.outputs['application-id']);
    });

    test('an exec auth plugin in the kubeconfig (as aws eks get-token) supplies the bearer token', async () => {
      const credential = JSON.stringify({
        apiVersion: 'client.authentication.k8s.io/v1beta1',
        kind: 'ExecCredential',
        status: { token },
      });
      const doc = parseDocument(kubeconfigFor(cluster as LocalK8s, 'not-a-token'));
      doc.setIn(
        ['users', 0, 'user'],
        doc.createNode({
          exec: {
            apiVersion: 'client.authentication.k8s.io/v1beta1',
            command: process.execPath,
            args: ['-e', `process.stdout.write(${JSON.stringify(credential)})`],
            interactiveMode: 'Never',
          },
        }),
      );
      const file = `${kubeconfig}.exec.yaml`;
      writeFileSync(file, doc.toString());
      try {
        const r = await action({ command: 'status', stages: '' }, { env: { KUBECONFIG: file } });
        expect(failure(r)).toBe('');
        expect(r.code).toBe(0);
        expect(r.outputs['submission-id']).toMatch(new RegExp(`^etl-pipeline-staging-${SHORT}-\\d+`));
        expect(r.outputs.state).toBe('SUCCEEDED');
      } finally {
        rmSync(file, { force: true });
      }
    });

    test('the ServiceAccount token appears in no output of any run', () => {
      expect(runs.length).toBeGreaterThanOrEqual(5);
      expectTokenInNoRun();
    });
  },
);
