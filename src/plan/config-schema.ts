import { z } from 'zod';
import { TARGETS } from '../constants.js';
import { SecretRef } from './secret-ref.js';

// Every object is strict so that a typo'd key is reported (with the closest valid key) instead of ignored.
// Every field is optional here: one layer (defaults or an environment) holds only part of the config;
// what the chosen stages require is checked on the merged result (see resolve.ts).

const memory = z
  .string()
  .regex(/^\d+(?:[kmgtp]b?|b)?$/i, 'a Spark memory size such as 512m, 4g or 2048')
  .describe('JVM memory size in Spark notation: 512m, 4g.');
const javaClass = z
  .string()
  .regex(/^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*$/, 'a fully qualified class name such as com.etl.Main');
const positiveInt = z.number().int().positive();
const nonNegativeInt = z.number().int().nonnegative();
const confValue = z.union([z.string(), z.number(), z.boolean(), SecretRef]);
const stringMap = z.record(z.string(), z.string());
const envMap = z.record(z.string(), z.union([z.string(), SecretRef]));

const resources = {
  cores: positiveInt.optional().describe('Cores (spark.driver.cores / spark.executor.cores).'),
  memory: memory.optional().describe('Heap (spark.driver.memory / spark.executor.memory).'),
  memoryOverhead: memory.optional().describe('Off-heap overhead (spark.*.memoryOverhead).'),
  javaOptions: z.string().optional().describe('Extra JVM options (spark.*.extraJavaOptions).'),
};

const AppSchema = z.strictObject({
  name: z
    .string()
    .min(1)
    .max(200)
    .optional()
    .describe('Application name: spark.app.name, resource names and labels are derived from it.'),
  mainClass: javaClass.optional().describe('Main class; default: the JAR manifest Main-Class.'),
  args: z.array(z.string()).optional().describe('Arguments passed to the main class.'),
  mode: z
    .enum(['batch', 'streaming'])
    .optional()
    .describe(
      'batch succeeds at a terminal success state; streaming succeeds once RUNNING for healthyAfter.',
    ),
  healthyAfter: positiveInt
    .optional()
    .describe('Streaming: seconds RUNNING before the deploy counts as healthy (default 60).'),
  configFile: z
    .string()
    .optional()
    .describe(
      'The application config file shipped with the job (like spark-submit --files), relative to the working directory.',
    ),
});

const SparkSchema = z.strictObject({
  version: z
    .string()
    .regex(/^\d+\.\d+\.\d+$/, 'a Spark version such as 3.5.6')
    .optional()
    .describe('Spark version of the runtime (default 3.5.6).'),
  scalaVersion: z.enum(['2.12', '2.13']).optional().describe('Scala binary version (default 2.12).'),
  javaRelease: z
    .number()
    .int()
    .min(8)
    .max(40)
    .optional()
    .describe('Java release of the runtime; classes newer than this fail verification (default 17).'),
  conf: z
    .record(z.string(), confValue)
    .optional()
    .describe('Spark properties (--conf). Credentials only as { fromEnv: NAME }.'),
  driver: z.strictObject(resources).optional(),
  executor: z
    .strictObject({ ...resources, instances: positiveInt.optional().describe('spark.executor.instances.') })
    .optional(),
  dynamicAllocation: z
    .strictObject({
      enabled: z.boolean().optional(),
      minExecutors: nonNegativeInt.optional(),
      maxExecutors: positiveInt.optional(),
      initialExecutors: nonNegativeInt.optional(),
      shuffleTracking: z
        .boolean()
        .optional()
        .describe(
          'spark.dynamicAllocation.shuffleTracking.enabled (needed without an external shuffle service).',
        ),
    })
    .optional(),
  jars: z.array(z.string()).optional().describe('Extra JARs (--jars / spark.jars).'),
  files: z.array(z.string()).optional().describe('Extra files (--files / spark.files).'),
});

const VerifySchema = z.strictObject({
  maxSizeMb: z.number().positive().optional().describe('Largest acceptable assembly JAR, in MB.'),
  allowBundledSpark: z
    .boolean()
    .optional()
    .describe('Do not warn when Spark or Scala library classes are inside the JAR.'),
});

const ImageSchema = z.strictObject({
  repository: z.string().min(1).optional().describe('Image repository, e.g. ghcr.io/acme/etl-pipeline.'),
  builder: z
    .enum(['docker', 'oci'])
    .optional()
    .describe('docker (buildx) or oci (daemonless). Default: docker when available.'),
  base: z.string().optional().describe('Base image for the oci builder and the generated Dockerfile.'),
  dockerfile: z
    .string()
    .optional()
    .describe('Dockerfile, relative to the working directory; default: generated.'),
  context: z.string().optional().describe('Build context, relative to the working directory (default .).'),
  appDir: z
    .string()
    .optional()
    .describe('Directory in the image that holds the JAR and config files (default /app).'),
  platform: z
    .string()
    .optional()
    .describe('Platform to build or pick from a multi-platform base (default linux/amd64).'),
  push: z.boolean().optional().describe('Push the image (default true).'),
  tags: z.array(z.string()).optional().describe('Extra tags.'),
  registryAuth: z
    .strictObject({ username: z.union([z.string(), SecretRef]), password: SecretRef })
    .optional()
    .describe('Registry credentials for the oci builder.'),
});

const StandaloneSchema = z.strictObject({
  masters: z
    .array(z.string().min(1))
    .min(1)
    .optional()
    .describe('REST submission URLs of the masters, tried in order (http://host:6066 or spark://host:6066).'),
  webUi: z
    .string()
    .optional()
    .describe('Master web UI base URL (default: the first master host on port 8080).'),
  mode: z.enum(['rest', 'spark-submit']).optional().describe('rest (default) or spark-submit from PATH.'),
  supervise: z.boolean().optional().describe('Restart the driver on failure (spark.driver.supervise).'),
  jar: z
    .strictObject({
      stage: z.enum(['local', 'url', 's3']).describe('How workers reach the JAR.'),
      url: z.string().optional().describe('stage url: the URL the JAR is already at.'),
      path: z
        .string()
        .optional()
        .describe('stage local: a directory shared by every worker to copy the JAR into.'),
      s3: z.string().optional().describe('stage s3: s3://bucket/prefix to upload the JAR to.'),
    })
    .optional(),
  allowInsecureRest: z
    .boolean()
    .optional()
    .describe(
      'Allow plain http:// REST to a non-loopback host (CVE-2018-11770: the REST server has no authentication).',
    ),
  headers: envMap.optional().describe('Extra HTTP headers for the REST server, values as { fromEnv: NAME }.'),
  historyServer: z.string().optional().describe('Spark history server base URL, for links to finished apps.'),
});

const KubernetesSchema = z.strictObject({
  namespace: z.string().optional(),
  context: z.string().optional().describe('kubeconfig context (default: current).'),
  serviceAccount: z.string().optional(),
  imagePullPolicy: z.enum(['Always', 'IfNotPresent', 'Never']).optional(),
  restartPolicy: z
    .strictObject({
      type: z.enum(['Never', 'Always', 'OnFailure']),
      onFailureRetries: nonNegativeInt.optional(),
      onFailureRetryInterval: positiveInt.optional(),
      onSubmissionFailureRetries: nonNegativeInt.optional(),
      onSubmissionFailureRetryInterval: positiveInt.optional(),
    })
    .optional(),
  labels: stringMap.optional(),
  annotations: stringMap.optional(),
  driver: z
    .strictObject({ labels: stringMap.optional(), env: envMap.optional(), coreLimit: z.string().optional() })
    .optional(),
  executor: z
    .strictObject({ labels: stringMap.optional(), env: envMap.optional(), coreLimit: z.string().optional() })
    .optional(),
  keepHistory: positiveInt.optional().describe('Batch: how many past runs to keep (default 5).'),
  strategy: z
    .enum(['in-place', 'blue-green'])
    .optional()
    .describe('Streaming update strategy (default in-place).'),
  timeToLiveSeconds: positiveInt.optional(),
  monitoring: z
    .strictObject({
      exposeDriverMetrics: z.boolean().optional(),
      exposeExecutorMetrics: z.boolean().optional(),
      jmxExporterJar: z.string().optional(),
      port: positiveInt.optional(),
      service: z.boolean().optional().describe('Create a metrics Service.'),
      serviceMonitor: z.boolean().optional().describe('Create a Prometheus ServiceMonitor.'),
    })
    .optional(),
  networkPolicy: z.boolean().optional(),
  uiIngressUrl: z.string().optional().describe('URL format of the operator UI ingress, for links.'),
});

const EmrSchema = z.strictObject({
  region: z.string().optional(),
  clusterId: z
    .string()
    .regex(/^j-[0-9A-Z]+$/, 'an EMR cluster id such as j-2AXXXXXXGAPLF')
    .optional(),
  clusterName: z.string().optional(),
  cluster: z
    .strictObject({
      name: z.string().optional(),
      releaseLabel: z.string().regex(/^emr-\d+\.\d+\.\d+$/, 'an EMR release label such as emr-7.5.0'),
      logUri: z.string().optional(),
      serviceRole: z.string().optional(),
      jobFlowRole: z.string().optional(),
      subnetId: z.string().optional(),
      keyName: z.string().optional(),
      instanceGroups: z
        .array(
          z.strictObject({
            role: z.enum(['MASTER', 'CORE', 'TASK']),
            instanceType: z.string(),
            count: positiveInt,
            market: z.enum(['ON_DEMAND', 'SPOT']).optional(),
            bidPrice: z.string().optional(),
          }),
        )
        .optional(),
      bootstrapActions: z
        .array(z.strictObject({ name: z.string(), path: z.string(), args: z.array(z.string()).optional() }))
        .optional(),
      tags: stringMap.optional(),
      idleTimeoutSeconds: positiveInt.optional(),
      configurations: z.array(z.record(z.string(), z.unknown())).optional(),
    })
    .optional()
    .describe('Transient cluster spec (RunJobFlow); mutually exclusive with clusterId/clusterName.'),
  s3: z
    .strictObject({
      jar: z.string().describe('s3:// location for the JAR, e.g. s3://bucket/jars/{{sha}}/app.jar'),
      config: z.string().optional(),
    })
    .optional(),
  actionOnFailure: z
    .enum(['CONTINUE', 'CANCEL_AND_WAIT', 'TERMINATE_CLUSTER', 'TERMINATE_JOB_FLOW'])
    .optional(),
});

/** LayerSchema is one layer of the deploy config: `defaults` or one `environments.<name>`. */
export const LayerSchema = z.strictObject({
  target: z.enum(TARGETS).optional().describe('Deploy target; the action input `target` overrides it.'),
  app: AppSchema.optional(),
  spark: SparkSchema.optional(),
  verify: VerifySchema.optional(),
  image: ImageSchema.optional(),
  standalone: StandaloneSchema.optional(),
  kubernetes: KubernetesSchema.optional(),
  emr: EmrSchema.optional(),
});
export type Layer = z.infer<typeof LayerSchema>;

/** ConfigFileSchema is the whole deploy config file. */
export const ConfigFileSchema = z.strictObject({
  $schema: z.string().optional(),
  version: z.literal(1).optional().describe('Config format version (1).'),
  defaults: LayerSchema.optional().describe('Settings shared by every environment.'),
  environments: z
    .record(z.string().regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, - and _'), LayerSchema)
    .optional()
    .describe('Per-environment settings, deep-merged over defaults.'),
});
export type ConfigFile = z.infer<typeof ConfigFileSchema>;
