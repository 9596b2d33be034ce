// What the runtime provides, by package: the Spark distribution of (nearly) the target's version and Scala
// version, and the JDK of the target's Java release, from the generated index (packages.json,
// written by scripts/gen-spark-index.mjs). Package granularity keeps the index small and never reports a
// class as missing that the runtime has; a class absent from a package the runtime has goes unnoticed.
import index from './packages.json' with { type: 'json' };

/** SETS: bit i of a package's mask is SETS[i] (a Spark distribution, a JDK, or Java 8's removed packages). */
const SETS: readonly { kind: string; id: string }[] = index.sets;
const PACKAGES: Readonly<Record<string, number>> = index.packages;

/** RuntimePackages answers whether the runtime ships a package (a/b/c, slashes). */
export interface RuntimePackages {
  has(pkg: string): boolean;
  /** The indexed Spark distribution used, e.g. 3.5.6/2.12 (may differ in patch or minor from the target). */
  sparkId: string;
  /** The JDK release whose packages were used. */
  jdk: string;
}

function versionKey(v: string): number {
  const [a = 0, b = 0, c = 0] = v.split('.').map((x) => Number.parseInt(x, 10) || 0);
  return a * 1_000_000 + b * 1_000 + c;
}

/**
 * nearestSpark picks the indexed distribution for a Spark version and Scala binary version: the same Scala
 * at the nearest version (same major and minor first), else the nearest version of any Scala.
 */
export function nearestSpark(sparkVersion: string, scala: string): string {
  const target = versionKey(sparkVersion);
  const spark = SETS.filter((s) => s.kind === 'spark').map((s) => s.id as string);
  const ranked = (ids: string[]) =>
    [...ids].sort((x, y) => {
      const dx = Math.abs(versionKey(x.split('/')[0] as string) - target);
      const dy = Math.abs(versionKey(y.split('/')[0] as string) - target);
      return dx - dy || versionKey(y) - versionKey(x);
    })[0];
  const sameScala = spark.filter((id) => id.endsWith(`/${scala}`));
  return ranked(sameScala.length ? sameScala : spark) as string;
}

/** runtimePackages returns the packages a Spark runtime of that version, Scala and Java release provides. */
export function runtimePackages(sparkVersion: string, scala: string, javaRelease: number): RuntimePackages {
  const sparkId = nearestSpark(sparkVersion, scala);
  let mask = 1 << SETS.findIndex((s) => s.kind === 'spark' && s.id === sparkId);
  // Every indexed JDK at or below the target release (the lowest one for older targets: packages are rarely
  // removed); Java 8-10 also had the Java EE and CORBA packages that JDK 11 removed.
  const jdks = SETS.map((s, i) => ({ ...s, bit: i }))
    .filter((s) => s.kind === 'jdk')
    .sort((a, b) => Number(a.id) - Number(b.id));
  const used = jdks.filter((s) => Number(s.id) <= javaRelease);
  if (used.length === 0 && jdks[0]) used.push(jdks[0]);
  for (const s of used) mask |= 1 << s.bit;
  const jdk = used.at(-1);
  if (javaRelease <= 10) {
    const j8 = SETS.findIndex((s) => s.kind === 'jdk8');
    if (j8 >= 0) mask |= 1 << j8;
  }
  return {
    has: (pkg) => ((PACKAGES[pkg] ?? 0) & mask) !== 0,
    sparkId,
    jdk: jdk?.id ?? '?',
  };
}
