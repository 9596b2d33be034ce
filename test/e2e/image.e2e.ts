// The image stage with the daemonless oci builder, run as a runner does (dist/index.js, INPUT_STAGES=
// verify,image) against the real local registries (scripts/local-registry.sh start) and checked with
// skopeo, which shares no code with ours: the manifest and config it reads, the JAR it pulls back, a
// re-push that sends no layer bytes (counted by a proxy in front of the registry), Basic auth with wrong
// and right credentials, and push: false writing an OCI layout.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { component, hasCommand, httpOk } from '../helpers/components.js';
import { goodEntries } from '../helpers/jar-fixtures.js';
import { LOCAL_AUTH, LOCAL_AUTH_REGISTRY, LOCAL_REGISTRY, pushSyntheticBase } from '../helpers/registry.js';
import { type ActionRun, runAction } from '../helpers/run-action.js';
import { writeZip } from '../helpers/zip-writer.js';

const registries = component(
  'local registries',
  () => httpOk(`http://${LOCAL_REGISTRY}/v2/`) && httpOk(`http://${LOCAL_AUTH_REGISTRY}/v2/`),
  'run `bash scripts/local-registry.sh start`',
);
const skopeo = component(
  'skopeo',
  () => hasCommand('skopeo', ['--version']),
  'install it with `bash scripts/local-registry.sh start` (apt package skopeo)',
);

const SHA = 'c0ffee0123456789abcdef0123456789abcdef01';
const EPOCH = 1_700_000_000; // 2023-11-14T22:13:20Z
const id = `${process.pid}-${Date.now().toString(36)}`;
const ws = mkdtempSync(join(tmpdir(), 'spark-deploy-image-e2e-'));
const jarPath = join(ws, 'etl-assembly-1.0.0.jar');
const appConfig = '{ "input": "data/in", "output": "data/out" }\n';
const cleanups: (() => Promise<void> | void)[] = [() => rmSync(ws, { recursive: true, force: true })];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

/** A request as the counting proxy saw it, with the body bytes it forwarded. */
interface Seen {
  method: string;
  path: string;
  bytes: number;
}

/**
 * countingProxy forwards every request to the registry unchanged (the Host header too, so the upload
 * Locations it answers with point back here) and records what was sent.
 */
async function countingProxy(upstream: string): Promise<{ host: string; seen: Seen[]; server: Server }> {
  const [host, port] = upstream.split(':');
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    const rec: Seen = { method: req.method ?? '', path: (req.url ?? '').split('?')[0] ?? '', bytes: 0 };
    seen.push(rec);
    const up = request(
      { host, port: Number(port), method: req.method, path: req.url, headers: req.headers },
      (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      },
    );
    up.on('error', () => res.destroy());
    req.on('data', (c: Buffer) => {
      rec.bytes += c.length;
    });
    req.pipe(up);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
  return { host: `127.0.0.1:${(server.address() as AddressInfo).port}`, seen, server };
}

function writeWorkspace(name: string, image: string): string {
  const dir = join(ws, name);
  mkdirSync(join(dir, '.github'), { recursive: true });
  mkdirSync(join(dir, 'configs'), { recursive: true });
  writeFileSync(join(dir, 'configs/e2e.json'), appConfig);
  writeFileSync(
    join(dir, '.github/spark-deploy.yml'),
    `defaults:
  target: kubernetes
  app: { name: etl, mainClass: com.etl.Main, configFile: configs/e2e.json }
  kubernetes: { namespace: e2e }
  image: ${image}
`,
  );
  return dir;
}

function act(dir: string, env: Record<string, string> = {}): Promise<ActionRun> {
  return runAction({
    workspace: ws,
    inputs: { stages: 'verify,image', jar: jarPath, 'working-directory': dir },
    env: { GITHUB_SHA: SHA, SOURCE_DATE_EPOCH: String(EPOCH), ...env },
  });
}

function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

const skopeoInspect = (args: string[]) =>
  JSON.parse(run('skopeo', ['inspect', '--tls-verify=false', ...args])) as Record<string, unknown>;

/** pulled copies an image with skopeo into an OCI layout and unpacks its last layer with tar. */
function pulledAppLayer(ref: string): string {
  const out = mkdtempSync(join(ws, 'pulled-'));
  run('skopeo', ['copy', '--src-tls-verify=false', `docker://${ref}`, `oci:${out}/layout:img`]);
  const blob = (d: string) => join(out, 'layout', 'blobs', 'sha256', d.replace('sha256:', ''));
  const index = JSON.parse(readFileSync(join(out, 'layout', 'index.json'), 'utf8')) as {
    manifests: { digest: string }[];
  };
  const manifest = JSON.parse(readFileSync(blob(index.manifests[0]?.digest ?? ''), 'utf8')) as {
    layers: { digest: string }[];
  };
  const last = manifest.layers.at(-1)?.digest ?? '';
  mkdirSync(join(out, 'rootfs'));
  run('tar', ['-xzf', blob(last), '-C', join(out, 'rootfs')]);
  return join(out, 'rootfs');
}

/** uploadedBytes sums the body bytes sent to blob upload endpoints (POST/PATCH/PUT .../blobs/uploads/). */
function uploadedBytes(seen: Seen[]): number {
  return seen.filter((s) => s.path.includes('/blobs/uploads/')).reduce((n, s) => n + s.bytes, 0);
}

function withoutMaskCommands(text: string): string {
  return text
    .split('\n')
    .filter((l) => !l.startsWith('::add-mask::'))
    .join('\n');
}

describe.skipIf(!registries || !skopeo)('image stage (oci builder) against the local registry', () => {
  const jarBytes = (): Buffer => readFileSync(jarPath);
  let proxy: Awaited<ReturnType<typeof countingProxy>>;
  let baseRef: string;
  let repo: string;
  let first: ActionRun;

  beforeAll(async () => {
    // A JAR with 3 MB of random (incompressible) data, so a re-upload of the layer could not hide.
    writeZip(jarPath, [
      ...goodEntries(),
      { name: 'data/model.bin', data: randomBytes(3 << 20), method: 'stored' },
    ]);
    proxy = await countingProxy(LOCAL_REGISTRY);
    const base = await pushSyntheticBase({ registry: LOCAL_REGISTRY, repo: `e2e/base-${id}`, tag: '1' });
    // Referenced through the proxy too: same registry as the target, so its layer is mounted, not copied.
    baseRef = base.reference.replace(LOCAL_REGISTRY, proxy.host);
    repo = `${proxy.host}/e2e/etl-${id}`;
    first = await act(writeWorkspace('plain', `{ builder: oci, repository: ${repo}, base: ${baseRef} }`));
  });

  it('pushes the image and outputs it pinned by digest', () => {
    expect(first.code, first.stdout).toBe(0);
    const digest = first.outputs['image-digest'] ?? '';
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(first.outputs.image).toBe(`${repo}@${digest}`);
    // The layer went up once: at least the JAR's bytes crossed the proxy in upload requests.
    expect(uploadedBytes(proxy.seen)).toBeGreaterThan(jarBytes().length);
    expect(first.summary).toContain(digest);
  });

  it('skopeo reads the manifest (by tag, same digest) and the config (labels, entrypoint, env)', () => {
    const digest = first.outputs['image-digest'] ?? '';
    const direct = `${LOCAL_REGISTRY}/e2e/etl-${id}`;
    const byTag = skopeoInspect([`docker://${direct}:sha-${SHA.slice(0, 7)}`]);
    expect(byTag.Digest).toBe(digest);
    expect(byTag.Architecture).toBe('amd64');
    const manifest = JSON.parse(
      run('skopeo', ['inspect', '--tls-verify=false', '--raw', `docker://${direct}@${digest}`]),
    ) as {
      mediaType: string;
      layers: { mediaType: string }[];
    };
    expect(manifest.mediaType).toBe('application/vnd.oci.image.manifest.v1+json');
    expect(manifest.layers).toHaveLength(2);
    expect(manifest.layers[1]?.mediaType).toBe('application/vnd.oci.image.layer.v1.tar+gzip');
    const config = skopeoInspect(['--config', `docker://${direct}@${digest}`]) as {
      created: string;
      config: { Entrypoint: string[]; Env: string[]; Labels: Record<string, string>; WorkingDir: string };
      rootfs: { diff_ids: string[] };
    };
    expect(config.created).toBe('2023-11-14T22:13:20Z');
    expect(config.config.Entrypoint).toEqual(['/opt/entrypoint.sh']);
    expect(config.config.Env).toContain('SPARK_APP_JAR=/app/etl-assembly-1.0.0.jar');
    expect(config.config.Env).toContain('JAVA_HOME=/opt/java');
    expect(config.config.Labels).toMatchObject({
      'org.example.base': 'synthetic',
      'org.opencontainers.image.revision': SHA,
      'org.opencontainers.image.created': '2023-11-14T22:13:20Z',
      'org.opencontainers.image.title': 'etl',
    });
    expect(config.rootfs.diff_ids).toHaveLength(2);
  });

  it('skopeo copy pulls the image back: the JAR and config file in the layer are byte-identical', () => {
    const rootfs = pulledAppLayer(`${LOCAL_REGISTRY}/e2e/etl-${id}@${first.outputs['image-digest']}`);
    expect(readFileSync(join(rootfs, 'app/etl-assembly-1.0.0.jar')).equals(jarBytes())).toBe(true);
    expect(readFileSync(join(rootfs, 'app/e2e.json'), 'utf8')).toBe(appConfig);
  });

  it('a second run with the same JAR uploads no blob bytes and gives the same digest', async () => {
    const before = proxy.seen.length;
    const again = await act(join(ws, 'plain'));
    expect(again.code, again.stdout).toBe(0);
    expect(again.outputs['image-digest']).toBe(first.outputs['image-digest']);
    expect(again.stdout).toContain('same diff_id as the layer under tag sha-c0ffee0, gzip pass skipped');
    const requests = proxy.seen.slice(before);
    expect(requests.filter((s) => s.path.includes('/blobs/uploads/'))).toEqual([]);
    expect(uploadedBytes(requests)).toBe(0);
    // Only the (small) manifest went up again, under its tag.
    expect(requests.filter((s) => s.method === 'PUT').map((s) => s.path)).toEqual([
      `/v2/e2e/etl-${id}/manifests/sha-${SHA.slice(0, 7)}`,
    ]);
  });

  it('push: false writes an OCI layout of the same image, which skopeo reads', async () => {
    const dir = writeWorkspace(
      'layout',
      `{ builder: oci, repository: ${repo}, base: ${baseRef}, push: false }`,
    );
    const before = proxy.seen.length;
    const r = await act(dir);
    expect(r.code, r.stdout).toBe(0);
    expect(r.outputs['image-digest']).toBe(first.outputs['image-digest']);
    expect(proxy.seen.slice(before).filter((s) => s.method !== 'GET' && s.method !== 'HEAD')).toEqual([]);
    const layout = /OCI layout written to `([^`]+)`/.exec(r.summary)?.[1] ?? '';
    expect(layout, r.summary).not.toBe('');
    const inspected = skopeoInspect([`oci:${layout}:sha-${SHA.slice(0, 7)}`]);
    expect(inspected.Digest).toBe(first.outputs['image-digest']);
    expect(inspected.Layers).toHaveLength(2);
  });
});

const root = new URL('../..', import.meta.url).pathname;
// Built once per run by test/e2e/global-setup.ts (empty only locally without sbt).
const exampleJar = inject('exampleJar');

describe.skipIf(!registries || !skopeo)("the example app's local environment", () => {
  it.skipIf(!exampleJar)(
    'pushes the example JAR on the stand-in base; skopeo pulls back the same JAR and config',
    async () => {
      const base = spawnSync(process.execPath, [join(root, 'scripts/local-base-image.mjs')], {
        encoding: 'utf8',
        env: { ...process.env, LOCAL_REGISTRY },
      });
      expect(base.status, base.stderr).toBe(0);
      const r = await runAction({
        workspace: root,
        inputs: {
          stages: 'verify,image',
          environment: 'local',
          'working-directory': 'examples/etl-app',
          jar: exampleJar,
        },
      });
      expect(r.code, r.stdout).toBe(0);
      expect(r.outputs.image).toMatch(/^127\.0\.0\.1:5000\/acme\/etl-pipeline@sha256:[0-9a-f]{64}$/);
      const config = skopeoInspect(['--config', `docker://${r.outputs.image}`]) as {
        config: { Env: string[] };
      };
      expect(config.config.Env).toContain('SPARK_APP_JAR=/app/etl-pipeline-assembly-1.0.0.jar');
      const rootfs = pulledAppLayer(r.outputs.image ?? '');
      expect(
        readFileSync(join(rootfs, 'app/etl-pipeline-assembly-1.0.0.jar')).equals(readFileSync(exampleJar)),
      ).toBe(true);
      expect(
        readFileSync(join(rootfs, 'app/local.json')).equals(
          readFileSync(join(root, 'examples/etl-app/configs/local.json')),
        ),
      ).toBe(true);
      // Our one layer on top of the stand-in base's layers.
      const baseLayers = skopeoInspect([`docker://${LOCAL_REGISTRY}/spark-deploy/local-base:1`]).Layers;
      const layers = skopeoInspect([`docker://${r.outputs.image}`]).Layers as string[];
      expect(layers.slice(0, -1)).toEqual(baseLayers);
    },
  );
});

describe.skipIf(!registries || !skopeo)('image stage against the registry with Basic auth', () => {
  const password = LOCAL_AUTH.password;
  let dir: string;
  let repo: string;

  beforeAll(async () => {
    writeZip(jarPath, [
      ...goodEntries(),
      { name: 'data/model.bin', data: randomBytes(1 << 20), method: 'stored' },
    ]);
    const base = await pushSyntheticBase({
      registry: LOCAL_AUTH_REGISTRY,
      repo: `e2e/base-${id}`,
      credentials: LOCAL_AUTH,
    });
    repo = `${LOCAL_AUTH_REGISTRY}/e2e/etl-${id}`;
    dir = writeWorkspace(
      'auth',
      `{ builder: oci, repository: ${repo}, base: ${base.reference}, registryAuth: { username: ${LOCAL_AUTH.username}, password: { fromEnv: E2E_REGISTRY_PASSWORD } } }`,
    );
  });

  it('fails with a clear 401 naming the registry when the password is wrong, and never prints it', async () => {
    const wrong = `wrong-${randomBytes(6).toString('hex')}`;
    const r = await act(dir, { E2E_REGISTRY_PASSWORD: wrong });
    expect(r.code).toBe(1);
    const error = /^::error[^:]*::(.*)$/m.exec(r.stdout)?.[1] ?? '';
    expect(error).toContain(`registry ${LOCAL_AUTH_REGISTRY} rejected the credentials (401 Unauthorized)`);
    expect(error).toContain('image.registryAuth');
    expect(r.outputs.image).toBeUndefined();
    const shown = withoutMaskCommands(`${r.stdout}\n${r.stderr}\n${r.summary}`);
    expect(shown).not.toContain(wrong);
  });

  it('pushes with the right password from the env, which appears nowhere in the output', async () => {
    const r = await act(dir, { E2E_REGISTRY_PASSWORD: password });
    expect(r.code, r.stdout).toBe(0);
    expect(r.outputs.image).toMatch(new RegExp(`^${repo.replace(/[.]/g, '\\.')}@sha256:[0-9a-f]{64}$`));
    const shown = withoutMaskCommands(
      `${r.stdout}\n${r.stderr}\n${r.summary}\n${JSON.stringify(r.outputs)}\n${r.post.stdout}`,
    );
    expect(shown).not.toContain(password);
    expect(shown).not.toContain(Buffer.from(`${LOCAL_AUTH.username}:${password}`).toString('base64'));
    const inspected = skopeoInspect([
      '--creds',
      `${LOCAL_AUTH.username}:${password}`,
      `docker://${r.outputs.image}`,
    ]);
    expect(inspected.Digest).toBe(r.outputs['image-digest']);
  });
});
