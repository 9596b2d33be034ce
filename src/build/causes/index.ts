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
 * A guessing detector's warnings are dropped when the failure is explained: by another cause found here,
 * or (`explained`) by compile errors or failed tests the caller found.
 */
export function detectCauses(
  log: string,
  workingDirectory: string,
  toRepoPath: (abs: string) => string | undefined,
  options: { explained?: boolean; detectors?: readonly CauseDetector[] } = {},
): Finding[] {
  const ctx: CauseContext = causeContext(log, workingDirectory, toRepoPath);
  const found: { d: CauseDetector; f: Finding }[] = [];
  for (const d of options.detectors ?? CAUSE_DETECTORS) {
    try {
      for (const f of d.detect(ctx)) found.push({ d, f });
    } catch {
      // see above
    }
  }
  const explained = options.explained || found.some(({ d, f }) => !d.guess && f.severity === 'error');
  return found.filter(({ d, f }) => !(explained && d.guess && f.severity !== 'error')).map(({ f }) => f);
}
