import { Output } from '../constants.js';
import type { Artifact, Reporter } from '../stage.js';
import { sha256File } from '../util/hash.js';
import { readJarMainFacts } from './jar-contents.js';

/**
 * artifactOf is the Artifact of the JAR a run chose (by the build stage, or from the `jar` input or target/
 * when it did not run): its SHA-256 (staged names carry it) and its manifest's Main-Class, which the stages
 * after it need whether or not verify runs. Sets the jar-path and jar-sha256 outputs.
 */
export async function artifactOf(
  jar: { path: string; sizeBytes: number },
  jarDisplayPath: string,
  reporter: Pick<Reporter, 'output'>,
  signal?: AbortSignal,
): Promise<Artifact> {
  const [sha256, facts] = await Promise.all([sha256File(jar.path, signal), readJarMainFacts(jar.path)]);
  reporter.output(Output.jarPath, jarDisplayPath);
  reporter.output(Output.jarSha256, sha256);
  return {
    jarPath: jar.path,
    jarDisplayPath,
    sizeBytes: jar.sizeBytes,
    sha256,
    ...(facts?.mainClass ? { mainClass: facts.mainClass } : {}),
  };
}
