// The real Spark Operator stores a failed spark-submit's whole stderr in status.applicationState.errorMessage
// (seen on the local control plane, scripts/local-k8s.sh: a ResourceQuota refusing the driver pod). The status
// the action reports carries the exception's deepest cause instead of spark-submit's first log4j line.
import { describe, expect, test } from 'vitest';
import { errorOf, toStatus } from '../../../src/targets/kubernetes/watch.js';

const PREFIX = 'failed to submit spark application: failed to run spark-submit: failed to run spark-submit: ';
const STDERR = [
  '26/12/07 19:53:03 WARN Utils: Your hostname, vm resolves to a loopback address: 127.0.0.1; using 192.0.2.2 instead (on interface eth0)',
  '26/12/07 19:53:03 INFO SparkKubernetesClientFactory: Auto-configuring K8S client using current context from users K8S config file',
  '26/12/07 19:53:06 ERROR Client: Please check "kubectl auth can-i create pod" first. It should be yes.',
  'Exception in thread "main" io.fabric8.kubernetes.client.KubernetesClientException: Failure executing: POST at: https://127.0.0.1:16443/api/v1/namespaces/q1/pods. Message: Forbidden! User admin doesn\'t have permission. pods "q-driver" is forbidden: exceeded quota: no-pods, requested: pods=1, used: pods=0, limited: pods=0.',
  '\tat io.fabric8.kubernetes.client.KubernetesClientException.copyAsCause(KubernetesClientException.java:238)',
  '\tat org.apache.spark.deploy.SparkSubmit.main(SparkSubmit.scala)',
  'Caused by: io.fabric8.kubernetes.client.KubernetesClientException: Failure executing: POST at: https://127.0.0.1:16443/api/v1/namespaces/q1/pods. Message: Forbidden! User admin doesn\'t have permission. pods "q-driver" is forbidden: exceeded quota: no-pods, requested: pods=1, used: pods=0, limited: pods=0.',
  '\tat io.fabric8.kubernetes.client.dsl.internal.OperationSupport.requestFailure(OperationSupport.java:671)',
  '26/12/07 19:53:06 INFO ShutdownHookManager: Shutdown hook called',
].join('\n');

describe('a failed spark-submit in errorMessage', () => {
  test("is cut down to the deepest cause of its exception, after the operator's prefix", () => {
    const got = errorOf(PREFIX + STDERR);
    expect(got).toMatch(/^failed to submit spark application: failed to run spark-submit: /);
    expect(got).toContain('pods "q-driver" is forbidden: exceeded quota: no-pods');
    expect(got).not.toContain('\n');
    expect(got).not.toContain('Your hostname');
  });

  test('is the cause both while SUBMISSION_FAILED and once the operator says FAILED', () => {
    for (const state of ['SUBMISSION_FAILED', 'FAILED']) {
      const s = toStatus({ applicationState: { state, errorMessage: PREFIX + STDERR } });
      expect(s.cause).toContain('exceeded quota: no-pods');
      expect(s.message).toBe(s.cause);
    }
  });

  test('one-line errors and other errors are left as the operator wrote them', () => {
    const one = 'failed to submit spark application: failed to run spark-submit: exit status 1';
    expect(errorOf(one)).toBe(one);
    const driver = 'driver container failed with ExitCode: 1, Reason: Error';
    expect(errorOf(driver)).toBe(driver);
    expect(toStatus({ applicationState: { state: 'FAILED', errorMessage: driver } }).cause).toBeUndefined();
    expect(errorOf(undefined)).toBeUndefined();
  });
});
