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
    driver: opt(z.strictObject(resources()), 'Driver resources.'),
    executor: opt(
      z.strictObject({
        ...resources(),
        instances: opt(
          positiveInt(),
          'spark.executor.instances. The standalone master never reads it: without dynamic allocation it becomes spark.cores.max = instances × executor cores (when spark.executor.cores is set and spark.cores.max is not).',
        ),
      }),
      'Executor resources.',
    ),
    dynamicAllocation: opt(
      z.strictObject({
        enabled: opt(
          z.boolean(),
          'spark.dynamicAllocation.enabled. On kubernetes it defaults to true once this section is present; elsewhere it is set only when given.',
        ),
        minExecutors: opt(nonNegativeInt(), 'spark.dynamicAllocation.minExecutors.'),
        maxExecutors: opt(positiveInt(), 'spark.dynamicAllocation.maxExecutors.'),
        initialExecutors: opt(nonNegativeInt(), 'spark.dynamicAllocation.initialExecutors.'),
        shuffleTracking: opt(
          z.boolean(),
          'spark.dynamicAllocation.shuffleTracking.enabled (needed without an external shuffle service).',
        ),
      }),
      'Dynamic allocation of executors (spark.dynamicAllocation.*; on kubernetes the SparkApplication spec.dynamicAllocation).',
    ),
    jars: opt(z.array(z.string()), 'Extra JARs (--jars / spark.jars).'),
    files: opt(z.array(z.string()), 'Extra files (--files / spark.files).'),
  });

  const VerifySchema = z.strictObject({
    maxSizeMb: opt(
      z.number().check(z.positive()),
      'Largest acceptable assembly JAR, in MB (default: no limit).',
    ),
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
    base: opt(
      str(),
      'Base image for the oci builder and the generated Dockerfile (default apache/spark:<spark.version>-scala<spark.scalaVersion>-java<the first published release at or above spark.javaRelease>-ubuntu).',
    ),
    dockerfile: opt(
      str(),
      'Your own Dockerfile for the docker builder (the oci builder does not read it), relative to the working directory; it gets the build args JAR_FILE and APP_DIR. Default: generated.',
    ),
    context: opt(
      str(),
      'Build context of image.dockerfile, relative to the working directory (default .); a generated Dockerfile gets a context of only the files the image needs.',
    ),
    appDir: opt(str(), 'Directory in the image that holds the JAR and config files (default /app).'),
    platform: opt(str(), 'Platform to build, or to pick from a multi-platform base (default linux/amd64).'),
    push: opt(z.boolean(), 'Push the image (default true).'),
    tags: opt(
      z.array(z.string()),
      'Extra tags, beside sha-<short sha> (or the version on a tag push) and the environment name.',
    ),
    registryAuth: opt(
      z.strictObject({
        username: z
          .union([z.string(), SecretRef])
          .check(z.describe('Registry user name, as written or as { fromEnv: NAME }.')),
        password: SecretRef.check(
          z.describe('Registry password or token, only as { fromEnv: NAME } (set it from a secret).'),
        ),
      }),
      'Registry credentials for pushing (and pulling the base): the oci builder sends them itself; the docker builder logs in with them (docker login --password-stdin into a private config).',
    ),
  });

  const StandaloneSchema = z.strictObject({
    masters: opt(
      z.array(z.string().check(z.minLength(1))).check(z.minLength(1)),
      "The cluster's masters, tried in order, all written the same way: spark://host:7077 (or Spark's HA form spark://m1:7077,m2:7077) submits through the RPC port with spark-submit; http(s)://host:6066 or spark://host:6066 is the REST submission server.",
    ),
    webUi: opt(str(), 'Master web UI base URL (default: http://<host>:8080 of each master).'),
    mode: opt(
      z.enum(['rest', 'spark-submit']),
      'rest (no Spark install needed; reads every master as a REST server) or spark-submit from PATH. Default: spark-submit for spark:// RPC masters, else rest.',
    ),
    supervise: opt(z.boolean(), 'Restart the driver on failure (spark.driver.supervise).'),
    jar: opt(
      z.strictObject({
        stage: z
          .enum(['local', 'url', 's3'])
          .check(
            z.describe(
              "How the workers reach the JAR: local (copied into path, or with no path and a loopback master the runner's own path), url (already uploaded to url) or s3 (uploaded to s3).",
            ),
          ),
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
      'Where every worker reads the JAR from; required unless every master is on loopback (then stage local).',
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
    imagePullPolicy: opt(
      z.enum(['Always', 'IfNotPresent', 'Never']),
      "Pull policy of the driver and executor containers (SparkApplication spec.imagePullPolicy); default: Spark's (IfNotPresent).",
    ),
    restartPolicy: opt(
      z.strictObject({
        type: z
          .enum(['Never', 'Always', 'OnFailure'])
          .check(
            z.describe(
              'Never: run once; OnFailure: the operator resubmits a failed or unsubmittable run (up to the retries below); Always: it resubmits every run that ends.',
            ),
          ),
        onFailureRetries: opt(
          nonNegativeInt(),
          'How many times the operator resubmits a run that failed (spec.restartPolicy.onFailureRetries).',
        ),
        onFailureRetryInterval: opt(
          positiveInt(),
          'Seconds between those resubmissions (spec.restartPolicy.onFailureRetryInterval).',
        ),
        onSubmissionFailureRetries: opt(
          nonNegativeInt(),
          'How many times the operator retries a submission that failed (spec.restartPolicy.onSubmissionFailureRetries).',
        ),
        onSubmissionFailureRetryInterval: opt(
          positiveInt(),
          'Seconds between those retries (spec.restartPolicy.onSubmissionFailureRetryInterval).',
        ),
      }),
      'SparkApplication spec.restartPolicy: whether the operator resubmits the application (default { type: Never }).',
    ),
    labels: opt(
      stringMap(),
      "Extra labels on the SparkApplication, its driver and executor pods and its companions; the action's app.kubernetes.io/* and spark-deploy-action/* labels take precedence.",
    ),
    annotations: opt(
      stringMap(),
      'Annotations on the SparkApplication (metadata.annotations); not on the pods.',
    ),
    driver: opt(
      z.strictObject({
        labels: opt(
          stringMap(),
          "Extra labels on the driver pod (spec.driver.labels), over kubernetes.labels and the action's labels.",
        ),
        env: opt(
          envMap(SecretRef),
          'Environment variables of the driver container (spec.driver.envVars, which spark-submit sets, so no operator webhook is needed); a value holding a secret ({ fromEnv: NAME }) goes into a Secret of the run and is referenced by spec.driver.envSecretKeyRefs, never written into the spec.',
        ),
        coreLimit: opt(
          str(),
          'CPU limit of the driver pod (spec.driver.coreLimit, spark.kubernetes.driver.limit.cores), e.g. 1200m; spark.driver.cores is the request.',
        ),
      }),
      'Driver pod settings.',
    ),
    executor: opt(
      z.strictObject({
        labels: opt(
          stringMap(),
          "Extra labels on the executor pods (spec.executor.labels), over kubernetes.labels and the action's labels.",
        ),
        env: opt(
          envMap(SecretRef),
          'Environment variables of the executor containers (spec.executor.envVars, which spark-submit sets, so no operator webhook is needed); a value holding a secret ({ fromEnv: NAME }) goes into a Secret of the run and is referenced by spec.executor.envSecretKeyRefs, never written into the spec.',
        ),
        coreLimit: opt(
          str(),
          'CPU limit of each executor pod (spec.executor.coreLimit, spark.kubernetes.executor.limit.cores), e.g. 1200m; spark.executor.cores is the request.',
        ),
      }),
      'Executor pod settings.',
    ),
    keepHistory: opt(positiveInt(), 'Batch: how many past runs to keep (default 5).'),
    strategy: opt(z.enum(['in-place', 'blue-green']), 'Streaming update strategy (default in-place).'),
    timeToLiveSeconds: opt(
      positiveInt(),
      'spec.timeToLiveSeconds: the operator deletes the SparkApplication this many seconds after it terminates (unset: it is not deleted by time).',
    ),
    monitoring: opt(
      z.strictObject({
        exposeDriverMetrics: opt(
          z.boolean(),
          "Expose the driver's metrics to Prometheus through the JMX exporter (spec.monitoring.exposeDriverMetrics; default false).",
        ),
        exposeExecutorMetrics: opt(
          z.boolean(),
          "Expose the executors' metrics to Prometheus through the JMX exporter (spec.monitoring.exposeExecutorMetrics; default false).",
        ),
        jmxExporterJar: opt(
          str(),
          'Path inside the image of the Prometheus JMX exporter agent JAR (spec.monitoring.prometheus.jmxExporterJar); the base image must carry it (the default apache/spark has none). Required when port is set with exposed metrics.',
        ),
        port: opt(
          positiveInt(),
          'Port the JMX exporter serves metrics on (spec.monitoring.prometheus.port), also used by the metrics Service and the NetworkPolicy (default 8090).',
        ),
        service: opt(
          z.boolean(),
          'Create a metrics Service (ClusterIP, selecting the driver pod, on the metrics port), owned by the SparkApplication.',
        ),
        serviceMonitor: opt(
          z.boolean(),
          'Create a Prometheus ServiceMonitor (monitoring.coreos.com/v1, every 30s) and the metrics Service it scrapes.',
        ),
      }),
      'Prometheus metrics (SparkApplication spec.monitoring) and the optional Service and ServiceMonitor for them.',
    ),
    networkPolicy: opt(
      z.boolean(),
      "Create a NetworkPolicy owned by the SparkApplication that admits ingress to the app's pods only from its own driver and executors, plus the metrics port when metrics are exposed (default false).",
    ),
    uiIngressUrl: opt(
      str(),
      "The operator's --ingress-url-format ({{$appName}}, {{$appNamespace}}, {{$appId}}), for the Spark UI link when the status carries no ingress address.",
    ),
  });

  const EmrSchema = z.strictObject({
    region: opt(
      str(),
      'AWS region of the cluster and the staging bucket (default AWS_REGION, then AWS_DEFAULT_REGION).',
    ),
    clusterId: opt(
      z.string().check(z.regex(/^j-[0-9A-Z]+$/, 'an EMR cluster id such as j-2AXXXXXXGAPLF')),
      'Id (j-...) of an existing cluster to add the step to; it must be STARTING, BOOTSTRAPPING, RUNNING or WAITING. Set exactly one of clusterId, clusterName and cluster.',
    ),
    clusterName: opt(
      str(),
      'Name of the one active cluster (STARTING, BOOTSTRAPPING, RUNNING or WAITING) to add the step to. Set exactly one of clusterId, clusterName and cluster.',
    ),
    cluster: opt(
      z.strictObject({
        name: opt(
          str(),
          'Name of the transient cluster (default: the step name, <app>-<environment>-<short sha>-<run id>).',
        ),
        releaseLabel: z
          .string()
          .check(
            z.regex(/^emr-\d+\.\d+\.\d+$/, 'an EMR release label such as emr-7.5.0'),
            z.describe(
              'EMR release (ReleaseLabel), e.g. emr-7.5.0; it fixes the Spark version on the cluster.',
            ),
          ),
        logUri: opt(
          str(),
          "s3:// location for the cluster's logs (LogUri); without it a failed step's stderr cannot be shown.",
        ),
        serviceRole: opt(str(), 'IAM service role of the cluster (ServiceRole; default EMR_DefaultRole).'),
        jobFlowRole: opt(
          str(),
          'EC2 instance profile of the nodes, the identity the Spark job runs with (JobFlowRole; default EMR_EC2_DefaultRole).',
        ),
        subnetId: opt(str(), "Subnet to launch the nodes in (Instances.Ec2SubnetId; default: EMR's choice)."),
        keyName: opt(str(), 'EC2 key pair for SSH to the nodes (Instances.Ec2KeyName; default: none).'),
        instanceGroups: opt(
          z.array(
            z.strictObject({
              role: z
                .enum(['MASTER', 'CORE', 'TASK'])
                .check(z.describe('InstanceRole: MASTER (the primary node), CORE or TASK.')),
              instanceType: z.string().check(z.describe('EC2 instance type (InstanceType), e.g. m5.xlarge.')),
              count: positiveInt().check(
                z.describe(
                  'Number of instances (InstanceCount); the MASTER group takes 1, or 3 for a multi-primary cluster.',
                ),
              ),
              market: opt(z.enum(['ON_DEMAND', 'SPOT']), 'Market: ON_DEMAND (default) or SPOT.'),
              bidPrice: opt(
                str(),
                'market SPOT only: highest hourly price in USD (BidPrice); unset, EMR bids the on-demand price.',
              ),
            }),
          ),
          'Instance groups (Instances.InstanceGroups): exactly one MASTER group, count 1 or 3. Default: one MASTER and two CORE m5.xlarge, on demand.',
        ),
        bootstrapActions: opt(
          z.array(
            z.strictObject({
              name: z.string().check(z.describe('Name of the bootstrap action.')),
              path: z
                .string()
                .check(
                  z.describe(
                    'Location of the script, e.g. s3://bucket/bootstrap.sh (ScriptBootstrapAction.Path).',
                  ),
                ),
              args: opt(z.array(z.string()), 'Arguments passed to the script (ScriptBootstrapAction.Args).'),
            }),
          ),
          'Scripts every node runs before the applications start (BootstrapActions).',
        ),
        tags: opt(
          stringMap(),
          'Tags on the cluster, beside the spark-deploy-action:app, :environment and :run tags the action sets (which win).',
        ),
        idleTimeoutSeconds: opt(
          positiveInt(),
          'Terminate the cluster after this many idle seconds (AutoTerminationPolicy.IdleTimeout; EMR accepts 60-604800), a second guard: it also ends once its step does.',
        ),
        configurations: opt(
          z.array(z.record(z.string(), z.unknown())),
          'EMR configuration classifications (Configurations), passed as written, e.g. { Classification: spark-defaults, Properties: { ... } }.',
        ),
      }),
      'Transient cluster spec (RunJobFlow): started with Spark and the step, it terminates once the step ends; instead of clusterId/clusterName.',
    ),
    s3: opt(
      z.strictObject({
        jar: z
          .string()
          .check(
            z.describe(
              "s3:// location for the JAR, e.g. s3://bucket/jars/{{sha}}/app.jar; one ending in / gets the JAR's file name.",
            ),
          ),
        config: opt(
          str(),
          "s3:// location for app.configFile (required when app.configFile is set), shipped with --files; one ending in / gets the file's name.",
        ),
      }),
      'Where the JAR and app.configFile are staged on S3 (an upload is skipped when the object already holds the same SHA-256).',
    ),
    actionOnFailure: opt(
      z.enum(['CONTINUE', 'CANCEL_AND_WAIT', 'TERMINATE_CLUSTER', 'TERMINATE_JOB_FLOW']),
      "What EMR does when the step fails (the step's ActionOnFailure; default CONTINUE).",
    ),
    auth: opt(
      z.strictObject({
        roleArn: z
          .string()
          .check(
            z.regex(
              /^arn:aws[\w-]*:iam::\d{12}:role\/.+$/,
              'an IAM role ARN such as arn:aws:iam::123456789012:role/deploy',
            ),
            z.describe(
              "ARN of the IAM role to assume with the workflow's OIDC token (AssumeRoleWithWebIdentity).",
            ),
          ),
        audience: opt(str(), 'Audience of the GitHub OIDC token (default sts.amazonaws.com).'),
        durationSeconds: opt(
          z.int().check(z.gte(900), z.lte(43_200)),
          'Lifetime of each set of credentials (900-43200 s, default 3600); they are renewed before they expire.',
        ),
        roleSessionName: opt(
          str(),
          'Session name of the assumed role, as CloudTrail shows it (default spark-deploy-<GITHUB_RUN_ID>).',
        ),
      }),
      "Assume this role with the workflow's GitHub OIDC token (job permission id-token: write) and renew the credentials for the whole wait; without it the standard AWS credential chain is used.",
    ),
  });

  // One layer of the deploy config: `defaults` or one `environments.<name>`.
  const LayerSchema = z.strictObject({
    target: opt(z.enum(TARGETS), 'Deploy target; the action input `target` overrides it.'),
    app: opt(AppSchema, 'The Spark application: name, main class, arguments, batch or streaming.'),
    spark: opt(SparkSchema, 'Spark runtime and properties, applied on every target.'),
    verify: opt(VerifySchema, 'Checks of the assembly JAR (verify stage).'),
    image: opt(
      ImageSchema,
      'The container image the image stage builds and pushes (the kubernetes target runs it).',
    ),
    standalone: opt(StandaloneSchema, 'Spark standalone target: masters, REST submission and JAR staging.'),
    kubernetes: opt(
      KubernetesSchema,
      'Kubernetes target: the SparkApplication (Spark Operator) and its companions.',
    ),
    emr: opt(EmrSchema, 'Amazon EMR target: the cluster, the S3 staging and the step.'),
  });

  // The whole deploy config file.
  const ConfigFileSchema = z.strictObject({
    $schema: opt(str(), 'URL or path of this JSON Schema, for editors; the action ignores it.'),
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
