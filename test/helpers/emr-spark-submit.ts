// The EMR double's reading of a step's `command-runner.jar spark-submit ...` argv, and its rewrite into the
// spark-submit a YARN cluster-mode driver container amounts to on one machine (docs/protocols.md 3.3, 3.7).
// Option names and arity are Spark's SparkSubmitOptionParser (launcher module, 3.5): every `--opt value`
// may also be written `--opt=value`; the first argument that is not an option is the primary resource,
// everything after it is the application's.

/** Options that take a value (SparkSubmitOptionParser.opts). */
const WITH_VALUE = new Set([
  '--archives',
  '--class',
  '--conf',
  '-c',
  '--deploy-mode',
  '--driver-class-path',
  '--driver-cores',
  '--driver-java-options',
  '--driver-library-path',
  '--driver-memory',
  '--executor-cores',
  '--executor-memory',
  '--exclude-packages',
  '--files',
  '--jars',
  '--keytab',
  '--kill',
  '--master',
  '--name',
  '--num-executors',
  '--packages',
  '--principal',
  '--properties-file',
  '--proxy-user',
  '--py-files',
  '--queue',
  '--repositories',
  '--status',
  '--total-executor-cores',
]);
/** Switches (SparkSubmitOptionParser.switches). */
const SWITCHES = new Set(['--help', '-h', '--supervise', '--usage-error', '--verbose', '-v', '--version']);

export interface SubmitArgs {
  /** Options in order, `--conf` repeated as given. */
  options: [string, string][];
  switches: string[];
  primary: string;
  appArgs: string[];
}

/** parseSparkSubmit reads spark-submit's arguments (without the leading `spark-submit`); throws on a bad argv. */
export function parseSparkSubmit(argv: readonly string[]): SubmitArgs {
  const options: [string, string][] = [];
  const switches: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    const eq = a.startsWith('--') ? a.indexOf('=') : -1;
    const name = eq > 0 ? a.slice(0, eq) : a;
    if (WITH_VALUE.has(name)) {
      if (eq > 0) options.push([name === '-c' ? '--conf' : name, a.slice(eq + 1)]);
      else {
        const v = argv[i + 1];
        if (v === undefined) throw new Error(`Missing argument for option '${a}'`);
        options.push([name === '-c' ? '--conf' : name, v]);
        i++;
      }
    } else if (SWITCHES.has(a)) switches.push(a);
    else if (a.startsWith('-') && a !== '-') throw new Error(`Unrecognized option '${a}'`);
    else return { options, switches, primary: a, appArgs: argv.slice(i + 1) };
  }
  throw new Error('Missing application resource.');
}

/** option is the last value of an option (spark-submit keeps the last), or undefined. */
export function option(p: SubmitArgs, name: string): string | undefined {
  return p.options.filter(([k]) => k === name).at(-1)?.[1];
}

/** listOption is a comma-separated option's entries (all occurrences; spark-submit keeps the last). */
export function listOption(p: SubmitArgs, name: string): string[] {
  return (option(p, name) ?? '')
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
}

/** What the localisation produced, for the rewrite. */
export interface Localised {
  /** The primary resource in the container directory (`__app__.jar`). */
  appJar: string;
  /** The `--jars` entries in the container directory. */
  jars: string[];
}

/** What the rewrite needs besides the step's argv. */
export interface LocalCluster {
  /** The master the driver runs against instead of `yarn`: `local[n]` or a spark:// URL. */
  master: string;
  /** Extra `--conf key=value` the cluster's own configuration sets (e.g. S3 access). */
  clusterConf: Record<string, string>;
}

/**
 * localSubmitArgs is the argv for `org.apache.spark.deploy.SparkSubmit` that runs the driver in this process,
 * as the YARN application master container would: client deploy mode (the process is the driver), the local
 * master, the localised JAR and `--jars`, no `--files` (already in the working directory, where YARN puts
 * them; Spark's SparkFiles are not where a YARN driver finds them either).
 */
export function localSubmitArgs(p: SubmitArgs, loc: Localised, cluster: LocalCluster): string[] {
  const drop = new Set(['--master', '--deploy-mode', '--files', '--jars', '--archives', '--py-files']);
  const out = ['--master', cluster.master, '--deploy-mode', 'client'];
  for (const [k, v] of p.options) if (!drop.has(k)) out.push(k, v);
  if (loc.jars.length > 0) out.push('--jars', loc.jars.join(','));
  for (const [k, v] of Object.entries(cluster.clusterConf)) out.push('--conf', `${k}=${v}`);
  out.push(...p.switches, loc.appJar, ...p.appArgs);
  return out;
}

/** memoryMiB reads a JVM memory string (`512m`, `8g`) as MiB; undefined when it is not one. */
export function memoryMiB(v: string | undefined): number | undefined {
  const m = /^(\d+)([kmgt]?)b?$/i.exec((v ?? '').trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = (m[2] ?? '').toLowerCase();
  const f: Record<string, number> = { '': 1 / (1024 * 1024), k: 1 / 1024, m: 1, g: 1024, t: 1024 * 1024 };
  return Math.max(1, Math.round(n * (f[unit] ?? 1)));
}
