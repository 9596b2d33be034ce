// The real scheduler records the same FailedScheduling message as more than one Warning event for a pod
// that stays Pending (seen on the local control plane, scripts/local-k8s.sh): the diagnosis says it once.
import { describe, expect, test } from 'vitest';
import type { KubeClient } from '../../../src/targets/kubernetes/client.js';
import { diagnosePod } from '../../../src/targets/kubernetes/diagnose.js';

const MESSAGE =
  '0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.';

describe('diagnosePod', () => {
  test('a repeated FailedScheduling event is one line', async () => {
    const client = {
      pod: async () => ({ phase: 'Pending', containers: [] }),
      warnings: async () => [
        { reason: 'FailedScheduling', message: MESSAGE },
        { reason: 'FailedScheduling', message: MESSAGE },
      ],
    } as unknown as KubeClient;
    const d = await diagnosePod(client, 'ns', 'app-driver');
    expect(d.lines).toEqual([`driver pod app-driver is Unschedulable: ${MESSAGE}`]);
    expect(d.cause).toBe(`Unschedulable: ${MESSAGE}`);
  });
});
