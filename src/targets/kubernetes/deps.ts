import type { KubeConfig } from '@kubernetes/client-node';
import { type Clock, systemClock } from '../../util/poll.js';
import * as runner from '../../util/runner.js';
import type { DeployPlan, Handle } from '../target.js';
import type { KubeClient } from './client.js';

/** Logger is where the target reports progress. */
export interface Logger {
  info(message: string): void;
  warning(message: string): void;
  debug(message: string): void;
}

/** KubernetesDeps are the target's edges; every field has a default. */
export interface KubernetesDeps {
  /** API client (default: over `kubeConfig`). */
  client?: KubeClient;
  /** Loaded kubeconfig (default: KubeConfig.loadFromDefault(): KUBECONFIG, ~/.kube/config or in-cluster; kubernetes.context selects the context). */
  kubeConfig?: KubeConfig;
  /** Time and sleep (default: the system clock). */
  clock: Clock;
  /** Progress output (default: the runner's log). */
  log: Logger;
  /** The Plan, for a target that did not submit in this process (post step cancel, status, cleanup). */
  plan?: DeployPlan;
  /** Called the moment the SparkApplication exists, before submit() returns. */
  onHandle?: (handle: Handle) => void;
  /** Attempts for an API call that fails with a retriable answer (default 4). */
  attempts: number;
  /** Longest quiet time of a watch before the object is re-read (default 60 s). */
  resyncMs: number;
}

const runnerLog: Logger = { info: runner.info, warning: (m) => runner.warning(m), debug: runner.debug };

/** withDefaults fills in the deps a caller left out. */
export function withDefaults(partial: Partial<KubernetesDeps>): KubernetesDeps {
  return { clock: systemClock, log: runnerLog, attempts: 4, resyncMs: 60_000, ...partial };
}
