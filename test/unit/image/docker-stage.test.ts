// The docker path's exec wiring: runImageStage against a stand-in `docker` executable (no engine runs
// here) that records its argv, env and stdin, answers inspect/login/build as docker and buildx do, writes
// the metadata file, and fails on demand with buildx's stderr.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, test } from 'vitest';
import { type ImageStageDeps, runImageStage } from '../../../src/image/image-stage.js';
import type { Artifact, Reporter } from '../../../src/stage.js';
import { goodEntries } from '../../helpers/jar-fixtures.js';
import { writeZip } from '../../helpers/zip-writer.js';
import {
  type DockerCall,
  dockerCalls,
  type FakeDockerEnv,
  makePlan,
  type PlanOptions,
  SHA,
  writeFakeDocker,
} from './docker-fixtures.js';

const PASSWORD = 'gh-pat-5c1b9e0f7a2d4e6b';

let ws: string;
let docker: string;
let log: string;
let artifact: Artifact;

beforeEach(() => {
  ws = mkdtempSync(join(tmpdir(), 'docker-stage-'));
  mkdirSync(join(ws, 'bin'));
  docker = writeFakeDocker(join(ws, 'bin'));
  log = join(ws, 'calls.jsonl');
  const jarPath = join(ws, 'target', 'etl-assembly-1.0.jar');
  mkdirSync(join(ws, 'target'));
  writeZip(jarPath, goodEntries());
  mkdirSync(join(ws, 'configs'));
  writeFileSync(join(ws, 'configs', 'staging.json'), '{ "input": "s3://in" }\n');
  artifact = {
    jarPath,
    jarDisplayPath: 'target/etl-assembly-1.0.jar',
    sizeBytes: readFileSync(jarPath).length,
  };
});

function fakeReporter() {
  const outputs: Record<string, string> = {};
  const sections: Record<string, string> = {};
  const reporter: Reporter = {
    output: (n, v) => {
      outputs[n] = v;
    },
    finding: () => {},
    section: (t, m) => {
      sections[t] = m;
    },
  };
  return { reporter, outputs, sections };
}

async function stage(
  o: PlanOptions,
  env: Partial<FakeDockerEnv> & NodeJS.ProcessEnv = {},
  extra: Partial<ImageStageDeps> = {},
) {
  const { reporter, outputs, sections } = fakeReporter();
  let logged = '';
  const deps: ImageStageDeps = {
    docker,
    env: { PATH: process.env.PATH, HOME: ws, SOURCE_DATE_EPOCH: '1700000000', FAKE_DOCKER_LOG: log, ...env },
    log: (s) => {
      logged += s;
    },
    dockerAvailable: () => {
      throw new Error('image.builder is docker: no probe expected');
    },
    ...extra,
  };
  const tempDir = mkdtempSync(join(ws, 'run-'));
  const run = runImageStage(
    {
      plan: makePlan({
        workingDirectory: ws,
        environment: 'staging',
        ...o,
        image: { builder: 'docker', ...o.image },
      }),
      artifact,
      tempDir,
    },
    reporter,
    deps,
  );
  return { run, outputs, sections, logged: () => logged, calls: () => dockerCalls(log) };
}

const sha256 = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');
const build = (calls: DockerCall[]) => {
  const b = calls.filter((c) => c.argv[0] === 'buildx' && c.argv[1] === 'build');
  expect(b).toHaveLength(1);
  return b[0] as DockerCall;
};

describe('runImageStage with image.builder: docker', () => {
  test('a generated Dockerfile: outputs, summary, the context and the env buildx ran with', async () => {
    const s = await stage({ app: { configFile: 'configs/staging.json' } });
    const result = await s.run;
    const b = build(s.calls());
    // The digest is the one buildx wrote to the metadata file, not one of ours.
    expect(b.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(result.image).toEqual({
      repository: 'ghcr.io/acme/etl',
      digest: b.digest,
      reference: `ghcr.io/acme/etl@${b.digest}`,
    });
    expect(s.outputs.image).toBe(`ghcr.io/acme/etl@${b.digest}`);
    expect(s.outputs['image-digest']).toBe(b.digest);
    const md = s.sections.Image ?? '';
    expect(md).toContain(`| Image | \`ghcr.io/acme/etl@${b.digest}\` |`);
    expect(md).toContain('| Builder | docker |');
    expect(md).toContain(`\`sha-${SHA.slice(0, 7)}\`, \`staging\``);
    expect(md).toContain('| Base | `apache/spark:3.5.6-scala2.12-java17-ubuntu` |');
    // Only the files the image needs were sent, byte for byte, and the JAR is the last layer.
    expect(b.context).toEqual({
      Dockerfile: expect.any(String),
      'etl-assembly-1.0.jar': sha256(artifact.jarPath),
      'staging.json': sha256(join(ws, 'configs', 'staging.json')),
    });
    const instructions = (b.dockerfile ?? '').split('\n').filter((l) => l && !l.startsWith('#'));
    expect(instructions[0]).toBe('FROM apache/spark:3.5.6-scala2.12-java17-ubuntu');
    expect(instructions.at(-1)).toBe(
      'COPY --chmod=0644 ["etl-assembly-1.0.jar","/app/etl-assembly-1.0.jar"]',
    );
    expect(b.argv).toContain('--push');
    expect(b.env.SOURCE_DATE_EPOCH).toBe('1700000000');
    // buildx's progress reached the log.
    expect(s.logged()).toContain('#1 [internal] load build definition from Dockerfile');
    // No cache environment: no inspect and no cache flags.
    expect(s.calls().map((c) => c.argv.slice(0, 2).join(' '))).toEqual(['buildx build']);
  });

  test("the project's Dockerfile and context get JAR_FILE and APP_DIR", async () => {
    mkdirSync(join(ws, 'docker'));
    writeFileSync(
      join(ws, 'docker', 'Dockerfile'),
      'FROM apache/spark:3.5.6\nARG JAR_FILE\nARG APP_DIR\nCOPY $JAR_FILE $APP_DIR/\n',
    );
    const s = await stage({ image: { dockerfile: 'docker/Dockerfile', context: '.', appDir: '/opt/etl' } });
    await s.run;
    const b = build(s.calls());
    expect(b.dockerfile).toBe(readFileSync(join(ws, 'docker', 'Dockerfile'), 'utf8'));
    expect(b.argv.at(-1)).toBe(ws);
    const args = b.argv.flatMap((a, i) => (b.argv[i - 1] === '--build-arg' ? [a] : []));
    expect(args).toEqual(['APP_DIR=/opt/etl', 'JAR_FILE=target/etl-assembly-1.0.jar']);
  });

  test('a Dockerfile without a builder named picks docker when an engine answers', async () => {
    mkdirSync(join(ws, 'docker'));
    writeFileSync(
      join(ws, 'docker', 'Dockerfile'),
      'FROM apache/spark:3.5.6\nARG JAR_FILE\nCOPY $JAR_FILE /app/\n',
    );
    const s = await stage(
      { image: { builder: undefined, dockerfile: 'docker/Dockerfile' } },
      {},
      {
        dockerAvailable: () => true,
      },
    );
    await s.run;
    expect(build(s.calls()).dockerfile).toContain('COPY $JAR_FILE /app/');
  });

  test.each<[string, { builder?: 'oci' }, () => boolean, RegExp]>([
    ['with image.builder: oci', { builder: 'oci' }, () => true, /needs image\.builder: docker/],
    [
      'with no Docker engine (no builder named)',
      { builder: undefined },
      () => false,
      /needs a Docker engine/,
    ],
  ])('a Dockerfile %s fails before building, never ignored', async (_case, image, available, message) => {
    const s = await stage(
      { image: { ...image, dockerfile: 'docker/Dockerfile' } },
      {},
      { dockerAvailable: available },
    );
    await expect(s.run).rejects.toThrow(message);
    await expect(s.run).rejects.toThrow(/^image: image\.dockerfile: docker\/Dockerfile /);
    expect(s.calls()).toEqual([]);
  });

  test('push: false loads, and the summary says it was not pushed', async () => {
    const s = await stage({ image: { push: false } });
    await s.run;
    expect(build(s.calls()).argv).toContain('--load');
    expect(s.sections.Image).toContain('| Not pushed | loaded into the local Docker engine |');
  });

  test.each<[string, string, boolean]>([
    ['docker-container', 'docker-container', true],
    ["the engine's own docker driver (cache export would fail the build)", 'docker', false],
  ])('the GitHub Actions cache with a %s builder', async (_name, driver, cached) => {
    const s = await stage(
      {},
      {
        ACTIONS_CACHE_URL: 'https://cache.example/',
        ACTIONS_RUNTIME_TOKEN: 'rt',
        FAKE_DOCKER_DRIVER: driver,
      },
    );
    await s.run;
    expect(s.calls().map((c) => c.argv.slice(0, 2).join(' '))).toEqual(['buildx inspect', 'buildx build']);
    const argv = build(s.calls()).argv;
    expect(argv.includes('--cache-to')).toBe(cached);
    expect(argv.includes('--cache-from')).toBe(cached);
  });

  test('an inspect that fails means no cache, and the build still runs', async () => {
    const s = await stage(
      {},
      {
        ACTIONS_RESULTS_URL: 'https://results.example/',
        ACTIONS_RUNTIME_TOKEN: 'rt',
        FAKE_DOCKER_FAIL: 'inspect',
      },
    );
    await s.run;
    expect(build(s.calls()).argv).not.toContain('--cache-to');
  });

  test('a failed build reports the tail of buildx stderr, and sets no outputs', async () => {
    const s = await stage({}, { FAKE_DOCKER_FAIL: 'build' });
    const err = await s.run.then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(err?.message).toMatch(/^image: docker buildx build failed \(exit 1\):\n/);
    expect(err?.message).toContain('ERROR: failed to solve: failed to compute cache key');
    expect(err?.message).toContain('"/etl.jar": not found');
    // The tail, not the whole progress log.
    expect(err?.message.split('\n').length).toBeLessThanOrEqual(21);
    expect(err?.message).not.toContain('load build definition');
    expect(s.outputs).toEqual({});
  });

  test('registry credentials: docker login with the password on stdin, in a private DOCKER_CONFIG', async () => {
    const userConfig = join(ws, 'user-docker');
    mkdirSync(join(userConfig, 'cli-plugins'), { recursive: true });
    writeFileSync(
      join(userConfig, 'config.json'),
      JSON.stringify({ credsStore: 'desktop', auths: { 'quay.io': {} } }),
    );
    const s = await stage(
      { image: { registryAuth: { username: 'acme-bot', password: PASSWORD } } },
      { FAKE_DOCKER_PASSWORD: PASSWORD, DOCKER_CONFIG: userConfig },
    );
    await s.run;
    const calls = s.calls();
    expect(calls.map((c) => c.argv[0])).toEqual(['login', 'buildx']);
    const [login, b] = calls as [DockerCall, DockerCall];
    expect(login.argv).toEqual(['login', '--username', 'acme-bot', '--password-stdin', 'ghcr.io']);
    expect(login.stdin).toBe(PASSWORD);
    // The build sees the login (and the user's other registries), not the user's own config dir...
    expect(b.env.DOCKER_CONFIG).toBe(login.env.DOCKER_CONFIG);
    expect(b.env.DOCKER_CONFIG).not.toBe(userConfig);
    expect(b.auths).toEqual(['quay.io', 'ghcr.io']);
    // ...keeps the user's builder, and the private config is gone afterwards.
    expect(b.env.BUILDX_CONFIG).toBe(join(userConfig, 'buildx'));
    expect(existsSync(b.env.DOCKER_CONFIG ?? '')).toBe(false);
    expect(readFileSync(join(userConfig, 'config.json'), 'utf8')).not.toContain('ghcr.io');
    for (const c of calls) expect(c.argv.join(' ')).not.toContain(PASSWORD);
    expect(s.logged()).not.toContain(PASSWORD);
  });

  test('a refused login stops before the build and names the registry and the fix', async () => {
    const s = await stage(
      {
        image: {
          repository: 'registry.example:5000/etl',
          registryAuth: { username: 'acme-bot', password: 'not-the-pat-93f1' },
        },
      },
      { FAKE_DOCKER_PASSWORD: PASSWORD },
    );
    const err = await s.run.then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(err?.message).toMatch(/^image: docker login to registry\.example:5000 failed \(exit 1\):/);
    expect(err?.message).toContain('unauthorized: incorrect username or password');
    expect(err?.message).toContain('check image.registryAuth');
    expect(err?.message).not.toContain('not-the-pat-93f1');
    expect(s.calls().map((c) => c.argv[0])).toEqual(['login']);
    expect(readdirNames(join(ws))).not.toContain('docker-config-');
  });

  test('docker missing from PATH says how to build without it', async () => {
    docker = join(ws, 'no-such-docker');
    const s = await stage({});
    await expect(s.run).rejects.toThrow(/not found on PATH; install Docker or set image\.builder: oci/);
  });
});

/** readdirNames lists every entry under dir, recursively, as one string (for "nothing left behind"). */
function readdirNames(dir: string): string {
  return readdirSync(dir, { recursive: true }).join('\n');
}
