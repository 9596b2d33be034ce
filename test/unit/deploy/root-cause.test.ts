// Root causes read from real driver logs: test/fixtures/driver-logs/ holds the stderr of RootCause-style jobs
// run with the local Spark 3.5.6 jars (SparkSubmit, local[2]) and of a cluster-mode driver on the local worker.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { causeLine, rootCauseFromLog } from '../../../src/deploy/root-cause.js';

const log = (name: string) =>
  readFileSync(new URL(`../../fixtures/driver-logs/${name}`, import.meta.url), 'utf8');

describe('rootCauseFromLog on real driver logs', () => {
  it('a task failure nested two deep, after 300 lines: the deepest cause of the exception main died of', () => {
    const c = rootCauseFromLog(log('local-nested.stderr.txt'), 'driver stderr');
    expect(c?.summary).toBe('NumberFormatException: For input string: "x3"');
    expect(c?.exception).toBe('java.lang.NumberFormatException');
    expect(c?.chain).toEqual([
      expect.stringMatching(/^SparkException: Job aborted due to stage failure: /),
      'RuntimeException: cannot load orders',
      "IllegalArgumentException: bad record 'x3': not an order id",
      'NumberFormatException: For input string: "x3"',
    ]);
    expect(c && causeLine(c)).toBe(
      `NumberFormatException: For input string: "x3" (in: bad record 'x3': not an order id)`,
    );
    expect(c?.source).toBe('driver stderr');
  });

  it('an analysis error thrown by main itself', () => {
    const c = rootCauseFromLog(log('local-partition.stderr.txt'), 'driver stderr');
    expect(c?.summary).toBe(
      'AnalysisException: Partition column `dt` not found in schema struct<id:bigint>.',
    );
    expect(c?.chain).toHaveLength(1);
    expect(c?.hint).toBeUndefined();
  });

  it('a class missing at run time, with what fixes it', () => {
    const c = rootCauseFromLog(log('local-cnfe.stderr.txt'), 'driver stderr');
    expect(c?.summary).toBe('ClassNotFoundException: com.acme.etl.MissingTransform');
    expect(c?.hint).toMatch(
      /com\.acme\.etl\.MissingTransform is neither in the JAR nor on the cluster's classpath/,
    );
  });

  it('a cluster-mode driver log from the worker (the existing capture)', () => {
    const c = rootCauseFromLog(
      readFileSync(
        new URL('../../fixtures/spark-rest/worker-log-stderr-failed.txt', import.meta.url),
        'utf8',
      ),
      'driver stderr',
    );
    expect(c?.summary).toBe('ClassNotFoundException: com.example.DoesNotExist');
  });

  it('an app that reports its own failure and exits: its last line that says so', () => {
    const text = [
      'Launch Command: "java" "-cp" "x" "-Dspark.master=spark://127.0.0.1:7077"',
      '========================================',
      "Using Spark's default log4j profile: org/apache/spark/log4j2-defaults.properties",
      '26/12/07 13:56:12 INFO SparkContext: Running Spark version 3.5.6',
      'ETL FAILED: Input not found: /data/no-such-dir/orders.csv',
      '26/12/07 13:56:13 INFO ShutdownHookManager: Shutdown hook called',
      '26/12/07 13:56:13 WARN Utils: failed to delete something harmless',
    ].join('\n');
    const c = rootCauseFromLog(text, 'driver stderr');
    expect(c?.summary).toBe('ETL FAILED: Input not found: /data/no-such-dir/orders.csv');
    expect(c?.exception).toBe('');
  });

  it('no exception, no cause', () => {
    expect(rootCauseFromLog('26/12/07 13:36:22 INFO SparkContext: Running Spark version 3.5.6\n', 'x')).toBe(
      undefined,
    );
  });
});

describe('rootCauseFromLog on the shapes Spark and the JVM print', () => {
  it('a Scala 2.13 JAR on a 2.12 runtime: NoSuchMethodError naming scala. says so', () => {
    const text = [
      'Exception in thread "main" java.lang.NoSuchMethodError: \'scala.collection.immutable.ArraySeq scala.runtime.ScalaRunTime$.wrapRefArray(java.lang.Object[])\'',
      '\tat com.acme.Main$.main(Main.scala:12)',
    ].join('\n');
    const c = rootCauseFromLog(text, 'driver stderr');
    expect(c?.exception).toBe('java.lang.NoSuchMethodError');
    expect(c?.hint).toMatch(/another Scala binary version/);
  });

  it('an OutOfMemoryError on the driver', () => {
    const text =
      '26/12/07 10:00:00 ERROR Utils: uncaught error in thread main\njava.lang.OutOfMemoryError: Java heap space\n\tat java.util.Arrays.copyOf(Arrays.java:3236)\n';
    const c = rootCauseFromLog(text, 'driver stderr');
    expect(c?.summary).toBe('OutOfMemoryError: Java heap space');
    expect(c?.hint).toMatch(/spark\.driver\.memory/);
  });

  it("YARN cluster mode, the step's stderr: the AM's diagnostics, not the client's wrapper", () => {
    const text = [
      '26/12/07 10:00:00 INFO Client: Submitted application application_1795630000000_0007',
      '26/12/07 10:01:00 INFO Client: ',
      '\t client token: N/A',
      '\t diagnostics: User class threw exception: java.lang.IllegalStateException: boom',
      '\t final status: FAILED',
      'Exception in thread "main" org.apache.spark.SparkException: Application application_1795630000000_0007 finished with failed status',
      '\tat org.apache.spark.deploy.yarn.Client.run(Client.scala:1342)',
    ].join('\n');
    expect(rootCauseFromLog(text, 'step stderr')?.summary).toBe('IllegalStateException: boom');
  });

  it('YARN cluster mode, the AM log: the user class exception with its causes, logged twice as one', () => {
    const text = [
      '26/12/07 10:00:59 ERROR ApplicationMaster: User class threw exception: java.lang.RuntimeException: load failed',
      'java.lang.RuntimeException: load failed',
      '\tat com.acme.Main$.main(Main.scala:9)',
      'Caused by: java.io.FileNotFoundException: /data/in.csv (No such file or directory)',
      '\tat B.b(B.java:2)',
      '26/12/07 10:01:00 INFO ApplicationMaster: Final app status: FAILED, exitCode: 15',
    ].join('\n');
    const c = rootCauseFromLog(text, 'driver stderr');
    expect(c?.summary).toBe('FileNotFoundException: /data/in.csv (No such file or directory)');
    expect(c?.chain).toEqual([
      'RuntimeException: load failed',
      'FileNotFoundException: /data/in.csv (No such file or directory)',
    ]);
  });

  it('only the YARN wrapper: it is still the answer', () => {
    const text =
      'Exception in thread "main" org.apache.spark.SparkException: Application application_1_0001 finished with failed status';
    expect(rootCauseFromLog(text, 'step stderr')?.summary).toBe(
      'SparkException: Application application_1_0001 finished with failed status',
    );
  });

  it('prefers the exception main died of over a later logged one', () => {
    const text = [
      'Exception in thread "main" java.lang.IllegalStateException: the real one',
      '\tat A.main(A.java:1)',
      'Caused by: java.io.FileNotFoundException: /data/in.csv (No such file or directory)',
      '\tat B.b(B.java:2)',
      '26/12/07 10:00:00 ERROR ShutdownHookManager: Exception while deleting Spark temp dir',
      'java.io.IOException: Failed to delete: /tmp/spark-1',
    ].join('\n');
    expect(rootCauseFromLog(text, 'x')?.summary).toBe(
      'FileNotFoundException: /data/in.csv (No such file or directory)',
    );
  });
});

// spark-submit in YARN cluster mode (an EMR step's stderr) ends with its own generic SparkException; the
// application report before it (Spark's yarn Client.formatReportDetails: `\t diagnostics: …`) says why.
// Composed in that shape: no YARN runs here (docs/protocols.md, "YARN application reports").
const yarnReport = (diagnostics: string[]) =>
  [
    '26/12/07 10:00:29 INFO Client: Application report for application_1765100000000_0003 (state: RUNNING)',
    '26/12/07 10:00:30 INFO Client: Application report for application_1765100000000_0003 (state: FINISHED)',
    '26/12/07 10:00:30 INFO Client: ',
    '\t client token: N/A',
    ...diagnostics,
    '\t ApplicationMaster host: ip-10-0-0-12.ec2.internal',
    '\t final status: FAILED',
    '\t tracking URL: http://ip-10-0-0-10.ec2.internal:20888/proxy/application_1765100000000_0003/',
    '\t user: hadoop',
    'Exception in thread "main" org.apache.spark.SparkException: Application application_1765100000000_0003 finished with failed status',
    '\tat org.apache.spark.deploy.yarn.Client.run(Client.scala:1342)',
    '\tat org.apache.spark.deploy.SparkSubmit.main(SparkSubmit.scala)',
    '26/12/07 10:00:30 INFO ShutdownHookManager: Shutdown hook called',
  ].join('\n');

describe('rootCauseFromLog on spark-submit in YARN cluster mode', () => {
  it("the user class's exception from YARN's diagnostics, its deepest cause, not the client's SparkException", () => {
    const c = rootCauseFromLog(
      yarnReport([
        '\t diagnostics: User class threw exception: java.lang.RuntimeException: Job aborted',
        '\tat com.etl.Main$.main(Main.scala:20)',
        '\tat org.apache.spark.deploy.yarn.ApplicationMaster$$anon$2.run(ApplicationMaster.scala:741)',
        'Caused by: java.lang.IllegalArgumentException: partition column dt not found in schema',
        '\tat com.etl.Writer.write(Writer.scala:10)',
        '\t... 5 more',
        '',
      ]),
      'step stderr',
    );
    expect(c?.summary).toBe('IllegalArgumentException: partition column dt not found in schema');
    expect(c?.chain).toEqual([
      'RuntimeException: Job aborted',
      'IllegalArgumentException: partition column dt not found in schema',
    ]);
  });

  it('a container YARN killed over its memory limit, with the fix', () => {
    const c = rootCauseFromLog(
      yarnReport([
        '\t diagnostics: Application application_1765100000000_0003 failed 2 times due to AM Container for appattempt_1765100000000_0003_000002 exited with  exitCode: -104',
        "Failing this attempt.Diagnostics: [2026-12-07 10:00:28.101]Container [pid=4242,containerID=container_1765100000000_0003_02_000001] is running 1.2GB beyond the 'PHYSICAL' memory limit. Current usage: 2.6 GB of 1.4 GB physical memory used; 4.1 GB of 2.9 GB virtual memory used. Killing container.",
      ]),
      'step stderr',
    );
    expect(c?.summary).toBe(
      'YARN killed the container: 1.2GB beyond its physical memory limit (2.6 GB of 1.4 GB physical memory used)',
    );
    expect(c?.hint).toMatch(/spark\.driver\.memoryOverhead/);
  });

  it("Spark's executor-loss message and bare exit codes", () => {
    expect(
      rootCauseFromLog(
        yarnReport([
          '\t diagnostics: Container killed by YARN for exceeding physical memory limits. 5.5 GB of 5.5 GB physical memory used. Consider boosting spark.executor.memoryOverhead.',
        ]),
        's',
      )?.summary,
    ).toBe(
      'Container killed by YARN for exceeding physical memory limits: 5.5 GB of 5.5 GB physical memory used.',
    );
    const c = rootCauseFromLog(
      yarnReport([
        '\t diagnostics: Application application_1765100000000_0003 failed 2 times due to AM Container for appattempt_1765100000000_0003_000002 exited with  exitCode: 137',
      ]),
      's',
    );
    expect(c?.summary).toBe('YARN container exited with exit code 137');
    expect(c?.hint).toMatch(/SIGKILL/);
  });

  it("without YARN's reason, the client's exception stays the cause", () => {
    expect(rootCauseFromLog(yarnReport(['\t diagnostics: N/A']), 's')?.summary).toBe(
      'SparkException: Application application_1765100000000_0003 finished with failed status',
    );
  });
});
