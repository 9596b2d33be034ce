// Every workflow file (.github/workflows, examples/workflows) and action.yml, checked three ways:
// actionlint with zero findings, GitHub's own workflow and action schemas (@actions/workflow-parser), and
// the repository's hygiene rules (STYLE.md): top-level `contents: read`, third-party actions pinned to the
// SHAs of ../shared/pins.md with their `# vX.Y.Z`, `${{ }}` never inside `run:`, no secret echoed,
// id-token only where OIDC is used, deploys never cancelled by concurrency.
import { spawnSync } from 'node:child_process';
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
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ACTION_ROOT } from '@actions/workflow-parser/actions/action-constants';
import { JSONObjectReader } from '@actions/workflow-parser/templates/json-object-reader';
import { TemplateSchema } from '@actions/workflow-parser/templates/schema/index';
import {
  TemplateContext,
  TemplateValidationErrors,
} from '@actions/workflow-parser/templates/template-context';
import { readTemplate } from '@actions/workflow-parser/templates/template-reader';
import { NoOperationTraceWriter } from '@actions/workflow-parser/templates/trace-writer';
import { WORKFLOW_ROOT } from '@actions/workflow-parser/workflows/workflow-constants';
import { YamlObjectReader } from '@actions/workflow-parser/workflows/yaml-object-reader';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfigText } from '../../src/plan/load-config.js';
import { component } from '../helpers/components.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const OWN = 'spark-deploy-action/spark-deploy-action';
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

type Obj = Record<string, unknown>;
type Step = { uses?: string; run?: string; env?: Obj; with?: Obj; if?: string };
type Job = {
  uses?: string;
  steps?: Step[];
  permissions?: Obj | string;
  concurrency?: unknown;
  environment?: unknown;
};
type Workflow = { on?: unknown; permissions?: unknown; concurrency?: unknown; jobs: Record<string, Job> };
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

/** actionlintPath is the pinned actionlint that scripts/install-actionlint.sh installed, if it did. */
function actionlintPath(): string | undefined {
  const r = spawnSync('bash', [join(ROOT, 'scripts/install-actionlint.sh'), '--check', '--print-path'], {
    encoding: 'utf8',
  });
  const dir = r.stdout.trim();
  return r.status === 0 && dir ? join(dir, 'actionlint') : undefined;
}

type Finding = { message: string; filepath: string; line: number; column: number; kind: string };

/** lint runs actionlint in `cwd` on `files` and returns its findings. */
function lint(bin: string, cwd: string, files: string[]): Finding[] {
  const r = spawnSync(bin, ['-no-color', '-format', '{{json .}}', ...files], { cwd, encoding: 'utf8' });
  if (r.status !== 0 && r.status !== 1) throw new Error(`actionlint failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout || '[]') as Finding[];
}
const show = (fs: Finding[]) =>
  fs.map((f) => `${f.filepath}:${f.line}:${f.column}: ${f.message} [${f.kind}]`);

const bin = actionlintPath();
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

/** localRefs rewrites references to this repository (action, reusable workflows) into local ones. */
function localRefs(text: string): string {
  return text
    .replaceAll(new RegExp(`${OWN}/(\\.github/workflows/[\\w.-]+)@[\\w.-]+`, 'g'), './$1')
    .replaceAll(new RegExp(`${OWN}@[\\w.-]+`, 'g'), './');
}

// --- GitHub's schemas -------------------------------------------------------------------------------------

// The parser's own entry points import its schema JSON without an import attribute, which Node refuses;
// the same schema files are loaded here and fed to the same template reader.
const parserDist = dirname(fileURLToPath(import.meta.resolve('@actions/workflow-parser')));
const loadSchema = (name: string) =>
  TemplateSchema.load(new JSONObjectReader(undefined, readFileSync(join(parserDist, name), 'utf8')));
const schemas = {
  workflow: loadSchema('workflow-v1.0.min.json'),
  action: loadSchema('action-v1.0.min.json'),
};

/** schemaErrors validates a workflow or action.yml against GitHub's schema and returns the messages. */
function schemaErrors(kind: 'workflow' | 'action', name: string, content: string): string[] {
  const ctx = new TemplateContext(
    new TemplateValidationErrors(),
    schemas[kind],
    new NoOperationTraceWriter(),
  );
  const fileId = ctx.getFileId(name);
  const reader = new YamlObjectReader(fileId, content);
  if (reader.errors.length > 0) return reader.errors.map((e) => e.message);
  readTemplate(ctx, kind === 'workflow' ? WORKFLOW_ROOT : ACTION_ROOT, reader, fileId);
  return ctx.errors.getErrors().map((e) => e.message);
}

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
  it('has the three workflows (uses: step, manual deploy, previews) and a deploy config that loads', () => {
    const workflows = SOURCES.filter((x) => x.name.startsWith('README'));
    expect(workflows.map((x) => parsed(x.text).w.on)).toEqual([
      { push: { branches: ['main'] } },
      expect.objectContaining({ workflow_dispatch: expect.anything() }),
      { pull_request: { types: ['opened', 'synchronize', 'reopened', 'closed'] } },
    ]);
    const configs = QUICK_START.filter((b) => /^version: 1$/m.test(b));
    expect(configs).toHaveLength(1);
    const loaded = loadConfigText('README.md', configs[0] ?? '');
    expect(loaded.findings.map((f) => f.message)).toEqual([]);
    expect(loaded.config).toBeDefined();
  });
});

// --- hygiene ----------------------------------------------------------------------------------------------

/** Pin is one row of ../shared/pins.md: the only SHAs third-party actions may be pinned to. */
type Pin = { version: string; sha: string };
const PINS_FILE = join(ROOT, '../shared/pins.md');

function readPins(): Map<string, Pin> {
  const pins = new Map<string, Pin>();
  const row = /^\|\s*`([\w.-]+\/[\w.-]+)`\s*\|\s*`(v\d+\.\d+\.\d+)`\s*\|\s*`([0-9a-f]{40})`/gm;
  for (const m of readFileSync(PINS_FILE, 'utf8').matchAll(row))
    pins.set((m[1] ?? '').toLowerCase(), { version: m[2] ?? '', sha: m[3] ?? '' });
  return pins;
}

/** UsesLine is a `uses:` as written, with its trailing comment. */
type UsesLine = { line: number; ref: string; comment: string };

function usesLines(text: string): UsesLine[] {
  const out: UsesLine[] = [];
  text.split('\n').forEach((l, i) => {
    const m = /^\s*(?:-\s+)?uses:\s*(['"]?)([^\s'"#]+)\1\s*(?:#\s*(.*))?$/.exec(l);
    if (m) out.push({ line: i + 1, ref: m[2] ?? '', comment: (m[3] ?? '').trim() });
  });
  return out;
}

/** usesProblem says what is wrong with one `uses:`, or nothing. */
function usesProblem(u: UsesLine, pins: Map<string, Pin> | undefined): string | undefined {
  if (u.ref.startsWith('./')) return undefined;
  const m = /^([\w.-]+\/[\w.-]+)(\/[^@]*)?@(.+)$/.exec(u.ref);
  if (!m) return `${u.ref}: not owner/repo[/path]@ref`;
  const [, repo = '', , ref = ''] = m;
  // First-party: this repository's own action and workflows, referenced by the major tag release.yml moves.
  if (repo === OWN)
    return /^v\d+$/.test(ref) ? undefined : `${u.ref}: our own action is referenced as @v<major>`;
  if (!/^[0-9a-f]{40}$/.test(ref)) return `${u.ref}: third-party actions are pinned to a full commit SHA`;
  if (!/^v\d+\.\d+\.\d+$/.test(u.comment))
    return `${u.ref}: needs a "# vX.Y.Z" comment naming the pinned release`;
  if (!pins) return undefined;
  const pin = pins.get(repo.toLowerCase());
  if (!pin) return `${repo} is not in pins.md`;
  if (pin.sha !== ref || pin.version !== u.comment)
    return `${repo}@${ref} # ${u.comment}: pins.md pins ${pin.sha} # ${pin.version}`;
  return undefined;
}

const jobsOf = (w: Workflow) => Object.entries(w.jobs ?? {});
const stepsOf = (w: Workflow) =>
  jobsOf(w).flatMap(([id, j]) => (j.steps ?? []).map((s) => ({ id, job: j, s })));
const perms = (p: unknown): Obj => (typeof p === 'object' && p !== null ? (p as Obj) : {});
const usesAws = (j: Job) =>
  (j.steps ?? []).some((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials@'));
const calledWorkflow = (ref: string | undefined) => {
  const m = new RegExp(`^(?:${OWN}/|\\./)\\.github/workflows/([\\w.-]+)@?`).exec(ref ?? '');
  return m ? workflow(`.github/workflows/${m[1]}`) : undefined;
};
const LEVEL: Record<string, number> = { none: 0, read: 1, write: 2 };

const havePins = component('shared/pins.md', () => existsSync(PINS_FILE), `${PINS_FILE} is missing`);

/** parsed is the workflow, or its YAML error (reported by the test below rather than failing collection). */
function parsed(text: string): { w: Workflow; error?: string } {
  try {
    return { w: (parse(text) as Workflow | null) ?? { jobs: {} } };
  } catch (err) {
    return { w: { jobs: {} }, error: (err as Error).message };
  }
}

describe.each(SOURCES)('$name', ({ name: file, text }) => {
  const { w, error } = parsed(text);

  it('is YAML', () => {
    expect(error).toBeUndefined();
  });

  it('grants only `contents: read` at the top; jobs widen what they need', () => {
    expect(w.permissions).toEqual({ contents: 'read' });
    for (const [id, j] of jobsOf(w))
      expect(j.permissions, `job ${id} declares its permissions`).toBeDefined();
  });

  it('pins every third-party action to the SHA and version of pins.md', () => {
    const pins = havePins ? readPins() : undefined;
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
