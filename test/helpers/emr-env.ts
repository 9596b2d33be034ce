// The environment a run of the bundled action gets against moto (S3) and an EMR double: the SDK's standard
// variables with test credentials, no shared config or instance metadata to fall back on, and the commit.

/** emrDoubleEnv is that environment for one run (`runId` is its GITHUB_RUN_ID). */
export function emrDoubleEnv(o: {
  region: string;
  moto: string;
  emr: string;
  sha: string;
  runId: number;
}): Record<string, string> {
  return {
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_SESSION_TOKEN: 'testing',
    AWS_REGION: o.region,
    AWS_ENDPOINT_URL_S3: o.moto,
    AWS_ENDPOINT_URL_EMR: o.emr,
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_EC2_METADATA_DISABLED: 'true',
    GITHUB_SHA: o.sha,
    GITHUB_REF: 'refs/heads/main',
    GITHUB_REF_NAME: 'main',
    GITHUB_RUN_ID: String(o.runId),
  };
}
