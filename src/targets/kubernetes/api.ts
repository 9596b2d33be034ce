// The API calls the target makes, each retried on conflicts, throttling, 5xx and connection errors.
import { errorMessage } from '../../util/errors.js';
import { backoffDelay } from '../../util/poll.js';
import { apiError, isRetriable, type KubeClient } from './client.js';
import type { KubernetesDeps } from './deps.js';
import { type KubeObject, SPARK_API_VERSION, SPARK_KIND } from './render.js';

/** KubeApi is the target's view of the cluster. */
export interface KubeApi {
  client(): Promise<KubeClient>;
  call<T>(what: string, fn: (c: KubeClient) => Promise<T>): Promise<T>;
  listApps(namespace: string, selector: string): Promise<KubeObject[]>;
  getApp(namespace: string, name: string): Promise<KubeObject | undefined>;
  /** deleteApp deletes a SparkApplication; false when it was already gone. */
  deleteApp(namespace: string, name: string): Promise<boolean>;
}

/** createKubeApi wraps a (lazily made) client with retries. */
export function createKubeApi(
  deps: Pick<KubernetesDeps, 'attempts' | 'clock' | 'log'>,
  client: () => Promise<KubeClient>,
): KubeApi {
  const call = async <T>(what: string, fn: (c: KubeClient) => Promise<T>): Promise<T> => {
    const c = await client();
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn(c);
      } catch (err) {
        if (attempt >= deps.attempts || !isRetriable(err)) throw apiError(what, err);
        deps.log.debug(`kubernetes: ${what}: ${errorMessage(err)}; retrying`);
        await deps.clock.sleep(backoffDelay(attempt - 1, { initialMs: 500, maxMs: 5000 }));
      }
    }
  };
  return {
    client,
    call,
    listApps: (namespace, selector) =>
      call(`listing SparkApplications in ${namespace}`, (c) =>
        c.list(SPARK_API_VERSION, SPARK_KIND, namespace, selector),
      ),
    getApp: (namespace, name) =>
      call(`reading SparkApplication ${namespace}/${name}`, (c) =>
        c.get(SPARK_API_VERSION, SPARK_KIND, namespace, name),
      ),
    deleteApp: (namespace, name) =>
      call(`deleting SparkApplication ${namespace}/${name}`, (c) =>
        c.delete(SPARK_API_VERSION, SPARK_KIND, namespace, name),
      ),
  };
}
