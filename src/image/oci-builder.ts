import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FetchLike } from '../util/http.js';
import type { Credentials } from './auth.js';
import { type AppLayer, type LayerFile, type PreparedLayer, prepareAppLayer } from './layer.js';
import { type LayerDigests, type LayerPlan, layerDigests, planAppLayer } from './layer-reuse.js';
import {
  buildManifest,
  canonicalJson,
  deriveConfig,
  formatPlatform,
  type ImageConfig,
  type ImageIndex,
  type ImageManifest,
  isIndex,
  MediaType,
  type Platform,
  selectPlatform,
  sha256Digest,
} from './manifest.js';
import { type ImageRef, parseImageRef } from './reference.js';
import { type BlobSource, RegistryClient, RegistryError } from './registry.js';

/** OciBuildOptions is everything the daemonless build needs, already resolved from the Plan. */
export interface OciBuildOptions {
  /** Base image reference, e.g. 127.0.0.1:5000/base:1 or apache/spark:3.5.6-scala2.12-java17-ubuntu. */
  base: string;
  /** Target repository without tag, e.g. ghcr.io/acme/etl. */
  repository: string;
  /** Tags to put the manifest under (at least one when pushing). */
  tags: string[];
  platform: Platform;
  /** Whether the platform was configured (a single-platform base must then match it). */
  platformExplicit?: boolean;
  appDir: string;
  files: LayerFile[];
  labels: Record<string, string>;
  env: Record<string, string>;
  /** RFC 3339 `created` for the config and history (deterministic: see image-stage.ts). */
  created: string;
  push: boolean;
  /** Where to write the OCI image layout when push is false. */
  layoutDir?: string;
  /** Credentials for the target registry (also used for the base when it is in the same registry). */
  credentials?: Credentials;
  fetch?: FetchLike;
  signal?: AbortSignal;
  chunkSize?: number;
  /** Delay before retrying a failed read, times the attempt (default 500 ms). */
  retryDelayMs?: number;
  log?: (line: string) => void;
}

/** OciBuildResult describes the built image and what the push transferred. */
export interface OciBuildResult {
  digest: string;
  mediaType: string;
  manifest: Buffer;
  config: { digest: string; size: number };
  /** reusedFrom: the tag of the earlier image whose layer had the same diff_id (its digest was taken). */
  layer: { digest: string; size: number; diffId: string; files: AppLayer['files']; reusedFrom?: string };
  base: { reference: string; digest: string };
  /** Blobs and bytes sent to the registry, blobs mounted from the base repository, blobs already there. */
  transfer: { uploadedBlobs: number; uploadedBytes: number; mounted: number; present: number };
  layoutDir?: string;
}

function targetRef(repository: string): ImageRef {
  const ref = parseImageRef(repository);
  if (ref.tag || ref.digest)
    throw new RegistryError(
      `image.repository must not carry a tag or digest (${repository}); tags come from image.tags`,
      0,
    );
  return ref;
}

async function pullBase(
  client: RegistryClient,
  ref: ImageRef,
  opts: OciBuildOptions,
): Promise<{ manifest: ImageManifest; mediaType: string; digest: string; config: ImageConfig }> {
  let pulled = await client.getManifest(ref.name, ref.digest ?? ref.tag ?? 'latest');
  if (isIndex(pulled.mediaType, pulled.json)) {
    const index = pulled.json as ImageIndex;
    const entry = selectPlatform(index, opts.platform);
    if (!entry) {
      const have = index.manifests.flatMap((m) => (m.platform ? [formatPlatform(m.platform)] : []));
      throw new RegistryError(
        `base image ${opts.base} has no ${formatPlatform(opts.platform)} image (it has ${have.join(', ') || 'none'}); set image.platform to one of them`,
        0,
      );
    }
    pulled = await client.getManifest(ref.name, entry.digest);
  }
  if (pulled.mediaType !== MediaType.ociManifest && pulled.mediaType !== MediaType.dockerManifest)
    throw new RegistryError(
      `base image ${opts.base} has manifest type ${pulled.mediaType || '(none)'}; the oci builder reads OCI and Docker schema 2 images`,
      0,
    );
  const manifest = pulled.json as ImageManifest;
  const config = JSON.parse(
    (await client.getBlob(ref.name, manifest.config.digest)).toString('utf8'),
  ) as ImageConfig;
  if (
    opts.platformExplicit &&
    config.architecture &&
    (config.os !== opts.platform.os || config.architecture !== opts.platform.architecture)
  )
    throw new RegistryError(
      `base image ${opts.base} is ${config.os}/${config.architecture}, not ${formatPlatform(opts.platform)}; pick a base for that platform or change image.platform`,
      0,
    );
  return { manifest, mediaType: pulled.mediaType, digest: pulled.digest, config };
}

async function inParallel<T>(items: readonly T[], limit: number, fn: (t: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/**
 * buildOciImage pulls the base manifest and config, adds one deterministic layer with the app files, and
 * pushes the image (only blobs the registry lacks; base layers mounted when in the same registry) or writes
 * an OCI image layout. The result's digest depends only on the base, the files and the options.
 */
export async function buildOciImage(opts: OciBuildOptions): Promise<OciBuildResult> {
  const log = opts.log ?? (() => {});
  const target = targetRef(opts.repository);
  const baseRef = parseImageRef(opts.base);
  const sameRegistry = baseRef.registry === target.registry;
  const common = {
    ...(opts.fetch ? { fetch: opts.fetch } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.chunkSize ? { chunkSize: opts.chunkSize } : {}),
    ...(opts.retryDelayMs !== undefined ? { retryDelayMs: opts.retryDelayMs } : {}),
  };
  const targetClient = new RegistryClient({
    registry: target.registry,
    ...(opts.credentials ? { credentials: opts.credentials } : {}),
    scopes: [
      `repository:${target.name}:${opts.push ? 'pull,push' : 'pull'}`,
      ...(sameRegistry ? [`repository:${baseRef.name}:pull`] : []),
    ],
    ...common,
  });
  const baseClient = sameRegistry
    ? targetClient
    : new RegistryClient({
        registry: baseRef.registry,
        scopes: [`repository:${baseRef.name}:pull`],
        ...common,
      });

  type Built = Pick<PreparedLayer, 'size' | 'files' | 'open'> & LayerDigests & Partial<LayerPlan>;
  const layerPlan = (async (): Promise<Built> => {
    const p = await prepareAppLayer(opts.appDir, opts.files);
    const prepared = { size: p.size, files: p.files, open: p.open };
    if (!opts.push) return { ...prepared, ...(await layerDigests(p, [], opts.signal)) };
    const plan = await planAppLayer({
      client: targetClient,
      name: target.name,
      tags: opts.tags,
      layer: p,
      early: !opts.chunkSize,
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    return { ...prepared, ...plan };
  })();
  // The layer's hashing (and maybe its upload) runs while the base manifest and config come over.
  let base: Awaited<ReturnType<typeof pullBase>>;
  try {
    base = await pullBase(baseClient, baseRef, opts);
  } catch (err) {
    await (await layerPlan.catch(() => undefined))?.upload?.cancel();
    throw err;
  }
  const layer = await layerPlan;
  log(`base ${opts.base} -> ${base.digest} (${base.manifest.layers.length} layers)`);
  log(
    `layer ${layer.digest} (${layer.size} bytes, ${layer.files.length} files${layer.reusedFrom ? `; same diff_id as the layer under tag ${layer.reusedFrom}, gzip pass skipped` : ''})`,
  );
  const config = deriveConfig(base.config, {
    created: opts.created,
    diffId: layer.diffId,
    labels: opts.labels,
    env: opts.env,
    workingDir: opts.appDir,
    createdBy: `spark-deploy-action: add ${layer.files.map((f) => f.path).join(' ')}`,
  });
  const configBytes = canonicalJson(config);
  const configDesc = { digest: sha256Digest(configBytes), size: configBytes.length };
  const { mediaType, manifest } = buildManifest(base.manifest, base.mediaType, configDesc, layer);
  const manifestBytes = canonicalJson(manifest);
  const digest = sha256Digest(manifestBytes);
  const transfer = { uploadedBlobs: 0, uploadedBytes: 0, mounted: 0, present: 0 };
  const result: OciBuildResult = {
    digest,
    mediaType,
    manifest: manifestBytes,
    config: configDesc,
    layer: {
      digest: layer.digest,
      size: layer.size,
      diffId: layer.diffId,
      files: layer.files,
      ...(layer.reusedFrom ? { reusedFrom: layer.reusedFrom } : {}),
    },
    base: { reference: opts.base, digest: base.digest },
    transfer,
  };

  if (!opts.push) {
    if (!opts.layoutDir) throw new Error('buildOciImage: layoutDir is required when push is false');
    await writeLayout(opts.layoutDir, {
      blobs: [
        ...base.manifest.layers.map((l) => ({
          digest: l.digest,
          data: baseClient.blobSource(baseRef.name, l.digest, l.size).open(),
        })),
        { digest: layer.digest, data: layer.open(opts.signal) },
        { digest: configDesc.digest, data: [configBytes] },
        { digest, data: [manifestBytes] },
      ],
      manifest: { mediaType, digest, size: manifestBytes.length },
      tags: opts.tags,
    });
    return { ...result, layoutDir: opts.layoutDir };
  }

  const upload = async (d: string, data: Blob | BlobSource) => {
    await targetClient.uploadBlob(target.name, d, data);
    transfer.uploadedBlobs++;
    transfer.uploadedBytes += data.size;
  };
  try {
    await inParallel(base.manifest.layers, 3, async (l) => {
      if (await targetClient.hasBlob(target.name, l.digest)) {
        transfer.present++;
        return;
      }
      if (sameRegistry && (await targetClient.mountBlob(target.name, l.digest, baseRef.name))) {
        transfer.mounted++;
        return;
      }
      // Another registry (or a declined mount): copy through this process.
      await upload(l.digest, baseClient.blobSource(baseRef.name, l.digest, l.size));
    });
    // planAppLayer has sent the HEAD for our layer already (and perhaps started its upload).
    transfer.uploadedBytes += layer.wasted ?? 0;
    if (layer.present) transfer.present++;
    else if (layer.upload) {
      await layer.upload.finish(layer.digest);
      transfer.uploadedBlobs++;
      transfer.uploadedBytes += layer.size;
    } else await upload(layer.digest, { size: layer.size, open: () => layer.open(opts.signal) });
  } catch (err) {
    await layer.upload?.cancel();
    throw err;
  }
  if (await targetClient.hasBlob(target.name, configDesc.digest)) transfer.present++;
  else await upload(configDesc.digest, new Blob([configBytes]));
  for (const tag of opts.tags) await targetClient.putManifest(target.name, tag, mediaType, manifestBytes);
  if (!opts.tags.length) await targetClient.putManifest(target.name, digest, mediaType, manifestBytes);
  log(
    `pushed ${target.registry}/${target.name}@${digest}: uploaded ${transfer.uploadedBlobs} blobs (${transfer.uploadedBytes} bytes), mounted ${transfer.mounted}, already present ${transfer.present}`,
  );
  return result;
}

/** writeLayout writes an OCI image layout (image-layout.md): oci-layout, index.json, blobs/sha256/. */
export async function writeLayout(
  dir: string,
  image: {
    blobs: { digest: string; data: Buffer | Buffer[] | AsyncIterable<Uint8Array> }[];
    manifest: { mediaType: string; digest: string; size: number };
    tags: string[];
  },
): Promise<void> {
  await mkdir(join(dir, 'blobs', 'sha256'), { recursive: true });
  for (const b of image.blobs)
    await writeFile(
      join(dir, 'blobs', 'sha256', b.digest.slice('sha256:'.length)),
      Buffer.isBuffer(b.data) ? [b.data] : b.data,
    );
  await writeFile(join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  const tags = image.tags.length ? image.tags : [undefined];
  const index = {
    schemaVersion: 2,
    mediaType: MediaType.ociIndex,
    manifests: tags.map((t) => ({
      ...image.manifest,
      ...(t ? { annotations: { 'org.opencontainers.image.ref.name': t } } : {}),
    })),
  };
  await writeFile(join(dir, 'index.json'), canonicalJson(index));
}
