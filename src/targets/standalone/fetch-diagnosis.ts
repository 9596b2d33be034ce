// Why a worker could not fetch an s3a:// JAR. In standalone cluster mode the worker downloads the app JAR
// itself (DriverRunner.downloadUserJar) with its own Hadoop configuration, before any driver starts; when
// that fails the driver ends ERROR with the worker's exception as the status message, and there is no
// driver log to read. These are the failures whose fix is known.

const HADOOP_AWS =
  "put hadoop-aws (the version of the cluster's Hadoop: hadoop-client-api-<version>.jar in $SPARK_HOME/jars) and the aws-java-sdk-bundle its pom names (1.12.262 for Hadoop 3.3.4, Spark 3.5's) into $SPARK_HOME/jars on every worker, then restart the workers";

const CREDENTIALS =
  'the workers fetch the JAR with their own Hadoop configuration, not the submission\'s: give every worker read access (an instance role, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY in the worker\'s environment, or fs.s3a.* credentials in its core-site.xml / spark-defaults "spark.hadoop.fs.s3a.*"), with s3:GetObject on the staged keys';

/** diagnoseJarFetch says what to fix when a driver's status message is a worker failing to read s3a://. */
export function diagnoseJarFetch(message: string | undefined): string | undefined {
  if (!message) return undefined;
  if (
    /ClassNotFoundException: Class org\.apache\.hadoop\.fs\.s3a\.S3AFileSystem not found/.test(message) ||
    /No FileSystem for scheme "?s3a"?/.test(message)
  ) {
    return `the worker cannot read s3a:// URIs: hadoop-aws is not on its classpath (S3AFileSystem not found). Fix: ${HADOOP_AWS}`;
  }
  if (!/s3a:\/\/|S3A|s3a\./.test(message)) return undefined;
  const where = /s3a:\/\/[^\s:;,"']+/.exec(message)?.[0];
  const on = where ? ` ${where}` : ' the staged JAR';
  if (/AccessDenied|403 Forbidden|Status Code: 403|\(403\)/.test(message)) {
    return `the worker was refused reading${on} (HTTP 403). Fix: ${CREDENTIALS}`;
  }
  if (/NoAuthWithAWSException|No AWS Credentials provided|Unable to load AWS credentials/.test(message)) {
    return `the worker has no AWS credentials to read${on}. Fix: ${CREDENTIALS}`;
  }
  if (/UnknownHostException|Connection refused|Unable to execute HTTP request|ConnectTimeout/.test(message)) {
    return `the worker could not reach the S3 endpoint to read${on}. Fix: set fs.s3a.endpoint (and fs.s3a.path.style.access=true for MinIO and the like) in the workers' Hadoop configuration, and let them reach it`;
  }
  if (/FileNotFoundException|NoSuchKey|NoSuchBucket|404 Not Found/.test(message)) {
    return `the worker found no object at${on}. Fix: check that the workers use the same S3 store (fs.s3a.endpoint) as the upload`;
  }
  return undefined;
}
