// Every workflow file (.github/workflows, examples/workflows), the README's quick-start workflows and
// action.yml, checked three ways: actionlint with zero findings, GitHub's own workflow and action schemas
// (@actions/workflow-parser), and the repository's hygiene rules (STYLE.md): top-level `contents: read`,
// third-party actions pinned to the SHAs of test/contracts/pins.md with their `# vX.Y.Z`, expressions never
// inside `run:`, no secret echoed, id-token only where OIDC is used, deploys never cancelled by concurrency.
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfigText } from '../../src/plan/load-config.js';
import { component, installedTool } from '../helpers/components.js';
import {
  jobsOf,
  LEVEL,
  lint,
  localRefs,
  OWN,
  parsed,
  perms,
  readPins,
  schemaErrors,
  show,
  stepsOf,
  usesAws,
  usesLines,
  usesProblem,
  type Workflow,
} from '../helpers/workflow-lint.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const WORKFLOWS = ['.github/workflows', 'examples/workflows'].flatMap((dir) =>
  readdirSync(join(ROOT, dir))
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => `${dir}/${f}`),
);
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');

/** QUICK_START holds the YAML blocks of the README's quick start: workflows, and the deploy config. */
const QUICK_START = [
  ...(read('README.md').split('\n## Quick start\n')[1]?.split('\n## ')[0] ?? '').matchAll(
    /```yaml\n([\s\S]*?)```/g,
  ),
].map((m) => m[1] ?? '');
/** SOURCES are all workflows checked: the files, and the README's quick-start workflows. */
const SOURCES = [
  ...WORKFLOWS.map((name) => ({ name, text: read(name) })),
  ...QUICK_START.filter((b) => /^jobs:/m.test(b)).map((text, i) => ({
    name: `README.md quick start ${i + 1}`,
    text,
  })),
];

const workflow = (file: string) => parse(read(file)) as Workflow;

describe('workflow files', () => {
  it('are there: the three reusable workflows, CI, release and five examples', () => {
    expect(WORKFLOWS).toEqual(
      expect.arrayContaining([
        '.github/workflows/ci.yml',
        '.github/workflows/release.yml',
        '.github/workflows/spark-build.yml',
        '.github/workflows/spark-deploy.yml',
        '.github/workflows/spark-preview.yml',
      ]),
    );
    expect(WORKFLOWS.filter((f) => f.startsWith('examples/')).length).toBeGreaterThanOrEqual(5);
  });
});

// --- actionlint -------------------------------------------------------------------------------------------

const bin = installedTool('actionlint');
const haveActionlint = component(
  'actionlint',
  () => bin !== undefined,
  'install it with `bash scripts/install-actionlint.sh`',
);

describe.skipIf(!haveActionlint)('actionlint', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'actionlint-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));
  const actionlint = bin ?? '';

  it('finds nothing in any workflow or example', () => {
    expect(show(lint(actionlint, ROOT, WORKFLOWS))).toEqual([]);
  });

  // actionlint cannot read a remote repository, so in a scratch copy the references to this repository's
  // action and reusable workflows become local ones: then every `with:` and `secrets:` is checked against
  // action.yml and the reusable workflows' declared inputs and secrets.
  const mirror = (dir: string, mutate: (text: string, file: string) => string = (t) => t) => {
    mkdirSync(join(dir, '.git'), { recursive: true });
    mkdirSync(join(dir, '.github/workflows'), { recursive: true });
    mkdirSync(join(dir, 'dist/post'), { recursive: true });
    cpSync(join(ROOT, 'action.yml'), join(dir, 'action.yml'));
    for (const f of ['dist/index.js', 'dist/post/index.js']) writeFileSync(join(dir, f), '');
    return SOURCES.map(({ name, text }, i) => {
      const base = name.startsWith('.github/') ? (name.split('/').pop() ?? '') : `copy-${i}.yml`;
      writeFileSync(join(dir, '.github/workflows', base), mutate(localRefs(text), name));
      return `.github/workflows/${base}`;
    });
  };

  it("checks every use of this repository's action and reusable workflows (README too) against their inputs", () => {
    const dir = join(scratch, 'local');
    const files = mirror(dir);
    expect(show(lint(actionlint, dir, files))).toEqual([]);
  });

  it('would report a wrong input, an injected expression and an undeclared secret (control)', () => {
    const dir = join(scratch, 'broken');
    const files = mirror(dir, (text, file) =>
      file === 'examples/workflows/manual-deploy.yml'
        ? text.replace('eks-cluster:', 'eks-clustr:').replace('REGISTRY_PASSWORD:', 'REGISTRY_PASSWD:')
        : file === 'examples/workflows/uses-step.yml'
          ? text.replace('run: echo "state', `run: echo "\${{ github.event.head_commit.message }} state`)
          : text,
    );
    const messages = lint(actionlint, dir, files).map((f) => f.message);
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/input "eks-clustr" is not defined/),
        expect.stringMatching(/secret "REGISTRY_PASSWD" is not defined/),
        expect.stringMatching(/"github.event.head_commit.message" is potentially untrusted/),
      ]),
    );
  });
});

// --- GitHub's schemas -------------------------------------------------------------------------------------

describe("GitHub's workflow and action schemas", () => {
  it.each(SOURCES)('$name matches the workflow schema', ({ name, text }) => {
    expect(schemaErrors('workflow', name, text)).toEqual([]);
  });

  it('action.yml matches the action schema', () => {
    expect(schemaErrors('action', 'action.yml', read('action.yml'))).toEqual([]);
  });

  it('reject a misspelt key and a bad value (control)', () => {
    const bad = read('examples/workflows/uses-step.yml')
      .replace('timeout-minutes: 90', 'timeout-minutez: 90')
      .replace('checks: write', 'checks: writ');
    const errors = schemaErrors('workflow', 'bad.yml', bad);
    expect(errors).toEqual([
      expect.stringMatching(/Line: \d+.*Unexpected value 'timeout-minutez'/),
      expect.stringMatching(/Line: \d+.*Unexpected value 'writ'/),
    ]);
    expect(
      schemaErrors('action', 'action.yml', read('action.yml').replace('using: node24', 'using: node99')),
    ).toEqual([expect.stringMatching(/Unexpected value 'node99'/)]);
  });
});

describe('README quick start', () => {
  it('has the three workflows (uses: step, manual deploy, previews) and a deploy config that loads', async () => {
    const workflows = SOURCES.filter((x) => x.name.startsWith('README'));
    expect(workflows.map((x) => parsed(x.text).w.on)).toEqual([
      { push: { branches: ['main'] } },
      expect.objectContaining({ workflow_dispatch: expect.anything() }),
      { pull_request: { types: ['opened', 'synchronize', 'reopened', 'closed'] } },
    ]);
    const configs = QUICK_START.filter((b) => /^version: 1$/m.test(b));
    expect(configs).toHaveLength(1);
    const loaded = await loadConfigText('README.md', configs[0] ?? '');
    expect(loaded.findings.map((f) => f.message)).toEqual([]);
    expect(loaded.config).toBeDefined();
  });
});

// --- hygiene ----------------------------------------------------------------------------------------------

const calledWorkflow = (ref: string | undefined) => {
  const m = new RegExp(`^(?:${OWN}/|\\./)\\.github/workflows/([\\w.-]+)@?`).exec(ref ?? '');
  return m ? workflow(`.github/workflows/${m[1]}`) : undefined;
};
const PINS_FILE = join(ROOT, 'test/contracts/pins.md');

describe.each(SOURCES)('$name', ({ name: file, text }) => {
  const { w, error } = parsed(text);

  it('has no plain value that YAML cuts at a " #" (a comment), such as an unquoted `name: preview #<expression>`', () => {
    const cut = text
      .split('\n')
      .map((l, i) => ({ l, line: i + 1 }))
      .filter(({ l }) => /^\s*(?:- )?[\w-]+:\s+[^'"\s|>][^#]*\s#(?:\$\{\{|\w)/.test(l) && !/\s#\s/.test(l));
    expect(cut.map(({ l, line }) => `${file}:${line}: ${l.trim()}`)).toEqual([]);
  });

  it('is YAML', () => {
    expect(error).toBeUndefined();
  });

  it('grants only `contents: read` at the top; jobs widen what they need', () => {
    expect(w.permissions).toEqual({ contents: 'read' });
    for (const [id, j] of jobsOf(w))
      expect(j.permissions, `job ${id} declares its permissions`).toBeDefined();
  });

  it('pins every third-party action to the SHA and version of pins.md', () => {
    const pins = readPins(PINS_FILE);
    const lines = usesLines(text);
    expect(lines.map((u) => usesProblem(u, pins)).filter(Boolean)).toEqual([]);
    // every `uses:` the YAML holds was seen as a line (none hides in flow style)
    const parsed = new Set([
      ...jobsOf(w).flatMap(([, j]) => (j.uses ? [j.uses] : [])),
      ...stepsOf(w).flatMap(({ s }) => (s.uses ? [s.uses] : [])),
    ]);
    expect([...parsed].sort()).toEqual([...new Set(lines.map((u) => u.ref))].sort());
  });

  it('passes expressions to shell only through env, and echoes no secret', () => {
    for (const { id, s } of stepsOf(w)) {
      if (s.run === undefined) continue;
      expect(s.run, `job ${id}: run`).not.toContain('${{');
      expect(s.run, `job ${id}: run`).not.toMatch(/set -x|set -o xtrace|bash -x/);
      const secretVars = Object.entries(s.env ?? {})
        .filter(([, v]) => /secrets\.|github\.token/.test(String(v)))
        .map(([k]) => k);
      for (const k of secretVars)
        expect(s.run, `job ${id}: prints ${k}`).not.toMatch(
          new RegExp(`\\b(echo|printf)\\b[^\\n]*\\$\\{?${k}\\b`),
        );
    }
  });

  it('never runs on pull_request_target', () => {
    const on = w.on;
    const events = typeof on === 'string' ? [on] : Array.isArray(on) ? on : Object.keys(perms(on));
    expect(events).not.toContain('pull_request_target');
  });

  it('holds id-token: write only in jobs that use OIDC, and contents: write only to release', () => {
    for (const [id, j] of jobsOf(w)) {
      const p = perms(j.permissions);
      if (p['id-token'] === 'write') {
        const called = calledWorkflow(j.uses);
        const oidc = called
          ? jobsOf(called).some(([, cj]) => perms(cj.permissions)['id-token'] === 'write' && usesAws(cj))
          : usesAws(j);
        expect(oidc, `job ${id} holds id-token: write without an OIDC step`).toBe(true);
      }
      if (p.contents === 'write') expect(file).toBe('.github/workflows/release.yml');
    }
  });

  it('grants a reusable workflow at least what its jobs ask for', () => {
    for (const [id, j] of jobsOf(w)) {
      const called = calledWorkflow(j.uses);
      if (!called) continue;
      const granted = { ...perms(w.permissions), ...perms(j.permissions) };
      for (const [cid, cj] of jobsOf(called))
        for (const [scope, level] of Object.entries(perms(cj.permissions)))
          expect(
            LEVEL[String(granted[scope] ?? 'none')] ?? 0,
            `job ${id} grants ${scope}: ${String(granted[scope] ?? 'none')}, ${j.uses} job ${cid} asks ${String(level)}`,
          ).toBeGreaterThanOrEqual(LEVEL[String(level)] ?? 0);
    }
  });

  it('checks out without keeping the token, except to push', () => {
    for (const { id, job, s } of stepsOf(w)) {
      if (!s.uses?.startsWith('actions/checkout@')) continue;
      const pushes = perms(job.permissions).contents === 'write';
      expect(s.with?.['persist-credentials'], `job ${id}: persist-credentials`).toBe(pushes);
    }
  });

  it('never cancels a deploy in progress', () => {
    for (const [id, j] of jobsOf(w)) {
      if (j.environment === undefined) continue;
      const c = perms(j.concurrency ?? w.concurrency);
      expect(j.concurrency ?? w.concurrency, `job ${id} deploys without concurrency`).toBeDefined();
      expect(c['cancel-in-progress'] ?? false, `job ${id}: cancel-in-progress`).toBe(false);
    }
  });
});

describe('usesProblem', () => {
  const pins = new Map([['actions/checkout', { version: 'v7.0.1', sha: 'a'.repeat(40) }]]);
  it.each([
    ['actions/checkout@v7', '', /full commit SHA/],
    [`actions/checkout@${'a'.repeat(40)}`, '', /vX\.Y\.Z/],
    [`actions/checkout@${'b'.repeat(40)}`, 'v7.0.1', /pins\.md pins a+ # v7\.0\.1/],
    [`actions/checkout@${'a'.repeat(40)}`, 'v7.0.0', /pins\.md pins/],
    [`actions/cache@${'a'.repeat(40)}`, 'v5.0.5', /not in pins\.md/],
    [`${OWN}@main`, '', /@v<major>/],
  ])('flags %s # %s', (ref, comment, why) => {
    expect(usesProblem({ line: 1, ref, comment }, pins)).toMatch(why);
  });
  it.each([
    [`actions/checkout@${'a'.repeat(40)}`, 'v7.0.1'],
    [`${OWN}@v0`, ''],
    [`${OWN}/.github/workflows/spark-deploy.yml@v0`, ''],
    ['./.github/workflows/spark-build.yml', ''],
  ])('accepts %s # %s', (ref, comment) => {
    expect(usesProblem({ line: 1, ref, comment }, pins)).toBeUndefined();
  });
});
