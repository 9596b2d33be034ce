import * as core from '@actions/core';
import { z } from 'zod';
import { COMMANDS, Input, STAGES, type Stage, TARGETS } from './constants.js';
import { ActionError } from './util/errors.js';

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

const TRUE = ['true', 'True', 'TRUE'];
const FALSE = ['false', 'False', 'FALSE'];
const bool = (name: string) =>
  z.string().transform((v, ctx) => {
    if (TRUE.includes(v)) return true;
    if (FALSE.includes(v)) return false;
    ctx.addIssue({ code: 'custom', message: `input \`${name}\`: expected true or false, got "${v}"` });
    return z.NEVER;
  });
const optional = <T extends z.ZodType>(s: T) => z.preprocess((v) => (v === '' ? undefined : v), s.optional());

const InputsSchema = z.object({
  command: z.enum(COMMANDS, {
    error: (i) => `input \`command\`: expected one of ${COMMANDS.join(' | ')}, got "${String(i.input)}"`,
  }),
  stages: z.string().transform((v, ctx): Stage[] => {
    const items = v
      .split(/[\s,]+/)
      .map((s) => s.trim().toLowerCase())
      .filter(Boolean);
    if (items.length === 1 && items[0] === 'none') return [];
    const bad = items.filter((s) => !(STAGES as readonly string[]).includes(s));
    if (bad.length > 0) {
      ctx.addIssue({
        code: 'custom',
        message: `input \`stages\`: unknown stage ${bad.map((b) => `"${b}"`).join(', ')}; expected a comma list of ${STAGES.join(', ')} (or none)`,
      });
      return z.NEVER;
    }
    // Stages always run in pipeline order, whatever order they were listed in.
    return STAGES.filter((s) => items.includes(s));
  }),
  workingDirectory: z.string(),
  sbtTasks: z.string().transform((v, ctx) => {
    const tasks = v.split(/\s+/).filter(Boolean);
    if (tasks.length === 0) {
      ctx.addIssue({
        code: 'custom',
        message: 'input `sbt-tasks`: expected at least one sbt task, e.g. "clean test assembly"',
      });
      return z.NEVER;
    }
    return tasks;
  }),
  jar: optional(z.string()),
  mainClass: optional(
    z.string().regex(/^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*$/, {
      message: 'input `main-class`: expected a fully qualified class name such as com.etl.Main',
    }),
  ),
  javaRelease: optional(
    z.string().regex(/^\d+$/, { message: 'input `java-release`: expected a Java release number such as 17' }),
  )
    .transform((v) => (v === undefined ? undefined : Number(v)))
    .refine((v) => v === undefined || (v >= 8 && v <= 40), {
      message: 'input `java-release`: expected a release from 8 to 40',
    }),
  config: z.string(),
  environment: optional(z.string()),
  target: optional(
    z.enum(TARGETS, {
      error: (i) => `input \`target\`: expected one of ${TARGETS.join(' | ')}, got "${String(i.input)}"`,
    }),
  ),
  wait: bool('wait'),
  timeoutMinutes: z.string().transform((v, ctx) => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n) || n <= 0) {
      ctx.addIssue({
        code: 'custom',
        message: `input \`timeout-minutes\`: expected a positive number of minutes, got "${v}"`,
      });
      return z.NEVER;
    }
    return n;
  }),
  cancelOnAbort: bool('cancel-on-abort'),
  preview: optional(z.string()).transform((v, ctx): number | 'auto' | undefined => {
    if (v === undefined || v === 'false') return undefined;
    if (v === 'auto') return 'auto';
    if (/^[1-9]\d*$/.test(v)) return Number(v);
    ctx.addIssue({
      code: 'custom',
      message: `input \`preview\`: expected a pull-request number or "auto", got "${v}"`,
    });
    return z.NEVER;
  }),
  dryRun: bool('dry-run'),
  githubToken: optional(z.string()),
});

/** Inputs is every action input, validated and typed. */
export type Inputs = z.infer<typeof InputsSchema>;

/** parseInputs validates raw input strings (keyed by input name); bad input throws an ActionError naming it. */
export function parseInputs(get: (name: string) => string): Inputs {
  const raw: Record<string, string> = {};
  for (const [key, name] of Object.entries(Input)) raw[key] = get(name) || DEFAULTS[name] || '';
  const result = InputsSchema.safeParse(raw);
  if (!result.success) {
    const messages = result.error.issues.map((i) =>
      i.message.startsWith('input `')
        ? i.message
        : `input \`${Input[i.path[0] as keyof typeof Input] ?? String(i.path[0])}\`: ${i.message}`,
    );
    throw new ActionError(messages.join('\n'));
  }
  if (result.data.githubToken) core.setSecret(result.data.githubToken);
  return result.data;
}

/** getInputs reads every action input; it is the only place in the action that calls core.getInput. */
export function getInputs(): Inputs {
  return parseInputs((name) => core.getInput(name));
}
