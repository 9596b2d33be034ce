#!/usr/bin/env node
// Pushes the stand-in base image that examples/etl-app's `local` environment builds on (image.base) to
// the local registry (scripts/local-registry.sh start): one tiny layer with a note, an OCI manifest for
// linux/amd64, tag spark-deploy/local-base:1. There is no Docker Hub here, and the local target (Spark
// standalone) runs the JAR itself, so the image only has to show the daemonless build end to end; a real
// deployment uses an apache/spark base. Idempotent: the same bytes every time, blobs pushed only when
// missing. Prints the reference.
//
//   node scripts/local-base-image.mjs        (LOCAL_REGISTRY, default 127.0.0.1:5000)
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';

const registry = process.env.LOCAL_REGISTRY ?? `127.0.0.1:${process.env.LOCAL_REGISTRY_PORT ?? 5000}`;
const repo = 'spark-deploy/local-base';
const tag = '1';
const api = `http://${registry}/v2/${repo}`;

const sha256 = (b) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** ustar header + data for one root-owned entry with mtime 0 (what the layer needs, nothing more). */
function tarEntry(path, data, type) {
  const h = Buffer.alloc(512);
  const octal = (v, w) => `${v.toString(8).padStart(w - 1, '0')}\0`;
  h.write(path, 0, 100);
  h.write(octal(type === '5' ? 0o755 : 0o644, 8), 100);
  h.write(octal(0, 8), 108);
  h.write(octal(0, 8), 116);
  h.write(octal(data.length, 12), 124);
  h.write(octal(0, 12), 136);
  h.write('        ', 148);
  h.write(type, 156);
  h.write('ustar\u000000', 257);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  return [h, data, Buffer.alloc((512 - (data.length % 512)) % 512)];
}

const note = Buffer.from(
  'Stand-in base image for the spark-deploy-action demo (scripts/local-base-image.mjs).\n' +
    'It holds no Java or Spark; deploy images build on an apache/spark base.\n',
);
const tar = Buffer.concat([
  ...tarEntry('opt/', Buffer.alloc(0), '5'),
  ...tarEntry('opt/spark-deploy-base.txt', note, '0'),
  Buffer.alloc(1024),
]);
// level 9 and no name/mtime in the header: the same bytes from the same zlib.
const layer = gzipSync(tar, { level: 9 });
const config = Buffer.from(
  JSON.stringify({
    architecture: 'amd64',
    os: 'linux',
    created: '1970-01-01T00:00:00Z',
    config: {
      Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
      WorkingDir: '/opt/spark/work-dir',
      Labels: {
        'org.opencontainers.image.description': 'spark-deploy-action demo stand-in base (not runnable)',
      },
    },
    rootfs: { type: 'layers', diff_ids: [sha256(tar)] },
    history: [{ created: '1970-01-01T00:00:00Z', created_by: 'scripts/local-base-image.mjs' }],
  }),
);
const manifestType = 'application/vnd.oci.image.manifest.v1+json';
const manifest = Buffer.from(
  JSON.stringify({
    schemaVersion: 2,
    mediaType: manifestType,
    config: {
      mediaType: 'application/vnd.oci.image.config.v1+json',
      digest: sha256(config),
      size: config.length,
    },
    layers: [
      { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: sha256(layer), size: layer.length },
    ],
  }),
);

async function call(method, url, init = {}) {
  let res;
  try {
    res = await fetch(url, { method, ...init, signal: AbortSignal.timeout(30_000) });
  } catch (err) {
    throw new Error(
      `${method} ${url}: ${err.cause?.code ?? err.message} (is the registry up? bash scripts/local-registry.sh start)`,
    );
  }
  return res;
}

async function pushBlob(data) {
  const digest = sha256(data);
  const head = await call('HEAD', `${api}/blobs/${digest}`);
  if (head.status === 200) return;
  const start = await call('POST', `${api}/blobs/uploads/`);
  if (start.status !== 202) throw new Error(`start upload: ${start.status} ${await start.text()}`);
  const url = new URL(start.headers.get('location') ?? '', `http://${registry}`);
  url.searchParams.set('digest', digest);
  const put = await call('PUT', url, { body: data, headers: { 'content-type': 'application/octet-stream' } });
  if (put.status !== 201) throw new Error(`upload ${digest}: ${put.status} ${await put.text()}`);
}

try {
  await pushBlob(layer);
  await pushBlob(config);
  const put = await call('PUT', `${api}/manifests/${tag}`, {
    body: manifest,
    headers: { 'content-type': manifestType },
  });
  if (put.status !== 201) throw new Error(`PUT manifest: ${put.status} ${await put.text()}`);
  console.log(`${registry}/${repo}:${tag}@${sha256(manifest)}`);
} catch (err) {
  console.error(`local-base-image: ${err.message}`);
  process.exit(1);
}
