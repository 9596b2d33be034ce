import { describe, expect, it } from 'vitest';
import { loadConfigText } from '../../../src/plan/load-config.js';

const load = (text: string, file = '.github/spark-deploy.yml') => loadConfigText(file, text);
const messages = async (text: string) => (await load(text)).findings.map((f) => f.message);

describe('loadConfigText', () => {
  it('accepts a full config', async () => {
    const { config, findings } = await load(`
version: 1
defaults:
  target: standalone
  app: { name: etl, mainClass: com.etl.Main, args: [--config, "configs/{{environment}}.json"] }
  spark:
    conf: { spark.sql.shuffle.partitions: 200, spark.hadoop.fs.s3a.secret.key: { fromEnv: S3_SECRET } }
    driver: { cores: 1, memory: 1g }
environments:
  local:
    standalone: { masters: [http://127.0.0.1:6066] }
`);
    expect(findings).toEqual([]);
    expect(config?.file.environments?.local?.standalone?.masters).toEqual(['http://127.0.0.1:6066']);
  });

  it.each([
    [
      'unknown key with a suggestion',
      'defaults:\n  spark:\n    driver:\n      memroy: 4g\n',
      '.github/spark-deploy.yml:4:7: defaults.spark.driver.memroy: unknown key (did you mean "memory"?)',
    ],
    [
      'unknown top-level key',
      'default:\n  target: emr\n',
      '.github/spark-deploy.yml:1:1: default: unknown key (did you mean "defaults"?)',
    ],
    [
      'wrong type',
      'defaults:\n  spark:\n    executor:\n      cores: two\n',
      '.github/spark-deploy.yml:4:14: defaults.spark.executor.cores: expected a number, got the string "two"',
    ],
    [
      'bad enum with suggestion',
      'environments:\n  prod:\n    target: kubernets\n',
      '.github/spark-deploy.yml:3:13: environments.prod.target: expected one of "standalone" | "kubernetes" | "emr", got the string "kubernets" (did you mean "kubernetes"?)',
    ],
    [
      'bad memory format',
      'defaults:\n  spark:\n    driver: { memory: lots }\n',
      '.github/spark-deploy.yml:3:23: defaults.spark.driver.memory: expected a Spark memory size such as 512m, 4g or 2048, got the string "lots"',
    ],
  ])('reports %s with file, line and key', async (_name, text, expected) => {
    expect(await messages(text)).toEqual([expected]);
  });

  it('refuses a literal password without echoing it', async () => {
    const f = (
      await load('defaults:\n  image:\n    registryAuth:\n      username: bob\n      password: hunter2\n')
    ).findings;
    expect(f).toHaveLength(1);
    expect(f[0]?.message).toMatch(
      /^\.github\/spark-deploy\.yml:5:17: defaults\.image\.registryAuth\.password: a credential/,
    );
    expect(f[0]?.message).not.toContain('hunter2');
    expect(f[0]?.rule).toBe('config/literal-secret');
  });

  it.each([
    ['spark.hadoop.fs.s3a.secret.key', 'abc', true],
    ['spark.hadoop.fs.s3a.access.key', 'abc', true],
    ['spark.ssl.keyStorePassword', 'abc', true],
    ['spark.authenticate.secret', 'abc', true],
    ['spark.kubernetes.authenticate.oauthToken', 'abc', true],
    ['spark.kubernetes.authenticate.oauthTokenFile', '/var/run/token', false],
    ['spark.kubernetes.driver.secrets.spark-secret', '/etc/secrets', false],
    ['spark.sql.shuffle.partitions', '200', false],
    [
      'spark.hadoop.fs.s3a.aws.credentials.provider',
      'com.amazonaws.auth.DefaultAWSCredentialsProviderChain',
      false,
    ],
    ['spark.executor.extraJavaOptions', '-Dkey=AKIAIOSFODNN7EXAMPLE', true],
    ['spark.eventLog.dir', 's3a://user:pa55@bucket/logs', true],
    ['spark.hadoop.fs.azure.account.key.acct.dfs.core.windows.net', 'abc', true],
    ['spark.hadoop.fs.azure.sas.container.acct.blob.core.windows.net', 'abc', true],
    ['spark.hadoop.fs.azure.account.auth.type', 'SharedKey', false],
    ['spark.hadoop.fs.azure.account.keyprovider.acct.dfs.core.windows.net', 'org.x.KeyProvider', false],
    ['spark.sql.sources.partitionOverwriteMode', 'dynamic', false],
  ])('spark conf %s is a literal credential: %s', async (key, value, refused) => {
    const f = (await load(`defaults:\n  spark:\n    conf:\n      "${key}": "${value}"\n`)).findings;
    expect(f.some((x) => x.rule === 'config/literal-secret')).toBe(refused);
    for (const x of f) expect(x.message).not.toContain(value === 'abc' ? 'abc"' : value);
  });

  it.each([
    ['Authorization', 'Bearer abcdef0123456789', true],
    ['Authorization', 'Basic dXNlcjpwYXNzd29yZA==', true],
    ['Proxy-Authorization', 'Basic dXNlcjpwYXNzd29yZA==', true],
    ['X-Forwarded-Proto', 'https', false],
  ])('standalone header %s with %s written literally is refused: %s', async (name, value, refused) => {
    const f = (await load(`defaults:\n  standalone:\n    headers:\n      ${name}: "${value}"\n`)).findings;
    expect(f.some((x) => x.rule === 'config/literal-secret')).toBe(refused);
    for (const x of f) expect(x.message).not.toContain(value);
  });

  it('refuses an Authorization value under any key', async () => {
    const f = (await load('defaults:\n  app:\n    args: ["--auth", "Bearer abcdef0123456789"]\n')).findings;
    expect(f[0]?.message).toMatch(/an HTTP Authorization credential is written in the config file/);
  });

  it('accepts a credential given as { fromEnv }', async () => {
    expect(
      (
        await load(
          'defaults:\n  spark:\n    conf:\n      spark.authenticate.secret: { fromEnv: SPARK_SECRET }\n',
        )
      ).findings,
    ).toEqual([]);
  });

  it('reports malformed YAML with line and column', async () => {
    const f = await messages('defaults:\n  app: { name: etl\n  target: emr\n');
    expect(f).toHaveLength(1);
    expect(f[0]).toMatch(/^\.github\/spark-deploy\.yml:\d+:\d+: malformed YAML: /);
  });

  it('reports malformed JSON with line and column', async () => {
    const f = (await load('{\n  "defaults": {\n    "target": "emr",,\n  }\n}\n', 'deploy.json')).findings;
    expect(f[0]?.message).toMatch(/^deploy\.json:3:\d+: malformed JSON: /);
  });

  it('reports an unclosed bracket, brace or quote where it opens, not where yaml noticed it', async () => {
    const yaml = 'defaults:\n  app:\n    args: [--config, x\n    name: etl\n  target: emr\n';
    expect((await messages(yaml))[0]).toMatch(/:3:11: malformed YAML: .*end with a \] \(opened here\)$/);
    expect((await messages('defaults:\n  app: {name: etl\n  target: emr\n'))[0]).toMatch(
      /:2:8: .*\(opened here\)$/,
    );
    expect((await messages('defaults:\n  app:\n    name: "etl\n  target: emr\n'))[0]).toMatch(
      /:3:11: .*Missing closing "quote.*\(opened here\)$/,
    );
    const json =
      '{\n  "defaults": {\n    "app": { "args": ["a", "b",\n    "name": "etl" },\n    "target": "emr"\n  }\n}\n';
    expect((await load(json, 'deploy.json')).findings[0]?.message).toMatch(
      /^deploy\.json:3:22: .*\(opened here\)$/,
    );
    // Brackets inside quotes and comments do not count.
    expect((await messages('defaults:\n  a: "[x" # [\n  b: [1,\n  c: 2\n'))[0]).toMatch(/:3:6: /);
  });

  it('reports a duplicate key', async () => {
    expect((await messages('defaults:\n  target: emr\n  target: standalone\n'))[0]).toMatch(
      /:3:\d+: malformed YAML: .*[Uu]nique|Map keys must be unique/,
    );
  });

  it('reads JSON configs with positions', async () => {
    expect(await messages('{\n  "defaults": {\n    "app": { "nmae": "etl" }\n  }\n}\n')).toEqual([
      '.github/spark-deploy.yml:3:14: defaults.app.nmae: unknown key (did you mean "name"?)',
    ]);
  });
});

describe('template hint', () => {
  it('tells to quote an unquoted {{template}} in YAML', async () => {
    const f = (
      await loadConfigText('c.yml', 'defaults:\n  app:\n    args: [--config, configs/{{environment}}.json]\n')
    ).findings;
    expect(f[0]?.message).toMatch(
      /^c\.yml:3:\d+: malformed YAML: .+ \(quote values that contain \{\{…\}\} templates: "configs\/\{\{environment\}\}\.json"\)$/,
    );
  });
});
