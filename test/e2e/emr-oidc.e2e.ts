// AWS credentials that outlive a long EMR wait (emr.auth.roleArn): the EMR target with the real AWS SDK
// clients assumes the role with a GitHub OIDC token through @actions/core getIDToken, served here by a local
// stand-in for the runner's token endpoint (ACTIONS_ID_TOKEN_REQUEST_URL/TOKEN: `GET <url>&audience=…` with a
// bearer token, answering {"value": <jwt>}, as @actions/core's oidc-utils reads it), and moto's STS
// (AssumeRoleWithWebIdentity, credentials expiring DurationSeconds later). The step's wait is made to outlive
// the first credentials by moving the process clock (Date.now) forward as the watch sleeps: the SDK clients
// then ask the provider again (five minutes before expiry) and the wait goes on to COMPLETED.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import type { Artifact } from '../../src/stage.js';
import { createEmrTarget } from '../../src/targets/emr/index.js';
import type { DeployPlan, Status } from '../../src/targets/target.js';
import { component, httpOk } from '../helpers/components.js';
import { type FakeEmr, startFakeEmr } from '../helpers/fake-emr.js';

const MOTO = `http://127.0.0.1:${process.env.LOCAL_MOTO_PORT ?? '5055'}`;
const motoUp = component(
  'moto server',
  () => httpOk(`${MOTO}/`),
  `start it with scripts/local-moto.sh start`,
);
const ROLE = 'arn:aws:iam::123456789012:role/spark-deploy';
const BUCKET = `sda-oidc-${Date.now()}`;

let dir = '';
let fake: FakeEmr;
let tokens: Server;
const tokenRequests: string[] = [];
const saved = { ...process.env };

describe.skipIf(!(await motoUp))('emr.auth.roleArn: OIDC credentials renewed during a long wait', () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'emr-oidc-e2e-'));
    fake = await startFakeEmr();
    tokens = createServer((req, res) => {
      tokenRequests.push(`${req.url} ${req.headers.authorization}`);
      // An unsigned JWT shape: moto does not verify it (AWS would, against the role's trust policy).
      const jwt = ['{"alg":"none"}', `{"aud":"sts.amazonaws.com","n":${tokenRequests.length}}`, '']
        .map((p) => Buffer.from(p).toString('base64url'))
        .join('.');
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ value: jwt }));
    });
    await new Promise<void>((r) => tokens.listen(0, '127.0.0.1', r));
    const port = (tokens.address() as { port: number }).port;
    Object.assign(process.env, {
      ACTIONS_ID_TOKEN_REQUEST_URL: `http://127.0.0.1:${port}/token?api-version=2.0`,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'runner-request-token',
      AWS_REGION: 'us-east-1',
      AWS_ENDPOINT_URL: MOTO,
      AWS_ENDPOINT_URL_S3: MOTO,
      AWS_ENDPOINT_URL_EMR: fake.endpoint,
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
      AWS_EC2_METADATA_DISABLED: 'true',
    });
    // No credentials of the environment: only the role can sign.
    for (const k of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE'])
      delete process.env[k];
    fake.addCluster({ id: 'j-OIDC1234567', name: 'etl', logUri: `s3://${BUCKET}/logs/` });
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    await fake?.close();
    await new Promise((r) => tokens?.close(r));
    process.env = saved;
    rmSync(dir, { recursive: true, force: true });
  });

  test('the role is assumed with the OIDC token, and again when the first credentials near expiry', async () => {
    const jarPath = join(dir, 'app.jar');
    writeFileSync(jarPath, 'not really a jar');
    const artifact: Artifact = { jarPath, jarDisplayPath: 'app.jar', sizeBytes: 16, sha256: 'a'.repeat(64) };
    // The step runs for 40 polls; each poll's sleep moves the clock 30 s: 20 minutes in all, past the 15-minute
    // credentials (renewed 5 minutes before they expire).
    fake.script = [
      { State: 'PENDING' },
      ...Array.from({ length: 40 }, () => ({ State: 'RUNNING' as const })),
      { State: 'COMPLETED' },
    ];
    let offset = 0;
    const realNow = Date.now.bind(Date);
    vi.spyOn(Date, 'now').mockImplementation(() => realNow() + offset);
    const lines: string[] = [];
    const target = createEmrTarget({
      log: { info: (l) => lines.push(l), warning: (l) => lines.push(l), debug: () => undefined },
      backoff: { initialMs: 30_000, maxMs: 30_000, factor: 1 },
      errorBackoff: { initialMs: 20, maxMs: 200, factor: 2 },
      logFetchDelaysMs: [0],
      interruptedGraceMs: 200,
      random: () => 0.5,
      clock: {
        now: () => Date.now(),
        sleep: async (ms) => {
          offset += ms;
          await new Promise((r) => setTimeout(r, 5));
        },
      },
    });
    const plan = {
      command: 'deploy',
      stages: ['deploy'],
      workspace: dir,
      workingDirectory: dir,
      sbtTasks: [],
      javaRelease: 17,
      wait: true,
      timeoutMs: 3 * 3600_000,
      cancelOnAbort: true,
      dryRun: false,
      target: 'emr',
      environment: 'e2e',
      config: {
        target: 'emr',
        app: { name: 'etl-pipeline', mainClass: 'com.etl.Main', mode: 'batch', healthyAfter: 60 },
        spark: { version: '3.5.6', scalaVersion: '2.12', javaRelease: 17 },
        emr: {
          clusterId: 'j-OIDC1234567',
          s3: { jar: `s3://${BUCKET}/jars/` },
          auth: { roleArn: ROLE, durationSeconds: 900 },
        },
      },
      context: {
        workspace: dir,
        sha: 'abc1234def5678',
        ref: 'refs/heads/main',
        refName: 'main',
        runId: '91',
        runAttempt: '1',
        serverUrl: 'https://github.com',
        apiUrl: 'https://api.github.com',
        eventName: 'push',
      },
      secrets: [],
    } as unknown as DeployPlan;
    // moto's S3 needs the bucket; created with the assumed role's own client below would be circular.
    await fetch(`${MOTO}/${BUCKET}`, { method: 'PUT' });
    const h = await target.submit(plan, artifact, new AbortController().signal);
    const seen: Status[] = [];
    for await (const s of target.watch(h, new AbortController().signal)) seen.push(s);
    expect(seen.at(-1)?.nativeState).toBe('COMPLETED');
    expect(offset).toBeGreaterThan(15 * 60_000);
    // The runner's token endpoint was asked for the STS audience, with its request token, more than once.
    expect(tokenRequests.length).toBeGreaterThanOrEqual(2);
    for (const r of tokenRequests) {
      expect(r).toContain('audience=sts.amazonaws.com');
      expect(r).toContain('Bearer runner-request-token');
    }
    expect(lines.filter((l) => l.startsWith(`emr: assumed ${ROLE}`))).toHaveLength(1);
    expect(lines.some((l) => l.startsWith(`emr: renewed the credentials of ${ROLE}`))).toBe(true);
  });
});
