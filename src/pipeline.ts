import type { Stage } from './constants.js';
import { hasErrors } from './findings.js';
import type { Plan } from './plan/plan.js';
import type { RunReport } from './report/run-report.js';
import type { Artifact, StageOutcome } from './stage.js';
import type { DeployPlan, Handle, Target } from './targets/target.js';
import { clipText } from './util/clip.js';
import { ActionError, AnnotatedError, errorMessage } from './util/errors.js';

/** PipelineIO is what the pipeline needs from the runner, injected so tests can run it without one. */
export interface PipelineIO {
  group<T>(name: string, fn: () => Promise<T>): Promise<T>;
  info(line: string): void;
  notice(message: string): void;
  warning(message: string): void;
  saveHandle(handle: Handle): void;
  markFinished(): void;
  /** Directory for files the run leaves for later steps (RUNNER_TEMP). */
  tempDir: string;
}

interface Carry {
  artifact?: Artifact;
  /** The target, made once: by the preflight before the stages, used again by the deploy stage. */
  target?: Target;
}

async function targetFor(plan: DeployPlan, carry: Carry, io: PipelineIO): Promise<Target> {
  if (carry.target) return carry.target;
  const { createTarget } = await import('./targets/factory.js');
  carry.target = await createTarget(plan.target, plan, { onHandle: io.saveHandle });
  return carry.target;
}

/**
 * resolveArtifact is the JAR of a run whose build stage did not run (or found none): the \`jar\` input or the
 * JAR under target/, described as the build stage describes its own (artifactOf).
 */
async function resolveArtifact(
  stage: Stage,
  plan: Plan,
  carry: Carry,
  report: RunReport,
  io: PipelineIO,
  signal: AbortSignal,
): Promise<Artifact> {
  if (carry.artifact) return carry.artifact;
  const { discoverJar } = await import('./build/discover-jar.js');
  const { repoPath } = await import('./build/build-stage.js');
  const { artifactOf } = await import('./build/artifact.js');
  const jar = await discoverJar({
    workingDirectory: plan.workingDirectory,
    ...(plan.jar ? { pattern: plan.jar } : {}),
    ...(plan.mainClass ? { mainClass: plan.mainClass } : {}),
    stage,
    workspace: plan.workspace,
    warn: io.warning,
    info: io.info,
  });
  const jarDisplayPath = repoPath(plan.workspace, jar.path) ?? jar.path;
  carry.artifact = await artifactOf(jar, jarDisplayPath, report, signal);
  return carry.artifact;
}

async function runStage(
  stage: Stage,
  plan: Plan,
  report: RunReport,
  carry: Carry,
  signal: AbortSignal,
  io: PipelineIO,
) {
  switch (stage) {
    case 'build': {
      const { runBuildStage } = await import('./build/build-stage.js');
      const result = await runBuildStage(
        {
          workspace: plan.workspace,
          workingDirectory: plan.workingDirectory,
          sbtTasks: plan.sbtTasks,
          ...(plan.jar ? { jarPattern: plan.jar } : {}),
          ...(plan.mainClass ? { mainClass: plan.mainClass } : {}),
          signal,
          onLine: io.info,
          warn: io.warning,
        },
        report,
      );
      if (result.artifact) carry.artifact = result.artifact;
      const t = result.tests;
      const tests =
        t.tests > 0 ? `${t.tests - t.failures - t.errors - t.skipped}/${t.tests} tests passed` : 'no tests';
      return `${tests}${result.artifact ? `; ${result.artifact.jarDisplayPath}` : ''}`;
    }
    case 'verify': {
      const artifact = await resolveArtifact(stage, plan, carry, report, io, signal);
      const { runVerifyStage } = await import('./jar/verify-stage.js');
      const { runtimeFromPlan } = await import('./jar/runtime.js');
      const fromInput = plan.mainClass !== undefined && plan.mainClass !== plan.config?.app.mainClass;
      const configLoc = plan.configRef?.locate(['app', 'mainClass']);
      const result = await runVerifyStage(
        {
          artifact,
          ...(plan.mainClass
            ? {
                expectedMainClass: fromInput
                  ? { value: plan.mainClass, from: 'input' as const }
                  : {
                      value: plan.mainClass,
                      from: 'config' as const,
                      ...(configLoc?.file ? { file: configLoc.file } : {}),
                      ...(configLoc?.line ? { line: configLoc.line } : {}),
                    },
              }
            : {}),
          javaRelease: plan.javaRelease,
          ...(plan.config?.verify?.maxSizeMb ? { maxSizeMb: plan.config.verify.maxSizeMb } : {}),
          ...(plan.config?.verify?.allowBundledSpark !== undefined
            ? { allowBundledSpark: plan.config.verify.allowBundledSpark }
            : {}),
          runtime: runtimeFromPlan(plan),
          reportDir: io.tempDir,
          log: io.info,
          signal,
        },
        report,
      );
      carry.artifact = result.artifact;
      const errors = result.findings.filter((f) => f.severity === 'error');
      if (hasErrors(result.findings)) {
        throw new ActionError(
          // The first line is what the summary, the check run and the stage table show: the problem itself.
          `verify: ${errors[0]?.title ?? 'problem'}${errors.length > 1 ? ` (and ${errors.length - 1} more problem${errors.length === 2 ? '' : 's'})` : ''}\n${errors.map((f) => `  ${f.title} — ${f.message}`).join('\n')}\nin ${artifact.jarDisplayPath}`,
        );
      }
      const warnings = result.findings.length - errors.length;
      return `${result.artifact.mainClass ?? ''}${result.artifact.javaRelease ? ` (Java ${result.artifact.javaRelease})` : ''}${warnings ? `; ${warnings} warning${warnings === 1 ? '' : 's'}` : ''}`;
    }
    case 'image': {
      // Standalone and EMR run the JAR itself (from the workers' reach or S3): an image is built only when
      // the config asks for one. Kubernetes needs it.
      const target = plan.target ?? 'standalone';
      if (!plan.config?.image?.repository && target !== 'kubernetes') {
        io.notice(
          `image: skipped: the ${target} target runs the JAR itself and no image.repository is configured`,
        );
        return `skipped: not needed by the ${target} target`;
      }
      const artifact = await resolveArtifact(stage, plan, carry, report, io, signal);
      const { runImageStage } = await import('./image/image-stage.js');
      const result = await runImageStage({ plan, artifact, signal, tempDir: io.tempDir }, report, {
        log: io.info,
      });
      carry.artifact = { ...artifact, image: result.image };
      return result.image.reference;
    }
    case 'deploy': {
      const deployPlan = asDeployPlan(plan, 'deploy');
      const artifact = await resolveArtifact(stage, plan, carry, report, io, signal);
      const target = await targetFor(deployPlan, carry, io);
      const { runDeployStage } = await import('./deploy/deploy-stage.js');
      // What the target found (a local master, an application without executors, a secret in step
      // arguments) is reported whether the deploy succeeds or fails.
      const reportFindings = () => {
        for (const f of target.findings ?? []) report.finding(f);
      };
      const result = await runDeployStage(
        {
          plan: deployPlan,
          artifact,
          target,
          signal,
          saveHandle: io.saveHandle,
          markFinished: io.markFinished,
          log: io.info,
          warn: io.warning,
          renderDir: io.tempDir,
          afterWatch: async (handle, last) => {
            const { reportSparkRun } = await import('./metrics/report-run.js');
            await reportSparkRun(
              {
                target,
                handle,
                ...(last ? { last } : {}),
                batch: deployPlan.config.app.mode !== 'streaming',
                dir: io.tempDir,
                canCompare: Boolean(plan.githubToken && plan.environment),
                log: io.info,
                notice: io.notice,
                signal,
              },
              report,
            );
          },
        },
        report,
      ).finally(reportFindings);
      return result.detail;
    }
  }
}

/** asDeployPlan narrows the Plan for what acts on a target: it needs the config and the target. */
function asDeployPlan(plan: Plan, what: string): DeployPlan {
  if (!plan.config || !plan.target) throw new ActionError(`${what}: a config file with a target is required`);
  return plan as DeployPlan;
}

/**
 * step runs one stage (or command) in its log group and records how it ended in the stage table; a detail
 * starting with "skipped" records a skip. A failure is recorded, then thrown on.
 */
async function step(
  stage: StageOutcome['stage'],
  report: RunReport,
  signal: AbortSignal,
  io: PipelineIO,
  fn: () => Promise<string>,
): Promise<void> {
  const started = performance.now();
  try {
    const detail = await io.group(`spark-deploy: ${stage}`, fn);
    report.stages.push({
      stage,
      result: detail.startsWith('skipped') ? 'skipped' : 'success',
      durationMs: performance.now() - started,
      detail,
    });
  } catch (err) {
    report.stages.push({
      stage,
      result: signal.aborted ? 'cancelled' : 'failure',
      durationMs: performance.now() - started,
      detail: clipText((err instanceof Error ? err.message : String(err)).split('\n')[0] ?? '', 200),
    });
    throw err;
  }
}

/**
 * checkBeforeStages checks the target's settings before the first stage of a run that deploys (or only
 * validates the Plan): a config key's error fails the run at once, recorded as the deploy stage's failure
 * with the stages before it skipped. Anything else (a kubeconfig not yet there, …) is met again by the
 * deploy stage, which reports it as before.
 */
async function checkBeforeStages(plan: Plan, report: RunReport, carry: Carry, io: PipelineIO) {
  if (!plan.config || !plan.target || !(plan.stages.includes('deploy') || plan.stages.length === 0)) return;
  const deployPlan = plan as DeployPlan;
  try {
    const { preflight } = await import('./deploy/preflight.js');
    await preflight(deployPlan, await targetFor(deployPlan, carry, io));
  } catch (err) {
    if (!(err instanceof AnnotatedError)) {
      carry.target = undefined;
      return;
    }
    const detail = clipText(errorMessage(err).split('\n')[0] ?? '', 200);
    for (const stage of plan.stages) {
      report.stages.push(
        stage === 'deploy'
          ? { stage, result: 'failure', durationMs: 0, detail }
          : { stage, result: 'skipped', durationMs: 0, detail: 'the deploy settings are invalid' },
      );
    }
    throw err;
  }
}

/** runPipeline runs the plan's stages in order, each in a log group, recording outcomes; the first failure stops it. */
export async function runPipeline(
  plan: Plan,
  report: RunReport,
  signal: AbortSignal,
  io: PipelineIO,
): Promise<void> {
  const command = plan.command;
  if (command === 'status' || command === 'cancel' || command === 'cleanup') {
    // These act on jobs already deployed: one step, no stages.
    const deployPlan = asDeployPlan(plan, command);
    await step(command, report, signal, io, async () => {
      const { createTarget } = await import('./targets/factory.js');
      const target = await createTarget(deployPlan.target, deployPlan);
      const { runTargetCommand } = await import('./deploy/commands.js');
      return runTargetCommand({ command, plan: deployPlan, target, signal, log: io.info }, report);
    });
    return;
  }
  const carry: Carry = {};
  await checkBeforeStages(plan, report, carry, io);
  for (const [i, stage] of plan.stages.entries()) {
    try {
      await step(stage, report, signal, io, () => runStage(stage, plan, report, carry, signal, io));
      if (carry.artifact) report.artifact = carry.artifact;
    } catch (err) {
      if (carry.artifact) report.artifact = carry.artifact;
      for (const rest of plan.stages.slice(i + 1)) {
        report.stages.push({ stage: rest, result: 'skipped', durationMs: 0, detail: `${stage} failed` });
      }
      throw err;
    }
  }
}
