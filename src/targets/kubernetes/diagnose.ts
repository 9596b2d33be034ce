// Why a driver did not run, the way a user would find out with kubectl: the pod's container states and
// the scheduler's Warning events.
import { errorMessage } from '../../util/errors.js';
import type { KubeClient } from './client.js';

/** REASONS are container reasons worth naming, with what they usually mean. */
const REASONS: Record<string, string> = {
  ImagePullBackOff:
    'the image cannot be pulled (wrong reference, or missing imagePullSecrets for a private registry)',
  ErrImagePull:
    'the image cannot be pulled (wrong reference, or missing imagePullSecrets for a private registry)',
  InvalidImageName: 'the image reference is malformed',
  CrashLoopBackOff: 'the driver container keeps crashing right after start',
  OOMKilled: 'the driver ran out of memory: raise spark.driver.memory or spark.driver.memoryOverhead',
  CreateContainerConfigError: 'a referenced ConfigMap or Secret is missing',
};

/** PodDiagnosis is one line per problem seen on the driver pod, and the first problem in a few words. */
export interface PodDiagnosis {
  lines: string[];
  /** The first problem as short as it can be said whole (`ImagePullBackOff: Back-off pulling image "…"`). */
  cause?: string;
}

/** diagnosePod reads the driver pod's container states and Warning events (empty when nothing stands out). */
export async function diagnosePod(
  client: KubeClient,
  namespace: string,
  podName: string,
): Promise<PodDiagnosis> {
  const out: string[] = [];
  let cause: string | undefined;
  const first = (c: string) => {
    cause ??= c;
  };
  try {
    const pod = await client.pod(namespace, podName);
    if (!pod)
      return {
        lines: [`driver pod ${podName} does not exist`],
        cause: `driver pod ${podName} does not exist`,
      };
    for (const c of pod.containers) {
      const w = c.waiting;
      if (w?.reason && w.reason !== 'ContainerCreating' && w.reason !== 'PodInitializing') {
        first(
          `${w.reason}${w.message ? `: ${w.message}` : REASONS[w.reason] ? `: ${REASONS[w.reason]}` : ''}`,
        );
        out.push(
          `driver pod ${podName}: ${c.name} waiting: ${w.reason}${w.message ? ` (${w.message})` : ''}${REASONS[w.reason] ? ` — ${REASONS[w.reason]}` : ''}`,
        );
      }
      const t = c.terminated;
      if (t && (t.exitCode ?? 0) !== 0) {
        first(`${t.reason ?? 'Error'}, exit code ${t.exitCode}`);
        out.push(
          `driver pod ${podName}: ${c.name} terminated: ${t.reason ?? 'Error'}, exit code ${t.exitCode}${t.reason && REASONS[t.reason] ? ` — ${REASONS[t.reason]}` : ''}`,
        );
      }
    }
    if (pod.phase === 'Pending') {
      // The scheduler records the same FailedScheduling message again as separate events: each said once.
      const seen = new Set<string>();
      for (const e of await client.warnings(namespace, podName)) {
        if (seen.has(`${e.reason}\0${e.message}`)) continue;
        seen.add(`${e.reason}\0${e.message}`);
        if (e.reason === 'FailedScheduling') {
          first(`Unschedulable: ${e.message}`);
          out.push(`driver pod ${podName} is Unschedulable: ${e.message}`);
        } else {
          first(`${e.reason}: ${e.message}`);
          out.push(`driver pod ${podName}: ${e.reason}: ${e.message}`);
        }
      }
    }
  } catch (err) {
    out.push(`(could not inspect the driver pod ${podName}: ${errorMessage(err)})`);
  }
  return cause ? { lines: out, cause } : { lines: out };
}
