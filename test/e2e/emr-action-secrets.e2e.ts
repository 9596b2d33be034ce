// What the EMR target's BUNDLED action (dist/) exposes, run the way a runner does with the SDK's standard
// environment: S3 on moto (scripts/local-moto.sh), EMR on the double (test/helpers/fake-emr.ts, its
// persistent Spark UI), the GitHub API on test/helpers/fake-github.ts. No presigned Spark UI URL is minted,
// logged or published (the console page is), and canaries in every door, printed back by a failing step,
// leave the action nowhere. Shared setup: test/helpers/emr-e2e.ts and test/helpers/emr-action-e2e.ts.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, describe, expect, test } from 'vitest';
import { canary, leaks } from '../helpers/canary.js';
import {
  consoleUrl,
  deploy,
  existingCluster,
  fake,
  motoS3,
  SHA,
  text,
  useEmrAction,
  workspace,
} from '../helpers/emr-action-e2e.js';
import { BUCKET, motoUp, useEmrWorkspace } from '../helpers/emr-e2e.js';
import { type FakeGitHub, startFakeGitHub } from '../helpers/fake-github.js';
import type { ActionRun } from '../helpers/run-action.js';

describe.skipIf(!motoUp)('EMR', () => {
  useEmrWorkspace();

  describe('the bundled action (dist/) with S3 on moto and EMR on the double', () => {
    let github: FakeGitHub | undefined;
    useEmrAction();
    afterAll(async () => {
      await github?.close();
    });

    test('(f) no presigned Spark UI URL is asked for, logged or published: the console page is', async () => {
      github = await startFakeGitHub();
      const c = existingCluster();
      const { ws, jar: jarPath } = workspace(c);
      fake.script = [{ State: 'RUNNING' }, { State: 'COMPLETED' }];
      const urls = fake.presignedUrls.length;
      const r = await deploy(
        ws,
        jarPath,
        { preview: 'auto', 'github-token': 'ghs_e2etoken' },
        {
          eventName: 'pull_request',
          event: { number: 7, pull_request: { number: 7, head: { sha: SHA } } },
          env: {
            GITHUB_API_URL: github.url,
            GITHUB_REPOSITORY: 'acme/etl',
            GITHUB_SERVER_URL: 'https://github.com',
          },
        },
      );
      expect(r.code, text(r)).toBe(0);
      expect(github.violations).toEqual([]);
      // A presigned URL is a credential and logs of public repositories are public: none is minted.
      expect(fake.presignedUrls.slice(urls)).toEqual([]);
      expect(r.stdout).toContain(`emr: Spark UI: open ${consoleUrl(c.id)}`);
      // The preview was reported: a deployment with statuses and the sticky comment.
      expect(github.comments.length).toBeGreaterThan(0);
      expect(github.deployments.at(-1)?.statuses.at(-1)).toMatchObject({
        state: 'success',
        environment_url: consoleUrl(c.id),
      });
      const everywhere = [
        r.summary,
        JSON.stringify(r.outputs),
        JSON.stringify(github.requests.map((q) => q.body ?? null)),
        JSON.stringify(github.comments),
      ];
      for (const place of [r.stdout, ...everywhere]) expect(place).not.toContain('emrappui-prod');
      expect(r.outputs['spark-ui-url']).toBe(consoleUrl(c.id));
      expect(r.summary).toContain(consoleUrl(c.id));
      await github.close();
      github = undefined;
    });

    test('(i) canaries in every door, printed back by a failing step, leave the action nowhere', async () => {
      github = await startFakeGitHub();
      const c = existingCluster();
      const { ws, jar: jarPath } = workspace(c);
      const doors = {
        conf: canary('conf'),
        awsSecret: canary('aws-secret'),
        awsSession: canary('aws-session'),
        github: `ghs_${canary('github').replaceAll('-', '')}`,
      };
      const all = Object.values(doors);
      const cfg = join(ws, '.github/spark-deploy.yml');
      const line = '      spark.serializer: org.apache.spark.serializer.KryoSerializer\n';
      writeFileSync(
        cfg,
        readFileSync(cfg, 'utf8').replace(
          line,
          `${line}      spark.canary.token: { fromEnv: CANARY_CONF }\n`,
        ),
      );
      // The job prints every canary back: in its stderr (the tail the report shows) and its failure message.
      const stderr = [
        ...all.map((v) => `26/12/03 08:00:00 INFO Main: leaking ${v}`),
        `Exception in thread "main" java.lang.IllegalStateException: bad credentials ${all.join(' ')}`,
      ].join('\n');
      const puts: Promise<unknown>[] = [];
      fake.onStep = (cid, sid) => {
        puts.push(
          motoS3.send(
            new PutObjectCommand({
              Bucket: BUCKET,
              Key: `logs/${cid}/steps/${sid}/stderr.gz`,
              Body: gzipSync(stderr),
            }),
          ),
        );
      };
      fake.script = [
        { State: 'RUNNING' },
        {
          State: 'FAILED',
          FailureDetails: { Reason: 'Unknown Error', Message: `failed with ${all.join(' ')}` },
        },
      ];
      let found: string[] = [];
      const r = await deploy(
        ws,
        jarPath,
        { 'github-token': doors.github },
        {
          env: {
            CANARY_CONF: doors.conf,
            AWS_SECRET_ACCESS_KEY: doors.awsSecret,
            AWS_SESSION_TOKEN: doors.awsSession,
            GITHUB_API_URL: github.url,
            GITHUB_REPOSITORY: 'acme/etl',
            GITHUB_SERVER_URL: 'https://github.com',
          },
          inspect: (run: ActionRun) => {
            found = leaks(
              run,
              all,
              (github?.requests ?? []).map((q) => JSON.stringify(q.body ?? null)),
            );
          },
        },
      );
      fake.onStep = undefined;
      await Promise.all(puts);
      expect(r.code, text(r)).toBe(1);
      // The failure was reported (check run with the tail) and the canaries were registered as masks.
      expect(github.requests.length).toBeGreaterThan(0);
      expect(r.summary).toContain('leaking ***');
      for (const v of all) expect(r.stdout).toContain(`::add-mask::${v}`);
      expect(found).toEqual([]);
      await github.close();
      github = undefined;
    });
  });
});
