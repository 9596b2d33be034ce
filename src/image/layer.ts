import { readFile } from 'node:fs/promises';
import { basename, isAbsolute, posix, resolve } from 'node:path';
import { ActionError } from '../util/errors.js';
import { type GzipResult, gzipStored, type TarEntry, tarParts } from './tar.js';

/** LayerFile is a host file and where it goes in the image. */
export interface LayerFile {
  /** Absolute path in the image, e.g. /app/etl.jar. */
  imagePath: string;
  hostPath: string;
  /** Config key the file came from, for error messages. */
  from: string;
}

/** AppLayer is the built layer: gzip bytes (as buffers), digests, and the files it holds. */
export interface AppLayer extends GzipResult {
  files: { path: string; size: number }[];
}

/** normalizeAppDir checks image.appDir and returns it absolute, without a trailing slash (default /app). */
export function normalizeAppDir(appDir: string | undefined): string {
  const dir = posix.normalize(appDir ?? '/app').replace(/\/+$/, '');
  if (!dir.startsWith('/') || dir === '' || dir.includes('/../'))
    throw new ActionError(
      `image: image.appDir must be an absolute directory in the image such as /app (got ${JSON.stringify(appDir)})`,
    );
  return dir;
}

// Spark accepts URLs in spark.files (s3://, hdfs://, https://); only local files go into the image.
const URL_LIKE = /^[a-z][a-z0-9+.-]*:\/\//i;

/**
 * layerFiles lists what goes into the layer: the JAR, app.configFile and the local spark.files, each as
 * <appDir>/<file name>. Two files with the same name are an error naming both keys.
 */
export function layerFiles(opts: {
  jarPath: string;
  workingDirectory: string;
  appDir: string;
  configFile?: string;
  sparkFiles?: readonly string[];
}): LayerFile[] {
  const files: LayerFile[] = [
    { imagePath: `${opts.appDir}/${basename(opts.jarPath)}`, hostPath: opts.jarPath, from: 'the JAR' },
  ];
  const add = (p: string, from: string) => {
    const hostPath = isAbsolute(p) ? p : resolve(opts.workingDirectory, p);
    files.push({ imagePath: `${opts.appDir}/${basename(p)}`, hostPath, from });
  };
  if (opts.configFile) add(opts.configFile, 'app.configFile');
  for (const [i, f] of (opts.sparkFiles ?? []).entries()) {
    const local = f.replace(/^file:\/\//, '');
    if (!URL_LIKE.test(local)) add(local, `spark.files[${i}]`);
  }
  const seen = new Map<string, LayerFile>();
  for (const f of files) {
    const other = seen.get(f.imagePath);
    if (other && other.hostPath !== f.hostPath)
      throw new ActionError(
        `image: ${f.from} and ${other.from} would both be ${f.imagePath} in the image; rename one of them`,
      );
    seen.set(f.imagePath, f);
  }
  return [...seen.values()];
}

/** tarEntriesFor returns the directory entries for appDir and its parents plus one entry per file. */
export function tarEntriesFor(appDir: string, files: { imagePath: string; data: Uint8Array }[]): TarEntry[] {
  const entries: TarEntry[] = [];
  const parts = appDir.split('/').filter(Boolean);
  for (let i = 1; i <= parts.length; i++) entries.push({ path: parts.slice(0, i).join('/'), type: 'dir' });
  for (const f of files) entries.push({ path: f.imagePath.replace(/^\/+/, ''), type: 'file', data: f.data });
  return entries;
}

/** buildAppLayer reads the files and returns the deterministic layer holding them. */
export async function buildAppLayer(appDir: string, files: readonly LayerFile[]): Promise<AppLayer> {
  const loaded = await Promise.all(
    files.map(async (f) => {
      try {
        return { imagePath: f.imagePath, data: await readFile(f.hostPath) };
      } catch (err) {
        const code = (err as { code?: string }).code;
        throw new ActionError(
          `image: cannot read ${f.from} (${f.hostPath}): ${code === 'ENOENT' ? 'no such file' : String(err)}; check the path in the config, relative to the working directory`,
        );
      }
    }),
  );
  const gz = gzipStored(tarParts(tarEntriesFor(appDir, loaded)));
  return {
    ...gz,
    files: loaded
      .map((f) => ({ path: f.imagePath, size: f.data.length }))
      .sort((a, b) => (a.path < b.path ? -1 : 1)),
  };
}
