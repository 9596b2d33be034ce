import { createHash } from 'node:crypto';

// Image manifests, indexes and configs (OCI image spec v1.1, Docker image manifest v2 schema 2): pure
// functions from parsed JSON to JSON bytes, so that the same inputs give the same digests.

export const MediaType = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
} as const;

/** ACCEPT_MANIFESTS is the Accept header for manifest GETs: every type this builder can read. */
export const ACCEPT_MANIFESTS = [
  MediaType.ociIndex,
  MediaType.dockerList,
  MediaType.ociManifest,
  MediaType.dockerManifest,
].join(', ');

/** Descriptor points at a blob or manifest by digest. */
export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: Platform;
  annotations?: Record<string, string>;
  urls?: string[];
}

/** Platform as in an index entry. */
export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

/** ImageManifest is an OCI or Docker schema 2 image manifest. */
export interface ImageManifest {
  schemaVersion: 2;
  mediaType?: string;
  config: Descriptor;
  layers: Descriptor[];
  annotations?: Record<string, string>;
}

/** ImageIndex is an OCI index or a Docker manifest list. */
export interface ImageIndex {
  schemaVersion: 2;
  mediaType?: string;
  manifests: Descriptor[];
}

/** sha256Digest returns `sha256:<hex>` of bytes. */
export function sha256Digest(data: Uint8Array | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** isIndex tells whether a manifest media type (header or body field) is an index or manifest list. */
export function isIndex(mediaType: string | undefined, body: unknown): boolean {
  if (mediaType === MediaType.ociIndex || mediaType === MediaType.dockerList) return true;
  // An OCI index may omit mediaType; then `manifests` tells it apart from an image manifest.
  return (
    !mediaType && typeof body === 'object' && body !== null && Array.isArray((body as ImageIndex).manifests)
  );
}

/** parsePlatform parses `os/arch[/variant]` (e.g. linux/arm64/v8). */
export function parsePlatform(s: string): Platform {
  const [os, architecture, variant, extra] = s.split('/');
  if (!os || !architecture || extra !== undefined)
    throw new Error(`invalid platform ${JSON.stringify(s)}: expected os/arch[/variant], e.g. linux/amd64`);
  return { os, architecture, ...(variant ? { variant } : {}) };
}

/** formatPlatform renders a platform as os/arch[/variant]. */
export function formatPlatform(p: Platform): string {
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/');
}

// Variants that are the default for their architecture, so linux/arm64 matches linux/arm64/v8.
const DEFAULT_VARIANT: Record<string, string> = { arm64: 'v8', arm: 'v7' };

/** selectPlatform picks the index entry for a platform; undefined when none matches. */
export function selectPlatform(index: ImageIndex, want: Platform): Descriptor | undefined {
  const variantOf = (p: Platform) => p.variant ?? DEFAULT_VARIANT[p.architecture];
  return index.manifests.find((m) => {
    const p = m.platform;
    if (!p || p.os !== want.os || p.architecture !== want.architecture) return false;
    if (!want.variant) return true;
    return variantOf(p) === variantOf(want);
  });
}

/** Image config (the parts this builder reads or writes; the rest of the base's is kept as is). */
export interface ImageConfig {
  created?: string;
  architecture?: string;
  os?: string;
  config?: {
    Env?: string[];
    Entrypoint?: string[] | null;
    Cmd?: string[] | null;
    WorkingDir?: string;
    Labels?: Record<string, string> | null;
    [k: string]: unknown;
  };
  rootfs?: { type: 'layers'; diff_ids: string[] };
  history?: { created?: string; created_by?: string; comment?: string; empty_layer?: boolean }[];
  [k: string]: unknown;
}

/** ConfigChanges are what the builder adds to the base config. */
export interface ConfigChanges {
  created: string;
  diffId: string;
  labels: Record<string, string>;
  env: Record<string, string>;
  /** Replaces the base's WorkingDir only when the base has none. */
  workingDir?: string;
  /** Replaces the base's Entrypoint when set (and clears Cmd); default: keep the base's. */
  entrypoint?: string[];
  createdBy: string;
}

/**
 * deriveConfig returns the new image config: the base's with our layer's diff_id appended, labels merged
 * (ours win), env variables set (replacing ones of the same name), a history entry, and `created`.
 */
export function deriveConfig(base: ImageConfig, c: ConfigChanges): ImageConfig {
  const cfg = { ...(base.config ?? {}) };
  const env = (cfg.Env ?? []).filter((e) => !Object.hasOwn(c.env, e.split('=')[0] ?? ''));
  for (const [k, v] of Object.entries(c.env)) env.push(`${k}=${v}`);
  cfg.Env = env;
  cfg.Labels = { ...(cfg.Labels ?? {}), ...c.labels };
  if (!cfg.WorkingDir && c.workingDir) cfg.WorkingDir = c.workingDir;
  if (c.entrypoint) {
    cfg.Entrypoint = c.entrypoint;
    cfg.Cmd = null;
  }
  return {
    ...base,
    created: c.created,
    config: cfg,
    rootfs: { type: 'layers', diff_ids: [...(base.rootfs?.diff_ids ?? []), c.diffId] },
    history: [...(base.history ?? []), { created: c.created, created_by: c.createdBy }],
  };
}

/** buildManifest returns the new manifest in the base's media type family, our layer appended. */
export function buildManifest(
  base: ImageManifest,
  baseMediaType: string,
  config: { digest: string; size: number },
  layer: { digest: string; size: number },
): { mediaType: string; manifest: ImageManifest } {
  const docker = baseMediaType === MediaType.dockerManifest;
  const mediaType = docker ? MediaType.dockerManifest : MediaType.ociManifest;
  const manifest: ImageManifest = {
    schemaVersion: 2,
    mediaType,
    // Fields picked one by one: callers pass richer objects (the built layer holds its bytes), and
    // anything spread in here would end up in the manifest and its digest.
    config: {
      mediaType: docker ? MediaType.dockerConfig : MediaType.ociConfig,
      digest: config.digest,
      size: config.size,
    },
    layers: [
      ...base.layers,
      {
        mediaType: docker ? MediaType.dockerLayerGzip : MediaType.ociLayerGzip,
        digest: layer.digest,
        size: layer.size,
      },
    ],
  };
  return { mediaType, manifest };
}

/** canonicalJson serialises JSON compactly; key order is insertion order, which the builders fix. */
export function canonicalJson(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value), 'utf8');
}
