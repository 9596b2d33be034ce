// The three ways in, executed: the workflows users copy (examples/workflows/) and the reusable workflows they
// call (.github/workflows/spark-*.yml) run with act on this machine (test/helpers/act/), each scenario in its
// own consumer repository made from examples/etl-app, against the real local Spark (REST on) and the fake
// GitHub API (every request checked against @octokit/openapi). The sbt build, the JAR checks and the Spark
// run are real; only the third-party actions are local stand-ins (test/helpers/act/stand-ins/).
//
//   push (uses-step.yml)              -> build, verify, deploy; check run + deployment success
//   push (a caller of spark-build.yml) -> build and verify, the JAR kept as the run artifact
//   workflow_dispatch (manual-deploy) -> spark-deploy.yml: a dry run submits nothing, then a real deploy
//   pull_request (pr-preview.yml)     -> spark-preview.yml: opened deploys the preview; synchronize with a
//                                        commit that breaks the app fails the run, check run failure, the
//                                        same comment says why; closed cleans up; one sticky comment
//   pull_request from a fork          -> a notice, no deploy, no request to GitHub
//   release published (release.yml)   -> this repository's own release: the major tag moves to the release's
//                                        commit only when it carries dist/ and its CHANGELOG.md section
import { createHash, randomBytes } from 'node:crypto';
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
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Consumer,
  makeConsumer,
  makeRepository,
  pullRequestRefs,
  root,
} from '../helpers/act/consumer.js';
import { type ActRun, actionCopy, runAct } from '../helpers/act/run-act.js';
import { apps, onLocalSpark, tools, UI, writeAppConfig } from '../helpers/act/scenario.js';
import { forAct } from '../helpers/act/workflows.js';
import { type FakeGitHub, startFakeGitHub } from '../helpers/fake-github.js';

const t = tools();
const TOKEN = 'ghs_acte2etoken0000';
const REPO = 'acme/etl';
const times: string[] = [];
let base = '';
let action = '';

const repository = (full = REPO) => ({
  full_name: full,
  name: full.split('/')[1],
  owner: { login: full.split('/')[0] },
  default_branch: 'main',
});

interface Scenario {
  c: Consumer;
  github: FakeGitHub;
  scratch: string;
  app: string;
}

/** scenario makes one consumer repository (its app named `app`) with the given callers and a fake GitHub. */
async function scenario(name: string, workflows: string[], envs: string[]): Promise<Scenario> {
  const scratch = mkdtempSync(join(base, `${name}-`));
  // Unique per run: the cluster keeps the applications of earlier runs in its list.
  const app = `etl-act-${name}-${randomBytes(3).toString('hex')}`;
  const c = makeConsumer({
    base: scratch,
    repository: REPO,
    workflows,
    config: (doc) => {
      for (const e of envs) onLocalSpark(doc, e, app);
    },
  });
  writeAppConfig(c.dir, join(scratch, 'output'));
  c.commit('app config of the scenario');
  return { c, github: await startFakeGitHub({ repository: REPO }), scratch, app };
}

let runs = 0;
async function act(
  s: Scenario,
  label: string,
  o: {
    workflow: string;
    eventName: string;
    event: Record<string, unknown>;
    secrets?: Record<string, string>;
  },
): Promise<ActRun> {
  const tl = t as NonNullable<typeof t>;
  const r = await runAct({
    repo: s.c.dir,
    server: join(s.scratch, 'server'),
    workflow: `.github/workflows/${o.workflow}`,
    eventName: o.eventName,
    event: o.event,
    scratch: join(s.scratch, `run-${++runs}`),
    action,
    githubApiUrl: s.github.url,
    act: tl.act,
    nodeBin: tl.nodeBin,
    sbtBin: tl.sbtBin,
    secrets: { GITHUB_TOKEN: TOKEN, ...(o.secrets ?? {}) },
    // As a repository that set up the examples' AWS role (the stand-in hands on moto's test keys instead).
    vars: { SPARK_DEPLOY_AWS_ROLE_ARN: 'arn:aws:iam::123456789012:role/spark-deploy' },
    env: { SPARK_DEPLOY_ACT_AWS_ACCESS_KEY_ID: 'testing', SPARK_DEPLOY_ACT_AWS_SECRET_ACCESS_KEY: 'testing' },
  });
  times.push(`${label}: ${r.seconds.toFixed(1)} s (act exit ${r.code})`);
  return r;
}

const deploymentsOf = (g: FakeGitHub, env: string) =>
  g.deployments.filter((d) => (d.request as { environment?: string }).environment === env);

function noLeak(r: ActRun) {
  expect(r.log.replaceAll(`::add-mask::${TOKEN}`, '')).not.toContain(TOKEN);
}

describe.skipIf(!t)('workflows users copy, run with act (real sbt, real local Spark, fake GitHub)', () => {
  beforeAll(() => {
    base = mkdtempSync(join(tmpdir(), 'spark-deploy-act-'));
    action = actionCopy(base);
  });
  afterAll(() => {
    console.log(`act scenario wall times:\n  ${times.join('\n  ')}`);
    // SPARK_DEPLOY_KEEP_ACT_RUNS=1 keeps the repositories and act logs (<scratch>/run-N/act.log) to look into.
    if (process.env.SPARK_DEPLOY_KEEP_ACT_RUNS === '1') console.log(`act runs kept in ${base}`);
    else rmSync(base, { recursive: true, force: true });
  });

  it('push with the `uses:` step (uses-step.yml): build, verify, deploy; check run and deployment success', async () => {
    const s = await scenario('push', ['uses-step.yml'], ['development']);
    const sha = s.c.git('rev-parse', 'HEAD');
    const r = await act(s, 'push: uses-step.yml', {
      workflow: 'uses-step.yml',
      eventName: 'push',
      event: { ref: 'refs/heads/main', before: '0'.repeat(40), after: sha, repository: repository() },
    });
    expect(r.code, r.log).toBe(0);
    // The caller's last step prints the action's documented outputs.
    expect(r.log).toContain(`state SUCCEEDED; Spark UI ${UI}/app/?appId=app-`);
    expect(s.github.checkRuns.map((c) => [c.head_sha, c.conclusion])).toEqual([[sha, 'success']]);
    const [d] = deploymentsOf(s.github, 'development');
    expect(d?.request.ref).toBe(sha);
    expect(d?.statuses.at(-1)).toMatchObject({
      state: 'success',
      environment_url: expect.stringContaining(UI),
    });
    expect((await apps(s.app)).completed.map((a) => a.state)).toEqual(['FINISHED']);
    expect(readdirSync(join(s.scratch, 'output')).some((f) => f.endsWith('.parquet'))).toBe(true);
    expect(s.github.violations).toEqual([]);
    noLeak(r);
  });

  it('spark-build.yml called as its header shows: build and verify, the JAR kept as the run artifact, outputs to the caller', async () => {
    const s = await scenario('build', [], ['development']);
    // The caller a user writes from the header of spark-build.yml, plus a job that reads its outputs.
    cpSync(
      join(root, 'test/fixtures/workflows/spark-build-caller.yml'),
      join(s.c.dir, '.github/workflows/build.yml'),
    );
    const sha = s.c.commit('build workflow');
    const r = await act(s, 'push: a caller of spark-build.yml', {
      workflow: 'build.yml',
      eventName: 'push',
      event: { ref: 'refs/heads/main', before: '0'.repeat(40), after: sha, repository: repository() },
    });
    expect(r.code, r.log).toBe(0);
    const shown = /built (\S+) sha256 ([0-9a-f]{64}) as artifact spark-app-jar/.exec(r.log);
    expect(shown, r.log).not.toBeNull();
    const jar = join(r.scratch, 'artifacts/spark-app-jar', (shown?.[1] ?? '').split('/').pop() ?? '');
    expect(createHash('sha256').update(readFileSync(jar)).digest('hex')).toBe(shown?.[2]);
    expect(s.github.checkRuns.map((c) => [c.head_sha, c.conclusion])).toEqual([[sha, 'success']]);
    expect(s.github.deployments).toEqual([]);
    expect(await apps(s.app)).toEqual({ active: [], completed: [] });
    expect(s.github.violations).toEqual([]);
  });

  it('workflow_dispatch (manual-deploy.yml -> spark-deploy.yml): a dry run submits nothing, a real run deploys', async () => {
    const s = await scenario('dispatch', ['manual-deploy.yml'], ['development']);
    const sha = s.c.git('rev-parse', 'HEAD');
    const dispatch = (dryRun: boolean) => ({
      workflow: 'manual-deploy.yml',
      eventName: 'workflow_dispatch',
      event: {
        ref: 'refs/heads/main',
        // As GitHub sends them: every input value a string, a boolean one 'true' or 'false'.
        inputs: { environment: 'development', ref: '', target: 'config', 'dry-run': String(dryRun) },
        repository: repository(),
      },
    });
    const dry = await act(
      s,
      'workflow_dispatch dry run: manual-deploy.yml + spark-deploy.yml',
      dispatch(true),
    );
    expect(dry.code, dry.log).toBe(0);
    // Rendered and written (output manifest-path), nothing submitted.
    expect(dry.log).toContain('dry run: Spark REST CreateSubmissionRequest (POST ');
    expect(dry.log).toMatch(/::set-output:: manifest-path=\S+spark-deploy-development-standalone\.json/);
    expect(await apps(s.app)).toEqual({ active: [], completed: [] });
    expect(s.github.checkRuns.map((c) => [c.head_sha, c.conclusion])).toEqual([[sha, 'success']]);

    const real = await act(
      s,
      'workflow_dispatch real: manual-deploy.yml + spark-deploy.yml',
      dispatch(false),
    );
    expect(real.code, real.log).toBe(0);
    expect((await apps(s.app)).completed.map((a) => a.state)).toEqual(['FINISHED']);
    expect(s.github.checkRuns.map((c) => c.conclusion)).toEqual(['success', 'success']);
    expect(deploymentsOf(s.github, 'development').at(-1)?.statuses.at(-1)?.state).toBe('success');
    expect(s.github.violations).toEqual([]);
    noLeak(dry);
    noLeak(real);
  });

  it('pull request (pr-preview.yml -> spark-preview.yml): opened, synchronize (the app now fails), closed, one sticky comment', async () => {
    const s = await scenario('preview', ['pr-preview.yml'], ['staging']);
    const N = 7;
    const preview = `${s.app}-pr-${N}`;
    s.c.git('checkout', '-q', '-b', 'feature');
    writeFileSync(join(s.c.dir, 'CHANGES.md'), 'first change\n');
    s.c.commit('first change');
    let refs = pullRequestRefs(s.c, N, 'feature');
    const pr = (action: string) => ({
      workflow: 'pr-preview.yml',
      eventName: 'pull_request',
      event: {
        action,
        number: N,
        pull_request: {
          number: N,
          state: action === 'closed' ? 'closed' : 'open',
          merged: false,
          head: { sha: refs.head, ref: 'feature', repo: repository() },
          base: { sha: refs.base, ref: 'main', repo: repository() },
        },
        repository: repository(),
      },
    });
    const ours = () => s.github.comments.filter((c) => c.issue === N);

    const opened = await act(s, 'pull_request opened: pr-preview.yml + spark-preview.yml', pr('opened'));
    expect(opened.code, opened.log).toBe(0);
    expect(s.github.checkRuns.at(-1)).toMatchObject({ head_sha: refs.head, conclusion: 'success' });
    expect((await apps(preview)).completed.map((a) => a.state)).toEqual(['FINISHED']);
    expect(ours()).toHaveLength(1);
    expect(ours()[0]?.body).toContain(preview);
    expect(ours()[0]?.body).toContain(refs.head.slice(0, 7));
    expect(deploymentsOf(s.github, `staging-pr-${N}`).map((d) => d.statuses.at(-1)?.state)).toEqual([
      'success',
    ]);

    // synchronize with a commit that breaks the app on the cluster: the run fails, and the same comment says why.
    s.c.git('checkout', '-q', 'feature');
    writeAppConfig(s.c.dir, join(s.scratch, 'output-2'), '../data/no-such-orders.csv');
    s.c.commit('read orders from a file that does not exist');
    const first = refs.head;
    const comment = ours()[0]?.id;
    refs = pullRequestRefs(s.c, N, 'feature');
    const sync = await act(
      s,
      'pull_request synchronize, failing driver: pr-preview.yml + spark-preview.yml',
      pr('synchronize'),
    );
    expect(sync.code, sync.log).not.toBe(0);
    expect(s.github.checkRuns.at(-1)).toMatchObject({ head_sha: refs.head, conclusion: 'failure' });
    expect(ours()).toHaveLength(1);
    expect(ours()[0]?.id).toBe(comment);
    expect(s.github.calls('issues/create-comment')).toHaveLength(1);
    expect(ours()[0]?.body).toContain(refs.head.slice(0, 7));
    expect(ours()[0]?.body).not.toContain(first.slice(0, 7));
    expect(ours()[0]?.body).toContain('no-such-orders.csv');
    expect(deploymentsOf(s.github, `staging-pr-${N}`).at(-1)?.statuses.at(-1)?.state).toMatch(
      /^(failure|error)$/,
    );
    expect((await apps(preview)).completed.map((a) => a.state)).toContain('FINISHED');
    expect(existsSync(join(s.scratch, 'output-2'))).toBe(false);

    const closed = await act(s, 'pull_request closed: pr-preview.yml + spark-preview.yml', pr('closed'));
    expect(closed.code, closed.log).toBe(0);
    for (const d of deploymentsOf(s.github, `staging-pr-${N}`))
      expect(d.statuses.at(-1)?.state).toBe('inactive');
    expect((await apps(preview)).active).toEqual([]);
    expect(ours()).toHaveLength(1);
    expect(ours()[0]?.body).toMatch(/cleaned up/i);
    expect(s.github.violations).toEqual([]);
    for (const r of [opened, sync, closed]) noLeak(r);
  });

  it('pull request from a fork: a notice, no deploy, no request to GitHub', async () => {
    const s = await scenario('fork', ['pr-preview.yml'], ['staging']);
    s.c.git('checkout', '-q', '-b', 'fork-feature');
    writeFileSync(join(s.c.dir, 'CHANGES.md'), 'from a fork\n');
    s.c.commit('from a fork');
    const refs = pullRequestRefs(s.c, 9, 'fork-feature');
    const r = await act(s, 'pull_request from a fork: pr-preview.yml + spark-preview.yml', {
      workflow: 'pr-preview.yml',
      eventName: 'pull_request',
      event: {
        action: 'opened',
        number: 9,
        pull_request: {
          number: 9,
          state: 'open',
          head: { sha: refs.head, ref: 'fork-feature', repo: repository('someone/etl') },
          base: { sha: refs.base, ref: 'main', repo: repository() },
        },
        repository: repository(),
      },
      secrets: { REGISTRY_PASSWORD: 'fork-must-not-get-this' },
    });
    expect(r.code, r.log).toBe(0);
    expect(r.log).toContain('::notice title=spark-deploy preview skipped::Pull request #9 comes from a fork');
    expect(r.log).not.toContain('fork-must-not-get-this');
    expect(s.github.requests).toEqual([]);
    expect(await apps(`${s.app}-pr-9`)).toEqual({ active: [], completed: [] });
  });

  it('release published (release.yml): the major tag moves only to a commit with the bundle and its changelog section', async () => {
    const scratch = mkdtempSync(join(base, 'release-'));
    const github = await startFakeGitHub({ repository: 'spark-deploy-action/spark-deploy-action' });
    const c = makeRepository(scratch, 'spark-deploy-action/spark-deploy-action', (dir) => {
      cpSync(action, dir, { recursive: true });
      mkdirSync(join(dir, 'scripts'), { recursive: true });
      cpSync(join(root, 'scripts/pin-inner-action.sh'), join(dir, 'scripts/pin-inner-action.sh'));
      mkdirSync(join(dir, '.github/workflows'), { recursive: true });
      const wf = readFileSync(join(root, '.github/workflows/release.yml'), 'utf8');
      writeFileSync(join(dir, '.github/workflows/release.yml'), forAct(wf));
      writeFileSync(
        join(dir, 'CHANGELOG.md'),
        '# Changelog\n\n## [Unreleased]\n\n## [0.1.0] - 2026-11-30\n- first\n',
      );
    });
    const old = c.git('rev-parse', 'HEAD');
    c.git('tag', 'v0.1.0');
    c.git('tag', 'v0');
    const s: Scenario = { c, github, scratch, app: '' };
    const release = (tag: string, prerelease = false) => ({
      workflow: 'release.yml',
      eventName: 'release',
      event: {
        action: 'published',
        release: { tag_name: tag, prerelease, draft: false, name: tag },
        repository: repository('spark-deploy-action/spark-deploy-action'),
      },
    });

    // A release whose commit has no changelog section: refused, the major tag stays.
    c.commit('a change without its changelog section');
    c.git('tag', 'v0.2.0');
    const refused = await act(
      s,
      'release v0.2.0 without its changelog section: release.yml',
      release('v0.2.0'),
    );
    expect(refused.code).not.toBe(0);
    expect(refused.log).toContain(
      "CHANGELOG.md at the release's commit has no '## [0.2.0] - <date>' section",
    );
    expect(c.git('rev-parse', 'v0^{commit}')).toBe(old);

    writeFileSync(
      join(c.dir, 'CHANGELOG.md'),
      '# Changelog\n\n## [Unreleased]\n\n## [0.2.1] - 2026-12-07\n- second\n\n## [0.1.0] - 2026-11-30\n- first\n',
    );
    const released = c.commit('release 0.2.1');
    c.git('tag', 'v0.2.1');
    const ok = await act(s, 'release v0.2.1: release.yml', release('v0.2.1'));
    expect(ok.code, ok.log).toBe(0);
    // The release tag moved onto a commit on top of the release whose reusable workflows run the action at
    // the release's own commit; the major tag followed it.
    const pinned = c.git('rev-parse', 'v0.2.1^{commit}');
    expect(c.git('rev-parse', `${pinned}^`)).toBe(released);
    expect(c.git('show', `${pinned}:.github/workflows/spark-deploy.yml`)).toContain(
      `spark-deploy-action/spark-deploy-action@${released} # v0.2.1`,
    );
    expect(c.git('rev-parse', 'v0^{commit}')).toBe(pinned);

    // A pre-release is pinned too, and leaves the major tag alone.
    const next = c.commit('next');
    c.git('tag', 'v0.3.0-rc.1');
    const pre = await act(s, 'pre-release v0.3.0-rc.1: release.yml', release('v0.3.0-rc.1', true));
    expect(pre.code, pre.log).toBe(0);
    expect(c.git('rev-parse', 'v0.3.0-rc.1^{commit}^')).toBe(next);
    expect(c.git('rev-parse', 'v0^{commit}')).toBe(pinned);
    expect(github.requests).toEqual([]);
    await github.close();
  });
});
