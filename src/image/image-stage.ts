import { copyFile, mkdtemp, writeFile } from 'node:fs/promises';
import { basename, join, relative, resolve, sep } from 'node:path';
import { Output } from '../constants.js';
import type { Plan } from '../plan/plan.js';
import type { Artifact, Reporter } from '../stage.js';
import { configPlace } from '../targets/config-error.js';
import { ActionError } from '../util/errors.js';
import type { FetchLike } from '../util/http.js';
import { notice } from '../util/runner.js';
import {
  builderDriver,
  buildxArgs,
  cacheExportSupported,
  dockerAvailable,
  generateDockerfile,
  ghaCacheScope,
  readMetadataDigest,
  runBuildx,
} from './docker-builder.js';
import { type DockerSession, dockerLogin } from './docker-login.js';
import { type LayerFile, layerFiles } from './layer.js';
import { buildOciImage, type OciBuildResult } from './oci-builder.js';
import { parseImageRef } from './reference.js';
import { RegistryError } from './registry.js';
import { commitEpoch, type ImageSettings, imageSettings } from './settings.js';

/** ImageStageInput is what the pipeline hands the image stage. */
export interface ImageStageInput {
  plan: Plan;
  artifact: Artifact;
  signal?: AbortSignal;
  /** Directory for files the run leaves behind (OCI layout, generated build context). */
  tempDir: string;
}

/** ImageStageResult is the built image, pinned by digest. */
export interface ImageStageResult {
  image: { repository: string; digest: string; reference: string };
}

/** ImageStageDeps are the edges tests replace (default: the real ones). */
export interface ImageStageDeps {
  fetch?: FetchLike;
  env?: NodeJS.ProcessEnv;
  /** Whether a Docker engine answers; default runs `docker info`. */
  dockerAvailable?: () => boolean;
  docker?: string;
  log?: (line: string) => void;
}

function registryFailure(err: unknown, s: ImageSettings): never {
  if (!(err instanceof RegistryError)) throw err;
  const fix =
    err.status === 401 || err.status === 403
      ? s.credentials
        ? '; check image.registryAuth (or REGISTRY_USERNAME / REGISTRY_PASSWORD): the username or password is wrong or lacks push access'
        : '; set image.registryAuth to { username, password: { fromEnv: NAME } } or REGISTRY_USERNAME / REGISTRY_PASSWORD'
      : err.status === 0
        ? ''
        : `; check image.repository (${s.repository}) and image.base (${s.base})`;
  throw new ActionError(`image: ${err.message}${fix}`);
}

async function buildWithDocker(
  input: ImageStageInput,
  s: ImageSettings,
  files: LayerFile[],
  epoch: number,
  deps: ImageStageDeps,
): Promise<string> {
  const { plan } = input;
  const env = deps.env ?? process.env;
  const image = plan.config?.image;
  let context: string;
  let dockerfile: string;
  let buildArgs: Record<string, string> | undefined;
  if (image?.dockerfile) {
    context = resolve(plan.workingDirectory, image.context ?? '.');
    dockerfile = resolve(plan.workingDirectory, image.dockerfile);
    // The project's Dockerfile finds the JAR through these (ARG JAR_FILE, ARG APP_DIR).
    buildArgs = {
      JAR_FILE: relative(context, input.artifact.jarPath).split(sep).join('/'),
      APP_DIR: s.appDir,
    };
  } else {
    // A context of only the files the image needs, so a large workspace is never sent to the builder.
    context = await mkdtemp(join(input.tempDir, 'image-context-'));
    const jar = files[0] as LayerFile;
    for (const f of files) await copyFile(f.hostPath, join(context, basename(f.imagePath)));
    dockerfile = join(context, 'Dockerfile');
    await writeFile(
      dockerfile,
      generateDockerfile({
        base: s.base,
        files: files.slice(1).map((f) => ({ contextName: basename(f.imagePath), imagePath: f.imagePath })),
        jar: { contextName: basename(jar.imagePath), imagePath: jar.imagePath },
      }),
    );
  }
  const metadataFile = join(await mkdtemp(join(input.tempDir, 'buildx-')), 'metadata.json');
  const run = {
    ...(input.signal ? { signal: input.signal } : {}),
    ...(deps.docker ? { docker: deps.docker } : {}),
    ...(deps.log ? { log: deps.log } : {}),
  };
  let session: DockerSession | undefined;
  if (s.credentials) {
    const registry = parseImageRef(s.repository).registry;
    try {
      session = await dockerLogin({ registry, credentials: s.credentials, tempDir: input.tempDir, env, run });
    } catch (err) {
      if (!(err instanceof ActionError) || input.signal?.aborted) throw err;
      throw new ActionError(
        `${err.message}\ncheck image.registryAuth (or REGISTRY_USERNAME / REGISTRY_PASSWORD): the username or password is wrong or lacks push access to ${registry}`,
      );
    }
  }
  try {
    const buildEnv = { ...env, ...session?.env };
    let cacheScope = ghaCacheScope(env, s.repository);
    if (cacheScope && !cacheExportSupported(await builderDriver({ ...run, env: buildEnv }))) {
      cacheScope = undefined;
      notice(
        'image: the buildx builder uses the docker driver, which cannot write the GitHub Actions cache; building without layer cache (add docker/setup-buildx-action before this step to enable it)',
      );
    }
    const args = buildxArgs({
      context,
      dockerfile,
      tags: s.tags.map((t) => `${s.repository}:${t}`),
      labels: s.labels,
      ...(buildArgs ? { buildArgs } : {}),
      platform: s.platformText,
      push: s.push,
      metadataFile,
      ...(cacheScope ? { cacheScope } : {}),
    });
    // SOURCE_DATE_EPOCH makes BuildKit (>= 0.11) stamp the same times as the oci builder.
    await runBuildx(args, { ...run, env: { ...buildEnv, SOURCE_DATE_EPOCH: String(epoch) } });
  } finally {
    await session?.dispose();
  }
  return readMetadataDigest(metadataFile);
}

function summary(s: ImageSettings, builder: string, reference: string, oci?: OciBuildResult): string {
  const rows: [string, string][] = [
    ['Image', `\`${reference}\``],
    ['Builder', builder],
    ['Tags', s.tags.map((t) => `\`${t}\``).join(', ')],
    ['Base', `\`${s.base}\`${oci ? ` (\`${oci.base.digest}\`)` : ''}`],
    ['Platform', s.platformText],
  ];
  if (oci) {
    rows.push([
      'App layer',
      `${(oci.layer.size / 1e6).toFixed(1)} MB, ${oci.layer.files.map((f) => `\`${f.path}\``).join(', ')}`,
    ]);
    const t = oci.transfer;
    if (oci.layoutDir) rows.push(['Not pushed', `OCI layout written to \`${oci.layoutDir}\``]);
    else
      rows.push([
        'Transfer',
        `${t.uploadedBlobs} blob(s) uploaded (${(t.uploadedBytes / 1e6).toFixed(1)} MB), ${t.mounted} mounted, ${t.present} already present`,
      ]);
  } else if (!s.push) rows.push(['Not pushed', 'loaded into the local Docker engine']);
  return `| | |\n|---|---|\n${rows.map(([k, v]) => `| ${k} | ${v} |`).join('\n')}\n`;
}

/**
 * runImageStage builds the image for the artifact (docker buildx, or the daemonless oci builder), pushes it
 * unless image.push is false or the run is a dry run, and reports the reference pinned by digest.
 */
export async function runImageStage(
  input: ImageStageInput,
  reporter: Reporter,
  deps: ImageStageDeps = {},
): Promise<ImageStageResult> {
  const { plan, artifact } = input;
  const env = deps.env ?? process.env;
  const epoch = commitEpoch(plan, env);
  const s = imageSettings(plan, epoch);
  let builder = s.builder;
  const dockerfile = plan.config?.image?.dockerfile;
  const dockerfileKey = configPlace(plan, ['image', 'dockerfile']).text;
  if (dockerfile && builder === 'oci') {
    throw new ActionError(
      `image: ${dockerfileKey}: ${dockerfile} needs image.builder: docker; the oci builder assembles the image from image.base, the JAR and the config files and runs no Dockerfile`,
    );
  }
  if (!builder && dockerfile) {
    if (!(deps.dockerAvailable ?? (() => dockerAvailable(deps.docker)))()) {
      throw new ActionError(
        `image: ${dockerfileKey}: ${dockerfile} needs a Docker engine, and none answers \`docker info\` on this runner (the daemonless oci builder runs no Dockerfile): use a runner with Docker (ubuntu-latest has it), or drop image.dockerfile and put what it adds into image.base`,
      );
    }
    builder = 'docker';
  }
  if (!builder) {
    builder = (deps.dockerAvailable ?? (() => dockerAvailable(deps.docker)))() ? 'docker' : 'oci';
    if (builder === 'oci')
      notice(
        'image: no Docker engine answers `docker info`; building with the daemonless oci builder (image.builder: oci)',
      );
  }
  const files = layerFiles({
    jarPath: artifact.jarPath,
    workingDirectory: plan.workingDirectory,
    appDir: s.appDir,
    ...(plan.config?.app?.configFile ? { configFile: plan.config.app.configFile } : {}),
    ...(plan.config?.spark?.files ? { sparkFiles: plan.config.spark.files } : {}),
  });
  let digest: string;
  let oci: OciBuildResult | undefined;
  if (builder === 'oci') {
    try {
      oci = await buildOciImage({
        base: s.base,
        repository: s.repository,
        tags: s.tags,
        platform: s.platform,
        platformExplicit: s.platformExplicit,
        appDir: s.appDir,
        files,
        labels: s.labels,
        env: { SPARK_APP_JAR: files[0]?.imagePath ?? '' },
        created: s.created,
        push: s.push,
        ...(s.push ? {} : { layoutDir: await mkdtemp(join(input.tempDir, 'oci-layout-')) }),
        ...(s.credentials ? { credentials: s.credentials } : {}),
        ...(deps.fetch ? { fetch: deps.fetch } : {}),
        ...(input.signal ? { signal: input.signal } : {}),
        ...(deps.log ? { log: deps.log } : {}),
      });
    } catch (err) {
      registryFailure(err, s);
    }
    digest = oci.digest;
  } else {
    digest = await buildWithDocker(input, s, files, epoch, deps);
  }
  const reference = `${s.repository}@${digest}`;
  reporter.output(Output.image, reference);
  reporter.output(Output.imageDigest, digest);
  reporter.section('Image', summary(s, builder, reference, oci));
  return { image: { repository: s.repository, digest, reference } };
}
