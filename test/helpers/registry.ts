import { gzipSync } from 'node:zlib';
import type { Finding } from '../../src/findings.js';
import type { Credentials } from '../../src/image/auth.js';
import { MediaType, sha256Digest } from '../../src/image/manifest.js';
import { RegistryClient } from '../../src/image/registry.js';
import { tarParts } from '../../src/image/tar.js';
import type { Plan } from '../../src/plan/plan.js';
import type { Reporter } from '../../src/stage.js';
import type { FetchLike } from '../../src/util/http.js';
import { basePlan } from './plan.js';

/** Local registries started by scripts/local-registry.sh (ports and test-only credentials). */
export const LOCAL_REGISTRY =
  process.env.LOCAL_REGISTRY ?? `127.0.0.1:${process.env.LOCAL_REGISTRY_PORT ?? 5000}`;
export const LOCAL_AUTH_REGISTRY =
  process.env.LOCAL_AUTH_REGISTRY ?? `127.0.0.1:${process.env.LOCAL_REGISTRY_AUTH_PORT ?? 5001}`;
export const LOCAL_AUTH: Credentials = {
  username: process.env.LOCAL_REGISTRY_USER ?? 'tester',
  password: process.env.LOCAL_REGISTRY_PASSWORD ?? 'tester-password',
};

/** SyntheticBase is a pushed base image: an index over linux/amd64 and linux/arm64 images. */
export interface SyntheticBase {
  reference: string;
  indexDigest: string;
  manifests: Record<'amd64' | 'arm64', { digest: string; layers: string[] }>;
}

function platformImage(arch: 'amd64' | 'arm64', docker: boolean) {
  // A tiny root file system; gzip from zlib, as a real base would be compressed by its own tool.
  const tar = Buffer.concat(
    tarParts([
      { path: 'etc', type: 'dir' },
      { path: 'etc/os-release', type: 'file', data: Buffer.from(`NAME=synthetic\nARCH=${arch}\n`) },
      { path: 'opt', type: 'dir' },
      { path: 'opt/entrypoint.sh', type: 'file', data: Buffer.from('#!/bin/sh\nexec "$@"\n'), mode: 0o755 },
    ]),
  );
  const layer = gzipSync(tar, { level: 6 });
  const config = Buffer.from(
    JSON.stringify({
      architecture: arch,
      os: 'linux',
      ...(arch === 'arm64' ? { variant: 'v8' } : {}),
      created: '2020-01-01T00:00:00Z',
      config: {
        Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'JAVA_HOME=/opt/java'],
        Entrypoint: ['/opt/entrypoint.sh'],
        WorkingDir: '/opt/spark/work-dir',
        Labels: { 'org.example.base': 'synthetic' },
      },
      rootfs: { type: 'layers', diff_ids: [sha256Digest(tar)] },
      history: [{ created: '2020-01-01T00:00:00Z', created_by: 'synthetic base' }],
    }),
  );
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: docker ? MediaType.dockerManifest : MediaType.ociManifest,
      config: {
        mediaType: docker ? MediaType.dockerConfig : MediaType.ociConfig,
        digest: sha256Digest(config),
        size: config.length,
      },
      layers: [
        {
          mediaType: docker ? MediaType.dockerLayerGzip : MediaType.ociLayerGzip,
          digest: sha256Digest(layer),
          size: layer.length,
        },
      ],
    }),
  );
  return { layer, config, manifest };
}

/**
 * pushSyntheticBase pushes a small multi-platform base image (OCI index or Docker manifest list over
 * linux/amd64 and linux/arm64/v8, one tiny layer each) to `registry/repo:tag`.
 */
export async function pushSyntheticBase(opts: {
  registry: string;
  repo: string;
  tag?: string;
  format?: 'oci' | 'docker';
  credentials?: Credentials;
  fetch?: FetchLike;
}): Promise<SyntheticBase> {
  const docker = opts.format === 'docker';
  const client = new RegistryClient({
    registry: opts.registry,
    scopes: [`repository:${opts.repo}:pull,push`],
    ...(opts.credentials ? { credentials: opts.credentials } : {}),
    ...(opts.fetch ? { fetch: opts.fetch } : {}),
  });
  const manifests = {} as SyntheticBase['manifests'];
  const entries = [];
  for (const arch of ['amd64', 'arm64'] as const) {
    const img = platformImage(arch, docker);
    for (const blob of [img.layer, img.config]) {
      const d = sha256Digest(blob);
      if (!(await client.hasBlob(opts.repo, d))) await client.uploadBlob(opts.repo, d, new Blob([blob]));
    }
    const mt = docker ? MediaType.dockerManifest : MediaType.ociManifest;
    const digest = await client.putManifest(opts.repo, sha256Digest(img.manifest), mt, img.manifest);
    manifests[arch] = { digest, layers: [sha256Digest(img.layer)] };
    entries.push({
      mediaType: mt,
      digest,
      size: img.manifest.length,
      platform: { architecture: arch, os: 'linux', ...(arch === 'arm64' ? { variant: 'v8' } : {}) },
    });
  }
  const indexType = docker ? MediaType.dockerList : MediaType.ociIndex;
  const index = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: indexType, manifests: entries }));
  const tag = opts.tag ?? 'latest';
  const indexDigest = await client.putManifest(opts.repo, tag, indexType, index);
  return { reference: `${opts.registry}/${opts.repo}:${tag}`, indexDigest, manifests };
}

/** countingFetch wraps fetch and records every request's method and path (for "what was sent" checks). */
export function countingFetch(): {
  fetch: FetchLike;
  requests: { method: string; path: string; bytes: number }[];
} {
  const requests: { method: string; path: string; bytes: number }[] = [];
  return {
    requests,
    fetch: (url, init) => {
      const body = init?.body;
      const bytes = body instanceof Blob ? body.size : body instanceof Uint8Array ? body.byteLength : 0;
      requests.push({ method: init?.method ?? 'GET', path: new URL(url).pathname, bytes });
      return fetch(url, init);
    },
  };
}

/** imagePlan returns a Plan for the image stage: acme/etl at a fixed commit, config.image from `image`. */
export function imagePlan(
  workingDirectory: string,
  image: NonNullable<Plan['config']>['image'],
  over: { config?: Partial<NonNullable<Plan['config']>> } & Partial<Omit<Plan, 'config'>> = {},
): Plan {
  const { config, ...rest } = over;
  return {
    ...basePlan(workingDirectory),
    stages: ['image'],
    environment: 'staging',
    target: 'kubernetes',
    config: {
      app: { name: 'etl', mode: 'batch', healthyAfter: 60 },
      spark: { version: '3.5.6', scalaVersion: '2.12', javaRelease: 17 },
      image,
      ...config,
    } as Plan['config'],
    ...rest,
  };
}

/** recordingReporter collects what a stage reports. */
export function recordingReporter(): {
  reporter: Reporter;
  outputs: Record<string, string>;
  sections: Record<string, string>;
  findings: Finding[];
} {
  const outputs: Record<string, string> = {};
  const sections: Record<string, string> = {};
  const findings: Finding[] = [];
  return {
    outputs,
    sections,
    findings,
    reporter: {
      output: (k, v) => {
        outputs[k] = v;
      },
      section: (t, m) => {
        sections[t] = m;
      },
      finding: (f) => {
        findings.push(f);
      },
    },
  };
}
