// EMR target module end to end against moto (scripts/local-moto.sh) with the real AWS SDK clients (default
// credential chain, AWS_ENDPOINT_URL_*): moto is the S3 (real signing, multipart, checksums, error shapes)
// and the request-shape check for RunJobFlow / AddJobFlowSteps / DescribeCluster / ListClusters / ListSteps /
// DescribeStep. Shared setup: test/helpers/emr-e2e.ts.
import { randomBytes } from 'node:crypto';
import {
  DescribeClusterCommand,
  DescribeStepCommand,
  EMRClient,
  ListStepsCommand,
  RunJobFlowCommand,
  TerminateJobFlowsCommand,
} from '@aws-sdk/client-emr';
import { CreateBucketCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { stageToS3 } from '../../src/s3/stage.js';
import { createEmrTarget } from '../../src/targets/emr/index.js';
import { findStepByName } from '../../src/targets/emr/submit.js';
import {
  artifact,
  BUCKET,
  collect,
  ENV,
  fast,
  file,
  jar,
  motoUp,
  plan,
  REGION,
  s3,
  saved,
  setEnv,
  useEmrWorkspace,
} from '../helpers/emr-e2e.js';

describe.skipIf(!motoUp)('EMR', () => {
  useEmrWorkspace();

  describe('target module against moto (S3 + EMR request shapes)', () => {
    beforeAll(() => setEnv(ENV));
    afterAll(() => setEnv(saved));

    test('S3: uploads once with the SHA-256 as metadata and checksum; the same bytes again upload nothing', async () => {
      const uri = `s3://${BUCKET}/jars/abc1234/app.jar`;
      expect(await stageToS3({ client: s3, jarPath: jar.path, sha256: jar.sha256, uri })).toEqual({
        s3Uri: uri,
        uploaded: true,
      });
      const head = await s3.send(
        new HeadObjectCommand({ Bucket: BUCKET, Key: 'jars/abc1234/app.jar', ChecksumMode: 'ENABLED' }),
      );
      expect(head.Metadata?.sha256).toBe(jar.sha256);
      // moto keeps the x-amz-checksum-sha256 the PUT carried but does not return it on HEAD: the metadata
      // is what makes the second upload a no-op here (unit tests cover the checksum path).
      expect(await stageToS3({ client: s3, jarPath: jar.path, sha256: jar.sha256, uri })).toEqual({
        s3Uri: uri,
        uploaded: false,
      });
      const other = file('other.jar', randomBytes(1024));
      expect((await stageToS3({ client: s3, jarPath: other.path, sha256: other.sha256, uri })).uploaded).toBe(
        true,
      );
    });

    test('S3: a large file goes up in parts with progress lines, then is skipped', async () => {
      const big = file('big.jar', randomBytes(11 * 1024 * 1024 + 17));
      const uri = `s3://${BUCKET}/jars/big.jar`;
      const lines: string[] = [];
      const opts = { client: s3, jarPath: big.path, sha256: big.sha256, uri, partSize: 5 * 1024 * 1024 };
      expect((await stageToS3({ ...opts, log: (l) => lines.push(l) })).uploaded).toBe(true);
      expect(lines[0]).toMatch(/uploading 11\.0 MiB to .* in 3 parts/);
      expect(
        lines.some((l) => /100% \(11\.0 MiB of 11\.0 MiB\)/.test(l)),
        lines.join('\n'),
      ).toBe(true);
      expect((await stageToS3(opts)).uploaded).toBe(false);
    });

    test('S3: a missing bucket is named in the error (moto error shape)', async () => {
      const missing = `${BUCKET}-missing`;
      await expect(
        stageToS3({ client: s3, jarPath: jar.path, sha256: jar.sha256, uri: `s3://${missing}/x.jar` }),
      ).rejects.toThrow(new RegExp(`S3 bucket "${missing}" does not exist`));
      // moto keeps the refused object around without its bucket, which breaks its /moto-api/data.json
      // dump for everyone sharing the server: give it the bucket afterwards.
      await s3.send(new CreateBucketCommand({ Bucket: missing }));
    });

    test('transient cluster: moto accepts the RunJobFlow request; the step is found and followed', async () => {
      const target = createEmrTarget({ ...fast });
      const p = plan({
        region: REGION,
        cluster: {
          releaseLabel: 'emr-7.5.0',
          logUri: `s3://${BUCKET}/logs/`,
          instanceGroups: [
            { role: 'MASTER', instanceType: 'm5.xlarge', count: 1 },
            { role: 'CORE', instanceType: 'm5.xlarge', count: 2 },
            { role: 'TASK', instanceType: 'm5.xlarge', count: 4, market: 'SPOT', bidPrice: '0.10' },
          ],
          bootstrapActions: [{ name: 'deps', path: `s3://${BUCKET}/bootstrap.sh`, args: ['--fast'] }],
          tags: { team: 'data' },
          idleTimeoutSeconds: 3600,
          configurations: [
            { Classification: 'spark-defaults', Properties: { 'spark.sql.adaptive.enabled': 'true' } },
          ],
        },
        s3: { jar: `s3://${BUCKET}/jars/{{sha}}/`.replace('{{sha}}', 'abc1234') },
      });
      const h = await target.submit(p, artifact, new AbortController().signal);
      expect(h.data.clusterId).toMatch(/^j-[0-9A-Z]{13}$/);
      expect(h.submissionId).toMatch(/^s-[0-9A-Z]{13}$/);
      expect(h.data).toMatchObject({ transient: 'true', region: REGION, logUri: `s3://${BUCKET}/logs/` });

      const emr = new EMRClient({});
      const cluster = (await emr.send(new DescribeClusterCommand({ ClusterId: h.data.clusterId }))).Cluster;
      expect(cluster?.Name).toBe('etl-pipeline-e2e-abc1234-77');
      expect(cluster?.Tags).toEqual(expect.arrayContaining([{ Key: 'team', Value: 'data' }]));
      const step = (
        await emr.send(new DescribeStepCommand({ ClusterId: h.data.clusterId, StepId: h.submissionId }))
      ).Step;
      expect(step?.Config?.Jar).toBe('command-runner.jar');
      expect(step?.Config?.Args?.slice(0, 3)).toEqual(['spark-submit', '--deploy-mode', 'cluster']);
      expect(step?.Config?.Args).toContain(`s3://${BUCKET}/jars/abc1234/etl-pipeline-assembly-1.0.0.jar`);
      // moto's steps never leave RUNNING/PENDING (docs/protocols.md 3.6): the first observation is all we get.
      const [first] = await collect(target.watch(h, new AbortController().signal), 1);
      expect(['PENDING', 'RUNNING']).toContain(first?.phase);
      await emr.send(new TerminateJobFlowsCommand({ JobFlowIds: [h.data.clusterId] }));
    });

    test('existing cluster by id and by name: AddJobFlowSteps, ListClusters, ListSteps shapes accepted', async () => {
      const emr = new EMRClient({});
      const name = `sda-e2e-${randomBytes(3).toString('hex')}`;
      const created = await emr.send(
        new RunJobFlowCommand({
          Name: name,
          ReleaseLabel: 'emr-7.5.0',
          LogUri: `s3://${BUCKET}/logs/`,
          Applications: [{ Name: 'Spark' }],
          // A CORE group too: moto cannot describe (or dump) a cluster without one.
          Instances: {
            InstanceGroups: [
              { InstanceRole: 'MASTER', InstanceType: 'm5.xlarge', InstanceCount: 1 },
              { InstanceRole: 'CORE', InstanceType: 'm5.xlarge', InstanceCount: 1 },
            ],
            KeepJobFlowAliveWhenNoSteps: true,
          },
          ServiceRole: 'EMR_DefaultRole',
          JobFlowRole: 'EMR_EC2_DefaultRole',
        }),
      );
      const clusterId = created.JobFlowId as string;
      const target = createEmrTarget({ ...fast });
      const byId = await target.submit(
        plan({ clusterId, s3: { jar: `s3://${BUCKET}/jars/` } }, {}, '78'),
        artifact,
        new AbortController().signal,
      );
      expect(byId.data).toMatchObject({ clusterId, transient: 'false', logUri: `s3://${BUCKET}/logs/` });
      const byName = await target.submit(
        plan({ clusterName: name, s3: { jar: `s3://${BUCKET}/jars/` } }, {}, '79'),
        artifact,
        new AbortController().signal,
      );
      expect(byName.data.clusterId).toBe(clusterId);

      const steps = (await emr.send(new ListStepsCommand({ ClusterId: clusterId }))).Steps ?? [];
      expect(steps.map((s) => s.Name)).toEqual([
        'etl-pipeline-e2e-abc1234-79',
        'etl-pipeline-e2e-abc1234-78',
      ]);
      // The adoption lookup parses moto's ListSteps (epoch-second timestamps, newest first).
      const found = await findStepByName(emr, clusterId, 'etl-pipeline-e2e-abc1234-78', Date.now() - 60_000);
      expect(found?.Id).toBe(byId.submissionId);
      const handles = await createEmrTarget({
        ...fast,
        plan: plan({ clusterId, s3: { jar: 's3://bkt/' } }),
      }).find({
        app: 'etl-pipeline',
      });
      expect(handles.map((h) => h.submissionId).sort()).toEqual(
        [byId.submissionId, byName.submissionId].sort(),
      );
      await emr.send(new TerminateJobFlowsCommand({ JobFlowIds: [clusterId] }));
    });
  });
});
