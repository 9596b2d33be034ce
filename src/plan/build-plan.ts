import { existsSync, readFileSync, statSync } from 'node:fs';
import { relative, resolve, sep } from 'node:path';
import type { Finding } from '../findings.js';
import type { Inputs } from '../inputs.js';
import { ActionError, AnnotatedError } from '../util/errors.js';
import { closest } from '../util/suggest.js';
import type { Layer } from './config-schema.js';
import type { RunContext } from './context.js';
import { checkedOutCommit } from './git-head.js';
import { type LoadedConfig, loadConfigText } from './load-config.js';
import { deepMerge } from './merge.js';
import type { ConfigRef, DeployConfig, Plan } from './plan.js';
import { previewAppName } from './preview.js';
import { registryAuthFromEnv } from './registry-env.js';
import { resolveSecretRefs } from './resolve-secrets.js';
import { runnerPathProblems } from './runner-paths.js';
import { keyPath, type Path } from './source.js';
import { renderTemplates, type TemplateVars } from './template.js';

/** AWS_CREDENTIAL_VARS are the SDK's environment credentials, held as secrets when deploying to EMR. */
const AWS_CREDENTIAL_VARS = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'] as const;

/** Defaults applied to every resolved config; documented in the README's config reference. */
export const CONFIG_DEFAULTS = {
  mode: 'batch',
  healthyAfter: 60,
  sparkVersion: '3.5.6',
  scalaVersion: '2.12',
  javaRelease: 17,
} as const;

export interface PlanDeps {
  env: NodeJS.ProcessEnv;
  setSecret(value: string): void;
}

/** toDisplayPath makes a path relative to the workspace with forward slashes, as annotations need. */
export function toDisplayPath(workspace: string, path: string): string {
  const rel = relative(workspace, path);
  return (rel === '' ? '.' : rel).split(sep).join('/');
}

function fail(summary: string, findings: Finding[]): never {
  const lines = findings.map((f) => f.message);
  if (!findings.some((f) => f.severity === 'error'))
    throw new ActionError(lines.length > 0 ? lines.join('\n') : summary, findings);
  throw new AnnotatedError(lines.join('\n'), findings);
}

function planFinding(message: string, at?: { file: string; line?: number; column?: number }): Finding {
  return {
    stage: 'plan',
    severity: 'error',
    title: 'config',
    message,
    ...(at ? { file: at.file } : {}),
    ...(at?.line ? { line: at.line } : {}),
    ...(at?.column ? { column: at.column } : {}),
  };
}

function makeRef(loaded: LoadedConfig, environment: string | undefined): ConfigRef {
  const { source } = loaded;
  const has = (path: Path) => {
    let v: unknown = source.data;
    for (const seg of path) {
      if (v === null || typeof v !== 'object') return false;
      if (!(String(seg) in (v as object))) return false;
      v = (v as Record<string, unknown>)[String(seg)];
    }
    return true;
  };
  const locate = (path: Path) => {
    const candidates: Path[] = [];
    if (environment) candidates.push(['environments', environment, ...path]);
    candidates.push(['defaults', ...path]);
    for (let n = path.length; n >= 0; n--) {
      for (const c of candidates) {
        const p = c.slice(0, c.length - (path.length - n));
        if (has(p)) {
          const pos = source.position(p);
          return { file: source.file, ...(pos ? { line: pos.line, column: pos.column } : {}) };
        }
      }
    }
    return { file: source.file };
  };
  return { source, ...(environment ? { environment } : {}), locate };
}

/**
 * stagesFor is what a command runs: deploy the stages asked for; render those too, with deploy (which
 * renders instead of submitting) always last; status, cancel and cleanup act on deployed jobs and build nothing.
 */
function stagesFor(command: Inputs['command'], stages: Inputs['stages']): Inputs['stages'] {
  if (command === 'deploy') return stages;
  if (command === 'render') return stages.includes('deploy') ? stages : [...stages, 'deploy'];
  return [];
}

/** buildPlan turns validated inputs and the config file into the Plan, or throws an ActionError naming what is wrong. */
export async function buildPlan(inputs: Inputs, runContext: RunContext, deps: PlanDeps): Promise<Plan> {
  const workspace = resolve(runContext.workspace);
  const workingDirectory = resolve(workspace, inputs.workingDirectory);
  if (!existsSync(workingDirectory) || !statSync(workingDirectory).isDirectory()) {
    throw new ActionError(
      `input \`working-directory\`: ${toDisplayPath(workspace, workingDirectory)} is not a directory of the workspace (${workspace})`,
    );
  }
  // What is built and deployed is the checked-out commit, which need not be the run's (GITHUB_SHA).
  const head = checkedOutCommit(workingDirectory, workspace);
  const ctx = head && head !== runContext.sha ? { ...runContext, sha: head } : runContext;
  const needsConfig =
    inputs.command !== 'deploy' || inputs.stages.includes('image') || inputs.stages.includes('deploy');
  // Relative to working-directory; an app in a subdirectory of a repository keeps it at the root's .github/.
  const candidates = [
    ...new Set([resolve(workingDirectory, inputs.config), resolve(workspace, inputs.config)]),
  ];
  const configPath = candidates.find((p) => existsSync(p)) ?? (candidates[0] as string);
  const configDisplay = toDisplayPath(workspace, configPath);

  let loaded: LoadedConfig | undefined;
  if (existsSync(configPath)) {
    const { config, findings } = loadConfigText(configDisplay, readFileSync(configPath, 'utf8'));
    if (!config) fail(`config: ${configDisplay} is invalid`, findings);
    loaded = config;
  } else if (needsConfig) {
    const why = inputs.command !== 'deploy' ? `command \`${inputs.command}\`` : 'the image and deploy stages';
    throw new ActionError(
      `input \`config\`: deploy config ${candidates.map((p) => toDisplayPath(workspace, p)).join(' or ')} not found; ${why} need it. Create it (see the README's "Deploy config" section) or point the \`config\` input at it.`,
    );
  }

  const base: Omit<Plan, 'javaRelease'> = {
    command: inputs.command,
    stages: stagesFor(inputs.command, inputs.stages),
    workspace,
    workingDirectory,
    sbtTasks: inputs.sbtTasks,
    ...(inputs.jar ? { jar: inputs.jar } : {}),
    wait: inputs.wait,
    timeoutMs: Math.round(inputs.timeoutMinutes * 60_000),
    cancelOnAbort: inputs.cancelOnAbort,
    dryRun: inputs.dryRun,
    ...(inputs.githubToken ? { githubToken: inputs.githubToken } : {}),
    context: ctx,
    secrets: inputs.githubToken ? [inputs.githubToken] : [],
  };
  const preview = inputs.preview === 'auto' ? ctx.pullRequest : inputs.preview;
  if (preview !== undefined) base.preview = preview;

  if (!loaded) {
    return {
      ...base,
      ...(inputs.mainClass ? { mainClass: inputs.mainClass } : {}),
      ...(inputs.environment ? { environment: inputs.environment } : {}),
      ...(inputs.target ? { target: inputs.target } : {}),
      javaRelease: inputs.javaRelease ?? CONFIG_DEFAULTS.javaRelease,
    };
  }

  const file = loaded.file;
  const envNames = Object.keys(file.environments ?? {});
  let environment = inputs.environment;
  if (environment !== undefined && !envNames.includes(environment)) {
    const hint = closest(environment, envNames);
    const pos = loaded.source.position(['environments'], 'key');
    fail('unknown environment', [
      planFinding(
        `${configDisplay}${pos ? `:${pos.line}:${pos.column}` : ''}: environments: input \`environment\` is "${environment}" but the config has no such environment${hint ? ` (did you mean "${hint}"?)` : ''}; defined: ${envNames.join(', ') || 'none'}`,
        { file: configDisplay, ...(pos ?? {}) },
      ),
    ]);
  }
  if (environment === undefined && envNames.length > 0 && needsConfig) {
    if (envNames.length === 1) environment = envNames[0];
    else {
      throw new ActionError(
        `input \`environment\`: required to choose one of the environments in ${configDisplay}: ${envNames.join(', ')}`,
      );
    }
  }
  const ref = makeRef(loaded, environment);
  const findings: Finding[] = [];
  const at = (path: Path) => ref.locate(path);
  const where = (l: { file: string; line?: number; column?: number }) =>
    `${l.file}${l.line ? `:${l.line}` : ''}${l.line && l.column ? `:${l.column}` : ''}`;

  const merged = deepMerge<Layer>(
    file.defaults ?? {},
    environment ? file.environments?.[environment] : undefined,
  );
  const sha = ctx.sha;
  const vars: Partial<TemplateVars> = {
    ...(environment ? { environment } : {}),
    sha,
    short_sha: sha.slice(0, 7),
    ref: ctx.ref,
    ref_name: ctx.refName,
    pr: preview !== undefined ? String(preview) : '',
    run_id: ctx.runId,
    run_attempt: ctx.runAttempt,
    workspace,
    working_directory: workingDirectory,
  };
  const onUnknown = (path: Path, name: string) => {
    // build and verify may run without choosing an environment: {{environment}} then stays as written.
    if (name === 'environment' && !environment && !needsConfig) return;
    const l = at(path);
    const known = Object.keys(vars);
    const hint = closest(name, [...known, 'app']);
    findings.push(
      planFinding(
        `${where(l)}: ${keyPath(path)}: unknown template variable {{${name}}}${name === 'environment' ? ' (no environment is selected)' : hint ? ` (did you mean {{${hint}}}?)` : ''}; known: ${[...known, 'app'].map((k) => `{{${k}}}`).join(', ')}`,
        l,
      ),
    );
  };
  const appName = merged.app?.name
    ? previewAppName(renderTemplates(merged.app.name, vars, onUnknown, ['app', 'name']), preview)
    : undefined;
  if (appName) vars.app = appName;
  const rendered = findings.length > 0 ? merged : renderTemplates(merged, vars, onUnknown);
  if (appName && rendered.app) rendered.app = { ...rendered.app, name: appName };

  // Resolve credentials only for the sections this run uses, so an unset variable for another target
  // or for the image stage does not block a build.
  const secrets: string[] = [];
  // A render (GitOps: the rendered file is applied elsewhere, the Secret's data never in it) needs no secret:
  // an unset variable renders as a placeholder, with a notice.
  const notices: string[] = [];
  const onMissing = (path: Path, name: string): string | undefined => {
    const l = at(path);
    if (inputs.command === 'render') {
      notices.push(
        `${where(l)}: ${keyPath(path)}: environment variable ${name} is not set; rendered as the placeholder \${${name}}`,
      );
      return `\${${name}}`;
    }
    findings.push(
      planFinding(
        `${where(l)}: ${keyPath(path)}: environment variable ${name} is not set; add it to the step's env from a secret (env: ${name}: \${{ secrets.${name} }})`,
        l,
      ),
    );
    return undefined;
  };
  const target = inputs.target ?? rendered.target;
  const resolved: Layer = { ...rendered };
  const deploying = inputs.stages.includes('deploy') || inputs.command !== 'deploy';
  if (deploying) {
    if (resolved.spark)
      resolved.spark = resolveSecretRefs(resolved.spark, deps.env, secrets, onMissing, ['spark']);
    if (target && resolved[target]) {
      // biome-ignore lint/suspicious/noExplicitAny: each target section has its own type; the walk is generic.
      (resolved as any)[target] = resolveSecretRefs(resolved[target], deps.env, secrets, onMissing, [target]);
    }
  }
  if (inputs.stages.includes('image') && resolved.image) {
    resolved.image = resolveSecretRefs(resolved.image, deps.env, secrets, onMissing, ['image']);
    if (!resolved.image.registryAuth) {
      const fromEnv = registryAuthFromEnv(deps.env, secrets);
      // Resolved values, as resolveSecretRefs leaves every `{ fromEnv }` of the section.
      if (fromEnv.auth) resolved.image = { ...resolved.image, registryAuth: fromEnv.auth as never };
      if (fromEnv.problem) findings.push(planFinding(fromEnv.problem));
    }
  }
  if (deploying && !target) {
    findings.push(
      planFinding(
        `${configDisplay}: no deploy target: set \`target\` (standalone | kubernetes | emr) under defaults or environments.${environment ?? '<name>'}, or the \`target\` input`,
        { file: configDisplay },
      ),
    );
  }
  if (deploying) {
    for (const p of runnerPathProblems(resolved.spark)) {
      const l = at(p.path);
      findings.push(planFinding(`${where(l)}: ${keyPath(p.path)}: ${p.message}`, l));
    }
  }
  if (deploying && !appName) {
    findings.push(
      planFinding(
        `${configDisplay}: app.name is required to deploy: set it under defaults or environments.${environment ?? '<name>'}`,
        { file: configDisplay },
      ),
    );
  }
  // AWS credentials in the environment (configure-aws-credentials exports them) are secrets of an EMR run.
  if (deploying && target === 'emr')
    for (const name of AWS_CREDENTIAL_VARS) if (deps.env[name]) secrets.push(deps.env[name] as string);
  // Registered before anything can fail, so no later message can carry one.
  for (const s of secrets) deps.setSecret(s);
  if (findings.length > 0) fail('config is invalid', findings);

  const config: DeployConfig = {
    ...resolved,
    app: {
      ...resolved.app,
      mode: resolved.app?.mode ?? CONFIG_DEFAULTS.mode,
      healthyAfter: resolved.app?.healthyAfter ?? CONFIG_DEFAULTS.healthyAfter,
    },
    spark: {
      ...resolved.spark,
      version: resolved.spark?.version ?? CONFIG_DEFAULTS.sparkVersion,
      scalaVersion: resolved.spark?.scalaVersion ?? CONFIG_DEFAULTS.scalaVersion,
      javaRelease: resolved.spark?.javaRelease ?? CONFIG_DEFAULTS.javaRelease,
    },
  };
  const mainClass = inputs.mainClass ?? config.app.mainClass;
  return {
    ...base,
    ...(mainClass ? { mainClass } : {}),
    ...(environment ? { environment } : {}),
    ...(target ? { target } : {}),
    javaRelease: inputs.javaRelease ?? config.spark.javaRelease,
    config,
    configRef: ref,
    secrets: [...base.secrets, ...secrets],
    ...(notices.length > 0 ? { notices } : {}),
  };
}
