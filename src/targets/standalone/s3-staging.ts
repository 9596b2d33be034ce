// standalone.jar.stage: s3: the JAR (and app.configFile) uploaded to S3 with the shared staging module, and
// named to the cluster as s3a:// URIs, which each worker fetches with its own Hadoop S3A connector.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import type { S3ClientOptions } from '../../s3/client.js';
import { type StagedBy, stageToS3 } from '../../s3/stage.js';
import { objectKeyFor, parseS3Uri, s3aUri, s3Uri, whyNotS3Uri } from '../../s3/uri.js';
import type { Artifact } from '../../stage.js';
import { errorMessage } from '../../util/errors.js';
import { sha256File } from '../../util/hash.js';
import type { DeployPlan } from '../target.js';
import { configError } from './settings.js';

/** Upload is one file to put on S3 before the driver is submitted. */
export interface Upload {
  from: string;
  /** s3://bucket/key. */
  uri: string;
  /** Hex SHA-256 of `from`, when already known. */
  sha256?: string;
}

/** S3Stage is what stage s3 will do: the URIs the request names, the uploads that make them true. */
export interface S3Stage {
  appResource: string;
  configFile?: string;
  uploads: Upload[];
  client: S3ClientOptions;
  description: string;
}

export const STANDALONE_S3: StagedBy = { label: 'standalone', keys: 'standalone.jar.s3' };

const short = (sha: string) => sha.slice(0, 12);

/**
 * planS3Stage places the JAR under `standalone.jar.s3`: a prefix (ending in `/`) gets
 * `<jar name>-<sha256 prefix>.jar`, as stage local names it, so one key always holds one build; a full key is
 * used as it is. A local app.configFile goes to `config-<its sha256 prefix>/<its name>` beside the JAR: the
 * name is kept because Spark hands spark.files to the driver under their own names, and the hash keeps
 * different contents of the same name apart. Nothing is read from S3 here (render and dry-run use it too).
 */
export function planS3Stage(plan: DeployPlan, artifact: Artifact, configPath: string | undefined): S3Stage {
  const jar = plan.config.standalone?.jar;
  const key = ['standalone', 'jar', 's3'];
  if (!jar?.s3) {
    throw configError(plan, key, 'is required with stage: s3, e.g. s3://bucket/jars/{{sha}}/');
  }
  if (jar.s3.includes('{{'))
    throw configError(plan, key, `"${jar.s3}" still holds a {{template}} after rendering`);
  const loc = parseS3Uri(jar.s3);
  if (!loc) {
    throw configError(plan, key, `"${jar.s3}" ${whyNotS3Uri(jar.s3)}`);
  }
  if (jar.endpoint !== undefined && !/^https?:\/\/[^/]/i.test(jar.endpoint)) {
    throw configError(
      plan,
      ['standalone', 'jar', 'endpoint'],
      `"${jar.endpoint}" is not an http(s):// URL of an S3-compatible store`,
    );
  }
  const base = basename(artifact.jarPath).replace(/\.jar$/i, '');
  const jarName = artifact.sha256 ? `${base}-${short(artifact.sha256)}.jar` : `${base}.jar`;
  const jarLoc = { bucket: loc.bucket, key: objectKeyFor(loc, jarName) };
  const uploads: Upload[] = [
    { from: artifact.jarPath, uri: s3Uri(jarLoc), ...(artifact.sha256 ? { sha256: artifact.sha256 } : {}) },
  ];
  let configFile = plan.config.app.configFile;
  if (configPath) {
    let sha: string;
    try {
      sha = createHash('sha256').update(readFileSync(configPath)).digest('hex');
    } catch (err) {
      throw configError(plan, ['app', 'configFile'], `cannot read ${configPath}: ${errorMessage(err)}`);
    }
    const dir = jarLoc.key.includes('/') ? jarLoc.key.slice(0, jarLoc.key.lastIndexOf('/') + 1) : '';
    const cfgLoc = { bucket: loc.bucket, key: `${dir}config-${short(sha)}/${basename(configPath)}` };
    uploads.push({ from: configPath, uri: s3Uri(cfgLoc), sha256: sha });
    configFile = s3aUri(cfgLoc);
  }
  return {
    appResource: s3aUri(jarLoc),
    ...(configFile ? { configFile } : {}),
    uploads,
    client: {
      ...(jar.region ? { region: jar.region } : {}),
      ...(jar.endpoint ? { endpoint: jar.endpoint } : {}),
      ...(jar.pathStyle !== undefined ? { forcePathStyle: jar.pathStyle } : {}),
    },
    description: `JAR staged at ${s3aUri(jarLoc)} (workers read it through hadoop-aws)`,
  };
}

/** uploadS3Stage puts every file on S3 unless the object already holds the same SHA-256. */
export async function uploadS3Stage(
  uploads: readonly Upload[],
  client: S3Client,
  log: (line: string) => void,
  signal?: AbortSignal,
): Promise<{ uploaded: number }> {
  let uploaded = 0;
  for (const u of uploads) {
    const sha256 = u.sha256 ?? (await sha256File(resolve(u.from), signal));
    const r = await stageToS3({
      client,
      jarPath: u.from,
      sha256,
      uri: u.uri,
      log,
      by: STANDALONE_S3,
      ...(signal ? { signal } : {}),
    });
    if (r.uploaded) uploaded++;
  }
  return { uploaded };
}
