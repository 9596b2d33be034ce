/** Action input names, exactly as declared in action.yml. */
export const Input = {
  command: 'command',
  stages: 'stages',
  workingDirectory: 'working-directory',
  sbtTasks: 'sbt-tasks',
  jar: 'jar',
  mainClass: 'main-class',
  javaRelease: 'java-release',
  config: 'config',
  environment: 'environment',
  target: 'target',
  wait: 'wait',
  timeoutMinutes: 'timeout-minutes',
  cancelOnAbort: 'cancel-on-abort',
  preview: 'preview',
  dryRun: 'dry-run',
  githubToken: 'github-token',
} as const;

/** Action output names, exactly as declared in action.yml. */
export const Output = {
  jarPath: 'jar-path',
  jarSha256: 'jar-sha256',
  verifyReport: 'verify-report',
  image: 'image',
  imageDigest: 'image-digest',
  target: 'target',
  submissionId: 'submission-id',
  applicationId: 'application-id',
  state: 'state',
  sparkUiUrl: 'spark-ui-url',
  deploymentId: 'deployment-id',
  manifestPath: 'manifest-path',
  sparkMetricsPath: 'spark-metrics-path',
} as const;

/** State keys handed from the main step to the post step. */
export const State = {
  isPost: 'isPost',
  target: 'target',
  handle: 'handle',
  finished: 'finished',
  cancelOnAbort: 'cancelOnAbort',
  configSnapshot: 'configSnapshot',
} as const;

export const COMMANDS = ['deploy', 'status', 'cancel', 'cleanup', 'render'] as const;
export type Command = (typeof COMMANDS)[number];

export const STAGES = ['build', 'verify', 'image', 'deploy'] as const;
export type Stage = (typeof STAGES)[number];

export const TARGETS = ['standalone', 'kubernetes', 'emr'] as const;
export type TargetName = (typeof TARGETS)[number];

/** Default deploy config location, relative to the working directory. */
export const DEFAULT_CONFIG_PATH = '.github/spark-deploy.yml';
