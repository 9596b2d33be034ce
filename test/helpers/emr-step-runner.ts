// One EMR step run for real by the EMR double (docs/protocols.md 3.3, 3.7): what YARN cluster mode does to a
// `command-runner.jar spark-submit --deploy-mode cluster` step, on one machine.
// - Localisation (Spark running-on-yarn guide; yarn Client's `__app__.jar`): the primary resource and every
//   `--files`/`--jars` entry are fetched from S3 (moto) into a fresh container directory, by bare name or
//   `#alias`; that directory is the driver's working directory.
// - The driver runs as `org.apache.spark.deploy.SparkSubmit` in client mode with the local Spark's jars
//   (`--master yarn` becomes `local[n]` or the configured master); its stdout/stderr are the AM container's
//   logs, archived as `<LogUri>/<cluster>/containers/<app>/<container>/std{out,err}.gz`.
// - The step's own stderr is what the YARN client prints on the primary node: `Submitted application <id>`,
//   application reports, the final report with the AM's diagnostics ("User class threw exception: <cause>",
//   ApplicationMaster.scala) and, when the app failed, `Exception in thread "main"
//   org.apache.spark.SparkException: Application <id> finished with failed status` (yarn Client.scala).
//   Step logs go to `<LogUri>/<cluster>/steps/<step>/{controller,stderr,stdout}.gz` once the step ends.
import { type ChildProcess, spawn } from 'node:child_process';
import {
  copyFileSync,
  createWriteStream,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  type LocalCluster,
  listOption,
  localSubmitArgs,
  memoryMiB,
  option,
  parseSparkSubmit,
  type SubmitArgs,
} from './emr-spark-submit.js';
import {
  diagnosticsOf,
  type FailureDetails,
  failureOf,
  finalReport,
  info,
  stamp,
} from './emr-yarn-client.js';

export interface RunnerOptions {
  /** The S3 the cluster reads and archives logs to (moto). */
  s3: S3Client;
  /** S3 endpoint, handed to the driver's s3a when the Spark home has hadoop-aws. */
  s3Endpoint?: string;
  sparkHome: string;
  /** Container directories go under it. */
  workDir: string;
  /** Instead of `yarn` [local[2]]. */
  master?: string;
  java?: string;
  /** The driver JVM's heap is --driver-memory, at most this [1024 MiB]: one machine runs every step. */
  driverMemoryCapMiB?: number;
}

export type { FailureDetails };

export interface StepOutcome {
  state: 'COMPLETED' | 'FAILED' | 'CANCELLED';
  failure?: FailureDetails;
}
export interface StepContext {
  clusterId: string;
  stepId: string;
  logUri?: string;
  jar: string;
  args: string[];
  /** The YARN application id the "ResourceManager" hands out. */
  appId: string;
}
export interface StepRun {
  /** The driver JVM, once started. */
  pid(): number | undefined;
  /** SIGTERM (SEND_INTERRUPT) or SIGKILL (TERMINATE_PROCESS) to the step's process group. */
  cancel(signal: NodeJS.Signals): void;
  done: Promise<StepOutcome>;
}

/** s3Parts splits s3://, s3a:// and s3n:// URIs. */
function s3Parts(uri: string): { bucket: string; key: string } | undefined {
  const m = /^s3[an]?:\/\/([^/]+)\/(.+)$/.exec(uri);
  return m ? { bucket: m[1] as string, key: m[2] as string } : undefined;
}

/** localName is the name in the container: the `#alias`, else the last path segment. */
function localName(uri: string): { source: string; name: string } {
  const hash = uri.indexOf('#');
  const source = hash >= 0 ? uri.slice(0, hash) : uri;
  return { source, name: hash >= 0 ? uri.slice(hash + 1) : source.slice(source.lastIndexOf('/') + 1) };
}

async function fetchTo(s3: S3Client, uri: string, dest: string): Promise<void> {
  const loc = s3Parts(uri);
  if (loc) {
    try {
      const got = await s3.send(new GetObjectCommand({ Bucket: loc.bucket, Key: loc.key }));
      writeFileSync(
        dest,
        await (got.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray(),
      );
    } catch (err) {
      const name = (err as { name?: string }).name;
      if (name === 'NoSuchKey' || name === 'NotFound' || name === 'NoSuchBucket')
        throw new Error(`java.io.FileNotFoundException: No such file or directory '${uri}'`);
      throw new Error(`java.io.IOException: ${uri}: ${(err as Error).message}`);
    }
    return;
  }
  const path = uri.startsWith('file://') ? uri.slice('file://'.length) : uri;
  if (/^[a-z][a-z0-9+.-]*:/i.test(path) || !existsSync(path))
    throw new Error(`java.io.FileNotFoundException: File ${uri} does not exist`);
  copyFileSync(path, dest);
}

/** sparkHomeConf is the cluster configuration EMR itself provides: S3 reachable through s3a when present. */
function clusterConf(o: RunnerOptions): Record<string, string> {
  const conf: Record<string, string> = {
    'spark.ui.enabled': 'false',
    'spark.driver.host': '127.0.0.1',
    'spark.driver.bindAddress': '127.0.0.1',
  };
  const jars = existsSync(join(o.sparkHome, 'jars')) ? readdirSync(join(o.sparkHome, 'jars')) : [];
  if (o.s3Endpoint && jars.some((j) => j.startsWith('hadoop-aws-'))) {
    // EMRFS answers s3:// on a cluster; locally s3a against the same S3 stands in for it.
    conf['spark.hadoop.fs.s3.impl'] = 'org.apache.hadoop.fs.s3a.S3AFileSystem';
    conf['spark.hadoop.fs.s3a.endpoint'] = o.s3Endpoint;
    conf['spark.hadoop.fs.s3a.path.style.access'] = 'true';
  }
  return conf;
}

/** runStep localises and starts a step's driver; `done` settles once it has ended and its logs are on S3. */
export function runStep(o: RunnerOptions, ctx: StepContext): StepRun {
  const [, ts, n] = /^application_(\d+)_(\d+)$/.exec(ctx.appId) ?? [];
  const containerId = `container_${ts}_${n}_01_000001`;
  const stepDir = join(o.workDir, ctx.clusterId, 'steps', ctx.stepId);
  const container = join(o.workDir, ctx.clusterId, 'containers', ctx.appId, containerId);
  mkdirSync(stepDir, { recursive: true });
  let client = '';
  let child: ChildProcess | undefined;
  let cancelled: NodeJS.Signals | undefined;
  const logPrefix = ctx.logUri ? `${ctx.logUri.replace(/\/?$/, '/')}${ctx.clusterId}/` : undefined;

  const upload = async (key: string, file: string) => {
    const loc = logPrefix ? s3Parts(`${logPrefix}${key}`) : undefined;
    if (!loc || !existsSync(file)) return;
    await o.s3.send(
      new PutObjectCommand({ Bucket: loc.bucket, Key: loc.key, Body: gzipSync(readFileSync(file)) }),
    );
  };

  const run = async (): Promise<StepOutcome> => {
    const controller = [`${stamp()} INFO startExec '${['hadoop', 'jar', ctx.jar, ...ctx.args].join(' ')}'`];
    let exit = 1;
    let finalStatus = 'FAILED';
    try {
      if (ctx.jar !== 'command-runner.jar' || ctx.args[0] !== 'spark-submit')
        throw new Error(
          `the EMR double runs command-runner.jar spark-submit steps only (got ${ctx.jar} ${ctx.args[0] ?? ''})`,
        );
      let p: SubmitArgs;
      try {
        p = parseSparkSubmit(ctx.args.slice(1));
      } catch (err) {
        client += `Error: ${(err as Error).message}\nRun with --help for usage help or --verbose for debug output\n`;
        throw Object.assign(new Error('usage'), { reported: true });
      }
      if (listOption(p, '--archives').length || listOption(p, '--py-files').length)
        throw new Error('the EMR double does not localise --archives or --py-files');
      mkdirSync(container, { recursive: true });
      // The YARN client checks every resource before it submits (ClientDistributedCacheManager).
      const jarName = join(container, '__app__.jar');
      await fetchTo(o.s3, p.primary, jarName);
      for (const f of listOption(p, '--files')) {
        const { source, name } = localName(f);
        await fetchTo(o.s3, source, join(container, name));
      }
      const jars: string[] = [];
      for (const f of listOption(p, '--jars')) {
        const { source, name } = localName(f);
        await fetchTo(o.s3, source, join(container, name));
        jars.push(join(container, name));
      }
      client += info('Client', `Submitted application ${ctx.appId}`);
      client += info('Client', `Application report for ${ctx.appId} (state: ACCEPTED)`);
      const cluster: LocalCluster = { master: o.master ?? 'local[2]', clusterConf: clusterConf(o) };
      const heap = Math.min(memoryMiB(option(p, '--driver-memory')) ?? 1024, o.driverMemoryCapMiB ?? 1024);
      const javaOpts = existsSync(join(o.sparkHome, 'conf/java-opts'))
        ? readFileSync(join(o.sparkHome, 'conf/java-opts'), 'utf8').trim().split(/\s+/)
        : [];
      const argv = [
        `-Xmx${heap}m`,
        ...javaOpts,
        '-cp',
        `${o.sparkHome}/jars/*`,
        'org.apache.spark.deploy.SparkSubmit',
        ...localSubmitArgs(p, { appJar: jarName, jars }, cluster),
      ];
      const env: NodeJS.ProcessEnv = { SPARK_HOME: o.sparkHome, PWD: container };
      for (const k of ['PATH', 'HOME', 'LANG', 'JAVA_HOME', 'TMPDIR', 'AWS_REGION'])
        if (process.env[k]) env[k] = process.env[k];
      // The instance profile's credentials stand in as the environment's.
      for (const k of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'])
        if (process.env[k]) env[k] = process.env[k];
      if (cancelled)
        throw Object.assign(new Error('cancelled before the driver started'), { reported: true });
      const out = createWriteStream(join(container, 'stdout'));
      const err = createWriteStream(join(container, 'stderr'));
      child = spawn(o.java ?? 'java', argv, {
        cwd: container,
        env,
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout?.pipe(out);
      child.stderr?.pipe(err);
      const proc = child;
      exit = await new Promise<number>((resolve) => {
        proc.once('spawn', () => {
          client += info('Client', `Application report for ${ctx.appId} (state: RUNNING)`);
        });
        proc.once('error', (e) => {
          err.write(`${e.message}\n`);
          resolve(127);
        });
        proc.once('close', (code, signal) => resolve(code ?? (signal ? 143 : 1)));
      });
      await Promise.all([new Promise((r) => out.end(r)), new Promise((r) => err.end(r))]);
      const driverErr = readFileSync(join(container, 'stderr'), 'utf8');
      finalStatus = cancelled ? 'KILLED' : exit === 0 ? 'SUCCEEDED' : 'FAILED';
      client += finalReport(
        ctx.appId,
        finalStatus,
        cancelled ? 'Application killed by user.' : diagnosticsOf(exit, driverErr),
      );
    } catch (e) {
      if (!(e as { reported?: boolean }).reported)
        client += `Exception in thread "main" ${(e as Error).message}\n`;
      exit = 1;
    }
    writeFileSync(join(stepDir, 'stderr'), client);
    writeFileSync(join(stepDir, 'stdout'), '');
    controller.push(
      `${stamp()} INFO Step ${ctx.stepId} ${cancelled ? 'cancelled' : `exited with code ${exit}`}`,
    );
    writeFileSync(join(stepDir, 'controller'), `${controller.join('\n')}\n`);
    // Logs reach S3 before the state changes here (EMR: minutes later); the action retries either way.
    for (const f of ['controller', 'stderr', 'stdout'])
      await upload(`steps/${ctx.stepId}/${f}.gz`, join(stepDir, f));
    for (const f of ['stderr', 'stdout'])
      await upload(`containers/${ctx.appId}/${containerId}/${f}.gz`, join(container, f));
    if (cancelled) return { state: 'CANCELLED' };
    if (exit === 0) return { state: 'COMPLETED' };
    return {
      state: 'FAILED',
      failure: failureOf(client, logPrefix ? `${logPrefix}steps/${ctx.stepId}/stderr.gz` : undefined),
    };
  };

  return {
    pid: () => child?.pid,
    cancel(signal) {
      cancelled = signal;
      // The step and its descendants (EMR's SEND_INTERRUPT / TERMINATE_PROCESS): the whole process group.
      if (child?.pid && child.exitCode === null) {
        try {
          process.kill(-child.pid, signal);
        } catch {
          // already gone
        }
      }
    },
    done: run(),
  };
}
