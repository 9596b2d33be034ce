// The persistent Spark History Server UI of the EMR double (docs/protocols.md 3.5): CreatePersistentAppUI,
// DescribePersistentAppUI, GetPersistentAppUIPresignedURL, shaped after @aws-sdk/client-emr's
// CreatePersistentAppUIOutput, PersistentAppUI and GetPersistentAppUIPresignedURLOutput.
import { randomBytes } from 'node:crypto';
import type { CreatePersistentAppUIOutput, GetPersistentAppUIPresignedURLOutput } from '@aws-sdk/client-emr';

type Answer = { status: number; body: unknown };
type Op = (b: Record<string, unknown>) => Answer;

export interface UiContext {
  /** The ARNs of the clusters the double knows. */
  arns: () => string[];
  id: (prefix: string) => string;
  invalid: (message: string) => Answer;
  /** Every presigned URL handed out is appended here. */
  minted: string[];
}

const epoch = (ms: number) => ms / 1000;

/** persistentUiOps are the three operations, keyed by name, over their own registry of UIs. */
export function persistentUiOps(ctx: UiContext): Record<string, Op> {
  const uis = new Map<string, { arn: string; created: number }>();
  const uiOf = (b: Record<string, unknown>) => uis.get(String(b.PersistentAppUIId));
  return {
    // CreatePersistentAppUIInput {TargetResourceArn (required), ProfilerType?} -> {PersistentAppUIId, RuntimeRoleEnabledCluster}
    CreatePersistentAppUI(b) {
      const arn = String(b.TargetResourceArn ?? '');
      if (!ctx.arns().includes(arn))
        return ctx.invalid(`TargetResourceArn '${arn}' is not a cluster of this account.`);
      const uiId = ctx.id('p');
      uis.set(uiId, { arn, created: Date.now() });
      return {
        status: 200,
        body: {
          PersistentAppUIId: uiId,
          RuntimeRoleEnabledCluster: false,
        } satisfies CreatePersistentAppUIOutput,
      };
    },
    // DescribePersistentAppUIInput {PersistentAppUIId} -> {PersistentAppUI}
    DescribePersistentAppUI(b) {
      const ui = uiOf(b);
      if (!ui) return ctx.invalid(`Persistent app UI '${b.PersistentAppUIId}' does not exist.`);
      return {
        status: 200,
        body: {
          PersistentAppUI: {
            PersistentAppUIId: b.PersistentAppUIId,
            PersistentAppUITypeList: ['SHS'],
            PersistentAppUIStatus: 'ATTACHED',
            CreationTime: epoch(ui.created),
            LastModifiedTime: epoch(ui.created),
            Tags: [],
          },
        },
      };
    },
    // GetPersistentAppUIPresignedURLInput {PersistentAppUIId, PersistentAppUIType?, ApplicationId?} ->
    // {PresignedURLReady, PresignedURL}; the URL carries a signature, as the real one does.
    GetPersistentAppUIPresignedURL(b) {
      const ui = uiOf(b);
      if (!ui) return ctx.invalid(`Persistent app UI '${b.PersistentAppUIId}' does not exist.`);
      const sig = randomBytes(32).toString('hex');
      const app = b.ApplicationId ? `history/${encodeURIComponent(String(b.ApplicationId))}/jobs/` : '';
      const url = `https://${String(b.PersistentAppUIId).toLowerCase()}.emrappui-prod.us-east-1.amazonaws.com/shs/${app}?authToken=${sig}&X-Amz-Signature=${sig.slice(0, 16)}`;
      ctx.minted.push(url);
      return {
        status: 200,
        body: { PresignedURLReady: true, PresignedURL: url } satisfies GetPersistentAppUIPresignedURLOutput,
      };
    },
  };
}
