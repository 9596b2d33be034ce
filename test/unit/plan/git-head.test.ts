import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseInputs } from '../../../src/inputs.js';
import { buildPlan } from '../../../src/plan/build-plan.js';
import { checkedOutCommit } from '../../../src/plan/git-head.js';

// The reference is git itself: every case compares with `git rev-parse HEAD` in the same checkout.
const root = mkdtempSync(join(tmpdir(), 'spark-deploy-git-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 't',
      GIT_AUTHOR_EMAIL: 't@example.com',
      GIT_COMMITTER_NAME: 't',
      GIT_COMMITTER_EMAIL: 't@example.com',
      GIT_CONFIG_GLOBAL: '/dev/null',
    },
  }).trim();
}

let n = 0;
function repo(): string {
  const dir = join(root, `repo${n++}`);
  mkdirSync(join(dir, 'app'), { recursive: true });
  git(dir, 'init', '-q', '-b', 'main');
  for (const msg of ['one', 'two']) {
    writeFileSync(join(dir, 'app', 'f.txt'), msg);
    git(dir, 'add', '.');
    git(dir, 'commit', '-q', '-m', msg);
  }
  return dir;
}

describe('checkedOutCommit', () => {
  it('reads a branch checkout (loose ref), from the root or a subdirectory', () => {
    const dir = repo();
    const head = git(dir, 'rev-parse', 'HEAD');
    expect(checkedOutCommit(dir, dir)).toBe(head);
    expect(checkedOutCommit(join(dir, 'app'), dir)).toBe(head);
  });

  it('reads a detached checkout of another commit, as actions/checkout with a ref leaves it', () => {
    const dir = repo();
    git(dir, 'checkout', '-q', 'HEAD~1');
    expect(checkedOutCommit(dir, dir)).toBe(git(dir, 'rev-parse', 'HEAD'));
    expect(checkedOutCommit(dir, dir)).not.toBe(git(dir, 'rev-parse', 'main'));
  });

  it('reads a packed ref', () => {
    const dir = repo();
    git(dir, 'pack-refs', '--all', '--prune');
    expect(checkedOutCommit(dir, dir)).toBe(git(dir, 'rev-parse', 'HEAD'));
  });

  it('reads a linked worktree (a .git file, refs in the common directory)', () => {
    const dir = repo();
    const wt = join(dir, 'wt');
    git(dir, 'worktree', 'add', '-q', '-b', 'other', wt, 'HEAD~1');
    expect(checkedOutCommit(wt, wt)).toBe(git(wt, 'rev-parse', 'HEAD'));
    git(dir, 'pack-refs', '--all', '--prune');
    expect(checkedOutCommit(wt, wt)).toBe(git(wt, 'rev-parse', 'HEAD'));
  });

  it('looks no higher than the workspace, and gives up on what it cannot read', () => {
    const dir = repo();
    expect(checkedOutCommit(join(dir, 'app'), join(dir, 'app'))).toBeUndefined();
    expect(checkedOutCommit(root, join(dir, 'app'))).toBeUndefined(); // outside the workspace
    const plain = join(root, 'plain');
    mkdirSync(plain, { recursive: true });
    expect(checkedOutCommit(plain, plain)).toBeUndefined();
    const broken = repo();
    writeFileSync(join(broken, '.git', 'HEAD'), 'ref: refs/heads/missing\n');
    expect(checkedOutCommit(broken, broken)).toBeUndefined();
    writeFileSync(join(broken, '.git', 'HEAD'), 'garbage\n');
    expect(checkedOutCommit(broken, broken)).toBeUndefined();
  });

  it('makes the Plan name the checked-out commit, not the run commit', async () => {
    const dir = repo();
    git(dir, 'checkout', '-q', 'HEAD~1');
    mkdirSync(join(dir, '.github'), { recursive: true });
    writeFileSync(
      join(dir, '.github/spark-deploy.yml'),
      'defaults:\n  target: standalone\n  app: { name: etl, mainClass: com.etl.Main, args: ["{{sha}}"] }\n  standalone: { masters: [http://127.0.0.1:6066] }\n',
    );
    const plan = await buildPlan(
      parseInputs((name) => ({ stages: 'deploy', 'dry-run': 'true' })[name] ?? ''),
      {
        workspace: dir,
        sha: git(dir, 'rev-parse', 'main'),
        ref: 'refs/heads/main',
        refName: 'main',
        runId: '1',
        runAttempt: '1',
        serverUrl: 'https://github.com',
        apiUrl: 'https://api.github.com',
        eventName: 'workflow_dispatch',
      },
      { env: {}, setSecret: () => {} },
    );
    const head = git(dir, 'rev-parse', 'HEAD');
    expect(plan.context.sha).toBe(head);
    expect(plan.config?.app.args).toEqual([head]);
  });
});
