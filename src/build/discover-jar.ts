import { statSync } from 'node:fs';
import { ActionError } from '../util/errors.js';
import { globFiles } from '../util/glob.js';

/** DEFAULT_JAR_GLOB is where sbt-assembly writes its JAR by default. */
export const DEFAULT_JAR_GLOB = 'target/scala-*/*-assembly-*.jar';

/**
 * discoverJar resolves the `jar` input (path or glob, relative to the working directory) or the default
 * glob to one file. Several matches: the newest is taken, with a warning naming the others.
 */
export function discoverJar(
  workingDirectory: string,
  pattern: string | undefined,
  warn: (message: string) => void,
): { path: string; sizeBytes: number } {
  const glob = pattern ?? DEFAULT_JAR_GLOB;
  const matches = globFiles(glob, workingDirectory).filter(
    (p) => p.endsWith('.jar') || pattern !== undefined,
  );
  if (matches.length === 0) {
    throw new ActionError(
      pattern
        ? `input \`jar\`: no file matches "${pattern}" in ${workingDirectory}`
        : `build: no assembly JAR found at ${DEFAULT_JAR_GLOB} in ${workingDirectory}; does the build run \`assembly\` (sbt-assembly) — or set the \`jar\` input to where your build writes it`,
    );
  }
  const withTime = matches.map((p) => ({ p, st: statSync(p) })).sort((a, b) => b.st.mtimeMs - a.st.mtimeMs);
  const newest = withTime[0];
  if (!newest) throw new ActionError('build: no JAR found');
  if (withTime.length > 1) {
    warn(
      `${withTime.length} JARs match "${glob}"; using the newest, ${newest.p} (others: ${withTime
        .slice(1)
        .map((w) => w.p)
        .join(', ')}). Run sbt clean, or set the \`jar\` input to one file.`,
    );
  }
  return { path: newest.p, sizeBytes: newest.st.size };
}
