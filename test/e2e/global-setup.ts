// Builds examples/etl-app's assembly JAR once for the whole e2e run (real sbt, in a temp copy: tests never
// write to the repo) and hands its path to the tests that need the real JAR (inject('exampleJar')). Outside
// CI a JAR that `npm run demo` already built in place is reused; in CI it is always built, so no test that
// needs it is skipped there.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
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

export default function setup(project: TestProject): () => void {
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
  const dir = mkdtempSync(join(tmpdir(), 'spark-deploy-example-jar-'));
  const app = join(dir, 'etl-app');
  cpSync(join(root, 'examples/etl-app'), app, {
    recursive: true,
    filter: (src) => !/[/\\](target|\.bsp|spark-warehouse)([/\\]|$)/.test(src.slice(root.length)),
  });
  execFileSync('sbt', ['-batch', '-Dsbt.log.noformat=true', 'assembly'], { cwd: app, stdio: 'ignore' });
  const out = join(app, 'target/scala-2.12');
  const jar = readdirSync(out).find((f) => /-assembly-.*\.jar$/.test(f));
  if (!jar) throw new Error(`e2e: sbt assembly left no assembly JAR in ${out}`);
  project.provide('exampleJar', join(out, jar));
  return () => rmSync(dir, { recursive: true, force: true });
}
