import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Finding } from '../../findings.js';
import { body, buildFiles, type CauseContext, type CauseDetector, findInBuild, where } from './context.js';

/** SBT_ASSEMBLY_VERSION is the sbt-assembly release we recommend (Maven Central: com.eed3si9n:sbt-assembly_2.12_1.0). */
export const SBT_ASSEMBLY_VERSION = '2.3.1';
/** The last sbt-assembly release for sbt 0.13. */
const SBT_ASSEMBLY_FOR_SBT_013 = '0.14.10';

interface Conflict {
  target: string;
  sources: string[];
}

// sbt-assembly 2.x: `Deduplicate found different file contents in the following:` then one line per origin:
//   `Jar name = a.jar, jar org = o, entry target = t` | `Project name = p, target = t` (`(from original source = s)`).
// sbt-assembly ≤ 1.x: `deduplicate: different file contents found in the following:` then `/abs/a.jar:path/in/jar`
// for a library and the bare `path/in/jar` for a file of the build's own modules.
const HEAD =
  /(?:Deduplicate found different file contents|deduplicate: different file contents found) in the following:/;
const LIB =
  /^\s*Jar name = ([^,]+),(?: jar org = ([^,]+),)? entry target = (.+?)(?: \(from original source = .+\))?\s*$/;
const PROJECT = /^\s*Project name = ([^,]+), target = (.+?)(?: \(from original source = .+\))?\s*$/;
const OLD = /^\s*(\S.*?\.jar|\S.*?[/\\]classes):(\S.*)$/;

function sourcesText(sources: string[]): string {
  const counts = new Map<string, number>();
  for (const s of sources) counts.set(s, (counts.get(s) ?? 0) + 1);
  return [...counts]
    .map(([s, n]) => (n > 1 ? `${s} (${n} modules of this build; sbt-assembly does not name them)` : s))
    .join(', ');
}

function origin(text: string): { target: string; source: string } | undefined {
  const lib = LIB.exec(text);
  if (lib) return { target: lib[3] ?? '', source: lib[2] ? `${lib[1]} (${lib[2]})` : (lib[1] ?? '') };
  const proj = PROJECT.exec(text);
  if (proj) return { target: proj[2] ?? '', source: `project ${proj[1]}` };
  const old = OLD.exec(text);
  if (old) return { target: old[2] ?? '', source: (old[1] ?? '').split(/[/\\]/).pop() ?? '' };
  // ≤ 1.x prints a file of the build's own modules as its bare path.
  if (/^\s*[\w$.-]+(?:\/[\w$.-]+)*\s*$/.test(text)) return { target: text.trim(), source: 'project' };
  return undefined;
}

function parseConflicts(lines: string[]): Conflict[] {
  // sbt prints each conflict twice (the merge error, then the task's summary): identical blocks count once.
  const blocks = new Map<string, Conflict>();
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i]?.includes('different file contents') || !HEAD.test(lines[i] ?? '')) continue;
    const found: { target: string; source: string }[] = [];
    for (let j = i + 1; j < lines.length; j++) {
      const o = origin(body(lines[j] ?? ''));
      if (!o) break;
      found.push(o);
    }
    const target = found[0]?.target;
    if (target === undefined) continue;
    const sources = found.map((f) => f.source);
    blocks.set(`${target}\0${sources.join('\0')}`, { target, sources });
  }
  return [...blocks.values()];
}

/** strategyFor suggests the merge strategy for one conflicting path, as a `case` line of assemblyMergeStrategy. */
export function strategyFor(target: string): { line: string; why: string } {
  const parts = target.split('/');
  const pathList = `PathList(${parts.map((p) => JSON.stringify(p)).join(', ')})`;
  if (parts[parts.length - 1] === 'module-info.class')
    return {
      line: 'case x if x.endsWith("module-info.class") => MergeStrategy.discard',
      why: 'Java module descriptors are not used from a fat JAR',
    };
  if (/\.conf$/.test(target) && parts.length === 1)
    return {
      line: `case ${JSON.stringify(target)} => MergeStrategy.concat`,
      why: 'Typesafe config files are meant to be merged',
    };
  if (/^META-INF\/services\//.test(target))
    return {
      line: `case ${pathList} => MergeStrategy.filterDistinctLines`,
      why: 'service registrations from every JAR are needed',
    };
  if (target.endsWith('.class'))
    return {
      line: `case ${pathList} => MergeStrategy.first`,
      why: 'two dependencies ship the same class: better exclude one of them (`exclude(...)` on the dependency); `first` keeps whichever comes first on the classpath',
    };
  return {
    line: `case ${pathList} => MergeStrategy.first`,
    why: 'keeps the copy that comes first on the classpath',
  };
}

function mergeConflicts(ctx: CauseContext): Finding[] {
  if (!ctx.text.includes('different file contents')) return [];
  const conflicts = parseConflicts(ctx.lines);
  if (conflicts.length === 0) return [];
  const shown = conflicts.slice(0, 8);
  const cases = [
    ...new Map(shown.map((c) => [strategyFor(c.target).line, strategyFor(c.target).why])).entries(),
  ];
  const list = shown.map((c) => `  ${c.target}: ${sourcesText(c.sources)}`).join('\n');
  const more = conflicts.length > shown.length ? `\n  … and ${conflicts.length - shown.length} more` : '';
  const files = buildFiles(ctx.workingDirectory);
  // `[error] (clash / assembly)` names the project whose assembly failed: point at its definition.
  const failed = /^\[error\] \(([\w-]+) \/ assembly\)/m.exec(ctx.text)?.[1];
  const at =
    findInBuild(files, /assemblyMergeStrategy/) ??
    (failed ? findInBuild(files, new RegExp(`^\\s*(?:lazy\\s+)?val\\s+${failed}\\s*=`)) : undefined) ??
    findInBuild(files, /^\s*(?:lazy\s+)?val\s+\w+\s*=\s*\(?\s*project\b/);
  const first = conflicts[0] as Conflict;
  return [
    {
      stage: 'build',
      severity: 'error',
      title: `Assembly merge conflict: ${first.target}${conflicts.length > 1 ? ` and ${conflicts.length - 1} more` : ''}`,
      message: `sbt-assembly found different contents for the same path in several inputs and its default strategy (deduplicate) stops there:\n${list}${more}\nTell it what to do in build.sbt, in the project that runs assembly:\n  assembly / assemblyMergeStrategy := {\n${cases.map(([line]) => `    ${line}`).join('\n')}\n    case x =>\n      val oldStrategy = (assembly / assemblyMergeStrategy).value\n      oldStrategy(x)\n  }\n${cases.map(([line, why]) => `(${line.replace(/ => .*/, '')}: ${why})`).join('\n')}`,
      ...where(ctx, at),
      rule: 'build/assembly-merge-conflict',
    },
  ];
}

function sbtVersion(workingDirectory: string): string | undefined {
  try {
    return /^\s*sbt\.version\s*=\s*(\S+)/m.exec(
      readFileSync(join(workingDirectory, 'project/build.properties'), 'utf8'),
    )?.[1];
  } catch {
    return undefined;
  }
}

// `sbt assembly` without the plugin: the command parser lists every way it failed to read `assembly`; a build
// that names the plugin's keys without it fails to load with `not found: value assembly…`.
const NO_COMMAND = /^Not a valid (?:command|key): (assembly\w*)\b/;
const NO_VALUE =
  /not found: (?:value|object|type) (assembly\w*|MergeStrategy|PathList|AssemblyPlugin|sbtassembly)\b/;

function missingPlugin(ctx: CauseContext): Finding[] {
  if (!ctx.text.includes('Not a valid') && !ctx.text.includes('not found: ')) return [];
  const hit = ctx.lines
    .filter((l) => l.includes('Not a valid') || l.includes('not found: '))
    .map(body)
    .find((l) => NO_COMMAND.test(l) || NO_VALUE.test(l));
  if (!hit) return [];
  const version = sbtVersion(ctx.workingDirectory)?.startsWith('0.13')
    ? SBT_ASSEMBLY_FOR_SBT_013
    : SBT_ASSEMBLY_VERSION;
  const line = `addSbtPlugin("com.eed3si9n" % "sbt-assembly" % "${version}")`;
  const plugins = join(ctx.workingDirectory, 'project/plugins.sbt');
  const file = ctx.toRepoPath(existsSync(plugins) ? plugins : join(ctx.workingDirectory, 'build.sbt'));
  return [
    {
      stage: 'build',
      severity: 'error',
      title: 'sbt-assembly is not in the build',
      message: `sbt does not know \`assembly\` (${hit.trim()}): the sbt-assembly plugin is not enabled for this build. Add to project/plugins.sbt:\n  ${line}\nor run \`package\` instead of \`assembly\` (sbt-tasks) if a thin JAR is what you deploy.`,
      ...(file ? { file } : {}),
      rule: 'build/missing-assembly-plugin',
    },
  ];
}

/** ASSEMBLY_DETECTORS recognise sbt-assembly's failures. */
export const ASSEMBLY_DETECTORS: CauseDetector[] = [
  { rule: 'build/assembly-merge-conflict', detect: mergeConflicts },
  { rule: 'build/missing-assembly-plugin', detect: missingPlugin },
];
