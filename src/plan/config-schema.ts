import * as z from 'zod/mini';
import { TARGETS } from '../constants.js';
import { secretRefSchema } from './secret-ref.js';

type SecretRefSchema = ReturnType<typeof secretRefSchema>;

// zod/mini rather than zod: the same engine in a tree-shakeable form that loads in a fraction of the
// time. The schemas are built on first use, not at load: building them costs ~12 ms, and a valid config
// never needs them (load-config.ts checks it against the JSON Schema generated from them first; README,
// Performance).
//
// Every object is strict so that a typo'd key is reported (with the closest valid key) instead of ignored.
// Every field is optional here: one layer (defaults or an environment) holds only part of the config;
// what the chosen stages require is checked on the merged result (build-plan.ts).

/** opt makes a field optional and documents it (the description lands in the JSON Schema). */
function opt<T extends z.ZodMiniType>(schema: T, description?: string) {
  return z.optional(description ? schema.check(z.describe(description)) : schema);
}

const str = () => z.string();
const memory = () =>
  z
    .string()
    // No `i` flag: JSON Schema patterns have none, and the generated schema must accept the same values.
    .check(z.regex(/^\d+(?:[kKmMgGtTpP][bB]?|[bB])?$/, 'a Spark memory size such as 512m, 4g or 2048'));
const javaClass = () =>
  z
    .string()
    .check(
      z.regex(
        /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*$/,
        'a fully qualified class name such as com.etl.Main',
      ),
    );
const positiveInt = () => z.int().check(z.positive());
const nonNegativeInt = () => z.int().check(z.nonnegative());
const confValue = (SecretRef: SecretRefSchema) => z.union([z.string(), z.number(), z.boolean(), SecretRef]);
const stringMap = () => z.record(z.string(), z.string());
const envMap = (SecretRef: SecretRefSchema) => z.record(z.string(), z.union([z.string(), SecretRef]));

const resources = () => ({
  cores: opt(positiveInt(), 'Cores (spark.driver.cores / spark.executor.cores).'),
  memory: opt(memory(), 'Heap (spark.driver.memory / spark.executor.memory), e.g. 4g.'),
  memoryOverhead: opt(
    memory(),
    'Off-heap overhead (spark.driver.memoryOverhead / spark.executor.memoryOverhead).',
  ),
  javaOptions: opt(
    str(),
    'Extra JVM options (spark.driver.extraJavaOptions / spark.executor.extraJavaOptions).',
  ),
});

function buildSchemas() {
  const SecretRef = secretRefSchema();
  const AppSchema = z.strictObject({
    name: opt(
      z.string().check(z.minLength(1), z.maxLength(200)),
      'Application name: spark.app.name; resource names and labels are derived from it.',
    ),
    mainClass: opt(javaClass(), 'Main class; default: the JAR manifest Main-Class.'),
    args: opt(z.array(z.string()), 'Arguments passed to the main class.'),
    mode: opt(
      z.enum(['batch', 'streaming']),
      'batch (default) succeeds at a terminal success state; streaming once RUNNING for healthyAfter seconds.',
    ),
    healthyAfter: opt(
      positiveInt(),
      'Streaming: seconds RUNNING before the deploy counts as healthy (default 60).',
    ),
    configFile: opt(
      str(),
      "The application's own config file, shipped with the job like spark-submit --files (relative to the working directory).",
    ),
  });

  const SparkSchema = z.strictObject({
    version: opt(
      z.string().check(z.regex(/^\d+\.\d+\.\d+$/, 'a Spark version such as 3.5.6')),
      'Spark version of the runtime (default 3.5.6).',
    ),
    scalaVersion: opt(z.enum(['2.12', '2.13']), 'Scala binary version (default 2.12).'),
    javaRelease: opt(
      z.int().check(z.gte(8), z.lte(40)),
      'Java release of the runtime; classes compiled for a newer one fail verification (default 17).',
    ),
    conf: opt(
      z.record(z.string(), confValue(SecretRef)),
      'Spark properties (--conf). Credentials only as { fromEnv: NAME }.',
    ),
    driver: opt(z.strictObject(resources())),
    executor: opt(
      z.strictObject({ ...resources(), instances: opt(positiveInt(), 'spark.executor.instances.') }),
    ),
    dynamicAllocation: opt(
      z.strictObject({
        enabled: opt(z.boolean()),
        minExecutors: opt(nonNegativeInt()),
        maxExecutors: opt(positiveInt()),
        initialExecutors: opt(nonNegativeInt()),
        shuffleTracking: opt(
          z.boolean(),
          'spark.dynamicAllocation.shuffleTracking.enabled (needed without an external shuffle service).',
        ),
      }),
    ),
    jars: opt(z.array(z.string()), 'Extra JARs (--jars / spark.jars).'),
    files: opt(z.array(z.string()), 'Extra files (--files / spark.files).'),
  });

  const VerifySchema = z.strictObject({
    maxSizeMb: opt(z.number().check(z.positive()), 'Largest acceptable assembly JAR, in MB.'),
    allowBundledSpark: opt(
      z.boolean(),
      'Do not warn when Spark or Scala library classes are inside the JAR.',
    ),
  });

  const ImageSchema = z.strictObject({
    repository: opt(z.string().check(z.minLength(1)), 'Image repository, e.g. ghcr.io/acme/etl-pipeline.'),
    builder: opt(
      z.enum(['docker', 'oci']),
      'docker (buildx) or oci (daemonless). Default: docker when available.',
    ),
    base: opt(str(), 'Base image for the oci builder and the generated Dockerfile.'),
    dockerfile: opt(str(), 'Dockerfile, relative to the working directory; default: generated.'),
    context: opt(str(), 'Build context, relative to the working directory (default .).'),
    appDir: opt(str(), 'Directory in the image that holds the JAR and config files (default /app).'),
    platform: opt(str(), 'Platform to build, or to pick from a multi-platform base (default linux/amd64).'),
    push: opt(z.boolean(), 'Push the image (default true).'),
    tags: opt(z.array(z.string()), 'Extra tags.'),
    registryAuth: opt(
      z.strictObject({ username: z.union([z.string(), SecretRef]), password: SecretRef }),
      'Registry credentials for pushing (and pulling the base): the oci builder sends them itself; the docker builder logs in with them (docker login --password-stdin into a private config).',
    ),
  });

  const StandaloneSchema = z.strictObject({
    masters: opt(
      z.array(z.string().check(z.minLength(1))).check(z.minLength(1)),
      'REST submission URLs of the masters, tried in order (http://host:6066 or spark://host:6066).',
    ),
    webUi: opt(str(), 'Master web UI base URL (default: the first master host on port 8080).'),
    mode: opt(z.enum(['rest', 'spark-submit']), 'rest (default) or spark-submit from PATH.'),
    supervise: opt(z.boolean(), 'Restart the driver on failure (spark.driver.supervise).'),
    jar: opt(
      z.strictObject({
        stage: z.enum(['local', 'url', 's3']).check(z.describe('How the workers reach the JAR.')),
        url: opt(str(), 'stage url: the URL the JAR is already at.'),
        path: opt(str(), 'stage local: a directory every worker sees, to copy the JAR into.'),
        s3: opt(
          str(),
          'stage s3: s3://bucket/prefix/ to upload the JAR (and app.configFile) to; workers read them as s3a:// (hadoop-aws on their classpath).',
        ),
        region: opt(str(), 'stage s3: region of the bucket (default AWS_REGION, then AWS_DEFAULT_REGION).'),
        endpoint: opt(
          str(),
          'stage s3: endpoint of an S3-compatible store such as MinIO (default AWS_ENDPOINT_URL_S3, then AWS_ENDPOINT_URL, else AWS).',
        ),
        pathStyle: opt(
          z.boolean(),
          'stage s3: path-style addressing (default: true exactly when an endpoint is set).',
        ),
      }),
    ),
    allowInsecureRest: opt(
      z.boolean(),
      'Allow plain http:// REST to a non-loopback host (CVE-2018-11770: the REST server has no authentication).',
    ),
    headers: opt(envMap(SecretRef), 'Extra HTTP headers for the REST server, values as { fromEnv: NAME }.'),
    historyServer: opt(
      str(),
      "Spark History Server base URL (e.g. http://shs:18080): links to finished apps, and where the run's metrics (the job summary's Spark run section) are read.",
    ),
    registerWithin: opt(
      positiveInt(),
      'Seconds a RUNNING driver may take to register its application with the master before it is said to run Spark in local mode (default 60).',
    ),
  });

  const KubernetesSchema = z.strictObject({
    namespace: opt(str(), 'Namespace of the SparkApplication (default: default).'),
    context: opt(str(), 'kubeconfig context (default: current).'),
    image: opt(
      z
        .string()
        .check(
          z.regex(
            /@sha256:[0-9a-f]{64}$/,
            'an image pinned by digest, e.g. ghcr.io/acme/etl@sha256:<64 hex digits> (a tag can change under a running app)',
          ),
        ),
      'Image pinned by digest (repository@sha256:...), used when the image stage did not run; the digest from the image stage wins.',
    ),
    serviceAccount: opt(str(), 'Service account of the driver (and executors).'),
    imagePullPolicy: opt(z.enum(['Always', 'IfNotPresent', 'Never'])),
    restartPolicy: opt(
      z.strictObject({
        type: z.enum(['Never', 'Always', 'OnFailure']),
        onFailureRetries: opt(nonNegativeInt()),
        onFailureRetryInterval: opt(positiveInt()),
        onSubmissionFailureRetries: opt(nonNegativeInt()),
        onSubmissionFailureRetryInterval: opt(positiveInt()),
      }),
    ),
    labels: opt(stringMap()),
    annotations: opt(stringMap()),
    driver: opt(
      z.strictObject({ labels: opt(stringMap()), env: opt(envMap(SecretRef)), coreLimit: opt(str()) }),
    ),
    executor: opt(
      z.strictObject({ labels: opt(stringMap()), env: opt(envMap(SecretRef)), coreLimit: opt(str()) }),
    ),
    keepHistory: opt(positiveInt(), 'Batch: how many past runs to keep (default 5).'),
    strategy: opt(z.enum(['in-place', 'blue-green']), 'Streaming update strategy (default in-place).'),
    timeToLiveSeconds: opt(positiveInt()),
    monitoring: opt(
      z.strictObject({
        exposeDriverMetrics: opt(z.boolean()),
        exposeExecutorMetrics: opt(z.boolean()),
        jmxExporterJar: opt(str()),
        port: opt(positiveInt()),
        service: opt(z.boolean(), 'Create a metrics Service.'),
        serviceMonitor: opt(z.boolean(), 'Create a Prometheus ServiceMonitor.'),
      }),
    ),
    networkPolicy: opt(z.boolean()),
    uiIngressUrl: opt(str(), 'URL format of the operator UI ingress, for links.'),
  });

  const EmrSchema = z.strictObject({
    region: opt(str()),
    clusterId: opt(z.string().check(z.regex(/^j-[0-9A-Z]+$/, 'an EMR cluster id such as j-2AXXXXXXGAPLF'))),
    clusterName: opt(str()),
    cluster: opt(
      z.strictObject({
        name: opt(str()),
        releaseLabel: z
          .string()
          .check(z.regex(/^emr-\d+\.\d+\.\d+$/, 'an EMR release label such as emr-7.5.0')),
        logUri: opt(str()),
        serviceRole: opt(str()),
        jobFlowRole: opt(str()),
        subnetId: opt(str()),
        keyName: opt(str()),
        instanceGroups: opt(
          z.array(
            z.strictObject({
              role: z.enum(['MASTER', 'CORE', 'TASK']),
              instanceType: z.string(),
              count: positiveInt(),
              market: opt(z.enum(['ON_DEMAND', 'SPOT'])),
              bidPrice: opt(str()),
            }),
          ),
        ),
        bootstrapActions: opt(
          z.array(z.strictObject({ name: z.string(), path: z.string(), args: opt(z.array(z.string())) })),
        ),
        tags: opt(stringMap()),
        idleTimeoutSeconds: opt(positiveInt()),
        configurations: opt(z.array(z.record(z.string(), z.unknown()))),
      }),
      'Transient cluster spec (RunJobFlow); instead of clusterId/clusterName.',
    ),
    s3: opt(
      z.strictObject({
        jar: z
          .string()
          .check(z.describe('s3:// location for the JAR, e.g. s3://bucket/jars/{{sha}}/app.jar')),
        config: opt(str()),
      }),
    ),
    actionOnFailure: opt(z.enum(['CONTINUE', 'CANCEL_AND_WAIT', 'TERMINATE_CLUSTER', 'TERMINATE_JOB_FLOW'])),
    auth: opt(
      z.strictObject({
        roleArn: z
          .string()
          .check(
            z.regex(
              /^arn:aws[\w-]*:iam::\d{12}:role\/.+$/,
              'an IAM role ARN such as arn:aws:iam::123456789012:role/deploy',
            ),
          ),
        audience: opt(str(), 'Audience of the GitHub OIDC token (default sts.amazonaws.com).'),
        durationSeconds: opt(
          z.int().check(z.gte(900), z.lte(43_200)),
          'Lifetime of each set of credentials (900-43200 s, default 3600); they are renewed before they expire.',
        ),
        roleSessionName: opt(str()),
      }),
      "Assume this role with the workflow's GitHub OIDC token (job permission id-token: write) and renew the credentials for the whole wait; without it the standard AWS credential chain is used.",
    ),
  });

  // One layer of the deploy config: `defaults` or one `environments.<name>`.
  const LayerSchema = z.strictObject({
    target: opt(z.enum(TARGETS), 'Deploy target; the action input `target` overrides it.'),
    app: opt(AppSchema),
    spark: opt(SparkSchema),
    verify: opt(VerifySchema),
    image: opt(ImageSchema),
    standalone: opt(StandaloneSchema),
    kubernetes: opt(KubernetesSchema),
    emr: opt(EmrSchema),
  });

  // The whole deploy config file.
  const ConfigFileSchema = z.strictObject({
    $schema: opt(str()),
    version: opt(z.literal(1), 'Config format version (1).'),
    defaults: opt(LayerSchema, 'Settings shared by every environment.'),
    environments: opt(
      z.record(z.string().check(z.regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, - and _')), LayerSchema),
      'Per-environment settings, deep-merged over defaults.',
    ),
  });
  return { layer: LayerSchema, configFile: ConfigFileSchema, secretRef: SecretRef };
}

type Schemas = ReturnType<typeof buildSchemas>;
let built: Schemas | undefined;

/** configSchemas returns the deploy config's zod schemas, built on first use. */
export function configSchemas(): Schemas {
  built ??= buildSchemas();
  return built;
}

/** Layer is one layer of the deploy config: `defaults` or one `environments.<name>`. */
export type Layer = z.infer<Schemas['layer']>;
/** ConfigFile is the whole deploy config file. */
export type ConfigFile = z.infer<Schemas['configFile']>;
