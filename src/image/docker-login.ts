import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Credentials } from './auth.js';
import { type DockerRunOptions, runDocker } from './docker-builder.js';

// Registry credentials for the docker path. The login goes into a private DOCKER_CONFIG that lives only for
// this build: the password reaches `docker login` on stdin (never argv), and nothing is left in the
// runner's ~/.docker for the next job on a self-hosted runner. The user's builder (BUILDX_CONFIG), CLI
// plugins and contexts stay in use.

/** DockerSession is the environment a logged-in build runs with, and how to throw it away. */
export interface DockerSession {
  env: Record<string, string>;
  dispose(): Promise<void>;
}

/** loginServer returns the server argument of `docker login` (none for Docker Hub, the CLI's default). */
export function loginServer(registry: string): string[] {
  return registry === 'docker.io' ? [] : [registry];
}

/**
 * privateDockerConfig returns the config.json for the private DOCKER_CONFIG: the user's settings without a
 * credential store (so the login lands in this file) and without a helper for the registry logged in to.
 */
export function privateDockerConfig(user: unknown, registry: string): Record<string, unknown> {
  const config =
    typeof user === 'object' && user !== null && !Array.isArray(user)
      ? { ...(user as Record<string, unknown>) }
      : {};
  delete config.credsStore;
  const helpers = config.credHelpers;
  if (typeof helpers === 'object' && helpers !== null) {
    const rest = { ...(helpers as Record<string, unknown>) };
    delete rest[registry];
    config.credHelpers = rest;
  }
  return config;
}

/**
 * dockerLogin logs in to `registry` in a private DOCKER_CONFIG under tempDir and returns the environment
 * for the build. A refused login throws with docker's own message.
 */
export async function dockerLogin(o: {
  registry: string;
  credentials: Credentials;
  tempDir: string;
  env: NodeJS.ProcessEnv;
  run?: DockerRunOptions;
}): Promise<DockerSession> {
  const userDir = o.env.DOCKER_CONFIG || join(o.env.HOME || homedir(), '.docker');
  const dir = await mkdtemp(join(o.tempDir, 'docker-config-'));
  const dispose = () => rm(dir, { recursive: true, force: true });
  try {
    let user: unknown;
    try {
      user = JSON.parse(await readFile(join(userDir, 'config.json'), 'utf8'));
    } catch {
      user = {};
    }
    await writeFile(join(dir, 'config.json'), JSON.stringify(privateDockerConfig(user, o.registry)), {
      mode: 0o600,
    });
    for (const sub of ['cli-plugins', 'contexts'])
      if (existsSync(join(userDir, sub))) await symlink(join(userDir, sub), join(dir, sub));
    const env = {
      DOCKER_CONFIG: dir,
      // buildx keeps its builders (the one docker/setup-buildx-action created) under $DOCKER_CONFIG/buildx.
      BUILDX_CONFIG: o.env.BUILDX_CONFIG || join(userDir, 'buildx'),
    };
    await runDocker(
      ['login', '--username', o.credentials.username, '--password-stdin', ...loginServer(o.registry)],
      `login to ${o.registry}`,
      { ...o.run, env: { ...o.env, ...env }, input: o.credentials.password, quiet: true },
    );
    return { env, dispose };
  } catch (err) {
    await dispose();
    throw err;
  }
}
