import { readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

// The commit checked out in the workspace, read from .git the way git resolves HEAD (no git process: this
// runs on every start-up). A workflow may check out another commit than the run's (the deploy workflow's
// `ref` input, or a pull request's head instead of its merge commit): {{sha}}, labels and the GitHub
// deployment must name what is built and deployed.

const OBJECT_ID = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function isDirectory(path: string): boolean | undefined {
  // No exception for the usual case, no .git here (this runs on every start-up); others mean "unreadable".
  try {
    return statSync(path, { throwIfNoEntry: false })?.isDirectory();
  } catch {
    return undefined;
  }
}

/** gitDirOf finds the git directory for a checkout rooted at `dir` (a .git directory, or a .git file). */
function gitDirOf(dir: string): string | undefined {
  const dotGit = join(dir, '.git');
  const kind = isDirectory(dotGit);
  if (kind === true) return dotGit;
  if (kind === false) {
    // Worktrees and submodules: ".git" is a file "gitdir: <path>", relative to the file's directory.
    const m = /^gitdir: (.+)$/m.exec(read(dotGit) ?? '');
    return m?.[1] ? resolve(dir, m[1].trim()) : undefined;
  }
  return undefined;
}

function resolveRef(gitDir: string, ref: string): string | undefined {
  // A linked worktree keeps its HEAD but shares refs with the main repository ("commondir").
  const common = read(join(gitDir, 'commondir'));
  const dirs = [gitDir, ...(common ? [resolve(gitDir, common.trim())] : [])];
  for (const d of dirs) {
    const loose = read(join(d, ...ref.split('/')))?.trim();
    if (loose && OBJECT_ID.test(loose)) return loose;
  }
  for (const d of dirs) {
    for (const line of (read(join(d, 'packed-refs')) ?? '').split('\n')) {
      const [id, name] = line.trim().split(' ');
      if (name === ref && id && OBJECT_ID.test(id)) return id;
    }
  }
  return undefined;
}

/**
 * checkedOutCommit returns the commit checked out at `from` or the nearest directory above it that is a git
 * checkout, searching no higher than `workspace`; undefined when there is none or it cannot be read.
 */
export function checkedOutCommit(from: string, workspace: string): string | undefined {
  const top = resolve(workspace);
  let dir = resolve(from);
  const inside = relative(top, dir);
  if (inside.startsWith('..') || inside.startsWith(sep)) return undefined;
  for (;;) {
    const gitDir = gitDirOf(dir);
    if (gitDir) {
      const head = read(join(gitDir, 'HEAD'))?.trim() ?? '';
      if (OBJECT_ID.test(head)) return head;
      const m = /^ref: (refs\/\S+)$/.exec(head);
      return m?.[1] ? resolveRef(gitDir, m[1]) : undefined;
    }
    if (dir === top) return undefined;
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}
