// What the action says when the real API server does not serve a kind: a real kube-apiserver answers a path
// under an API group it does not serve (a ServiceMonitor without the Prometheus Operator's CRD) with a plain
// text `404 page not found`, not a Status object (seen on the local control plane, scripts/local-k8s.sh).
import { ApiException } from '@kubernetes/client-node';
import { describe, expect, test } from 'vitest';
import { apiError } from '../../../src/targets/kubernetes/client.js';

const notServed = () => new ApiException(404, 'HTTP-Code: 404', '404 page not found\n', {});

describe('apiError for a kind the API server does not serve', () => {
  test('a ServiceMonitor names the Prometheus Operator CRD and the setting that turns it off', () => {
    const m = apiError('applying ServiceMonitor ns/app-metrics', notServed()).message;
    expect(m).toBe(
      'kubernetes: applying ServiceMonitor ns/app-metrics failed (404): 404 page not found — is the Prometheus Operator (its ServiceMonitor CRD, monitoring.coreos.com/v1) installed in this cluster? If not, set kubernetes.monitoring.serviceMonitor: false',
    );
  });

  test('a SparkApplication names the Spark Operator', () => {
    const m = apiError('applying SparkApplication ns/app', notServed()).message;
    expect(m).toMatch(
      /failed \(404\): 404 page not found — is the Spark Operator \(its SparkApplication CRD\) installed/,
    );
  });

  test('a 404 for a missing object gets no such hint', () => {
    const gone = new ApiException(
      404,
      'HTTP-Code: 404',
      { kind: 'Status', code: 404, reason: 'NotFound', message: 'pods "x" not found' },
      {},
    );
    expect(apiError('reading pod ns/x', gone).message).toBe(
      'kubernetes: reading pod ns/x failed (404 NotFound): pods "x" not found',
    );
  });
});

describe('apiError for a 403', () => {
  test('names the verb and resource the API server says the identity lacks, and where the Role is documented', () => {
    // The Status a real kube-apiserver answers (seen on the local control plane with the documented Role).
    const forbidden = new ApiException(
      403,
      'HTTP-Code: 403',
      {
        kind: 'Status',
        code: 403,
        reason: 'Forbidden',
        message:
          'secrets "app-secrets" is forbidden: User "system:serviceaccount:ns:deployer" cannot create resource "secrets" in API group "" in the namespace "ns"',
      },
      {},
    );
    expect(apiError('applying Secret ns/app-secrets', forbidden).message).toMatch(
      / — grant the workflow identity RBAC for secrets: verb create in namespace ns \(every rule the action needs: docs\/targets\.md, "RBAC for the deploying identity"\)$/,
    );
  });
});
