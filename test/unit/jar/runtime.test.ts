// The runtime verify checks against: from the plan (Spark 4 is Scala 2.13 only; what may add to the class
// path), and the generated package index (nearest indexed Spark, JDK packages by release).
import { describe, expect, it } from 'vitest';
import { runtimeFromPlan, scalaForSpark } from '../../../src/jar/runtime.js';
import { nearestSpark, runtimePackages } from '../../../src/jar/runtime-index/index.js';
import type { DeployConfig, Plan } from '../../../src/plan/plan.js';
import { basePlan } from '../../helpers/plan.js';

function plan(
  spark: Partial<DeployConfig['spark']>,
  over: Partial<Plan> = {},
  config: Partial<DeployConfig> = {},
): Plan {
  return {
    ...basePlan(),
    stages: ['verify'],
    config: {
      app: { mode: 'batch', healthyAfter: 60 },
      spark: { version: '3.5.6', scalaVersion: '2.12', javaRelease: 17, ...spark },
      ...config,
    } as DeployConfig,
    ...over,
  };
}

describe('runtimeFromPlan', () => {
  it.each([
    ['3.5.6', '2.12', '2.12'],
    ['3.5.6', '2.13', '2.13'],
    ['4.0.1', '2.12', '2.13'],
    ['4.1.0', undefined, '2.13'],
    ['3.3.0', undefined, '2.12'],
  ])('Spark %s with spark.scalaVersion %s runs Scala %s', (version, configured, expected) => {
    expect(scalaForSpark(version, configured)).toBe(expected);
  });

  it('uses the config and says what else may be on the class path', () => {
    const rt = runtimeFromPlan(
      plan(
        {
          version: '3.4.1',
          jars: ['s3://b/x.jar'],
          conf: { 'spark.jars.packages': 'org.postgresql:postgresql:42.7.3' },
        },
        { target: 'emr' },
      ),
    );
    expect(rt).toMatchObject({ sparkVersion: '3.4.1', scalaVersion: '2.12', source: 'config' });
    expect(rt.extraClasspath).toEqual([
      'spark.jars',
      'spark.jars.packages',
      'EMR (it adds Hadoop, Hive and AWS libraries to the class path)',
    ]);
    expect(runtimeFromPlan(plan({}, {}, { image: { dockerfile: 'Dockerfile' } })).extraClasspath).toEqual([
      'a custom image (image.dockerfile or image.base)',
    ]);
  });

  it('falls back to the default runtime, marked as such, without a config', () => {
    const { config: _none, ...rest } = plan({});
    expect(runtimeFromPlan(rest as Plan)).toEqual({
      sparkVersion: '3.5.6',
      scalaVersion: '2.12',
      source: 'default',
      extraClasspath: [],
    });
  });
});

describe('runtime package index', () => {
  it.each([
    ['3.5.6', '2.12', '3.5.6/2.12'],
    ['3.5.1', '2.13', '3.5.6/2.13'],
    ['3.4.0', '2.12', '3.4.4/2.12'],
    ['3.2.1', '2.12', '3.3.4/2.12'],
    ['3.2.1', '2.13', '3.5.6/2.13'],
    ['4.0.0', '2.13', '4.0.1/2.13'],
  ])('Spark %s / Scala %s uses the index of %s', (version, scala, id) => {
    expect(nearestSpark(version, scala)).toBe(id);
  });

  it('knows what a Spark distribution and the JDK ship, and what they do not', () => {
    const rt = runtimePackages('3.5.6', '2.12', 17);
    for (const pkg of [
      'org/apache/spark/sql',
      'org/apache/spark/ml/feature',
      'org/apache/spark/streaming',
      'org/apache/spark/sql/hive',
      'scala/collection/immutable',
      'com/fasterxml/jackson/databind',
      'org/apache/hadoop/fs',
      'org/slf4j',
      'java/lang',
      'java/util/concurrent',
      'javax/net/ssl',
      'sun/misc',
    ]) {
      expect(rt.has(pkg), pkg).toBe(true);
    }
    for (const pkg of [
      'org/postgresql',
      'com/typesafe/config',
      'software/amazon/awssdk/services/s3',
      'com/acme',
    ]) {
      expect(rt.has(pkg), pkg).toBe(false);
    }
  });

  it('gives a Java 8 runtime the Java EE packages that JDK 11 removed, and Java 17 not', () => {
    expect(runtimePackages('3.5.6', '2.12', 8).has('javax/xml/bind')).toBe(true);
    expect(runtimePackages('3.3.4', '2.12', 17).has('org/omg/CORBA')).toBe(false);
  });
});
