// Secrets and spark-submit: never in argv (a private properties file, removed afterwards), never in the log;
// shared-secret auth on a spark:// master refused up front; a wrong secret reported as an authentication failure.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createStandaloneTarget } from '../../../src/targets/standalone/index.js';
import { propertiesText, splitSecretConfs } from '../../../src/targets/standalone/secret-props.js';
import {
  buildSparkSubmitArgs,
  type SpawnFn,
  submissionIdFromSparkSubmit,
} from '../../../src/targets/standalone/spark-submit.js';
import { artifact, makePlan, RecordingLog } from './fixtures.js';

const SECRET = 's3cr3t-Value=with:odd chars';
const program = async () => ({
  command: 'spark-submit',
  args: [],
  client: { command: 'spark-class', args: [] },
  from: 'test',
});

describe('secret confs leave argv', () => {
  it('splitSecretConfs moves every conf holding a resolved secret, keeps the rest', () => {
    const got = splitSecretConfs(
      [
        '--conf',
        `spark.hadoop.fs.s3a.secret.key=${SECRET}`,
        '--conf',
        'spark.x=1',
        '--conf',
        'spark.y=token-abc',
      ],
      [SECRET, 'token-abc'],
    );
    expect(got.args).toEqual(['--conf', 'spark.x=1']);
    expect(got.secret).toEqual({ 'spark.hadoop.fs.s3a.secret.key': SECRET, 'spark.y': 'token-abc' });
  });

  it('propertiesText escapes as java.util.Properties reads it', () => {
    expect(propertiesText({ 'a.b': ' lead\\back\nnl', 'k=1': 'v' })).toBe(
      'a.b=\\ lead\\\\back\\nnl\nk\\=1=v\n',
    );
  });

  it('submit passes a private properties file, removed afterwards; the secret is in no argv and no log line', async () => {
    const seen: { args: string[]; file?: string; text?: string; mode?: number } = { args: [] };
    const spawn: SpawnFn = async (_c, args) => {
      seen.args = args;
      const i = args.indexOf('--properties-file');
      seen.file = args[i + 1];
      if (seen.file) {
        seen.text = readFileSync(seen.file, 'utf8');
        seen.mode = statSync(seen.file).mode & 0o777;
      }
      return {
        exitCode: 0,
        stdout: '',
        stderr: 'Driver successfully submitted as driver-20261207000000-0001',
      };
    };
    // Any port that accepts connections stands in for the master's RPC port: the client is a fake.
    const listening = createServer().listen(0, '127.0.0.1');
    await new Promise((r) => listening.once('listening', r));
    const port = (listening.address() as AddressInfo).port;
    const plan = makePlan({
      standalone: { masters: [`spark://127.0.0.1:${port}`], webUi: 'http://127.0.0.1:1' },
      spark: { conf: { 'spark.hadoop.fs.s3a.secret.key': SECRET } },
      secrets: [SECRET],
    });
    const log = new RecordingLog();
    const target = createStandaloneTarget({ log, spawn, sparkSubmit: program });
    const handle = await target.submit(plan, artifact, new AbortController().signal);
    expect(handle.submissionId).toBe('driver-20261207000000-0001');
    expect(seen.args.join(' ')).not.toContain('s3cr3t');
    expect(seen.text).toContain('spark.hadoop.fs.s3a.secret.key=s3cr3t-Value=with:odd chars');
    expect(seen.mode).toBe(0o600);
    expect(existsSync(seen.file as string)).toBe(false);
    expect(log.all()).not.toContain('s3cr3t');
    listening.close();
  });
});

describe('shared-secret authentication', () => {
  it('spark.authenticate on a spark:// master is refused before submitting, with why and what instead', () => {
    const plan = makePlan({
      standalone: { masters: ['spark://m:7077'], jar: { stage: 'url', url: 'https://x/app.jar' } },
      spark: { conf: { 'spark.authenticate': true, 'spark.authenticate.secret': SECRET } },
      secrets: [SECRET],
    });
    let message = '';
    try {
      buildSparkSubmitArgs(plan, artifact, 'https://x/app.jar');
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(
      /spark\.conf\.spark\.authenticate: is true, and Spark \(2\.4 to 4\.x\) cannot start a cluster-mode driver.*A secret key must be specified via the spark\.authenticate\.secret config.*Not submitted/,
    );
    expect(message).not.toContain('s3cr3t');
  });

  it('"Outbox is stopped" is reported as an authentication failure naming the setting', () => {
    expect(() =>
      submissionIdFromSparkSubmit({
        exitCode: 1,
        stdout: '',
        stderr:
          'ERROR ClientEndpoint: Error connecting to master spark://m:7077.\norg.apache.spark.SparkException: Message is dropped because Outbox is stopped',
      }),
    ).toThrow(/authentication with the master failed.*spark\.conf\.spark\.authenticate\.secret/);
  });
});
