// The Spark UI of a step through EMR's persistent application UI (a Spark History Server kept off the
// cluster, so it outlives a transient cluster). Its URL is presigned: it acts as a credential and expires,
// so it goes to the live log only, is masked from then on, and never becomes a link (see links.ts).
import {
  CreatePersistentAppUICommand,
  type EMRClient,
  GetPersistentAppUIPresignedURLCommand,
} from '@aws-sdk/client-emr';
import { awsErrorCode } from '../../util/aws-errors.js';
import { errorMessage } from '../../util/errors.js';
import type { EmrDeps } from './deps.js';

/** PersistentUi is a presigned Spark History Server URL, or why there is none. */
export type PersistentUi = { url: string } | { missing: string };

/**
 * persistentSparkUi creates the cluster's persistent UI and asks for a presigned Spark History Server URL,
 * opened at the application when its id is known. Best effort: any failure (no permission, an old release, a multi-primary cluster) is returned as the reason, never thrown.
 */
export async function persistentSparkUi(
  emr: EMRClient,
  deps: Pick<EmrDeps, 'clock' | 'uiDelaysMs'>,
  clusterArn: string,
  applicationId?: string,
  signal?: AbortSignal,
): Promise<PersistentUi> {
  const opts = signal ? { abortSignal: signal } : {};
  try {
    const created = await emr.send(
      new CreatePersistentAppUICommand({ TargetResourceArn: clusterArn, ProfilerType: 'SHS' }),
      opts,
    );
    const id = created.PersistentAppUIId;
    if (!id) return { missing: 'CreatePersistentAppUI returned no PersistentAppUIId' };
    for (const delay of deps.uiDelaysMs) {
      if (delay > 0) await deps.clock.sleep(delay, signal);
      const got = await emr.send(
        new GetPersistentAppUIPresignedURLCommand({
          PersistentAppUIId: id,
          PersistentAppUIType: 'SHS',
          ...(applicationId ? { ApplicationId: applicationId } : {}),
        }),
        opts,
      );
      if (got.PresignedURLReady && got.PresignedURL) return { url: got.PresignedURL };
    }
    return { missing: `the persistent UI ${id} was not ready yet` };
  } catch (err) {
    if (signal?.aborted) throw signal.reason ?? err;
    return { missing: `${awsErrorCode(err) ?? 'error'}: ${errorMessage(err)}` };
  }
}
