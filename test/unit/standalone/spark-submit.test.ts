import { describe, expect, it, test } from 'vitest';
import {
  buildSparkSubmitArgs,
  parseSubmissionId,
  shellQuote,
  submissionIdFromSparkSubmit,
  tailLines,
} from '../../../src/targets/standalone/spark-submit.js';
import { artifact, makePlan, type PlanOverrides } from './fixtures.js';

const JAR = 'file:///shared/etl.jar';
const argv = (o: PlanOverrides, configFile?: string) =>
  buildSparkSubmitArgs(
    makePlan({
      ...o,
      standalone: { mode: 'spark-submit', ...(o.standalone ?? { masters: ['spark://127.0.0.1:6066'] }) },
    }),
    artifact,
    JAR,
    configFile,
  );

describe('buildSparkSubmitArgs', () => {
  it('has the deployment guide shape and uses the REST client', () => {
    expect(argv({ app: { args: ['--config', 'prod.json'] } })).toEqual([
      '--master',
      'spark://127.0.0.1:6066',
      '--deploy-mode',
      'cluster',
      '--class',
      'com.etl.Main',
      '--name',
      'etl-pipeline',
      '--conf',
      'spark.master.rest.enabled=true',
      '--conf',
      'spark.deploy-action.run=abc123-42',
      JAR,
      '--config',
      'prod.json',
    ]);
  });

  test.each<[string, PlanOverrides, string[]]>([
    ['supervise', { standalone: { masters: ['spark://127.0.0.1:6066'], supervise: true } }, ['--supervise']],
    [
      'resources as --conf, like the guide',
      { spark: { driver: { memory: '4g' }, executor: { cores: 4, instances: 5 } } },
      [
        '--conf',
        'spark.driver.memory=4g',
        '--conf',
        'spark.executor.cores=4',
        '--conf',
        'spark.executor.instances=5',
      ],
    ],
    [
      'extra jars without the app JAR',
      { spark: { jars: ['hdfs:///lib/pg.jar', 'hdfs:///lib/my.jar'] } },
      ['--jars', 'hdfs:///lib/pg.jar,hdfs:///lib/my.jar'],
    ],
    ['files', { spark: { files: ['hdfs:///conf/a.json'] } }, ['--files', 'hdfs:///conf/a.json']],
    [
      'HA masters in one --master',
      { standalone: { masters: ['spark://m1:6066,m2:6066'], allowInsecureRest: true } },
      ['--master', 'spark://m1:6066,m2:6066'],
    ],
    [
      'conf values with spaces stay one argument',
      { spark: { conf: { 'spark.driver.extraJavaOptions': '-Da=1 -Db=2' } } },
      ['--conf', 'spark.driver.extraJavaOptions=-Da=1 -Db=2'],
    ],
  ])('%s', (_, o, expected) => {
    const args = argv(o);
    const at = args.findIndex(
      (_a, i) => args.slice(i, i + expected.length).join('\u0000') === expected.join('\u0000'),
    );
    expect(at, `${JSON.stringify(expected)} in ${JSON.stringify(args)}`).toBeGreaterThanOrEqual(0);
  });

  it('the staged config file goes first in --files', () => {
    const args = argv({ spark: { files: ['hdfs:///x'] } }, 'file:///shared/c/prod.json');
    expect(args[args.indexOf('--files') + 1]).toBe('file:///shared/c/prod.json,hdfs:///x');
  });

  it('never passes keys that have their own flag as --conf', () => {
    const confs = argv({ standalone: { masters: ['spark://127.0.0.1:6066'], supervise: true } }).filter(
      (_, i, a) => a[i - 1] === '--conf',
    );
    for (const k of [
      'spark.master=',
      'spark.app.name=',
      'spark.submit.deployMode=',
      'spark.jars=',
      'spark.driver.supervise=',
    ]) {
      expect(confs.some((c) => c.startsWith(k))).toBe(false);
    }
  });

  it('refuses masters spark-submit cannot reach (https or a proxy path)', () => {
    expect(() => argv({ standalone: { masters: ['https://proxy/spark'] } })).toThrow(
      /mode spark-submit needs masters spark-submit can reach itself/,
    );
  });
});

describe('parseSubmissionId', () => {
  test.each([
    [
      '26/11/25 18:07:11 INFO RestSubmissionClient: Submission successfully created as driver-20261125180711-0000. Polling submission state...',
      'driver-20261125180711-0000',
    ],
    [
      'Server responded with CreateSubmissionResponse:\n{\n  "action" : "CreateSubmissionResponse",\n  "submissionId" : "driver-20261125180711-0001",\n  "success" : true\n}',
      'driver-20261125180711-0001',
    ],
    [
      'INFO Client: Driver successfully submitted as driver-20151008145126-0000',
      'driver-20151008145126-0000',
    ],
    ['Submission successfully created as my-custom-id-7', 'my-custom-id-7'],
    ['Exception in thread "main" java.net.ConnectException: Connection refused', undefined],
  ])('%s', (out, expected) => {
    expect(parseSubmissionId(out)).toBe(expected);
  });

  it('exit 0 without an id is an error with the output tail', () => {
    expect(() =>
      submissionIdFromSparkSubmit({ exitCode: 0, stdout: 'hello\nworld', stderr: 'WARN nothing' }),
    ).toThrow(
      /spark-submit exited 0 but printed no submission id; last lines of its output:\nhello\nworld\nWARN nothing/,
    );
  });

  it('a failed spark-submit reports its exit code', () => {
    expect(() =>
      submissionIdFromSparkSubmit({ exitCode: 1, stdout: '', stderr: 'Error: Cannot load main class' }),
    ).toThrow(/spark-submit failed \(exit 1\).*\nError: Cannot load main class/s);
  });

  it('exit code is not the verdict: exit 1 with an id still yields the id', () => {
    expect(
      submissionIdFromSparkSubmit({
        exitCode: 1,
        stdout: '',
        stderr: 'Submission successfully created as driver-1. Polling',
      }),
    ).toBe('driver-1');
  });
});

describe('display helpers', () => {
  test.each([
    [['a', 'b=c'], 'a b=c'],
    [['-Da=1 -Db=2'], "'-Da=1 -Db=2'"],
    [["it's"], "'it'\\''s'"],
  ])('shellQuote %j', (args, expected) => {
    expect(shellQuote(args)).toBe(expected);
  });

  it('tailLines keeps the last n lines', () => {
    expect(tailLines('1\n2\n3\n\n', 2)).toBe('2\n3');
  });
});
