// Builds examples/etl-app's assembly JAR once for the whole e2e run (real sbt, in a temp copy: tests never
// write to the repo) and hands its path to the tests that need the real JAR (inject('exampleJar')). Outside
// CI a JAR that `npm run demo` already built in place is reused; in CI it is always built, so no test that
// needs it is skipped there. scripts/test.sh runs the two lanes of vitest.e2e.config.ts as two processes
// side by side, with SPARK_DEPLOY_E2E_SHARED_DIR naming a directory they share: the first one builds the JAR
// there, the other waits for it.
import { execFileSync, spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Absolute path of the example app's assembly JAR; empty when sbt is not available (local runs only). */
    exampleJar: string;
  }
}

const root = resolve(import.meta.dirname, '../..');
const ci = process.env.CI === 'true' || process.env.CI === '1';

export default async function setup(project: TestProject): Promise<() => void> {
  const inTree = join(root, 'examples/etl-app/target/scala-2.12/etl-pipeline-assembly-1.0.0.jar');
  if (!ci && existsSync(inTree)) {
    project.provide('exampleJar', inTree);
    return () => undefined;
  }
  if (spawnSync('sbt', ['--script-version'], { stdio: 'ignore' }).status !== 0) {
    if (ci)
      throw new Error(
        'e2e: sbt is not on PATH; scripts/test.sh puts scripts/install-sbt.sh --print-path on it',
      );
    console.warn(
      'e2e: no sbt on PATH (bash scripts/install-sbt.sh): tests of the real example JAR are skipped',
    );
    project.provide('exampleJar', '');
    return () => undefined;
  }
  const shared = process.env.SPARK_DEPLOY_E2E_SHARED_DIR;
  if (shared) {
    const built = await sharedBuild(shared);
    project.provide('exampleJar', built);
    return () => undefined;
  }
  const dir = mkdtempSync(join(tmpdir(), 'spark-deploy-example-jar-'));
  project.provide('exampleJar', buildExampleJar(dir));
  return () => rmSync(dir, { recursive: true, force: true });
}

/**
 * sharedBuild builds the JAR in `shared` once for every process that asks: the first one takes the lock
 * (an atomic mkdir) and builds; the others wait for its result (the JAR's path, or its error). The
 * directory is removed by whoever made it (scripts/test.sh).
 */
async function sharedBuild(shared: string): Promise<string> {
  const done = join(shared, 'example-jar.path');
  const failed = join(shared, 'example-jar.error');
  try {
    mkdirSync(join(shared, 'example-jar.lock'));
  } catch {
    const until = Date.now() + 20 * 60_000;
    while (Date.now() < until) {
      if (existsSync(done)) return readFileSync(done, 'utf8');
      if (existsSync(failed))
        throw new Error(`e2e: the other lane's sbt build failed: ${readFileSync(failed, 'utf8')}`);
      await new Promise((r) => setTimeout(r, 1000));
    }
    throw new Error(`e2e: waited 20 min for the example JAR another lane builds in ${shared}`);
  }
  try {
    const jar = buildExampleJar(shared);
    writeFileSync(done, jar);
    return jar;
  } catch (err) {
    writeFileSync(failed, err instanceof Error ? err.message : String(err));
    throw err;
  }
}

/** buildExampleJar copies examples/etl-app into `dir` and runs sbt assembly there; the JAR's path. */
function buildExampleJar(dir: string): string {
  const app = join(dir, 'etl-app');
  cpSync(join(root, 'examples/etl-app'), app, {
    recursive: true,
    filter: (src) => !/[/\\](target|\.bsp|spark-warehouse)([/\\]|$)/.test(src.slice(root.length)),
  });
  execFileSync('sbt', ['-batch', '-Dsbt.log.noformat=true', 'assembly'], { cwd: app, stdio: 'ignore' });
  const out = join(app, 'target/scala-2.12');
  const jar = readdirSync(out).find((f) => /-assembly-.*\.jar$/.test(f));
  if (!jar) throw new Error(`e2e: sbt assembly left no assembly JAR in ${out}`);
  return join(out, jar);
}
