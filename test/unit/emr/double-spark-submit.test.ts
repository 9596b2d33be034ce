// The running EMR double's reading of a step's spark-submit argv (test/helpers/emr-spark-submit.ts) and its
// FailureDetails (docs/protocols.md 3.7): the step the action builds must be read as spark-submit reads it.
import { describe, expect, test } from 'vitest';
import { resolveSettings } from '../../../src/targets/emr/settings.js';
import { buildSparkSubmitArgs } from '../../../src/targets/emr/step.js';
import {
  listOption,
  localSubmitArgs,
  memoryMiB,
  option,
  parseSparkSubmit,
} from '../../helpers/emr-spark-submit.js';
import { failureOf } from '../../helpers/emr-yarn-client.js';
import { artifact, makePlan } from './fixtures.js';

describe('parseSparkSubmit', () => {
  test("the action's own step: options, the JAR, then the app's arguments", () => {
    const plan = makePlan({
      app: { configFile: 'configs/prod.json', args: ['--config', 'configs/prod.json', '--flag'] },
      spark: { jars: ['s3://bkt/lib/a.jar#dep.jar'], driver: { memory: '8g' } },
      emr: { clusterId: 'j-1', s3: { jar: 's3://bkt/jars/', config: 's3://bkt/cfg/' } },
    });
    const argv = buildSparkSubmitArgs(plan, artifact, resolveSettings(plan, artifact.jarPath));
    expect(argv[0]).toBe('spark-submit');
    const p = parseSparkSubmit(argv.slice(1));
    expect(option(p, '--master')).toBe('yarn');
    expect(option(p, '--deploy-mode')).toBe('cluster');
    expect(listOption(p, '--files')).toEqual(['s3://bkt/cfg/prod.json']);
    expect(listOption(p, '--jars')).toEqual(['s3://bkt/lib/a.jar#dep.jar']);
    expect(p.primary).toBe('s3://bkt/jars/etl-pipeline-assembly-1.0.0.jar');
    expect(p.appArgs).toEqual(['--config', 'prod.json', '--flag']);
    expect(memoryMiB(option(p, '--driver-memory'))).toBe(8192);
  });

  test('--opt=value, -c, switches; app arguments that look like options stay the app’s', () => {
    const p = parseSparkSubmit(['--class=A', '-c', 'k=v', '--verbose', 'app.jar', '--class', 'B']);
    expect(p.options).toEqual([
      ['--class', 'A'],
      ['--conf', 'k=v'],
    ]);
    expect(p.switches).toEqual(['--verbose']);
    expect(p.appArgs).toEqual(['--class', 'B']);
  });

  test.each([
    [['--class'], "Missing argument for option '--class'"],
    [['--bogus', 'x', 'a.jar'], "Unrecognized option '--bogus'"],
    [['--class', 'A'], 'Missing application resource.'],
  ])('%j is refused as spark-submit refuses it', (argv, message) => {
    expect(() => parseSparkSubmit(argv)).toThrow(message);
  });
});

test('localSubmitArgs: client mode on the local master, localised JARs, no --files; cluster conf last', () => {
  const p = parseSparkSubmit([
    '--deploy-mode',
    'cluster',
    '--master',
    'yarn',
    '--class',
    'A',
    '--files',
    's3://b/c.json',
    '--jars',
    's3://b/d.jar',
    '--conf',
    'x=1',
    's3://b/app.jar',
    '--config',
    'c.json',
  ]);
  expect(
    localSubmitArgs(
      p,
      { appJar: '/c/__app__.jar', jars: ['/c/d.jar'] },
      { master: 'local[2]', clusterConf: { 'spark.ui.enabled': 'false' } },
    ),
  ).toEqual([
    '--master',
    'local[2]',
    '--deploy-mode',
    'client',
    '--class',
    'A',
    '--conf',
    'x=1',
    '--jars',
    '/c/d.jar',
    '--conf',
    'spark.ui.enabled=false',
    '/c/__app__.jar',
    '--config',
    'c.json',
  ]);
});

test('failureOf: the last exception line of the step stderr, else "Unknown Error."', () => {
  const log = 's3://l/j-1/steps/s-1/stderr.gz';
  expect(
    failureOf(
      'INFO x\nException in thread "main" java.io.FileNotFoundException: nope\n\tat a\nException in thread "main" org.apache.spark.SparkException: Application application_1_0001 finished with failed status\n',
      log,
    ),
  ).toEqual({
    Reason: 'org.apache.spark.SparkException: Application application_1_0001 finished with failed status',
    Message:
      'Exception in thread "main" org.apache.spark.SparkException: Application application_1_0001 finished with failed status',
    LogFile: log,
  });
  expect(failureOf('nothing here', undefined)).toEqual({ Reason: 'Unknown Error.' });
});
