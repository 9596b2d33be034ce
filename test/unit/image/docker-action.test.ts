// The bundled action (dist/index.js, run as a runner does) with `stages: image` and image.builder: docker,
// against the stand-in `docker` first on PATH (no engine runs here): the outputs and the summary come from
// buildx's metadata file, a failed build shows buildx's stderr tail, and the registry password from
// { fromEnv } reaches docker only on stdin. Needs `npm run bundle` after changing src/.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { goodEntries } from '../../helpers/jar-fixtures.js';
import { runAction } from '../../helpers/run-action.js';
import { writeZip } from '../../helpers/zip-writer.js';
import { dockerCalls, writeFakeDocker } from './docker-fixtures.js';

const SHA = 'c0ffee0123456789abcdef0123456789abcdef01';
const PASSWORD = 'ghp_stand1nSecret7d41a9c0e2';
let ws: string;
let bin: string;

beforeAll(() => {
  ws = mkdtempSync(join(tmpdir(), 'docker-action-'));
  bin = join(ws, 'bin');
  mkdirSync(bin);
  writeFakeDocker(bin);
  mkdirSync(join(ws, 'target'));
  writeZip(join(ws, 'target', 'etl-assembly-1.0.jar'), goodEntries());
  mkdirSync(join(ws, '.github'));
  writeFileSync(
    join(ws, '.github', 'spark-deploy.yml'),
    `defaults:
  target: kubernetes
  app: { name: etl, mainClass: com.etl.Main }
  kubernetes: { namespace: e2e }
  image:
    builder: docker
    repository: ghcr.io/acme/etl
    registryAuth: { username: acme-bot, password: { fromEnv: REGISTRY_TOKEN } }
environments:
  staging: {}
`,
  );
});

async function act(name: string, env: Record<string, string> = {}) {
  const log = join(ws, `${name}.jsonl`);
  const run = await runAction({
    workspace: ws,
    inputs: {
      stages: 'image',
      jar: 'target/etl-assembly-1.0.jar',
      'working-directory': ws,
      environment: 'staging',
    },
    env: {
      PATH: `${bin}${delimiter}${process.env.PATH ?? ''}`,
      HOME: ws,
      GITHUB_SHA: SHA,
      GITHUB_REPOSITORY: 'acme/etl',
      SOURCE_DATE_EPOCH: '1700000000',
      REGISTRY_TOKEN: PASSWORD,
      FAKE_DOCKER_PASSWORD: PASSWORD,
      FAKE_DOCKER_LOG: log,
      ...env,
    },
  });
  return { run, calls: dockerCalls(log) };
}

/** visible drops the ::add-mask:: commands (the only place a secret may appear). */
const visible = (text: string) =>
  text
    .split('\n')
    .filter((l) => !l.startsWith('::add-mask::'))
    .join('\n');

describe('bundled action, image stage with builder: docker', () => {
  test('outputs and summary from the metadata file; the password only on stdin', async () => {
    const { run, calls } = await act('ok');
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(calls.map((c) => c.argv.slice(0, 2).join(' '))).toEqual(['login --username', 'buildx build']);
    const build = calls[1];
    expect(build?.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(run.outputs['image-digest']).toBe(build?.digest);
    expect(run.outputs.image).toBe(`ghcr.io/acme/etl@${build?.digest}`);
    // One Image section, with the pinned reference and the builder.
    expect(run.summary.match(/^### Image$/gm)).toHaveLength(1);
    const image = run.summary.slice(run.summary.indexOf('### Image'));
    expect(image).toContain(`| Image | \`ghcr.io/acme/etl@${build?.digest}\` |`);
    expect(image).toContain('| Builder | docker |');
    expect(run.summary).toContain(`\`sha-${SHA.slice(0, 7)}\`, \`staging\``);
    expect(build?.argv.filter((_a, i) => build.argv[i - 1] === '--tag')).toEqual([
      `ghcr.io/acme/etl:sha-${SHA.slice(0, 7)}`,
      'ghcr.io/acme/etl:staging',
    ]);
    expect(build?.argv).toContain(`org.opencontainers.image.revision=${SHA}`);
    expect(build?.argv).toContain('org.opencontainers.image.source=https://github.com/acme/etl');
    expect(calls[0]?.stdin).toBe(PASSWORD);
    for (const c of calls) expect(JSON.stringify(c.argv)).not.toContain(PASSWORD);
    expect(visible(run.stdout + run.stderr)).not.toContain(PASSWORD);
    expect(run.summary).not.toContain(PASSWORD);
    expect(JSON.stringify(run.outputs)).not.toContain(PASSWORD);
    // buildx's progress is in the log.
    expect(run.stdout + run.stderr).toContain('#9 exporting to image');
  });

  test('a failed build: exit 1 with the tail of buildx stderr, no image outputs', async () => {
    const { run } = await act('fail', { FAKE_DOCKER_FAIL: 'build' });
    expect(run.code).not.toBe(0);
    const out = visible(run.stdout + run.stderr);
    const error = out.split('\n').find((l) => l.startsWith('::error'));
    expect(error).toContain('image: docker buildx build failed (exit 1)');
    expect(decodeURIComponent(error ?? '')).toContain('ERROR: failed to solve: failed to compute cache key');
    expect(run.outputs.image).toBeUndefined();
    expect(run.outputs['image-digest']).toBeUndefined();
    expect(out).not.toContain(PASSWORD);
  });
});
