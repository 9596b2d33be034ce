// How the Kubernetes target's BUNDLED action reaches the API server, against a REAL control plane: etcd,
// kube-apiserver, scheduler, controller-manager (garbage collection), kwok playing the pods' lives and the
// real Spark Operator running the real spark-submit (scripts/local-k8s.sh). A token allowed only to read
// sparkapplications is told the verb and resource it lacks; faults the real server will not make on demand (a
// 500 once, a reset connection, a watch ended by 410 Gone), made by test/helpers/fault-proxy.ts in front of
// it, are survived. The deployer's token appears in no output of a run (checked after all). Shared setup:
// test/helpers/k8s-cluster-e2e.ts.
import { rmSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, test } from 'vitest';
import { FaultProxy } from '../helpers/fault-proxy.js';
import {
  action,
  cluster,
  expectTokenInNoRun,
  hasCluster,
  kube,
  kubeconfig,
  NS,
  SHORT,
  token,
  useLocalCluster,
} from '../helpers/k8s-cluster-e2e.js';
import { kubeconfigFor, type LocalK8s } from '../helpers/local-k8s.js';
import { failure } from '../helpers/run-action.js';

useLocalCluster();
afterAll(expectTokenInNoRun);

describe.skipIf(!hasCluster)(
  'kubernetes target through the bundled action (real control plane, real Spark Operator)',
  () => {
    test('RBAC: a token allowed only to read sparkapplications in its namespace is told the verb and resource it lacks', async () => {
      await kube.apply(
        { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'reader', namespace: NS } },
        {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'Role',
          metadata: { name: 'sparkapplications-read', namespace: NS },
          rules: [
            {
              apiGroups: ['sparkoperator.k8s.io'],
              resources: ['sparkapplications'],
              verbs: ['get', 'list', 'watch'],
            },
          ],
        },
        {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'RoleBinding',
          metadata: { name: 'reader', namespace: NS },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'sparkapplications-read' },
          subjects: [{ kind: 'ServiceAccount', name: 'reader', namespace: NS }],
        },
      );
      const limited = await kube.tokenKubeconfig(NS, 'reader');
      const file = `${kubeconfig}.reader.yaml`;
      writeFileSync(file, limited.yaml);
      try {
        const r = await action({}, { runId: '8401', env: { KUBECONFIG: file } });
        expect(r.code).toBe(1);
        const error = failure(r);
        expect(error).toMatch(/\(403 Forbidden\)/);
        expect(error).toContain(
          `cannot patch resource "sparkapplications" in API group "sparkoperator.k8s.io" in the namespace "${NS}"`,
        );
        expect(error).toContain(`system:serviceaccount:${NS}:reader`);
        expect(error).toMatch(/grant the workflow identity RBAC for sparkapplications/);
        expect(await kube.get('sparkapplications', NS, `etl-pipeline-staging-${SHORT}-8401`)).toBeUndefined();
        // The runner's add-mask line is the token's one appearance.
        for (const t of [r.stdout.replaceAll(`::add-mask::${limited.token}`, ''), r.stderr, r.summary])
          expect(t).not.toContain(limited.token);
      } finally {
        rmSync(file, { force: true });
      }
    });

    test('faults the real server will not make on demand (a 500 once, a reset connection, a watch ended by 410 Gone) are survived', async () => {
      const proxy = await new FaultProxy((cluster as LocalK8s).api, (cluster as LocalK8s).pki).start();
      const file = `${kubeconfig}.proxy.yaml`;
      writeFileSync(file, kubeconfigFor(cluster as LocalK8s, token, proxy.url));
      const apps = '/apis/sparkoperator.k8s.io/v1beta2/namespaces/';
      proxy.arm((m, p) => m === 'PATCH' && p.includes(apps), { kind: 'status', code: 500 });
      proxy.arm((m, p) => m === 'GET' && p.includes(apps) && !p.includes('watch=true'), { kind: 'reset' });
      proxy.arm((m, p) => m === 'GET' && p.includes(apps) && p.includes('watch=true'), { kind: 'gone' });
      try {
        const r = await action({}, { runId: '8501', env: { KUBECONFIG: file } });
        expect(failure(r)).toBe('');
        expect(r.code).toBe(0);
        expect(r.outputs.state).toBe('SUCCEEDED');
        expect(
          proxy.seen
            .filter((q) => q.fault)
            .map((q) => q.fault)
            .sort(),
        ).toEqual(['gone', 'reset', 'status']);
        // The apply was repeated after the 500, and the watch re-established after the 410.
        expect(
          proxy.seen.filter((q) => q.method === 'PATCH' && q.path.includes(apps)).length,
        ).toBeGreaterThanOrEqual(2);
        expect(proxy.seen.filter((q) => q.path.includes('watch=true')).length).toBeGreaterThanOrEqual(2);
      } finally {
        await proxy.stop();
        rmSync(file, { force: true });
      }
    });
  },
);
