// Where workers find the JAR (and app.configFile): the runner's files mean nothing on the cluster unless
// they are copied to a shared directory, uploaded to S3 (s3-staging.ts) or already live at a URL.
import { copyFile, mkdir, rename, stat, unlink } from 'node:fs/promises';
import { basename, isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { S3Client } from '@aws-sdk/client-s3';
import type { S3ClientOptions } from '../../s3/client.js';
import type { Artifact } from '../../stage.js';
import type { DeployPlan } from '../target.js';
import { planS3Stage, type Upload, uploadS3Stage } from './s3-staging.js';
import { configError, type Settings } from './settings.js';

/** StagePlan is what staging will do: the URIs the request uses and the copies that make them true. */
export interface StagePlan {
  stage: 'local' | 'url' | 's3';
  appResource: string;
  configFile?: string;
  copies: { from: string; to: string }[];
  /** stage s3: the files to upload, and how to reach the store. */
  uploads?: Upload[];
  s3?: S3ClientOptions;
  /** One line for the log: where the JAR goes. */
  description: string;
}

const isUri = (s: string) => /^[a-z][a-z0-9+.-]*:/i.test(s) && !/^[a-z]:[\\/]/i.test(s);
const fileUri = (p: string) => pathToFileURL(p).href;

/**
 * planStaging decides, without touching anything, how workers reach the JAR: `local` copies it into
 * `standalone.jar.path` (a directory every worker mounts at the same path) or, with no path and a
 * loopback master, uses the runner's own path; `url` uses `standalone.jar.url`; `s3` uploads to
 * `standalone.jar.s3` and names the objects as s3a:// URIs (see planS3Stage).
 * Without a `standalone.jar` section, a loopback master implies `local`; anything else is an error.
 */
export function planStaging(plan: DeployPlan, artifact: Artifact, settings: Settings): StagePlan {
  const jar = plan.config.standalone?.jar;
  const masters = [
    ...settings.endpoints.map((e) => ({ url: e.rest, loopback: e.loopback })),
    ...settings.rpcMasters,
  ];
  const allLoopback = masters.every((e) => e.loopback);
  const stage = jar?.stage ?? (allLoopback ? 'local' : undefined);
  const localConfig = plan.config.app.configFile;
  const configPath =
    localConfig && !isUri(localConfig) ? resolve(plan.workingDirectory, localConfig) : undefined;

  if (stage === undefined) {
    throw configError(
      plan,
      ['standalone', 'jar'],
      'is required for a remote master: the JAR must be readable by every worker. Use stage: local with path: <a directory all workers mount>, or stage: url with url: <where you uploaded it>',
    );
  }
  if (stage === 's3') {
    const s3 = planS3Stage(plan, artifact, configPath);
    return {
      stage: 's3',
      appResource: s3.appResource,
      ...(s3.configFile ? { configFile: s3.configFile } : {}),
      copies: [],
      uploads: s3.uploads,
      s3: s3.client,
      description: s3.description,
    };
  }
  if (stage === 'url') {
    if (!jar?.url) throw configError(plan, ['standalone', 'jar', 'url'], 'is required with stage: url');
    if (!isUri(jar.url)) {
      throw configError(
        plan,
        ['standalone', 'jar', 'url'],
        `"${jar.url}" is not a URL (e.g. https://..., hdfs://..., s3a://...)`,
      );
    }
    if (configPath) {
      throw configError(
        plan,
        ['app', 'configFile'],
        `${localConfig} is a file on the runner, and stage: url gives workers no way to read it; give app.configFile as a URL, or use stage: local with a shared path`,
      );
    }
    return {
      stage: 'url',
      appResource: jar.url,
      ...(localConfig ? { configFile: localConfig } : {}),
      copies: [],
      description: `JAR at ${jar.url}`,
    };
  }

  if (jar?.path) {
    const dir = jar.path.replace(/^file:(\/\/)?/, '');
    if (!isAbsolute(dir)) {
      throw configError(
        plan,
        ['standalone', 'jar', 'path'],
        `"${jar.path}" must be an absolute path of a directory every worker mounts at the same place`,
      );
    }
    const base = basename(artifact.jarPath).replace(/\.jar$/i, '');
    const jarName = artifact.sha256 ? `${base}-${artifact.sha256.slice(0, 12)}.jar` : `${base}.jar`;
    const jarDest = join(dir, jarName);
    const copies = [{ from: artifact.jarPath, to: jarDest }];
    let configFile = localConfig;
    if (configPath) {
      const runDir = join(dir, `config-${plan.context.runId}-${plan.context.runAttempt}`);
      const dest = join(runDir, basename(configPath));
      copies.push({ from: configPath, to: dest });
      configFile = fileUri(dest);
    }
    return {
      stage: 'local',
      appResource: fileUri(jarDest),
      ...(configFile ? { configFile } : {}),
      copies,
      description: `JAR copied to the shared directory ${dir}`,
    };
  }
  if (!allLoopback) {
    const remote = masters.filter((e) => !e.loopback).map((e) => e.url);
    throw configError(
      plan,
      ['standalone', 'jar', 'path'],
      `stage: local without a path uses the runner's own file, which only a master on this machine (loopback) can read; ${remote.join(', ')} is remote. Set jar.path to a directory every worker mounts, or use stage: url`,
    );
  }
  return {
    stage: 'local',
    appResource: fileUri(artifact.jarPath),
    ...(configPath ? { configFile: fileUri(configPath) } : localConfig ? { configFile: localConfig } : {}),
    copies: [],
    description: `JAR read from ${artifact.jarPath} (local cluster)`,
  };
}

/** StagingIo is what staging needs from the target's edges: an S3 client for stage s3, and a log. */
export interface StagingIo {
  s3Client: (opts: S3ClientOptions) => S3Client;
  log: (line: string) => void;
  signal?: AbortSignal;
}

/**
 * applyStaging makes the plan true: uploads for stage s3 (skipped when S3 holds the same bytes), copies
 * atomically otherwise (copy aside, then rename) so a worker never reads half a JAR.
 */
export async function applyStaging(sp: StagePlan, io: StagingIo): Promise<void> {
  if (sp.uploads?.length) {
    await uploadS3Stage(sp.uploads, io.s3Client(sp.s3 ?? {}), io.log, io.signal);
  }
  for (const { from, to } of sp.copies) {
    const src = await stat(from);
    const existing = await stat(to).catch(() => undefined);
    // The JAR name carries its hash, so an existing file of the same size is this JAR from an earlier run.
    if (existing && existing.size === src.size && /-[0-9a-f]{12}\.jar$/.test(to)) continue;
    await mkdir(resolve(to, '..'), { recursive: true });
    const tmp = `${to}.tmp-${process.pid}-${Date.now()}`;
    try {
      await copyFile(from, tmp);
      await rename(tmp, to);
    } catch (err) {
      await unlink(tmp).catch(() => undefined);
      throw err;
    }
  }
}
