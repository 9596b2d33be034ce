// The EMR double as a server a person can start (scripts/local-emr.sh bundles and runs this file): the
// awsJson1_1 EMR API on 127.0.0.1 whose steps run for real on the local Spark, S3 on the local moto
// (test/helpers/fake-emr.ts, docs/protocols.md 3.7). It creates the log bucket and the clusters named in
// LOCAL_EMR_CLUSTERS (WAITING, with that log URI) so an `emr.clusterName` config finds one; RunJobFlow
// creates transient ones. Configuration comes from the environment local-emr.sh sets.
import { CreateBucketCommand, HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { startFakeEmr } from '../test/helpers/fake-emr.js';

function need(name: string): string {
  const v = process.env[name];
  if (!v) {
    process.stderr.write(`local-emr: ${name} is not set (scripts/local-emr.sh sets it)\n`);
    process.exit(2);
  }
  return v;
}

const port = Number(need('LOCAL_EMR_PORT'));
const s3Endpoint = need('LOCAL_EMR_S3_ENDPOINT');
const logUri = need('LOCAL_EMR_LOG_URI');
const s3 = new S3Client({
  region: process.env.AWS_REGION ?? 'us-east-1',
  endpoint: s3Endpoint,
  forcePathStyle: true,
  credentials: {
    accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? 'testing',
    secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? 'testing',
  },
});
const bucket = /^s3:\/\/([^/]+)/.exec(logUri)?.[1];
if (!bucket) {
  process.stderr.write(`local-emr: LOCAL_EMR_LOG_URI=${logUri} is not an s3://bucket/prefix/ URI\n`);
  process.exit(2);
}
try {
  await s3.send(new HeadBucketCommand({ Bucket: bucket }));
} catch {
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
}

const emr = await startFakeEmr({
  port,
  runner: {
    s3,
    s3Endpoint,
    sparkHome: need('SPARK_HOME'),
    workDir: need('LOCAL_EMR_WORK_DIR'),
    master: process.env.LOCAL_EMR_MASTER || 'local[2]',
    driverMemoryCapMiB: Number(process.env.LOCAL_EMR_DRIVER_MEMORY_MIB || 1024),
  },
});
let n = 0;
for (const name of (process.env.LOCAL_EMR_CLUSTERS ?? '').split(',').filter(Boolean)) {
  const id = `j-LOCAL${String(++n).padStart(8, '0')}`;
  emr.addCluster({ id, name, logUri });
  process.stdout.write(`local-emr: cluster ${id} "${name}" WAITING, log URI ${logUri}\n`);
}
process.stdout.write(`local-emr: listening at ${emr.endpoint}\n`);
const stop = () => {
  void emr.close().then(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
