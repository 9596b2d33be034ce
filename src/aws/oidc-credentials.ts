// AWS credentials that outlive a long wait: the role of `emr.auth.roleArn` assumed with the workflow's GitHub
// OIDC token (AssumeRoleWithWebIdentity), as aws-actions/configure-aws-credentials does once, but renewed. The
// provider is called by the SDK clients, which keep its credentials until five minutes before they expire
// (@smithy/core memoizeIdentityProvider) and call it again then: each call mints a fresh OIDC token, so a
// wait of hours never runs into ExpiredToken. Sources: docs/protocols.md 3.8.
import { fromWebToken } from '@aws-sdk/credential-provider-web-identity';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@aws-sdk/types';
import { ActionError, errorMessage } from '../util/errors.js';

/** OidcRole is `emr.auth` of the deploy config, resolved. */
export interface OidcRole {
  roleArn: string;
  /** The OIDC token's audience (default sts.amazonaws.com, as configure-aws-credentials uses). */
  audience?: string;
  /** Lifetime of each set of credentials, in seconds (default 3600; the role's maximum caps it). */
  durationSeconds?: number;
  roleSessionName?: string;
}

export interface OidcDeps {
  /** Mints a GitHub OIDC token for the audience (@actions/core getIDToken, which masks it). */
  getIdToken(audience: string): Promise<string>;
  /** Registers a value as a secret (the runner's mask and the action's redactor). */
  setSecret(value: string): void;
  region?: string;
  log?(line: string): void;
}

export const DEFAULT_AUDIENCE = 'sts.amazonaws.com';

/** REFRESH_BEFORE_MS: credentials are renewed this long before they expire (the SDK's own window). */
export const REFRESH_BEFORE_MS = 5 * 60_000;

/**
 * oidcRoleCredentials is a credential provider that assumes the role, keeps the credentials for every client
 * it is given to (EMR and S3 share one session), and assumes it again when they are within
 * REFRESH_BEFORE_MS of expiring.
 */
export function oidcRoleCredentials(role: OidcRole, deps: OidcDeps): AwsCredentialIdentityProvider {
  let round = 0;
  let current: Promise<AwsCredentialIdentity> | undefined;
  let held: AwsCredentialIdentity | undefined;
  const fresh = (c: AwsCredentialIdentity | undefined) =>
    c !== undefined && (!c.expiration || c.expiration.getTime() - Date.now() > REFRESH_BEFORE_MS);
  return async (): Promise<AwsCredentialIdentity> => {
    if (fresh(held)) return held as AwsCredentialIdentity;
    current ??= assume().finally(() => {
      current = undefined;
    });
    held = await current;
    return held;
  };

  async function assume(): Promise<AwsCredentialIdentity> {
    const audience = role.audience ?? DEFAULT_AUDIENCE;
    let token: string;
    try {
      token = await deps.getIdToken(audience);
    } catch (err) {
      throw new ActionError(
        `emr.auth.roleArn: could not get the workflow's OIDC token (${errorMessage(err)}); give the job \`permissions: id-token: write\`, or remove emr.auth to use the credentials of the environment`,
      );
    }
    const creds = await fromWebToken({
      roleArn: role.roleArn,
      webIdentityToken: token,
      roleSessionName: role.roleSessionName ?? `spark-deploy-${process.env.GITHUB_RUN_ID ?? 'local'}`,
      durationSeconds: role.durationSeconds ?? 3600,
      clientConfig: deps.region ? { region: deps.region } : {},
    })();
    deps.setSecret(creds.secretAccessKey);
    if (creds.sessionToken) deps.setSecret(creds.sessionToken);
    round += 1;
    deps.log?.(
      `emr: ${round === 1 ? 'assumed' : 'renewed the credentials of'} ${role.roleArn} with the workflow's OIDC token${creds.expiration ? ` (valid until ${creds.expiration.toISOString()})` : ''}`,
    );
    return creds;
  }
}
