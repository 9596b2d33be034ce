// The runtime the JAR is checked against: the Spark version, its Scala binary version and what else may
// be on the cluster's class path, from the plan. Spark 4 is built for Scala 2.13 only; Spark 3 defaults to
// 2.12 unless spark.scalaVersion says otherwise.
import type { Plan } from '../plan/plan.js';

/** VerifyRuntime is what the verify stage knows about the cluster the JAR will run on. */
export interface VerifyRuntime {
  sparkVersion: string;
  scalaVersion: string;
  /** config: from the deploy config; default: the action's defaults (no config file). */
  source: 'config' | 'default';
  /** Reasons the class path may hold more than the Spark distribution (spark.jars, EMR, a custom image). */
  extraClasspath: string[];
}

/** Defaults of spark.version and spark.scalaVersion, as in the config schema. */
export const DEFAULT_RUNTIME = { sparkVersion: '3.5.6', scalaVersion: '2.12' } as const;

/** scalaForSpark returns the Scala binary version a Spark runtime runs: 2.13 for Spark 4 and later. */
export function scalaForSpark(sparkVersion: string, configured: string | undefined): string {
  const major = Number.parseInt(sparkVersion, 10);
  if (major >= 4) return '2.13';
  return configured ?? '2.12';
}

const CLASSPATH_CONF = [
  'spark.jars',
  'spark.jars.packages',
  'spark.driver.extraClassPath',
  'spark.executor.extraClassPath',
  'spark.yarn.dist.jars',
];

/** runtimeFromPlan derives the runtime from the plan's config (the action's defaults without one). */
export function runtimeFromPlan(plan: Plan): VerifyRuntime {
  const config = plan.config;
  if (!config) {
    return {
      ...DEFAULT_RUNTIME,
      source: 'default',
      extraClasspath: [],
    };
  }
  const spark = config.spark;
  const extra: string[] = [];
  if (spark.jars?.length) extra.push('spark.jars');
  for (const key of CLASSPATH_CONF) if (spark.conf?.[key] !== undefined) extra.push(key);
  if (plan.target === 'emr') extra.push('EMR (it adds Hadoop, Hive and AWS libraries to the class path)');
  if (config.image?.dockerfile || config.image?.base)
    extra.push('a custom image (image.dockerfile or image.base)');
  return {
    sparkVersion: spark.version,
    scalaVersion: scalaForSpark(spark.version, spark.scalaVersion),
    source: 'config',
    extraClasspath: extra,
  };
}
