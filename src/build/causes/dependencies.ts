import type { Finding } from '../../findings.js';
import { SBT_ASSEMBLY_VERSION } from './assembly.js';
import { body, buildFiles, type CauseContext, type CauseDetector, findInBuild, where } from './context.js';

interface Unresolved {
  /** org:name:version (an sbt plugin's `;sbtVersion=…;scalaVersion=…` attributes moved out). */
  module: string;
  /** For an sbt plugin: the sbt and Scala versions it was looked up for. */
  plugin?: { sbt: string; scala: string };
  /** Where it was looked for (repository roots, or the raw `not found:` targets). */
  tried: string[];
}

// coursier (sbt ≥ 1.3): `ResolveException: Error downloading org:name_2.12:1.2.3` then `  not found: <url>` lines;
// an sbt plugin reads `org:name;sbtVersion=1.0;scalaVersion=2.12:1.2.3`.
const COURSIER = /Error downloading ([\w.-]+):([\w.-]+)((?:;\w+=[\w.-]+)*):([^\s:]+)/;
const NOT_FOUND = /^\s*not found: (\S+)/;
// Ivy (sbt ≤ 1.2): `unresolved dependency: org#name_2.12;1.2.3: not found`.
const IVY = /unresolved dependency: ([\w.-]+)#([\w.-]+);([^\s:]+)/;

/** repositoryRoot cuts the module's own path off a URL or file path that was tried, leaving the resolver. */
export function repositoryRoot(tried: string, module: string): string {
  const [org = ''] = module.split(':');
  // Maven layout puts the organization as directories, Ivy layout as one dotted segment.
  for (const marker of [`/${org.replace(/\./g, '/')}/`, `/${org}/`, org]) {
    const i = tried.indexOf(marker);
    if (i > 0) return tried.slice(0, marker === org ? i : i + 1);
  }
  return tried;
}

function parse(lines: string[]): Unresolved[] {
  const byModule = new Map<string, Set<string>>();
  const plugins = new Map<string, { sbt: string; scala: string }>();
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i] ?? '';
    if (!raw.includes('Error downloading') && !raw.includes('unresolved dependency')) continue;
    const text = body(raw);
    const ivy = IVY.exec(text);
    const cs = COURSIER.exec(text);
    const module = cs ? `${cs[1]}:${cs[2]}:${cs[4]}` : ivy ? `${ivy[1]}:${ivy[2]}:${ivy[3]}` : undefined;
    if (!module) continue;
    const attrs = Object.fromEntries(
      [...(cs?.[3] ?? '').matchAll(/;(\w+)=([\w.-]+)/g)].map((m) => [m[1], m[2]]),
    );
    if (attrs.sbtVersion) plugins.set(module, { sbt: attrs.sbtVersion, scala: attrs.scalaVersion ?? '' });
    const tried = byModule.get(module) ?? new Set<string>();
    byModule.set(module, tried);
    for (let j = i + 1; j < lines.length; j++) {
      const next = body(lines[j] ?? '');
      const nf = NOT_FOUND.exec(next);
      if (nf?.[1]) tried.add(repositoryRoot(nf[1], module));
      else if (!/^\s+\S/.test(next) || /^\s*at /.test(next)) break;
    }
  }
  return [...byModule].map(([module, tried]) => {
    const plugin = plugins.get(module);
    return { module, tried: [...tried], ...(plugin ? { plugin } : {}) };
  });
}

function unresolved(ctx: CauseContext): Finding[] {
  if (!ctx.text.includes('Error downloading') && !ctx.text.includes('unresolved dependency')) return [];
  const files = buildFiles(ctx.workingDirectory);
  return parse(ctx.lines).map(({ module, tried, plugin }) => {
    const [org = '', name = '', version = ''] = module.split(':');
    const base = name.replace(/_(?:2\.1[0-3]|3)$/, '');
    const scalaSuffix = /_(2\.1[0-3]|3)$/.exec(name)?.[1];
    const at = findInBuild(
      files,
      new RegExp(`"${org.replace(/\./g, '\\.')}"\\s*%%?\\s*"${base.replace(/[.]/g, '\\.')}`),
    );
    const hints = [
      ...(plugin
        ? [
            `it is an sbt plugin, looked up for sbt ${plugin.sbt} and Scala ${plugin.scala}: check that version ${version} is published for sbt ${plugin.sbt} (old plugin versions were published only to the sbt plugin repository, not Maven Central; a newer version usually is on Maven Central${org === 'com.eed3si9n' && name === 'sbt-assembly' ? `: addSbtPlugin("com.eed3si9n" % "sbt-assembly" % "${SBT_ASSEMBLY_VERSION}")` : ''})`,
          ]
        : []),
      `check that ${org}:${name} ${version} exists (a typo in the organization, name or version is the usual cause)`,
      ...(scalaSuffix
        ? [
            `it is looked up for Scala ${scalaSuffix} (\`%%\`): check that ${base} is published for Scala ${scalaSuffix}, or use the Scala version it is published for`,
          ]
        : []),
      'if it lives in another repository, add it: `resolvers += "name" at "https://…"` (and credentials for a private one)',
    ];
    return {
      stage: 'build',
      severity: 'error',
      title: `Unresolved ${plugin ? 'sbt plugin' : 'dependency'}: ${module}`,
      message: `sbt could not download ${module}.${tried.length ? ` Looked in:\n${tried.map((t) => `  ${t}`).join('\n')}` : ''}\nFix: ${hints.join('; ')}.`,
      ...where(ctx, at),
      rule: 'build/unresolved-dependency',
    } satisfies Finding;
  });
}

/** DEPENDENCY_DETECTORS recognise dependency resolution failures. */
export const DEPENDENCY_DETECTORS: CauseDetector[] = [
  { rule: 'build/unresolved-dependency', detect: unresolved },
];
