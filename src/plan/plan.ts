import type { Command, Stage, TargetName } from '../constants.js';
import type { Layer } from './config-schema.js';
import type { RunContext } from './context.js';
import type { ConfigSource, Path } from './source.js';

/** DeployConfig is one environment of the config file: defaults merged, templates rendered, secrets resolved. */
export type DeployConfig = Layer & {
  app: NonNullable<Layer['app']> & { mode: 'batch' | 'streaming'; healthyAfter: number };
  spark: NonNullable<Layer['spark']> & {
    version: string;
    scalaVersion: '2.12' | '2.13';
    javaRelease: number;
  };
};

/** Plan is everything one run does, validated and fully resolved before any stage starts. */
export interface Plan {
  command: Command;
  stages: Stage[];
  /** Absolute workspace root (GITHUB_WORKSPACE); user-facing paths are relative to it. */
  workspace: string;
  /** Absolute directory of the sbt project. */
  workingDirectory: string;
  sbtTasks: string[];
  /** JAR path or glob from the input, relative to workingDirectory. */
  jar?: string;
  /** Expected main class: the input, else app.mainClass from the config. */
  mainClass?: string;
  /** Java release of the target runtime: the input, else spark.javaRelease, else 17. */
  javaRelease: number;
  wait: boolean;
  timeoutMs: number;
  cancelOnAbort: boolean;
  dryRun: boolean;
  preview?: number;
  githubToken?: string;
  environment?: string;
  target?: TargetName;
  /** The resolved config; absent when no stage needs one and no file exists. */
  config?: DeployConfig;
  /** Where config values came from, for errors that point at a config line. */
  configRef?: ConfigRef;
  context: RunContext;
  /** Every secret value the plan resolved (already registered for masking). */
  secrets: string[];
  /** What the run should say before it starts (e.g. a render with a secret's placeholder). */
  notices?: string[];
}

/** ConfigRef locates keys of the resolved config in the file they came from. */
export interface ConfigRef {
  source: ConfigSource;
  environment?: string;
  /** locate returns file/line of a resolved-config key: the environment's value if it sets one, else the default's. */
  locate(path: Path): { file: string; line?: number; column?: number };
}
