import { type Dirent, readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { ActionError } from '../util/errors.js';

const SKIP = new Set([
  'target',
  'node_modules',
  '.git',
  '.bsp',
  '.idea',
  '.metals',
  '.bloop',
  'dist',
  'project',
]);

function list(dir: string): Dirent[] {
  try {
    return readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}

/** hasSbtBuild tells whether a directory holds an sbt build definition (a *.sbt file or project/*.scala). */
export function hasSbtBuild(dir: string): boolean {
  return (
    list(dir).some((e) => e.isFile() && e.name.endsWith('.sbt')) ||
    list(join(dir, 'project')).some((e) => e.isFile() && e.name.endsWith('.scala'))
  );
}

/** findBuildsBelow lists directories under `dir` (a few levels deep) that hold a build.sbt, for the error hint. */
export function findBuildsBelow(dir: string, maxDepth = 3, limit = 5): string[] {
  const out: string[] = [];
  const walk = (d: string, depth: number) => {
    for (const e of list(d)) {
      if (out.length >= limit) return;
      if (!e.isDirectory() || SKIP.has(e.name) || e.name.startsWith('.')) continue;
      const sub = join(d, e.name);
      if (list(sub).some((f) => f.isFile() && f.name === 'build.sbt')) out.push(sub);
      else if (depth < maxDepth) walk(sub, depth + 1);
    }
  };
  walk(dir, 1);
  return out;
}

/**
 * checkSbtProject fails before sbt runs when the working directory holds no sbt build: sbt would otherwise
 * start an empty project there and fail later with an unrelated message (or build nothing).
 */
export function checkSbtProject(workingDirectory: string, workspace: string): void {
  if (hasSbtBuild(workingDirectory)) return;
  const show = (p: string) => relative(workspace, p).split(sep).join('/') || '.';
  const below = findBuildsBelow(workingDirectory).map((p) => show(p));
  throw new ActionError(
    `build: no sbt build in ${show(workingDirectory)} (the \`working-directory\` input): it has no build.sbt (no *.sbt file and no project/*.scala). ${
      below.length
        ? `Builds found below it: ${below.join(', ')}; set \`working-directory: ${below[0]}\`.`
        : 'Set `working-directory` to the directory that holds your build.sbt.'
    }`,
  );
}
