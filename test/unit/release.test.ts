// The release workflow pins the reusable workflows' own action to the release's commit in the tagged commit.
// Its steps' `run:` scripts are executed as written, in a scratch clone with a bare origin standing in for
// GitHub, so what is checked is what the release does.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { OWN, usesLines, usesProblem } from '../helpers/workflow-lint.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
type Step = { name?: string; run?: string; if?: string; env?: Record<string, string> };
const release = parse(readFileSync(join(ROOT, '.github/workflows/release.yml'), 'utf8')) as {
  jobs: Record<string, { steps: Step[] }>;
};
const steps = Object.values(release.jobs).flatMap((j) => j.steps);
const stepNamed = (re: RegExp) => steps.find((s) => re.test(s.name ?? '')) as Step;

const scratch = mkdtempSync(join(tmpdir(), 'release-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], {
    cwd,
    encoding: 'utf8',
  }).trim();

/** runStep runs a step's `run:` with bash -e as the runner does, with the step's env (expressions filled). */
function runStep(step: Step, cwd: string, env: Record<string, string>) {
  execFileSync('bash', ['-e', '-o', 'pipefail', '-c', step.run ?? ''], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
}

describe('release: pinned inner action', () => {
  it('pins every reusable workflow to the release commit, in the commit the release tag and major tag point at', () => {
    const origin = join(scratch, 'origin.git');
    const work = join(scratch, 'work');
    git(scratch, 'init', '--quiet', '--bare', origin);
    mkdirSync(join(work, 'scripts'), { recursive: true });
    cpSync(join(ROOT, '.github/workflows'), join(work, '.github/workflows'), { recursive: true });
    cpSync(join(ROOT, 'scripts/pin-inner-action.sh'), join(work, 'scripts/pin-inner-action.sh'));
    git(work, 'init', '--quiet');
    git(work, 'add', '.');
    git(work, 'commit', '--quiet', '-m', 'release commit');
    git(work, 'remote', 'add', 'origin', origin);
    git(work, 'tag', 'v1.2.3');
    git(work, 'push', '--quiet', 'origin', 'HEAD:refs/heads/main', 'refs/tags/v1.2.3');
    const released = git(work, 'rev-parse', 'HEAD');
    git(work, 'checkout', '--quiet', '--detach', 'v1.2.3');
    const summary = join(scratch, 'summary.md');
    writeFileSync(summary, '');
    const env = { TAG: 'v1.2.3', GITHUB_REPOSITORY: OWN, GITHUB_STEP_SUMMARY: summary };
    runStep(stepNamed(/^Pin the reusable workflows/), work, env);
    const major = stepNamed(/^Move the major tag/);
    expect(major.if).toMatch(/prerelease/);
    runStep(major, work, env);

    const tagged = git(origin, 'rev-parse', 'v1.2.3^{commit}');
    expect(tagged).not.toBe(released);
    expect(git(origin, 'rev-parse', `${tagged}^`)).toBe(released);
    expect(git(origin, 'rev-parse', 'v1^{commit}')).toBe(tagged);
    for (const f of ['spark-build.yml', 'spark-deploy.yml', 'spark-preview.yml']) {
      const text = git(origin, 'show', `${tagged}:.github/workflows/${f}`);
      const own = usesLines(text).filter((u) => u.ref.startsWith(`${OWN}@`));
      expect(own.length, f).toBeGreaterThan(0);
      for (const u of own) {
        expect(u.ref, f).toBe(`${OWN}@${released}`);
        expect(u.comment, f).toBe('v1.2.3');
        expect(usesProblem(u, undefined), f).toBeUndefined();
      }
    }
    expect(readFileSync(summary, 'utf8')).toContain(`pinned to ${released}`);
  });

  it('refuses a tag that is not vX.Y.Z and pins nothing', () => {
    const step = stepNamed(/^Pin the reusable workflows/);
    expect(() => runStep(step, scratch, { TAG: 'latest', GITHUB_REPOSITORY: OWN })).toThrow(/Command failed/);
  });
});
