import { describe, expect, test } from 'vitest';
import { parseS3Uri } from '../../../src/s3/uri.js';
import { buildRunJobFlow, DEFAULT_INSTANCE_GROUPS, TAG } from '../../../src/targets/emr/cluster.js';
import { buildLinks, consoleClusterUrl, stepLogPrefix } from '../../../src/targets/emr/links.js';
import { resolveSettings, stepNameOf } from '../../../src/targets/emr/settings.js';
import { mapStepState, STEP_STATES } from '../../../src/targets/emr/states.js';
import {
  buildSparkSubmitArgs,
  buildStep,
  HADOOP_JAR_STEP_MAX_CHARS,
  hadoopJarStepChars,
} from '../../../src/targets/emr/step.js';
import type { DeployPlan } from '../../../src/targets/target.js';
import { ActionError } from '../../../src/util/errors.js';
import { artifact, makePlan, type PlanOverrides } from './fixtures.js';

const JAR = 's3://etl-artifacts/jars/abc1234/etl-pipeline-assembly-1.0.0.jar';
const HEAD = [
  'spark-submit',
  '--deploy-mode',
  'cluster',
  '--master',
  'yarn',
  '--class',
  'com.etl.Main',
  '--name',
  'etl-pipeline',
];
const RUN = '--conf';
const LABEL = 'spark.deploy-action.run=abc1234def5678-4242';

function args(o: PlanOverrides): string[] {
  const plan = makePlan(o);
  return buildSparkSubmitArgs(plan, artifact, resolveSettings(plan, artifact.jarPath));
}

describe('mapStepState: one table for every StepState (docs/protocols.md 3.1)', () => {
  test.each([
    ['PENDING', 'PENDING', false],
    ['RUNNING', 'RUNNING', false],
    ['CANCEL_PENDING', 'RUNNING', false],
    ['INTERRUPTED', 'FAILED', false],
    ['COMPLETED', 'SUCCEEDED', true],
    ['FAILED', 'FAILED', true],
    ['CANCELLED', 'CANCELLED', true],
    ['SOMETHING_NEW', 'UNKNOWN', false],
    [undefined, 'UNKNOWN', false],
  ] as const)('%s -> %s (terminal %s)', (state, phase, terminal) => {
    expect(mapStepState(state)).toEqual({ phase, terminal });
  });
  test('covers exactly the SDK enum', () => {
    expect(Object.keys(STEP_STATES).sort()).toEqual(
      ['CANCELLED', 'CANCEL_PENDING', 'COMPLETED', 'FAILED', 'INTERRUPTED', 'PENDING', 'RUNNING'].sort(),
    );
  });
});

describe('buildSparkSubmitArgs', () => {
  test.each<[string, PlanOverrides, string[]]>([
    ['minimal', {}, [...HEAD, RUN, LABEL, JAR]],
    [
      'app args after the JAR',
      { app: { args: ['--date', '2026-11-25', 'a b'] } },
      [...HEAD, RUN, LABEL, JAR, '--date', '2026-11-25', 'a b'],
    ],
    [
      'driver and executor resources as the guide flags',
      {
        spark: {
          driver: { memory: '4g', cores: 2 },
          executor: { memory: '8g', cores: 4, instances: 10 },
        },
      },
      [
        ...HEAD,
        '--driver-memory',
        '4g',
        '--driver-cores',
        '2',
        '--executor-memory',
        '8g',
        '--executor-cores',
        '4',
        '--num-executors',
        '10',
        RUN,
        LABEL,
        JAR,
      ],
    ],
    [
      'overheads and java options as --conf',
      {
        spark: {
          driver: { memoryOverhead: '1g', javaOptions: '-XX:+UseG1GC -Dx=1' },
          executor: { memoryOverhead: '2g' },
        },
      },
      [
        ...HEAD,
        RUN,
        LABEL,
        RUN,
        'spark.driver.extraJavaOptions=-XX:+UseG1GC -Dx=1',
        RUN,
        'spark.driver.memoryOverhead=1g',
        RUN,
        'spark.executor.memoryOverhead=2g',
        JAR,
      ],
    ],
    [
      'dynamic allocation',
      {
        spark: {
          dynamicAllocation: {
            enabled: true,
            minExecutors: 2,
            maxExecutors: 20,
            initialExecutors: 4,
            shuffleTracking: true,
          },
        },
      },
      [
        ...HEAD,
        RUN,
        LABEL,
        RUN,
        'spark.dynamicAllocation.enabled=true',
        RUN,
        'spark.dynamicAllocation.initialExecutors=4',
        RUN,
        'spark.dynamicAllocation.maxExecutors=20',
        RUN,
        'spark.dynamicAllocation.minExecutors=2',
        RUN,
        'spark.dynamicAllocation.shuffleTracking.enabled=true',
        JAR,
      ],
    ],
    [
      'dynamic allocation off',
      { spark: { dynamicAllocation: { enabled: false } } },
      [...HEAD, RUN, LABEL, RUN, 'spark.dynamicAllocation.enabled=false', JAR],
    ],
    [
      'spark.conf sorted, numbers and booleans stringified',
      {
        spark: {
          conf: { 'spark.sql.shuffle.partitions': 400, 'spark.eventLog.enabled': true, 'spark.a': 'x=y' },
        },
      },
      [
        ...HEAD,
        RUN,
        'spark.a=x=y',
        RUN,
        LABEL,
        RUN,
        'spark.eventLog.enabled=true',
        RUN,
        'spark.sql.shuffle.partitions=400',
        JAR,
      ],
    ],
    [
      'keys owned by flags are dropped from spark.conf',
      {
        spark: {
          conf: { 'spark.master': 'local[*]', 'spark.submit.deployMode': 'client', 'spark.app.name': 'x' },
        },
      },
      [...HEAD, RUN, LABEL, JAR],
    ],
    [
      'jars and files merged and de-duplicated',
      {
        spark: {
          jars: ['s3://bkt/lib/a.jar', 's3://bkt/lib/b.jar'],
          files: ['s3://bkt/f.txt'],
          conf: { 'spark.jars': 's3://bkt/lib/a.jar,s3://bkt/lib/c.jar' },
        },
      },
      [
        ...HEAD,
        '--jars',
        's3://bkt/lib/a.jar,s3://bkt/lib/c.jar,s3://bkt/lib/b.jar',
        '--files',
        's3://bkt/f.txt',
        RUN,
        LABEL,
        JAR,
      ],
    ],
    [
      'app.configFile staged and shipped first in --files',
      {
        app: { configFile: 'configs/prod.json' },
        spark: { files: ['s3://bkt/f.txt'] },
        emr: {
          clusterId: 'j-1',
          s3: { jar: 's3://etl-artifacts/jars/abc1234/', config: 's3://etl-artifacts/config/abc1234/' },
        },
      },
      [...HEAD, '--files', 's3://etl-artifacts/config/abc1234/prod.json,s3://bkt/f.txt', RUN, LABEL, JAR],
    ],
    [
      "app.configFile in the app's arguments becomes the name YARN localises it under",
      {
        app: {
          configFile: 'configs/prod.json',
          args: [
            '--config',
            'configs/prod.json',
            '--conf=./configs/prod.json',
            '--out',
            'configs/other.json',
            '/ws/configs/prod.json',
          ],
        },
        emr: {
          clusterId: 'j-1',
          s3: { jar: 's3://etl-artifacts/jars/abc1234/', config: 's3://bkt/c/cfg.json' },
        },
      },
      [
        ...HEAD,
        '--files',
        's3://bkt/c/cfg.json',
        RUN,
        LABEL,
        JAR,
        '--config',
        'cfg.json',
        '--conf=cfg.json',
        '--out',
        'configs/other.json',
        'cfg.json',
      ],
    ],
    [
      'an explicit JAR key is kept',
      { emr: { clusterId: 'j-1', s3: { jar: 's3://bkt/app.jar' } } },
      [...HEAD, RUN, LABEL, 's3://bkt/app.jar'],
    ],
  ])('%s', (_name, o, expected) => {
    expect(args(o)).toEqual(expected);
  });

  test('main class from the manifest when the config has none', () => {
    const plan = makePlan({ app: { mainClass: undefined } });
    const a = buildSparkSubmitArgs(
      plan,
      { ...artifact, mainClass: 'com.other.Main' },
      resolveSettings(plan, artifact.jarPath),
    );
    expect(a.slice(5, 7)).toEqual(['--class', 'com.other.Main']);
  });

  test('no main class anywhere is a config error naming app.mainClass', () => {
    const plan = makePlan({ app: { mainClass: undefined } });
    const { mainClass: _m, ...noMain } = artifact;
    expect(() => buildSparkSubmitArgs(plan, noMain, resolveSettings(plan, artifact.jarPath))).toThrow(
      /app\.mainClass/,
    );
  });
});

describe('buildStep', () => {
  test('command-runner.jar, the step name and ActionOnFailure (default CONTINUE)', () => {
    const plan = makePlan();
    const step = buildStep(plan, artifact, resolveSettings(plan, artifact.jarPath));
    expect(step).toMatchObject({
      Name: 'etl-pipeline-prod-abc1234-4242',
      ActionOnFailure: 'CONTINUE',
      HadoopJarStep: { Jar: 'command-runner.jar' },
    });
    expect(step.HadoopJarStep?.Args?.[0]).toBe('spark-submit');
  });

  test.each(['CONTINUE', 'CANCEL_AND_WAIT', 'TERMINATE_CLUSTER', 'TERMINATE_JOB_FLOW'] as const)(
    'ActionOnFailure %s from the config',
    (a) => {
      const plan = makePlan({ emr: { clusterId: 'j-1', s3: { jar: 's3://bkt/j/' }, actionOnFailure: a } });
      expect(buildStep(plan, artifact, resolveSettings(plan, artifact.jarPath)).ActionOnFailure).toBe(a);
    },
  );

  test.each([
    [HADOOP_JAR_STEP_MAX_CHARS, true],
    [HADOOP_JAR_STEP_MAX_CHARS + 1, false],
  ])('a step of %i characters is accepted: %s', (total, ok) => {
    const base = makePlan();
    const s = resolveSettings(base, artifact.jarPath);
    const fixed = hadoopJarStepChars(buildStep(base, artifact, s)) + 'x'.length;
    const plan = makePlan({ app: { args: ['x'.repeat(total - fixed + 1)] } });
    const run = () => buildStep(plan, artifact, resolveSettings(plan, artifact.jarPath));
    if (ok) expect(hadoopJarStepChars(run())).toBe(total);
    else expect(run).toThrow(/10240/);
  });
});

describe('resolveSettings errors name the key', () => {
  test.each<[string, PlanOverrides, RegExp]>([
    ['no emr section', { emr: undefined as never }, /emr: emr: target emr needs an emr section/],
    ['no cluster', { emr: { s3: { jar: 's3://bkt/' } } }, /no cluster: set emr\.clusterId/],
    [
      'two cluster choices',
      { emr: { clusterId: 'j-1', clusterName: 'etl', s3: { jar: 's3://bkt/' } } },
      /set only one of .*found clusterId, clusterName/,
    ],
    ['no s3.jar', { emr: { clusterId: 'j-1' } }, /emr\.s3\.jar: set the S3 location/],
    ['not an S3 URI', { emr: { clusterId: 'j-1', s3: { jar: 'https://b/x.jar' } } }, /is not an S3 location/],
    [
      'a bucket name S3 refuses',
      { emr: { clusterId: 'j-1', s3: { jar: 's3://b/jars/app.jar' } } },
      /emr\.s3\.jar: "s3:\/\/b\/jars\/app\.jar" has "b" as its bucket, which is not a bucket name: 3 to 63/,
    ],
    [
      'configFile without s3.config',
      { app: { configFile: 'c.json' }, emr: { clusterId: 'j-1', s3: { jar: 's3://bkt/' } } },
      /emr\.s3\.config: app\.configFile \(c\.json\)/,
    ],
  ])('%s', (_n, o, re) => {
    const plan = { ...makePlan(o) } as DeployPlan;
    if ('emr' in o && o.emr === undefined) delete plan.config.emr;
    expect(() => resolveSettings(plan, artifact.jarPath)).toThrow(re);
  });

  test('with a config file, the error points at file:line and carries a finding', () => {
    const plan = makePlan({ locate: true, emr: { clusterId: 'j-1', s3: { jar: 'bucket/x.jar' } } });
    try {
      resolveSettings(plan, artifact.jarPath);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ActionError);
      expect((err as ActionError).message).toMatch(/^emr: \.github\/spark-deploy\.yml:12:5: emr\.s3\.jar:/);
      expect((err as ActionError).findings[0]).toMatchObject({
        file: '.github/spark-deploy.yml',
        line: 12,
        rule: 'emr/config',
      });
    }
  });
});

describe('names and URIs', () => {
  test.each([
    ['etl', 'prod', 'abcdef0123', '77', 'etl-prod-abcdef0-77'],
    ['etl', 'pr-12', 'abcdef0', '8', 'etl-pr-12-abcdef0-8'],
    ['x'.repeat(300), 'prod', 'abcdef0', '1', `${'x'.repeat(241)}-prod-abcdef0-1`],
    // The example's `etl-pipeline-{{environment}}`: the environment is not repeated.
    ['etl-pipeline-production', 'production', 'abcdef0', '9', 'etl-pipeline-production-abcdef0-9'],
    ['etl-pipeline-production-pr-9', 'production', 'abcdef0', '9', 'etl-pipeline-production-pr-9-abcdef0-9'],
    ['production-etl', 'production', 'abcdef0', '9', 'production-etl-abcdef0-9'],
    ['etl-productions', 'production', 'abcdef0', '9', 'etl-productions-production-abcdef0-9'],
  ])('stepNameOf(%s, %s, %s, %s)', (app, env, sha, run, want) => {
    const name = stepNameOf(app, env, sha, run);
    expect(name).toBe(want);
    expect(name.length).toBeLessThanOrEqual(256);
  });

  test.each([
    ['s3://bucket/key/a.jar', { bucket: 'bucket', key: 'key/a.jar' }],
    ['s3a://my.bucket/k', { bucket: 'my.bucket', key: 'k' }],
    ['s3n://bucket-1/', { bucket: 'bucket-1', key: '' }],
    ['https://bucket/key', undefined],
    ['s3://B/key', undefined],
  ])('parseS3Uri(%s)', (uri, want) => {
    expect(parseS3Uri(uri)).toEqual(want);
  });

  test.each([
    ['s3://logs/emr/', 's3://logs/emr/j-1/steps/s-2/'],
    ['s3n://logs/emr', 's3://logs/emr/j-1/steps/s-2/'],
    ['s3://logs', 's3://logs/j-1/steps/s-2/'],
  ])('stepLogPrefix(%s)', (logUri, want) => {
    expect(stepLogPrefix(logUri, 'j-1', 's-2')).toBe(want);
  });

  test('links: console cluster page and S3 logs, never a presigned URL', () => {
    expect(consoleClusterUrl('eu-west-1', 'j-1')).toBe(
      'https://eu-west-1.console.aws.amazon.com/emr/home?region=eu-west-1#/clusterDetails/j-1',
    );
    const links = buildLinks('eu-west-1', 'j-1', 's-2', 's3://logs/emr/');
    expect(links.logs).toBe(
      'https://s3.console.aws.amazon.com/s3/buckets/logs?region=eu-west-1&prefix=emr%2Fj-1%2Fsteps%2Fs-2%2F',
    );
    expect(JSON.stringify(links)).not.toMatch(/X-Amz-Signature|X-Amz-Credential|presigned/i);
  });
});

describe('buildRunJobFlow', () => {
  const spec = { releaseLabel: 'emr-7.5.0', logUri: 's3://logs/emr/' };
  function run(cluster: Record<string, unknown>, o: PlanOverrides = {}) {
    const plan = makePlan({
      ...o,
      emr: { cluster: { ...spec, ...cluster } as never, s3: { jar: 's3://bkt/jars/' } },
    });
    const s = resolveSettings(plan, artifact.jarPath);
    return buildRunJobFlow(plan, s, buildStep(plan, artifact, s));
  }

  test('defaults: Spark, not kept alive, default roles and groups, our tags, the step', () => {
    const req = run({});
    expect(req).toMatchObject({
      Name: 'etl-pipeline-prod-abc1234-4242',
      ReleaseLabel: 'emr-7.5.0',
      LogUri: 's3://logs/emr/',
      Applications: [{ Name: 'Spark' }],
      ServiceRole: 'EMR_DefaultRole',
      JobFlowRole: 'EMR_EC2_DefaultRole',
      VisibleToAllUsers: true,
      Instances: { KeepJobFlowAliveWhenNoSteps: false, TerminationProtected: false },
    });
    expect(req.Instances?.InstanceGroups?.map((g) => [g.InstanceRole, g.InstanceCount])).toEqual(
      DEFAULT_INSTANCE_GROUPS.map((g) => [g.role, g.count]),
    );
    expect(req.Steps).toHaveLength(1);
    expect(req.Steps?.[0]?.Name).toBe('etl-pipeline-prod-abc1234-4242');
    expect(req.Tags).toEqual(
      expect.arrayContaining([
        { Key: TAG.app, Value: 'etl-pipeline' },
        { Key: TAG.environment, Value: 'prod' },
        { Key: TAG.run, Value: 'abc1234-4242' },
      ]),
    );
    expect(req.AutoTerminationPolicy).toBeUndefined();
  });

  test.each<[string, Record<string, unknown>, Record<string, unknown>]>([
    ['name', { name: 'nightly' }, { Name: 'nightly' }],
    ['roles', { serviceRole: 'svc', jobFlowRole: 'ec2' }, { ServiceRole: 'svc', JobFlowRole: 'ec2' }],
    ['idle timeout', { idleTimeoutSeconds: 3600 }, { AutoTerminationPolicy: { IdleTimeout: 3600 } }],
    [
      'subnet and key',
      { subnetId: 'subnet-1', keyName: 'k' },
      { Instances: expect.objectContaining({ Ec2SubnetId: 'subnet-1', Ec2KeyName: 'k' }) },
    ],
    [
      'bootstrap actions',
      { bootstrapActions: [{ name: 'deps', path: 's3://bkt/bs.sh', args: ['-x'] }] },
      {
        BootstrapActions: [{ Name: 'deps', ScriptBootstrapAction: { Path: 's3://bkt/bs.sh', Args: ['-x'] } }],
      },
    ],
    [
      'configurations',
      { configurations: [{ Classification: 'spark-defaults', Properties: { 'spark.x': '1' } }] },
      { Configurations: [{ Classification: 'spark-defaults', Properties: { 'spark.x': '1' } }] },
    ],
    [
      'instance groups with a spot TASK group',
      {
        instanceGroups: [
          { role: 'MASTER', instanceType: 'm6g.xlarge', count: 1 },
          { role: 'CORE', instanceType: 'r6g.2xlarge', count: 3 },
          { role: 'TASK', instanceType: 'r6g.2xlarge', count: 5, market: 'SPOT', bidPrice: '0.25' },
        ],
      },
      {
        Instances: expect.objectContaining({
          InstanceGroups: [
            {
              Name: 'master',
              InstanceRole: 'MASTER',
              InstanceType: 'm6g.xlarge',
              InstanceCount: 1,
              Market: 'ON_DEMAND',
            },
            {
              Name: 'core',
              InstanceRole: 'CORE',
              InstanceType: 'r6g.2xlarge',
              InstanceCount: 3,
              Market: 'ON_DEMAND',
            },
            {
              Name: 'task-spot',
              InstanceRole: 'TASK',
              InstanceType: 'r6g.2xlarge',
              InstanceCount: 5,
              Market: 'SPOT',
              BidPrice: '0.25',
            },
          ],
        }),
      },
    ],
    [
      'user tags kept',
      { tags: { team: 'data' } },
      { Tags: expect.arrayContaining([{ Key: 'team', Value: 'data' }]) },
    ],
  ])('%s', (_n, cluster, want) => {
    expect(run(cluster)).toMatchObject(want);
  });

  test.each<[string, Record<string, unknown>, RegExp]>([
    [
      'no MASTER',
      { instanceGroups: [{ role: 'CORE', instanceType: 'm5.xlarge', count: 2 }] },
      /exactly one MASTER/,
    ],
    [
      'two MASTERs',
      { instanceGroups: [{ role: 'MASTER', instanceType: 'm5.xlarge', count: 2 }] },
      /exactly one MASTER/,
    ],
    [
      'bidPrice on demand',
      {
        instanceGroups: [
          { role: 'MASTER', instanceType: 'm5.xlarge', count: 1 },
          { role: 'TASK', instanceType: 'm5.xlarge', count: 1, bidPrice: '0.1' },
        ],
      },
      /instanceGroups\.1\.bidPrice: bidPrice applies only to market: SPOT/,
    ],
  ])('refuses %s', (_n, cluster, re) => {
    expect(() => run(cluster)).toThrow(re);
  });
});
