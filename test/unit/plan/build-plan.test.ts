import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseInputs } from '../../../src/inputs.js';
import { buildPlan } from '../../../src/plan/build-plan.js';
import type { RunContext } from '../../../src/plan/context.js';
import { ActionError } from '../../../src/util/errors.js';

const CONFIG = `
defaults:
  target: standalone
  app:
    name: etl-{{environment}}
    mainClass: com.etl.Main
    args: [--config, "configs/{{environment}}.json", --run, "{{run_id}}-{{short_sha}}"]
  spark:
    driver: { memory: 1g }
    conf:
      spark.sql.shuffle.partitions: 8
environments:
  local:
    standalone:
      masters: [http://127.0.0.1:6066]
      headers:
        Authorization: { fromEnv: REST_TOKEN }
  staging:
    target: emr
    spark:
      driver: { cores: 2 }
`;

function workspace(config = CONFIG): string {
  const dir = mkdtempSync(join(tmpdir(), 'plan-'));
  mkdirSync(join(dir, '.github'));
  writeFileSync(join(dir, '.github/spark-deploy.yml'), config);
  return dir;
}

const ctx = (ws: string): RunContext => ({
  workspace: ws,
  sha: 'abcdef0123456789',
  ref: 'refs/heads/main',
  refName: 'main',
  runId: '77',
  runAttempt: '1',
  serverUrl: 'https://github.com',
  apiUrl: 'https://api.github.com',
  eventName: 'push',
});

async function plan(
  inputs: Record<string, string>,
  ws = workspace(),
  env: NodeJS.ProcessEnv = { REST_TOKEN: 's3cr3t' },
) {
  const masked: string[] = [];
  const p = await buildPlan(
    parseInputs((n) => inputs[n] ?? ''),
    ctx(ws),
    { env, setSecret: (s) => masked.push(s) },
  );
  return { p, masked };
}

async function planError(
  inputs: Record<string, string>,
  ws = workspace(),
  env: NodeJS.ProcessEnv = {},
): Promise<string> {
  try {
    await plan(inputs, ws, env);
  } catch (err) {
    expect(err).toBeInstanceOf(ActionError);
    return (err as Error).message;
  }
  throw new Error('expected an error');
}

describe('buildPlan', () => {
  it('merges defaults with the environment, renders templates and resolves secrets', async () => {
    const { p, masked } = await plan({ environment: 'local' });
    expect(p.target).toBe('standalone');
    expect(p.config?.app.name).toBe('etl-local');
    expect(p.config?.app.args).toEqual(['--config', 'configs/local.json', '--run', '77-abcdef0']);
    expect(p.config?.standalone?.headers).toEqual({ Authorization: 's3cr3t' });
    expect(p.config?.spark.driver).toEqual({ memory: '1g' });
    expect(p.config?.spark.version).toBe('3.5.6');
    expect(p.javaRelease).toBe(17);
    expect(p.mainClass).toBe('com.etl.Main');
    expect(masked).toEqual(['s3cr3t']);
    expect(p.stages).toEqual(['build', 'verify', 'image', 'deploy']);
    expect(p.timeoutMs).toBe(3_600_000);
  });

  it('deep-merges nested maps and lets the environment win', async () => {
    const { p } = await plan({ environment: 'staging' }, workspace(), {});
    expect(p.target).toBe('emr');
    expect(p.config?.spark.driver).toEqual({ memory: '1g', cores: 2 });
  });

  it('lets the target and main-class inputs override the config', async () => {
    const { p } = await plan(
      { environment: 'staging', target: 'standalone', 'main-class': 'com.x.Other' },
      workspace(),
      {
        REST_TOKEN: 't',
      },
    );
    expect(p.target).toBe('standalone');
    expect(p.mainClass).toBe('com.x.Other');
  });

  it('names an unknown environment with a suggestion and the file line', async () => {
    expect(await planError({ environment: 'stagin' })).toBe(
      '.github/spark-deploy.yml:12:1: environments: input `environment` is "stagin" but the config has no such environment (did you mean "staging"?); defined: local, staging',
    );
  });

  it('names an unset fromEnv variable and where it is used', async () => {
    expect(await planError({ environment: 'local' })).toMatch(
      /^\.github\/spark-deploy\.yml:17:\d+: standalone\.headers\.Authorization: environment variable REST_TOKEN is not set/,
    );
  });

  it('refuses spark.jars / spark.files entries that are paths on the runner, at their line', async () => {
    const ws = workspace(
      `${CONFIG}  extras:\n    spark:\n      jars: [lib/extra.jar, "s3a://b/ok.jar", /opt/ok.jar, "local:///ok.jar"]\n      files: [data/lookup.csv]\n`,
    );
    const err = await planError({ environment: 'extras' }, ws, { REST_TOKEN: 't' });
    expect(err.split('\n')).toEqual([
      expect.stringMatching(
        /^\.github\/spark-deploy\.yml:24:14: spark\.jars\[0\]: "lib\/extra\.jar" is a path on the runner, which the cluster cannot read/,
      ),
      expect.stringMatching(
        /^\.github\/spark-deploy\.yml:25:15: spark\.files\[0\]: "data\/lookup\.csv" .*app\.configFile/,
      ),
    ]);
    // Building only: nothing is deployed, nothing to refuse.
    await expect(plan({ environment: 'extras', stages: 'build' }, ws, {})).resolves.toBeDefined();
  });

  it('renders (command: render) without the secret: a placeholder and a notice naming the variable', async () => {
    const { p, masked } = await plan({ environment: 'local', command: 'render' }, workspace(), {});
    expect(p.config?.standalone?.headers?.Authorization).toBe(`\${REST_TOKEN}`);
    expect(p.notices).toEqual([
      expect.stringMatching(
        /^\.github\/spark-deploy\.yml:17:\d+: standalone\.headers\.Authorization: environment variable REST_TOKEN is not set; rendered as the placeholder \$\{REST_TOKEN\}$/,
      ),
    ]);
    expect(masked).toEqual([]);
  });

  it('reads REGISTRY_USERNAME / REGISTRY_PASSWORD into image.registryAuth, the password registered as a secret', async () => {
    const ws = workspace(`${CONFIG}  reg:\n    image: { repository: ghcr.io/acme/etl }\n`);
    const env = { REST_TOKEN: 't', REGISTRY_USERNAME: 'acme-bot', REGISTRY_PASSWORD: 'reg-pw-123' };
    const { p, masked } = await plan({ environment: 'reg' }, ws, env);
    expect(p.config?.image?.registryAuth).toEqual({ username: 'acme-bot', password: 'reg-pw-123' });
    expect(masked).toEqual(['reg-pw-123']);
    expect(p.secrets).toContain('reg-pw-123');
    // The config's own registryAuth wins; the variables are then not read.
    const own = workspace(
      `${CONFIG}  reg:\n    image:\n      repository: ghcr.io/acme/etl\n      registryAuth: { username: bot, password: { fromEnv: MY_PW } }\n`,
    );
    const mine = await plan({ environment: 'reg' }, own, { ...env, MY_PW: 'mine-456' });
    expect(mine.p.config?.image?.registryAuth).toEqual({ username: 'bot', password: 'mine-456' });
    expect(mine.masked).toEqual(['mine-456']);
  });

  it('holds the AWS credentials of the environment as secrets when deploying to EMR, and only then', async () => {
    const env = {
      AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'aws-secret',
      AWS_SESSION_TOKEN: 'aws-session',
    };
    const emr = await plan({ environment: 'staging' }, workspace(), env);
    expect(emr.masked).toEqual(['AKIAEXAMPLE', 'aws-secret', 'aws-session']);
    const build = await plan({ environment: 'staging', stages: 'build,verify' }, workspace(), env);
    expect(build.masked).toEqual([]);
  });

  it('names the missing half of the registry pair', async () => {
    const ws = workspace(`${CONFIG}  reg:\n    image: { repository: ghcr.io/acme/etl }\n`);
    expect(await planError({ environment: 'reg' }, ws, { REGISTRY_PASSWORD: 'reg-pw-123' })).toMatch(
      /REGISTRY_PASSWORD is set but REGISTRY_USERNAME is not/,
    );
  });

  it('does not need credentials of sections the run does not use', async () => {
    const { p } = await plan({ environment: 'local', stages: 'build,verify' }, workspace(), {});
    expect(p.config?.standalone?.headers).toEqual({ Authorization: { fromEnv: 'REST_TOKEN' } });
  });

  it('reports an unknown template variable at its line', async () => {
    const ws = workspace(
      'defaults:\n  target: standalone\n  app:\n    name: etl\n    args: ["{{commit}}"]\n',
    );
    expect(await planError({}, ws)).toMatch(
      /^\.github\/spark-deploy\.yml:5:\d+: app\.args\[0\]: unknown template variable \{\{commit\}\}/,
    );
  });

  it('requires an environment when several exist and a deploy is asked for', async () => {
    expect(await planError({})).toBe(
      'input `environment`: required to choose one of the environments in .github/spark-deploy.yml: local, staging',
    );
  });

  it('runs build and verify without a config file', async () => {
    const ws = mkdtempSync(join(tmpdir(), 'plan-'));
    const { p } = await plan({ stages: 'build,verify', 'java-release': '11' }, ws, {});
    expect(p.config).toBeUndefined();
    expect(p.javaRelease).toBe(11);
  });

  it('requires a config file for deploy', async () => {
    const ws = mkdtempSync(join(tmpdir(), 'plan-'));
    expect(await planError({}, ws)).toMatch(
      /^input `config`: deploy config \.github\/spark-deploy\.yml not found; the image and deploy stages need it/,
    );
  });

  it('finds the config at the repository root for an app in a subdirectory, and says both places when it is in neither', async () => {
    const ws = workspace();
    mkdirSync(join(ws, 'movies'));
    const { p } = await plan({ environment: 'staging', 'working-directory': 'movies' }, ws);
    expect(p.configRef?.source.file).toBe('.github/spark-deploy.yml');
    expect(p.workingDirectory).toBe(join(ws, 'movies'));
    const bare = mkdtempSync(join(tmpdir(), 'plan-'));
    mkdirSync(join(bare, 'movies'));
    expect(await planError({ 'working-directory': 'movies' }, bare)).toMatch(
      /^input `config`: deploy config movies\/\.github\/spark-deploy\.yml or \.github\/spark-deploy\.yml not found/,
    );
  });

  it('requires a target to deploy', async () => {
    const ws = workspace('defaults:\n  app: { name: etl }\n');
    expect(await planError({ stages: 'deploy' }, ws)).toMatch(/no deploy target/);
  });

  it('rejects a working directory that does not exist', async () => {
    expect(await planError({ 'working-directory': 'nope' })).toMatch(
      /^input `working-directory`: nope is not a directory/,
    );
  });
});

describe('parseInputs', () => {
  const parse = (inputs: Record<string, string>) => parseInputs((n) => inputs[n] ?? '');
  it('reads sbt-tasks as the sbt command line does: a quoted command with spaces is one', () => {
    expect(parse({ 'sbt-tasks': '"set assembly / test := {}" clean  assembly' }).sbtTasks).toEqual([
      'set assembly / test := {}',
      'clean',
      'assembly',
    ]);
    expect(parse({ 'sbt-tasks': "'testOnly com.etl.*' package" }).sbtTasks).toEqual([
      'testOnly com.etl.*',
      'package',
    ]);
    expect(() => parse({ 'sbt-tasks': '"set assembly / test := {} clean' })).toThrow(/unclosed quote/);
  });

  it('applies the action.yml defaults', async () => {
    const i = parse({});
    expect(i).toMatchObject({
      command: 'deploy',
      stages: ['build', 'verify', 'image', 'deploy'],
      workingDirectory: '.',
      sbtTasks: ['clean', 'test', 'assembly'],
      config: '.github/spark-deploy.yml',
      wait: true,
      timeoutMinutes: 60,
      cancelOnAbort: true,
      dryRun: false,
    });
  });
  it.each([
    [{ stages: 'deploy, build' }, { stages: ['build', 'deploy'] }],
    [{ stages: 'none' }, { stages: [] }],
    [{ preview: '12' }, { preview: 12 }],
    [{ preview: 'auto' }, { preview: 'auto' }],
    [{ 'timeout-minutes': '2.5' }, { timeoutMinutes: 2.5 }],
    [{ wait: 'False' }, { wait: false }],
  ])('parses %o', (inputs, expected) => {
    expect(parse(inputs)).toMatchObject(expected);
  });
  it.each([
    [
      { command: 'destroy' },
      'input `command`: expected one of deploy | status | cancel | cleanup | render, got "destroy"',
    ],
    [
      { stages: 'build,tset' },
      'input `stages`: unknown stage "tset"; expected a comma list of build, verify, image, deploy (or none)',
    ],
    [{ wait: 'yes' }, 'input `wait`: expected true or false, got "yes"'],
    [
      { 'timeout-minutes': 'soon' },
      'input `timeout-minutes`: expected a positive number of minutes, got "soon"',
    ],
    [{ target: 'yarn' }, 'input `target`: expected one of standalone | kubernetes | emr, got "yarn"'],
    [{ preview: 'pr-3' }, 'input `preview`: expected a pull-request number or "auto", got "pr-3"'],
    [
      { 'main-class': 'com.etl.' },
      'input `main-class`: expected a fully qualified class name such as com.etl.Main',
    ],
  ])('rejects %o', (inputs, message) => {
    expect(() => parse(inputs)).toThrow(message);
  });
});

describe('examples/etl-app/.github/spark-deploy.yml', () => {
  const root = new URL('../../../', import.meta.url).pathname;
  it.each(['local', 'development', 'staging', 'production'])('plans environment %s', async (environment) => {
    const env = { SPARK_REST_AUTHORIZATION: 'Bearer x' };
    const { p } = await plan(
      { environment, 'working-directory': 'examples/etl-app', 'dry-run': 'true' },
      root,
      env,
    );
    expect(p.config?.app.name).toBe(`etl-pipeline-${environment}`);
    expect(p.config?.app.mainClass).toBe('com.etl.Main');
    expect(p.target).toBe(
      { local: 'standalone', development: 'standalone', staging: 'kubernetes', production: 'emr' }[
        environment
      ],
    );
  });
  it('gives the local driver an absolute config path', async () => {
    const { p } = await plan({ environment: 'local', 'working-directory': 'examples/etl-app' }, root, {});
    expect(p.config?.app.args).toEqual(['--config', `${root}examples/etl-app/configs/local.json`]);
  });
});

describe('build and verify without an environment', () => {
  it('leaves {{environment}} alone and still reads app.mainClass', async () => {
    const root = new URL('../../../', import.meta.url).pathname;
    const { p } = await plan({ stages: 'build,verify', 'working-directory': 'examples/etl-app' }, root, {});
    expect(p.environment).toBeUndefined();
    expect(p.mainClass).toBe('com.etl.Main');
    expect(p.config?.app.name).toBe('etl-pipeline-{{environment}}');
  });
});
