import { spawnSync } from 'node:child_process';
import type { Plan } from '../plan/plan.js';
import { ActionError } from '../util/errors.js';
import type { Credentials } from './auth.js';
import { defaultSparkBase } from './docker-builder.js';
import { normalizeAppDir } from './layer.js';
import { type Platform, parsePlatform } from './manifest.js';
import { parseImageRef, sanitizeTag } from './reference.js';

/** ImageSettings is the image section of the Plan with every default applied. */
export interface ImageSettings {
  repository: string;
  builder?: 'docker' | 'oci';
  base: string;
  platform: Platform;
  platformText: string;
  platformExplicit: boolean;
  appDir: string;
  push: boolean;
  /** Tags (without the repository), first one primary. */
  tags: string[];
  labels: Record<string, string>;
  created: string;
  credentials?: Credentials;
}

function stringValue(v: unknown): string | undefined {
  // The Plan holds resolved secrets as strings; a leftover { fromEnv } means it was not resolved.
  return typeof v === 'string' && v ? v : undefined;
}

/**
 * commitEpoch returns the time for `created`: SOURCE_DATE_EPOCH when set (the reproducible-builds
 * convention), else the commit time of plan.context.sha from git, else 0 (1970-01-01). Never the clock: the
 * same commit and JAR must give the same digest.
 */
export function commitEpoch(plan: Plan, env: NodeJS.ProcessEnv = process.env): number {
  const fromEnv = env.SOURCE_DATE_EPOCH;
  if (fromEnv && /^\d+$/.test(fromEnv)) return Number(fromEnv);
  if (plan.context.sha) {
    const r = spawnSync('git', ['log', '-1', '--format=%ct', plan.context.sha], {
      cwd: plan.workingDirectory,
      encoding: 'utf8',
      timeout: 10_000,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const t = r.status === 0 ? r.stdout.trim() : '';
    if (/^\d+$/.test(t)) return Number(t);
  }
  return 0;
}

/** imageTags returns the tags: the version (for a tag push) or sha-<short sha>, the environment, extras. */
export function imageTags(plan: Plan): string[] {
  const tags: string[] = [];
  const ctx = plan.context;
  if (ctx.ref.startsWith('refs/tags/') && ctx.refName) tags.push(sanitizeTag(ctx.refName));
  else if (ctx.sha) tags.push(`sha-${ctx.sha.slice(0, 7)}`);
  if (plan.environment) tags.push(sanitizeTag(plan.environment));
  for (const t of plan.config?.image?.tags ?? []) tags.push(sanitizeTag(t));
  const unique = [...new Set(tags.filter(Boolean))];
  return unique.length ? unique : ['latest'];
}

/** ociLabels returns the org.opencontainers.image.* labels known from the run. */
export function ociLabels(plan: Plan, created: string): Record<string, string> {
  const ctx = plan.context;
  const labels: Record<string, string> = { 'org.opencontainers.image.created': created };
  if (ctx.repository)
    labels['org.opencontainers.image.source'] =
      `${ctx.serverUrl}/${ctx.repository.owner}/${ctx.repository.repo}`;
  if (ctx.sha) labels['org.opencontainers.image.revision'] = ctx.sha;
  const title = plan.config?.app?.name;
  if (title) labels['org.opencontainers.image.title'] = title;
  return labels;
}

/**
 * imageSettings resolves the image section of the Plan. Credentials: image.registryAuth as the Plan
 * resolved it (from the config's `{ fromEnv }`, or REGISTRY_USERNAME / REGISTRY_PASSWORD), else anonymous.
 */
export function imageSettings(plan: Plan, epochSeconds: number): ImageSettings {
  const image = plan.config?.image;
  const repository = image?.repository;
  if (!repository)
    throw new ActionError(
      'image: image.repository is not set in the config; set it (e.g. ghcr.io/acme/etl), or drop image from `stages` (on Kubernetes, set kubernetes.image to an image built elsewhere, pinned by digest)',
    );
  try {
    const ref = parseImageRef(repository);
    if (ref.tag || ref.digest) throw new Error('must not carry a tag or digest; use image.tags');
  } catch (err) {
    throw new ActionError(`image: image.repository ${JSON.stringify(repository)}: ${(err as Error).message}`);
  }
  const spark = plan.config?.spark;
  const base =
    image?.base ??
    defaultSparkBase(
      spark?.version ?? '3.5.6',
      spark?.scalaVersion ?? '2.12',
      spark?.javaRelease ?? plan.javaRelease,
    );
  let platform: Platform;
  try {
    platform = parsePlatform(image?.platform ?? 'linux/amd64');
  } catch (err) {
    throw new ActionError(`image: image.platform: ${(err as Error).message}`);
  }
  const created = new Date(epochSeconds * 1000).toISOString().replace(/\.000Z$/, 'Z');
  // From the config or REGISTRY_USERNAME / REGISTRY_PASSWORD: the Plan resolved either (registry-env.ts).
  const auth = image?.registryAuth as { username?: unknown; password?: unknown } | undefined;
  const username = stringValue(auth?.username);
  const password = stringValue(auth?.password);
  return {
    repository,
    ...(image?.builder ? { builder: image.builder } : {}),
    base,
    platform,
    platformText: image?.platform ?? 'linux/amd64',
    platformExplicit: image?.platform !== undefined,
    appDir: normalizeAppDir(image?.appDir),
    push: (image?.push ?? true) && !plan.dryRun,
    tags: imageTags(plan),
    labels: ociLabels(plan, created),
    created,
    ...(username && password ? { credentials: { username, password } } : {}),
  };
}
