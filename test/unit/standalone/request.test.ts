import { describe, expect, it, test } from 'vitest';
import {
  buildCreateRequest,
  buildSparkProperties,
  renderCreateRequest,
  resolveMainClass,
} from '../../../src/targets/standalone/request.js';
import { artifact, makePlan, type PlanOverrides } from './fixtures.js';

const JAR = 'file:///shared/jars/etl-pipeline-assembly-1.0.0-0123456789ab.jar';
const props = (o: PlanOverrides, configFile?: string) =>
  buildSparkProperties(makePlan(o), { appResource: JAR, ...(configFile ? { configFile } : {}) });

describe('buildSparkProperties', () => {
  it('always sets the keys spark-submit sets in cluster mode, plus the run label', () => {
    expect(props({})).toEqual({
      'spark.app.name': 'etl-pipeline',
      'spark.deploy-action.run': 'abc123-42',
      'spark.driver.supervise': 'false',
      'spark.jars': JAR,
      'spark.master': 'spark://127.0.0.1:6066',
      'spark.submit.deployMode': 'cluster',
    });
  });

  test.each<[string, PlanOverrides, Record<string, string>]>([
    [
      'driver resources',
      { spark: { driver: { cores: 2, memory: '4g', memoryOverhead: '512m', javaOptions: '-XX:+UseG1GC' } } },
      {
        'spark.driver.cores': '2',
        'spark.driver.memory': '4g',
        'spark.driver.memoryOverhead': '512m',
        'spark.driver.extraJavaOptions': '-XX:+UseG1GC',
      },
    ],
    [
      'executor resources',
      {
        spark: {
          executor: { cores: 4, memory: '8g', memoryOverhead: '1g', javaOptions: '-Dx=1', instances: 5 },
        },
      },
      {
        'spark.executor.cores': '4',
        'spark.executor.memory': '8g',
        'spark.executor.memoryOverhead': '1g',
        'spark.executor.extraJavaOptions': '-Dx=1',
        'spark.executor.instances': '5',
      },
    ],
    [
      'dynamic allocation',
      {
        spark: {
          dynamicAllocation: {
            enabled: true,
            minExecutors: 0,
            maxExecutors: 10,
            initialExecutors: 2,
            shuffleTracking: true,
          },
        },
      },
      {
        'spark.dynamicAllocation.enabled': 'true',
        'spark.dynamicAllocation.minExecutors': '0',
        'spark.dynamicAllocation.maxExecutors': '10',
        'spark.dynamicAllocation.initialExecutors': '2',
        'spark.dynamicAllocation.shuffleTracking.enabled': 'true',
      },
    ],
    [
      'spark.conf values are stringified',
      {
        spark: {
          conf: {
            'spark.sql.shuffle.partitions': 200,
            'spark.sql.adaptive.enabled': true,
            'spark.serializer': 'Kryo',
          },
        },
      },
      {
        'spark.sql.shuffle.partitions': '200',
        'spark.sql.adaptive.enabled': 'true',
        'spark.serializer': 'Kryo',
      },
    ],
    [
      'typed settings win over spark.conf',
      { spark: { conf: { 'spark.driver.memory': '1g' }, driver: { memory: '4g' } } },
      { 'spark.driver.memory': '4g' },
    ],
    [
      'extra jars follow the app JAR, spark.conf jars included, duplicates dropped',
      {
        spark: {
          jars: ['hdfs:///lib/pg.jar', JAR],
          conf: { 'spark.jars': 'hdfs:///lib/a.jar, hdfs:///lib/pg.jar' },
        },
      },
      { 'spark.jars': `${JAR},hdfs:///lib/a.jar,hdfs:///lib/pg.jar` },
    ],
    [
      'extra files',
      { spark: { files: ['hdfs:///conf/log4j2.properties'] } },
      { 'spark.files': 'hdfs:///conf/log4j2.properties' },
    ],
    [
      'supervise',
      { standalone: { masters: ['spark://m:6066'], supervise: true, allowInsecureRest: true } },
      { 'spark.driver.supervise': 'true' },
    ],
    [
      'HA masters become one spark:// list',
      { standalone: { masters: ['spark://m1:6066', 'http://m2:6066'] } },
      { 'spark.master': 'spark://m1:6066,m2:6066' },
    ],
    [
      'spark.master from spark.conf is kept (a proxy hides the real one)',
      {
        standalone: { masters: ['https://proxy/spark'] },
        spark: { conf: { 'spark.master': 'spark://real:7077' } },
      },
      { 'spark.master': 'spark://real:7077' },
    ],
    [
      'the target owns deploy mode and app name',
      { spark: { conf: { 'spark.submit.deployMode': 'client', 'spark.app.name': 'other' } } },
      { 'spark.submit.deployMode': 'cluster', 'spark.app.name': 'etl-pipeline' },
    ],
  ])('%s', (_, o, expected) => {
    expect(props(o)).toMatchObject(expected);
  });

  it('omits spark.master when every master is behind a proxy path (the server then uses its own URL)', () => {
    expect(props({ standalone: { masters: ['https://proxy/spark'] } })).not.toHaveProperty('spark.master');
  });

  it('omits spark.master for a proxy on 443 without a path (the server would not rewrite its port)', () => {
    expect(props({ standalone: { masters: ['https://spark-rest.staging.internal'] } })).not.toHaveProperty(
      'spark.master',
    );
  });

  // The standalone scheduler reads spark.cores.max, never spark.executor.instances.
  test.each([
    ['instances × cores', { executor: { cores: 2, instances: 3 } }, '6'],
    ['cores from spark.conf', { conf: { 'spark.executor.cores': 4 }, executor: { instances: 2 } }, '8'],
    [
      'an explicit spark.cores.max wins',
      { conf: { 'spark.cores.max': 5 }, executor: { cores: 2, instances: 3 } },
      '5',
    ],
    ['no executor cores: no cap to derive', { executor: { instances: 3 } }, undefined],
    [
      'dynamic allocation: no fixed count',
      { executor: { cores: 2, instances: 3 }, dynamicAllocation: { enabled: true } },
      undefined,
    ],
  ])('executor.instances on standalone: %s', (_, spark, expected) => {
    expect(props({ spark: spark as PlanOverrides['spark'] })['spark.cores.max']).toBe(expected);
  });

  it('puts the staged config file first in spark.files', () => {
    expect(
      props({ spark: { files: ['hdfs:///x'] } }, 'file:///shared/config-42-1/prod.json')['spark.files'],
    ).toBe('file:///shared/config-42-1/prod.json,hdfs:///x');
  });

  it('sorts keys as Spark writes them', () => {
    const keys = Object.keys(props({ spark: { conf: { 'spark.z': 'z', 'spark.a': 'a' } } }));
    expect(keys).toEqual([...keys].sort());
  });

  it('refuses a value that is still a secret reference', () => {
    const plan = makePlan({ spark: { conf: { 'spark.x': { fromEnv: 'X' } as never } }, locate: true });
    expect(() => buildSparkProperties(plan, { appResource: JAR })).toThrow(
      'standalone: .github/spark-deploy.yml:7:3: spark.conf.spark.x: must be a string, number or boolean once resolved',
    );
  });
});

describe('buildCreateRequest', () => {
  it('has the shape of the docs request and the golden capture', () => {
    const req = buildCreateRequest(makePlan({ app: { args: ['--config', 'prod.json'] } }), artifact, JAR);
    expect(Object.keys(req).sort()).toEqual([
      'action',
      'appArgs',
      'appResource',
      'clientSparkVersion',
      'environmentVariables',
      'mainClass',
      'sparkProperties',
    ]);
    expect(req).toMatchObject({
      action: 'CreateSubmissionRequest',
      appArgs: ['--config', 'prod.json'],
      appResource: JAR,
      clientSparkVersion: '3.5.6',
      environmentVariables: {},
      mainClass: 'com.etl.Main',
    });
  });

  test.each([
    ['the input', { mainClass: 'com.input.Main' }, 'com.input.Main'],
    ['app.mainClass', {}, 'com.etl.Main'],
    ['the manifest', { app: { mainClass: undefined } }, 'com.etl.Main'],
  ])('main class from %s', (_, o, expected) => {
    expect(resolveMainClass(makePlan(o as PlanOverrides), artifact)).toBe(expected);
  });

  it('without any main class says where to set one', () => {
    const plan = makePlan({ app: { mainClass: undefined } });
    const { mainClass: _, ...noMain } = artifact;
    expect(() => resolveMainClass(plan, noMain)).toThrow(
      /app\.mainClass: no main class: set app\.mainClass .* has no Main-Class in its manifest/,
    );
  });
});

describe('renderCreateRequest', () => {
  it('renders the request as sent (the redactor hides secrets where text leaves the action)', () => {
    const plan = makePlan({
      spark: { conf: { 'spark.sql.shuffle.partitions': 8 } },
      app: { args: ['--day', '2026-12-07'] },
    });
    const req = buildCreateRequest(plan, artifact, JAR);
    const shown = JSON.parse(renderCreateRequest(req)) as typeof req;
    expect(shown).toEqual(req);
    expect(shown.sparkProperties['spark.sql.shuffle.partitions']).toBe('8');
  });
});
