// The machine-readable verify report (written to a file whose path is the verify-report output) and the
// JAR section of the job summary.
import type { Finding } from '../findings.js';
import { formatMb } from './rules.js';
import type { RuntimeFacts } from './runtime-checks.js';
import type { JarFacts } from './verify.js';

/** VerifyReport is the JSON document behind the verify-report output. */
export interface VerifyReport {
  /** Bumped when a field changes meaning. */
  schemaVersion: 1;
  /** true when no finding is an error. */
  passed: boolean;
  jar: {
    path: string;
    sizeBytes: number;
    sha256?: string;
    entries: number;
    classes: number;
    zip64: boolean;
  };
  manifest: { present: boolean; mainClass?: string; error?: string };
  mainClass?: {
    name: string;
    source: 'manifest' | 'input' | 'config';
    classFile: string;
    present: boolean;
    classFileVersion?: { major: number; minor: number };
    javaRelease?: number;
  };
  runtime: {
    javaRelease: number;
    sparkVersion?: string;
    scalaVersion?: string;
    source?: 'config' | 'default';
  };
  /** The checks against the runtime: class-file versions, Scala version, links (absent for unreadable JARs). */
  checks?: {
    classReleases: RuntimeFacts['classReleases'];
    scala: RuntimeFacts['scala'];
    link?: RuntimeFacts['link'];
  };
  bundled: { sparkEntries: number; scalaEntries: number };
  counts: { errors: number; warnings: number; notices: number };
  findings: Finding[];
  timings: { verifyMs: number; sha256Ms?: number };
}

/** buildVerifyReport assembles the report from verifyJar's facts and findings and the hash. */
export function buildVerifyReport(args: {
  jarDisplayPath: string;
  facts: JarFacts;
  findings: Finding[];
  javaRelease: number;
  sha256?: string;
  verifyMs: number;
  sha256Ms?: number;
}): VerifyReport {
  const { facts, findings } = args;
  const count = (s: Finding['severity']) => findings.filter((f) => f.severity === s).length;
  const mc = facts.mainClass;
  const report: VerifyReport = {
    schemaVersion: 1,
    passed: count('error') === 0,
    jar: {
      path: args.jarDisplayPath,
      sizeBytes: facts.sizeBytes,
      ...(args.sha256 ? { sha256: args.sha256 } : {}),
      entries: facts.entries,
      classes: facts.classes,
      zip64: facts.zip64,
    },
    manifest: facts.manifest,
    runtime: {
      javaRelease: args.javaRelease,
      ...(facts.runtime
        ? {
            sparkVersion: facts.runtime.runtime.sparkVersion,
            scalaVersion: facts.runtime.runtime.scalaVersion,
            source: facts.runtime.runtime.source,
          }
        : {}),
    },
    bundled: facts.bundled,
    counts: { errors: count('error'), warnings: count('warning'), notices: count('notice') },
    findings,
    timings: {
      verifyMs: Math.round(args.verifyMs * 10) / 10,
      ...(args.sha256Ms !== undefined ? { sha256Ms: Math.round(args.sha256Ms) } : {}),
    },
  };
  if (facts.runtime) {
    const { classReleases, scala, link } = facts.runtime;
    const round = <T extends { ms: number }>(x: T): T => ({ ...x, ms: Math.round(x.ms * 10) / 10 });
    report.checks = {
      classReleases: round(classReleases),
      scala: round(scala),
      ...(link ? { link: round(link) } : {}),
    };
  }
  if (mc) {
    report.mainClass = {
      name: mc.name,
      source: mc.source,
      classFile: mc.classFile,
      present: mc.present,
      ...(mc.header
        ? {
            classFileVersion: { major: mc.header.major, minor: mc.header.minor },
            javaRelease: mc.header.release,
          }
        : {}),
    };
  }
  return report;
}

function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function code(s: string): string {
  return `\`${cell(s).replace(/`/g, "'")}\``;
}

/** renderJarSection renders the JAR table of the job summary. */
export function renderJarSection(r: VerifyReport): string {
  const mc = r.mainClass;
  const release = mc?.javaRelease
    ? `${mc.javaRelease} (class file ${mc.classFileVersion?.major}; runtime ${r.runtime.javaRelease})`
    : '—';
  const { errors, warnings } = r.counts;
  const rows: [string, string][] = [
    ['Path', code(r.jar.path)],
    ['Size', `${formatMb(r.jar.sizeBytes)} (${r.jar.sizeBytes.toLocaleString('en-US')} bytes)`],
    ['SHA-256', r.jar.sha256 ? code(r.jar.sha256) : '—'],
    ['Entries', `${r.jar.entries.toLocaleString('en-US')}${r.jar.zip64 ? ' (zip64)' : ''}`],
    ['Main-Class', mc ? `${code(mc.name)}${mc.source === 'manifest' ? '' : ` (from ${mc.source})`}` : '—'],
    ['Java release of the main class', release],
    ...(r.checks
      ? ([
          [
            'Classes read',
            `${r.checks.classReleases.checked.toLocaleString('en-US')} (newest Java ${r.checks.classReleases.maxRelease || '—'})`,
          ],
          [
            'Scala',
            `${r.checks.scala.binary ?? 'unknown'} (runtime: Spark ${r.runtime.sparkVersion}, Scala ${r.runtime.scalaVersion})`,
          ],
        ] as [string, string][])
      : []),
    [
      'Findings',
      errors + warnings === 0
        ? 'none'
        : `${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}`,
    ],
  ];
  return ['| | |', '|---|---|', ...rows.map(([k, v]) => `| ${k} | ${v} |`)].join('\n');
}
