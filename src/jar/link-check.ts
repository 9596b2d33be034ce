// "Would it link?": the classes the main class references, and what the application's own classes it
// reaches reference in turn, must be in the JAR, the JDK or the Spark distribution the cluster runs. A
// thin JAR from `sbt package` whose code needs a library the cluster lacks passes every other check and
// dies with NoClassDefFoundError; this finds that before the deploy. Only CONSTANT_Class references count
// (what the JVM resolves), and only the application's own classes are followed: a bundled library's
// references to its optional dependencies are never resolved unless used, so they are not findings.
import type { JarClasses } from './jar-classes.js';
import type { RuntimePackages } from './runtime-index/index.js';

/** LinkCheck is what following the main class's references found. */
export interface LinkCheck {
  /** Application classes whose references were read. */
  followed: number;
  /** false when the budget ran out before every reachable application class was read. */
  complete: boolean;
  /** Missing classes in discovery order, each with the first class found to need it. */
  missing: { name: string; neededBy: string }[];
}

/** LinkBudget bounds the walk (a few hundred application classes take tens of milliseconds). */
export interface LinkBudget {
  /** Most application classes read (default 3000). */
  maxClasses?: number;
  /** performance.now() after which the walk stops (default: 500 ms from the start; the main class is always read). */
  deadline?: number;
}

function packageOf(name: string): string {
  const slash = name.lastIndexOf('/');
  return slash < 0 ? '' : name.slice(0, slash);
}

/**
 * checkLinks walks from mainClass (binary name with slashes) through the application classes under
 * prefix, breadth first, and reports referenced classes that nothing on the runtime provides.
 */
export async function checkLinks(
  classes: JarClasses,
  mainClass: string,
  prefix: string,
  runtime: RuntimePackages,
  budget: LinkBudget = {},
): Promise<LinkCheck> {
  const maxClasses = budget.maxClasses ?? 3000;
  const deadline = budget.deadline ?? performance.now() + 500;
  const result: LinkCheck = { followed: 0, complete: true, missing: [] };
  const seen = new Set<string>([mainClass]);
  const queue = [mainClass];
  const isApp = (name: string) =>
    prefix === '' ? !name.includes('/') : name.startsWith(prefix) || name === mainClass;
  for (let head = 0; head < queue.length; head++) {
    if (result.followed > 0 && (result.followed >= maxClasses || performance.now() > deadline)) {
      result.complete = false;
      break;
    }
    const from = queue[head] as string;
    const pool = await classes.pool(from);
    if (!pool) continue;
    result.followed++;
    for (const ref of pool.classes) {
      if (seen.has(ref)) continue;
      seen.add(ref);
      if (classes.has(ref)) {
        if (isApp(ref)) queue.push(ref);
        continue;
      }
      if (runtime.has(packageOf(ref))) continue;
      result.missing.push({ name: ref, neededBy: from });
    }
  }
  return result;
}
