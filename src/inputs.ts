import * as z from 'zod/mini';
import { COMMANDS, Input, STAGES, type Stage, TARGETS } from './constants.js';
import { ActionError } from './util/errors.js';
import { getInput, setSecret } from './util/runner.js';

// The runner fills action.yml defaults in; a local run (or a test) may not, so the same defaults live here.
const DEFAULTS: Record<string, string> = {
  [Input.command]: 'deploy',
  [Input.stages]: STAGES.join(','),
  [Input.workingDirectory]: '.',
  [Input.sbtTasks]: 'clean test assembly',
  [Input.config]: '.github/spark-deploy.yml',
  [Input.wait]: 'true',
  [Input.timeoutMinutes]: '60',
  [Input.cancelOnAbort]: 'true',
  [Input.dryRun]: 'false',
};

type Ctx = { issues: z.core.$ZodRawIssue[] };
class Bad extends Error {}
/**
 * field validates one raw input string; `parse` returns the value or calls `bad` with what was expected.
 * One zod transform per input (not a string schema piped into one): each zod schema object costs start-up
 * time (README, Performance).
 */
function field<T>(name: string, parse: (v: string, bad: (expected: string) => never) => T) {
  return z.transform((v: unknown, ctx: Ctx) => {
    try {
      if (typeof v !== 'string') throw new Bad(`expected a string, got ${typeof v}`);
      return parse(v, (expected) => {
        throw new Bad(expected);
      });
    } catch (e) {
      if (!(e instanceof Bad)) throw e;
      ctx.issues.push({ code: 'custom', message: `input \`${name}\`: ${e.message}`, input: v });
      return z.NEVER as T;
    }
  });
}

const TRUE = ['true', 'True', 'TRUE'];
const FALSE = ['false', 'False', 'FALSE'];
const bool = (name: string) =>
  field(name, (v, bad) => {
    if (TRUE.includes(v)) return true;
    if (FALSE.includes(v)) return false;
    return bad(`expected true or false, got "${v}"`);
  });
const oneOf = <T extends string>(name: string, values: readonly T[]) =>
  field(name, (v, bad): T => {
    if ((values as readonly string[]).includes(v)) return v as T;
    return bad(`expected one of ${values.join(' | ')}, got "${v}"`);
  });
const optional = <T>(name: string, parse: (v: string, bad: (expected: string) => never) => T) =>
  field(name, (v, bad) => (v === '' ? undefined : parse(v, bad)));
const CLASS = /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*$/;

const InputsSchema = z.object({
  command: oneOf('command', COMMANDS),
  stages: field('stages', (v, bad): Stage[] => {
    const items = v
      .split(/[\s,]+/)
      .map((s) => s.trim().toLowerCase())
      .filter(Boolean);
    if (items.length === 1 && items[0] === 'none') return [];
    const unknown = items.filter((s) => !(STAGES as readonly string[]).includes(s));
    if (unknown.length > 0) {
      bad(
        `unknown stage ${unknown.map((b) => `"${b}"`).join(', ')}; expected a comma list of ${STAGES.join(', ')} (or none)`,
      );
    }
    // Stages always run in pipeline order, whatever order they were listed in.
    return STAGES.filter((s) => items.includes(s));
  }),
  workingDirectory: z.string(),
  sbtTasks: field('sbt-tasks', (v, bad) => {
    // As on sbt's command line: a command with spaces is quoted ("set assembly / test := {}").
    const TOKEN = /"([^"]*)"|'([^']*)'|([^\s"']+)/g;
    if (/["']/.test(v.replace(TOKEN, '')))
      return bad(
        `unclosed quote in ${JSON.stringify(v)}; quote a command with spaces as a whole: "set assembly / test := {}" clean assembly`,
      );
    const tasks = [...v.matchAll(TOKEN)].map((m) => (m[1] ?? m[2] ?? m[3] ?? '').trim()).filter(Boolean);
    return tasks.length > 0 ? tasks : bad('expected at least one sbt task, e.g. "clean test assembly"');
  }),
  jar: optional('jar', (v) => v),
  mainClass: optional('main-class', (v, bad) =>
    CLASS.test(v) ? v : bad('expected a fully qualified class name such as com.etl.Main'),
  ),
  javaRelease: optional('java-release', (v, bad) => {
    const n = Number(v);
    return /^\d+$/.test(v) && n >= 8 && n <= 40
      ? n
      : bad(`expected a Java release from 8 to 40 such as 17, got "${v}"`);
  }),
  config: z.string(),
  environment: optional('environment', (v) => v),
  target: optional('target', (v, bad) =>
    (TARGETS as readonly string[]).includes(v)
      ? (v as (typeof TARGETS)[number])
      : bad(`expected one of ${TARGETS.join(' | ')}, got "${v}"`),
  ),
  wait: bool('wait'),
  timeoutMinutes: field('timeout-minutes', (v, bad) => {
    const n = Number(v);
    return v.trim() !== '' && Number.isFinite(n) && n > 0
      ? n
      : bad(`expected a positive number of minutes, got "${v}"`);
  }),
  cancelOnAbort: bool('cancel-on-abort'),
  preview: optional('preview', (v, bad): number | 'auto' | undefined => {
    if (v === 'false') return undefined;
    if (v === 'auto') return 'auto';
    if (/^[1-9]\d*$/.test(v)) return Number(v);
    return bad(`expected a pull-request number or "auto", got "${v}"`);
  }),
  dryRun: bool('dry-run'),
  githubToken: optional('github-token', (v) => v),
});

/** Inputs is every action input, validated and typed. */
export type Inputs = z.infer<typeof InputsSchema>;

/** parseInputs validates raw input strings (keyed by input name); bad input throws an ActionError naming it. */
export function parseInputs(get: (name: string) => string): Inputs {
  const raw: Record<string, string> = {};
  for (const [key, name] of Object.entries(Input)) raw[key] = get(name) || DEFAULTS[name] || '';
  const result = InputsSchema.safeParse(raw);
  if (!result.success) throw new ActionError(result.error.issues.map((i) => i.message).join('\n'));
  if (result.data.githubToken) setSecret(result.data.githubToken);
  return result.data;
}

/** getInputs reads every action input; it is the only place in the action that reads inputs. */
export function getInputs(): Inputs {
  return parseInputs(getInput);
}
