import type { PreparedLayer } from './layer.js';
import { type ImageConfig, type ImageManifest, isIndex, MediaType } from './manifest.js';
import type { RegistryClient, StreamedUpload } from './registry.js';

// An unchanged re-push should not cost the two SHA-256 passes of a fresh build over a large JAR.
// The images the tags point at now are the likely earlier pushes of the same layer; their manifests and
// configs tell each layer's size, blob digest and diff_id.

/** EarlierLayer is a gzip layer of an image under one of the tags, with its diff_id from that config. */
export interface EarlierLayer {
  tag: string;
  digest: string;
  size: number;
  diffId: string;
}

const GZIP_LAYERS: readonly string[] = [MediaType.ociLayerGzip, MediaType.dockerLayerGzip];

/**
 * earlierLayers returns the gzip layers of `size` bytes in the images the tags point at in the repository.
 * Reads only; a tag that is missing or unreadable contributes nothing (the build then hashes as usual).
 */
export async function earlierLayers(
  client: RegistryClient,
  name: string,
  tags: readonly string[],
  size: number,
): Promise<EarlierLayer[]> {
  const found = await Promise.all(
    tags.map(async (tag): Promise<EarlierLayer[]> => {
      try {
        const pulled = await client.getManifest(name, tag);
        if (isIndex(pulled.mediaType, pulled.json)) return [];
        const manifest = pulled.json as ImageManifest;
        const same = (manifest.layers ?? [])
          .map((l, i) => ({ l, i }))
          .filter(({ l }) => l.size === size && GZIP_LAYERS.includes(l.mediaType));
        if (!same.length) return [];
        const config = JSON.parse(
          (await client.getBlob(name, manifest.config.digest)).toString('utf8'),
        ) as ImageConfig;
        const diffIds = config.rootfs?.diff_ids ?? [];
        // diff_ids pair with layers by position only when the counts agree.
        if (diffIds.length !== manifest.layers.length) return [];
        return same.map(({ l, i }) => ({
          tag,
          digest: l.digest,
          size: l.size,
          diffId: diffIds[i] as string,
        }));
      } catch {
        return [];
      }
    }),
  );
  return found.flat();
}

/** LayerDigests are the layer's blob digest and diff_id, and the tag whose image supplied the digest. */
export interface LayerDigests {
  digest: string;
  diffId: string;
  reusedFrom?: string;
}

/**
 * layerDigests computes the layer's diff_id and blob digest. When an earlier image has a layer of the same
 * size, the diff_id goes first, and if it equals that layer's, the layer's digest is taken from the earlier
 * manifest instead of hashing the gzip stream: that blob holds the same tar (the diff_id says so), and the
 * stored-block gzip framing is a function of the tar bytes alone. Otherwise both passes run side by side.
 */
export async function layerDigests(
  layer: PreparedLayer,
  earlier: readonly EarlierLayer[],
  signal?: AbortSignal,
): Promise<LayerDigests> {
  if (earlier.length) {
    const diffId = await layer.diffId(signal);
    const hit = earlier.find((e) => e.diffId === diffId);
    if (hit) return { digest: hit.digest, diffId, reusedFrom: hit.tag };
    return { digest: await layer.digest(signal), diffId };
  }
  const [digest, diffId] = await Promise.all([layer.digest(signal), layer.diffId(signal)]);
  return { digest, diffId };
}

/** LayerPlan is the app layer's digests and where the push stands with it. */
export interface LayerPlan extends LayerDigests {
  /** A HEAD found the blob in the repository. */
  present: boolean;
  /** An upload started before the digest was known, still to be finished (the blob is not there). */
  upload?: StreamedUpload;
  /** Bytes sent by an early upload that was cancelled because the blob turned out to be there. */
  wasted: number;
}

/**
 * planAppLayer computes the layer's digests and checks whether the repository has the blob (HEAD). When no
 * image under the tags has a layer of this size, the registry most likely lacks it: the upload then starts
 * at once and streams while the digests are computed, and is cancelled if the HEAD finds the blob after
 * all. A first push so takes about as long as the upload alone, a re-push as long as one hashing pass.
 */
export async function planAppLayer(opts: {
  client: RegistryClient;
  name: string;
  tags: readonly string[];
  layer: PreparedLayer;
  /** Start the upload before the digest is known when the blob is likely missing (not with chunked uploads). */
  early: boolean;
  signal?: AbortSignal;
}): Promise<LayerPlan> {
  const { client, name, layer, signal } = opts;
  const earlier = await earlierLayers(client, name, opts.tags, layer.size);
  const upload =
    opts.early && !earlier.length
      ? client.startUpload(name, { size: layer.size, open: () => layer.open(signal) })
      : undefined;
  try {
    const digests = await layerDigests(layer, earlier, signal);
    const present = await client.hasBlob(name, digests.digest);
    if (upload && present) {
      await upload.cancel();
      return { ...digests, present, wasted: upload.sent() };
    }
    return { ...digests, present, wasted: 0, ...(upload ? { upload } : {}) };
  } catch (err) {
    await upload?.cancel();
    throw err;
  }
}
