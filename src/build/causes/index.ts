import type { Finding } from '../../findings.js';
import { ASSEMBLY_DETECTORS } from './assembly.js';
import { BUILD_DEFINITION_DETECTORS } from './build-definition.js';
import { type CauseContext, type CauseDetector, causeContext } from './context.js';
import { DEPENDENCY_DETECTORS } from './dependencies.js';
import { JVM_DETECTORS } from './jvm.js';
import { SCALA_JDK_DETECTORS } from './scala-jdk.js';

/** CAUSE_DETECTORS is the table of known sbt failure causes, most specific first. */
export const CAUSE_DETECTORS: readonly CauseDetector[] = [
  ...BUILD_DEFINITION_DETECTORS,
  ...ASSEMBLY_DETECTORS,
  ...DEPENDENCY_DETECTORS,
  ...JVM_DETECTORS,
  ...SCALA_JDK_DETECTORS,
];

/**
 * detectCauses runs every detector over a failed sbt run's log (plus any test failure text) and returns
 * their findings. A detector that throws is skipped: a cause we cannot name must not hide sbt's own output.
 */
export function detectCauses(
  log: string,
  workingDirectory: string,
  toRepoPath: (abs: string) => string | undefined,
  detectors: readonly CauseDetector[] = CAUSE_DETECTORS,
): Finding[] {
  const ctx: CauseContext = causeContext(log, workingDirectory, toRepoPath);
  const out: Finding[] = [];
  for (const d of detectors) {
    try {
      out.push(...d.detect(ctx));
    } catch {
      // see above
    }
  }
  return out;
}
