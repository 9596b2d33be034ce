// The Spark client for a runner without Spark: the jars of spark-core (as Spark's build resolves them,
// pinned with their sha1 in spark-client-lock.json by scripts/local-spark/client-lock.sh), fetched from
// Maven Central into the runner's tool cache once, verified, and reused by later runs.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, join } from 'node:path';
import { CONFIG_DEFAULTS } from '../../plan/build-plan.js';
import { ActionError, errorMessage } from '../../util/errors.js';
import type { FetchLike } from '../../util/http.js';
import type { DeployPlan } from '../target.js';
import { jarsCommand, locateSparkSubmit, type SparkSubmitCommand } from './spark-client.js';
import lock from './spark-client-lock.json' with { type: 'json' };

/** LockedJar is one jar of a pinned client: its path under a Maven repository and its sha1. */
export interface LockedJar {
  path: string;
  sha1: string;
  size: number;
}

export const MAVEN_CENTRAL = 'https://repo1.maven.org/maven2';
const MARKER = '.complete';
const DOWNLOADS_AT_ONCE = 8;

/** lockedJars is the pinned jar list of a Spark and Scala version, if this action pins one. */
export function lockedJars(version: string, scala: string): LockedJar[] | undefined {
  return (lock as Record<string, LockedJar[]>)[`${version}_${scala}`];
}

/**
 * pinnedClient is the pinned client for a Spark version: that version's, else the newest pinned patch release
 * of the same major.minor line and Scala version (the RPC gateway's messages do not change within a line).
 */
export function pinnedClient(
  version: string,
  scala: string,
): { version: string; jars: LockedJar[] } | undefined {
  const exact = lockedJars(version, scala);
  if (exact) return { version, jars: exact };
  const line = /^(\d+\.\d+)\./.exec(version)?.[1];
  const patch = (v: string) => Number(v.split('.')[2] ?? 0);
  const same = pinnedVersions()
    .map((k) => k.split('_') as [string, string])
    .filter(([v, sc]) => sc === scala && line !== undefined && v.startsWith(`${line}.`))
    .sort((a, b) => patch(b[0]) - patch(a[0]))[0];
  const jars = same && lockedJars(same[0], scala);
  return same && jars ? { version: same[0], jars } : undefined;
}

/** pinnedVersions lists the `<spark>_<scala>` clients this action can provision. */
export function pinnedVersions(): string[] {
  return Object.keys(lock);
}

/** toolCacheRoot is where provisioned tools live: RUNNER_TOOL_CACHE, else XDG_CACHE_HOME or ~/.cache. */
export function toolCacheRoot(env: NodeJS.ProcessEnv): string {
  const base = env.RUNNER_TOOL_CACHE || env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'spark-deploy-action');
}

export interface ProvisionInput {
  version: string;
  scala: string;
  /** The jars to fetch (default: the lock's for version and Scala). */
  jars?: LockedJar[];
  /** Maven repository base URL (default Maven Central). */
  repo?: string;
  cacheRoot: string;
  fetch: FetchLike;
  env: NodeJS.ProcessEnv;
  log: (message: string) => void;
}

const sha1 = (b: Uint8Array) => createHash('sha1').update(b).digest('hex');

async function download(i: ProvisionInput, repo: string, jar: LockedJar, into: string): Promise<void> {
  const url = `${repo}/${jar.path}`;
  let bytes: Uint8Array;
  try {
    const res = await i.fetch(url, { signal: AbortSignal.timeout(300_000) });
    if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
    bytes = new Uint8Array(await res.arrayBuffer());
  } catch (err) {
    throw new ActionError(`standalone: fetching the Spark client failed: ${url}: ${errorMessage(err)}`);
  }
  const got = sha1(bytes);
  if (got !== jar.sha1) {
    throw new ActionError(
      `standalone: ${url} has sha1 ${got}, the pinned client expects ${jar.sha1}; not used (a corrupted download or a changed artifact)`,
    );
  }
  writeFileSync(join(into, basename(jar.path)), bytes);
}

/**
 * provisionSparkClient returns the Spark client of `version`/`scala` from the tool cache, fetching and
 * verifying it first when it is not there (or not complete). An unpinned version is an ActionError.
 */
export async function provisionSparkClient(i: ProvisionInput): Promise<SparkSubmitCommand> {
  const pinned = i.jars ? { version: i.version, jars: i.jars } : pinnedClient(i.version, i.scala);
  if (!pinned) {
    throw new ActionError(
      `standalone: spark-submit is needed for a spark:// master, none is on the runner, and this action pins no Spark client for Spark ${i.version} (Scala ${i.scala}); it pins ${pinnedVersions().join(', ')}. Put Spark's bin directory on PATH or set SPARK_HOME (e.g. an unpacked Spark ${i.version} distribution)`,
    );
  }
  const { jars, version } = pinned;
  if (version !== i.version) {
    i.log(
      `standalone: no Spark ${i.version} client is pinned; using the pinned ${version} client of the same line`,
    );
  }
  const dir = join(i.cacheRoot, 'spark-client', `${version}-scala${i.scala}`);
  const stamp = sha1(new TextEncoder().encode(JSON.stringify(jars)));
  const ready = () => existsSync(join(dir, MARKER)) && readFileSync(join(dir, MARKER), 'utf8') === stamp;
  if (ready()) return jarsCommand(join(dir, 'jars'), i.env, undefined, dir);

  const repo = (i.repo ?? MAVEN_CENTRAL).replace(/\/+$/, '');
  const mb = (jars.reduce((n, j) => n + j.size, 0) / 1e6).toFixed(0);
  i.log(
    `standalone: no spark-submit on the runner; fetching the Spark ${version} client (${jars.length} jars, ${mb} MB, pinned by sha1) from ${repo} into ${dir}`,
  );
  const partial = `${dir}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(join(partial, 'jars'), { recursive: true });
  try {
    let next = 0;
    const worker = async () => {
      for (let k = next++; k < jars.length; k = next++)
        await download(i, repo, jars[k] as LockedJar, join(partial, 'jars'));
    };
    await Promise.all(Array.from({ length: Math.min(DOWNLOADS_AT_ONCE, jars.length) }, worker));
    writeFileSync(join(partial, MARKER), stamp);
    if (!ready()) {
      rmSync(dir, { recursive: true, force: true });
      renameSync(partial, dir);
    }
  } finally {
    rmSync(partial, { recursive: true, force: true });
  }
  return jarsCommand(join(dir, 'jars'), i.env, undefined, dir);
}

/** SparkVersion is the Spark (and Scala binary) version the client must speak. */
export interface SparkVersion {
  version: string;
  scala: string;
}

/** sparkVersionOf is the Plan's Spark and Scala version (the config defaults without a Plan). */
export function sparkVersionOf(plan: DeployPlan | undefined): SparkVersion {
  return {
    version: plan?.config.spark.version ?? CONFIG_DEFAULTS.sparkVersion,
    scala: plan?.config.spark.scalaVersion ?? CONFIG_DEFAULTS.scalaVersion,
  };
}

/**
 * defaultSparkSubmit is the installed spark-submit (PATH, SPARK_HOME), else the pinned client for the
 * Spark version, provisioned into the tool cache.
 */
export async function defaultSparkSubmit(
  spark: SparkVersion,
  io: { fetch: FetchLike; log: (message: string) => void; env?: NodeJS.ProcessEnv },
): Promise<SparkSubmitCommand> {
  const env = io.env ?? process.env;
  const found = locateSparkSubmit(env);
  if (found) return found;
  return provisionSparkClient({ ...spark, cacheRoot: toolCacheRoot(env), fetch: io.fetch, env, log: io.log });
}
