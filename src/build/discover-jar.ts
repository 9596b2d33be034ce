import { type Stats, statSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { ActionError } from '../util/errors.js';
import { globFiles } from '../util/glob.js';
import { type JarMainFacts, readJarMainFacts } from './jar-contents.js';
import { isSideJar, parseBuiltJars } from './sbt-jars.js';

/** FALLBACK_JAR_GLOBS are where sbt writes JARs (root and module projects, with and without crossPaths). */
export const FALLBACK_JAR_GLOBS = [
  'target/scala-*/*.jar',
  '*/target/scala-*/*.jar',
  '*/*/target/scala-*/*.jar',
  'target/*.jar',
  '*/target/*.jar',
] as const;

export interface DiscoverJarOptions {
  workingDirectory: string;
  /** The `jar` input (path or glob relative to the working directory); when set it alone decides. */
  pattern?: string;
  /** sbt's log of this run: the JARs it says it built come first. */
  sbtLog?: string;
  /** The main class the plan expects (main-class input or app.mainClass), to choose among several JARs. */
  mainClass?: string;
  /** Epoch ms the build started: globbed JARs written since are preferred over older ones. */
  since?: number;
  /** What the sbt tasks build: `package` alone means the thin JAR is wanted (default: the assembly). */
  wants?: 'assembly' | 'package';
  /** The stage asking, which prefixes errors (default `build`; verify, image and deploy look without a build). */
  stage?: string;
  /**
   * The workspace: a `jar` input that matches nothing under the working directory is tried relative to it,
   * so the `jar-path` output (workspace-relative) of an earlier run can be fed back as `jar`.
   */
  workspace?: string;
  warn(message: string): void;
  /** Where the log says which directory a `jar` input was resolved against when it was not the usual one. */
  info?(line: string): void;
}

export interface DiscoveredJar {
  path: string;
  sizeBytes: number;
  /** How it was found: the `jar` input, sbt's own output, or the fallback globs. */
  how: 'input' | 'sbt' | 'glob';
}

interface Candidate {
  path: string;
  st: Stats;
  facts?: JarMainFacts | undefined;
}

function existing(paths: string[]): Candidate[] {
  const out: Candidate[] = [];
  for (const p of paths) {
    try {
      const st = statSync(p);
      if (st.isFile()) out.push({ path: p, st });
    } catch {
      // sbt named a file that is gone (a later `clean`): not a candidate
    }
  }
  return out;
}

function fromInput(o: DiscoverJarOptions, pattern: string): DiscoveredJar {
  let matches = existing(globFiles(pattern, o.workingDirectory));
  const ws = o.workspace ? resolve(o.workspace) : undefined;
  const elsewhere = ws !== undefined && ws !== resolve(o.workingDirectory) && !isAbsolute(pattern);
  if (matches.length === 0 && elsewhere) {
    matches = existing(globFiles(pattern, ws));
    if (matches.length > 0)
      (o.info ?? o.warn)(
        `input \`jar\`: "${pattern}" matches nothing under the working directory ${o.workingDirectory}; using it relative to the workspace ${ws} (as the \`jar-path\` output is written)`,
      );
  }
  if (matches.length === 0)
    throw new ActionError(
      `input \`jar\`: no file matches "${pattern}" in ${o.workingDirectory}${elsewhere ? ` nor in the workspace ${ws}` : ''}. The input is a path or glob relative to \`working-directory\` (or to the workspace, like the \`jar-path\` output); check the path and that the build wrote the JAR.`,
    );
  const sorted = matches.sort((a, b) => Number(b.st.mtimeMs) - Number(a.st.mtimeMs));
  const newest = sorted[0] as Candidate;
  if (sorted.length > 1) {
    o.warn(
      `${sorted.length} files match the \`jar\` input "${pattern}"; using the newest, ${newest.path} (others: ${sorted
        .slice(1)
        .map((c) => c.path)
        .join(', ')}). Set \`jar\` to one file.`,
    );
  }
  return { path: newest.path, sizeBytes: Number(newest.st.size), how: 'input' };
}

function globbed(o: DiscoverJarOptions): Candidate[] {
  const all = existing(
    FALLBACK_JAR_GLOBS.flatMap((g) => globFiles(g, o.workingDirectory)).filter(
      (p, i, a) => a.indexOf(p) === i && !isSideJar(p),
    ),
  );
  const since = o.since;
  const fresh = since === undefined ? [] : all.filter((c) => Number(c.st.mtimeMs) >= since);
  return fresh.length > 0 ? fresh : all;
}

function describe(o: DiscoverJarOptions, c: Candidate): string {
  const rel = relative(o.workingDirectory, c.path);
  const shown = rel.startsWith('..') || isAbsolute(rel) ? c.path : rel.split(sep).join('/');
  const main = c.facts?.mainClass ? `Main-Class ${c.facts.mainClass}` : 'no Main-Class';
  return `${shown} (${main}, ${(Number(c.st.size) / 1024 / 1024).toFixed(1)} MB)`;
}

/**
 * onePerProject keeps one JAR per output directory (one sbt project): among the newest ones there (written
 * within a minute of the newest, so not leftovers of earlier builds), the largest, which is the assembly
 * when `package` and `assembly` both wrote one, or the smallest (the thin JAR) when the build ran
 * `package` and not `assembly`.
 */
function onePerProject(cands: Candidate[], wants: DiscoverJarOptions['wants']): Candidate[] {
  const byDir = new Map<string, Candidate[]>();
  for (const c of cands) byDir.set(dirname(c.path), [...(byDir.get(dirname(c.path)) ?? []), c]);
  const keep = new Set<Candidate>();
  for (const group of byDir.values()) {
    const newest = Math.max(...group.map((c) => c.st.mtimeMs));
    const recent = group.filter((c) => c.st.mtimeMs >= newest - 60_000);
    const thin = wants === 'package';
    keep.add(recent.reduce((a, b) => ((thin ? b.st.size < a.st.size : b.st.size > a.st.size) ? b : a)));
  }
  return cands.filter((c) => keep.has(c));
}

/** pick chooses among several candidates by the expected main class, else by the only Main-Class. */
function pick(o: DiscoverJarOptions, cands: Candidate[], how: 'sbt' | 'glob'): Candidate {
  const source =
    how === 'sbt'
      ? `sbt built ${cands.length} JARs`
      : `${cands.length} JARs were found (sbt printed no JAR path)`;
  const list = cands.map((c) => `  ${describe(o, c)}`).join('\n');
  const choose = `Set the \`jar\` input to the one to deploy (a path relative to the working directory, e.g. \`jar: ${relative(
    o.workingDirectory,
    (cands[0] as Candidate).path,
  )
    .split(sep)
    .join('/')}\`)`;
  const main = o.mainClass;
  let chosen: Candidate[];
  if (main) {
    const byManifest = cands.filter((c) => c.facts?.mainClass === main);
    chosen = byManifest.length > 0 ? byManifest : cands.filter((c) => c.facts?.hasClass(main));
    if (chosen.length === 0)
      throw new ActionError(
        `${o.stage ?? 'build'}: ${source} and none holds the main class ${main}:\n${list}\n${choose}, or check the main class.`,
      );
  } else {
    chosen = cands.filter((c) => c.facts?.mainClass);
    if (chosen.length === 0)
      throw new ActionError(
        `${o.stage ?? 'build'}: ${source} and none has a Main-Class in its manifest:\n${list}\n${choose}, or set the \`main-class\` input so the action can choose.`,
      );
  }
  if (chosen.length === 1) return chosen[0] as Candidate;
  const why = main ? `hold the main class ${main}` : 'have a Main-Class';
  if (how === 'sbt')
    throw new ActionError(
      `${o.stage ?? 'build'}: ${source} and ${chosen.length} of them ${why}:\n${list}\n${choose}${main ? '' : ', or set the `main-class` input'}.`,
    );
  // Globbed leftovers of earlier builds: the newest is most likely this build's.
  const sorted = [...chosen].sort((a, b) => Number(b.st.mtimeMs) - Number(a.st.mtimeMs));
  const newest = sorted[0] as Candidate;
  o.warn(
    `${source}; ${chosen.length} ${why}; using the newest, ${describe(o, newest)}. Others:\n${sorted
      .slice(1)
      .map((c) => `  ${describe(o, c)}`)
      .join('\n')}\nRun sbt clean, or set the \`jar\` input to one file.`,
  );
  return newest;
}

/**
 * discoverJar finds the application JAR: the `jar` input when given; else the JARs sbt said it built
 * (sbt-assembly's `Built:` lines); else, when sbt printed none, the JARs under target/. One candidate is
 * taken as is; several are narrowed to the one holding the expected main class (or the only one with a
 * Main-Class), and a choice that is still open is an error listing them.
 */
export async function discoverJar(o: DiscoverJarOptions): Promise<DiscoveredJar> {
  if (o.pattern !== undefined) return fromInput(o, o.pattern);
  const printed = o.sbtLog
    ? existing(parseBuiltJars(o.sbtLog).map((p) => resolve(o.workingDirectory, p)))
    : [];
  const how = printed.length > 0 ? 'sbt' : 'glob';
  const cands = onePerProject(printed.length > 0 ? printed : globbed(o), o.wants);
  if (cands.length === 0) {
    const globs = `nothing matches ${FALLBACK_JAR_GLOBS.join(', ')} in ${o.workingDirectory}`;
    throw new ActionError(
      o.sbtLog !== undefined
        ? `${o.stage ?? 'build'}: no JAR found: sbt printed no \`Built: …jar\` line and ${globs}. Does the build run \`assembly\` (sbt-assembly) or \`package\`? Otherwise set the \`jar\` input to where your build writes the JAR.`
        : `${o.stage ?? 'build'}: no JAR found: the build stage produced none in this run and ${globs}. Build one first (the build stage with \`assembly\` or \`package\` in sbt-tasks), or set the \`jar\` input to the JAR to use.`,
    );
  }
  if (cands.length === 1) {
    const only = cands[0] as Candidate;
    return { path: only.path, sizeBytes: Number(only.st.size), how };
  }
  for (const c of cands) c.facts = await readJarMainFacts(c.path);
  const chosen = pick(o, cands, how);
  return { path: chosen.path, sizeBytes: Number(chosen.st.size), how };
}
