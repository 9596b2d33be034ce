/**
 * A consumer repository made as a user makes one: examples/etl-app copied into a temp directory, a caller
 * from examples/workflows/ copied to .github/workflows/, the example deploy config adapted to the clusters
 * at hand, all committed to `main` of a git repository. The directory doubles as the "server" copy that the
 * checkout stand-in fetches from ($SPARK_DEPLOY_ACT_GIT_SERVER/<owner>/<repo>), and act runs in it.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { forAct } from './workflows.js';

export const root = resolve(import.meta.dirname, '../../..');

export interface Consumer {
  /** The repository's directory (act's working directory). */
  dir: string;
  /** The git "server" root: the checkout stand-in reads <server>/<owner>/<repo>. */
  server: string;
  repository: string;
  git(...args: string[]): string;
  /** commit stages everything and commits on the current branch; returns the new commit's SHA. */
  commit(message: string): string;
}

const IDENTITY = ['-c', 'user.name=octocat', '-c', 'user.email=octocat@users.noreply.github.com'];

/**
 * makeRepository creates the git repository <base>/server/<repository> with what `fill` writes into it,
 * committed on `main`, with origin named as on GitHub (act reads the repository's name from it).
 */
export function makeRepository(base: string, repository: string, fill: (dir: string) => void): Consumer {
  const server = join(base, 'server');
  const dir = join(server, repository);
  mkdirSync(dir, { recursive: true });
  fill(dir);
  const git = (...args: string[]) =>
    execFileSync('git', [...IDENTITY, ...args], {
      cwd: dir,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    }).trim();
  git('init', '-q', '-b', 'main');
  git('remote', 'add', 'origin', `https://github.com/${repository}.git`);
  const commit = (message: string) => {
    git('add', '-A');
    git('commit', '-q', '--allow-empty', '-m', message);
    return git('rev-parse', 'HEAD');
  };
  commit('initial');
  return { dir, server, repository, git, commit };
}

/**
 * makeConsumer creates <base>/server/<repository> from examples/etl-app with the given caller workflows
 * (file names in examples/workflows/) and the deploy config that `config` returns from the example's.
 */
export function makeConsumer(opts: {
  base: string;
  repository: string;
  workflows: string[];
  /** Edits the example deploy config (a yaml Document) for the clusters of the scenario. */
  config: (doc: ReturnType<typeof parseDocument>) => void;
}): Consumer {
  const app = join(root, 'examples/etl-app');
  return makeRepository(opts.base, opts.repository, (dir) => {
    cpSync(app, dir, {
      recursive: true,
      filter: (src) =>
        !/[/\\](target|\.bsp|\.bloop|\.metals|spark-warehouse)([/\\]|$)/.test(src.slice(app.length)),
    });
    mkdirSync(join(dir, '.github/workflows'), { recursive: true });
    for (const w of opts.workflows) {
      const text = readFileSync(join(root, 'examples/workflows', w), 'utf8');
      writeFileSync(join(dir, '.github/workflows', w), forAct(text));
    }
    const doc = parseDocument(readFileSync(join(app, '.github/spark-deploy.yml'), 'utf8'));
    opts.config(doc);
    writeFileSync(join(dir, '.github/spark-deploy.yml'), doc.toString());
  });
}

/**
 * openPullRequest makes refs/pull/<n>/head (the branch's commit) and refs/pull/<n>/merge (a merge commit of
 * it into main, as GitHub prepares for pull_request runs) and leaves the work tree on the merge commit, so
 * act's github.sha is the merge commit as on GitHub. Returns both SHAs.
 */
export function pullRequestRefs(
  c: Consumer,
  n: number,
  branch: string,
): { head: string; merge: string; base: string } {
  const head = c.git('rev-parse', branch);
  const base = c.git('rev-parse', 'main');
  c.git('checkout', '-q', '--detach', 'main');
  c.git('merge', '-q', '--no-ff', '-m', `Merge ${head} into ${base}`, head);
  const merge = c.git('rev-parse', 'HEAD');
  c.git('update-ref', `refs/pull/${n}/head`, head);
  c.git('update-ref', `refs/pull/${n}/merge`, merge);
  return { head, merge, base };
}
