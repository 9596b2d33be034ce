import type { KubeConfig } from '@kubernetes/client-node';
import { ActionError } from '../../util/errors.js';
import { setSecret } from '../../util/runner.js';

/** registerCredentials hands every user credential of a kubeconfig to the redactor (and the runner's mask). */
export function registerCredentials(kc: KubeConfig, register: (value: string) => void = setSecret): void {
  for (const u of kc.getUsers()) {
    for (const v of [
      u.token,
      u.password,
      u.keyData,
      u.authProvider?.config?.['access-token'],
      u.authProvider?.config?.['id-token'],
    ])
      if (typeof v === 'string' && v) register(v);
  }
}

/**
 * loadKubeConfig loads the kubeconfig as kubectl would (KUBECONFIG, ~/.kube/config or in-cluster) and selects
 * `kubernetes.context` when one is given.
 */
export async function loadKubeConfig(context?: string): Promise<KubeConfig> {
  const { KubeConfig } = await import('@kubernetes/client-node');
  const kc = new KubeConfig();
  kc.loadFromDefault();
  registerCredentials(kc);
  if (context) {
    if (!kc.getContexts().some((c) => c.name === context)) {
      throw new ActionError(
        `kubernetes: kubeconfig has no context "${context}" (kubernetes.context); it has: ${
          kc
            .getContexts()
            .map((c) => c.name)
            .join(', ') || 'none'
        }`,
      );
    }
    kc.setCurrentContext(context);
  }
  if (!kc.getCurrentCluster()) {
    throw new ActionError(
      'kubernetes: no cluster in the kubeconfig: set KUBECONFIG (e.g. with aws eks update-kubeconfig or azure/k8s-set-context) before this step',
    );
  }
  return kc;
}
