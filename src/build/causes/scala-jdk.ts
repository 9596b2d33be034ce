import type { Finding } from '../../findings.js';
import { body, buildFiles, type CauseContext, type CauseDetector, findInBuild, where } from './context.js';

type Line = '2.11' | '2.12' | '2.13' | '3';

// Minimum Scala versions per JDK, from the Scala documentation's "JDK Compatibility" page
// (docs.scala-lang.org/overviews/jdk-compatibility/overview.html, its current table and earlier revisions
// for the non-LTS JDKs). A JDK without a row takes the row of the nearest lower JDK.
export const MIN_SCALA_FOR_JDK: readonly (readonly [number, Partial<Record<Line, string>>])[] = [
  [25, { '2.13': '2.13.17', '2.12': '2.12.21', '3': '3.3.6' }],
  [23, { '2.13': '2.13.15', '2.12': '2.12.20', '3': '3.3.5' }],
  [22, { '2.13': '2.13.13', '2.12': '2.12.19', '3': '3.3.4' }],
  [21, { '2.13': '2.13.11', '2.12': '2.12.18', '3': '3.3.1' }],
  [18, { '2.13': '2.13.7', '2.12': '2.12.15', '3': '3.1.3' }],
  [17, { '2.13': '2.13.6', '2.12': '2.12.15', '3': '3.0.0' }],
  [16, { '2.13': '2.13.5', '2.12': '2.12.14' }],
  [13, { '2.13': '2.13.2', '2.12': '2.12.11' }],
  [12, { '2.13': '2.13.1', '2.12': '2.12.9' }],
  [11, { '2.13': '2.13.0', '2.12': '2.12.4', '2.11': '2.11.12', '3': '3.0.0' }],
];

// What an old Scala compiler prints on a newer JDK.
const SIGNATURES = [
  /cannot be represented as URI/,
  /class file '\/modules\/java\.base\/[^']+' is broken/,
  /error while loading (?:String|Object), class file .* is broken/,
  /object java\.lang\.Object in compiler mirror not found/,
];

function cmp(a: string, b: string): number {
  const pa = a.split(/[.-]/).map((x) => Number.parseInt(x, 10) || 0);
  const pb = b.split(/[.-]/).map((x) => Number.parseInt(x, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** minimumScala is the lowest Scala of `version`'s line that supports the JDK, when the table knows it. */
export function minimumScala(jdk: number, version: string): string | undefined {
  const line: Line | undefined = version.startsWith('3.')
    ? '3'
    : (/^2\.1[123]/.exec(version)?.[0] as Line | undefined);
  if (!line) return undefined;
  const row = MIN_SCALA_FOR_JDK.find(([j]) => j <= jdk);
  return row?.[1][line];
}

/** scalaVersionOf finds the Scala version the build compiles with: sbt's bridge line, else scalaVersion := "…". */
function scalaVersionOf(
  ctx: CauseContext,
): { version: string; at?: ReturnType<typeof findInBuild> } | undefined {
  const files = buildFiles(ctx.workingDirectory);
  const direct = findInBuild(files, /scalaVersion\s*(?:in\s+ThisBuild\s*)?:=\s*"\d/);
  const fromFile = direct ? /:=\s*"([^"]+)"/.exec(direct.text)?.[1] : undefined;
  let at = direct;
  let version = fromFile;
  if (!version) {
    const ref = findInBuild(files, /scalaVersion\s*(?:in\s+ThisBuild\s*)?:=\s*[A-Za-z_]\w*/);
    const ident = ref ? /:=\s*([A-Za-z_]\w*)/.exec(ref.text)?.[1] : undefined;
    const def = ident
      ? findInBuild(files, new RegExp(`\\b(?:val|def)\\s+${ident}\\s*(?::\\s*String\\s*)?=\\s*"\\d`))
      : undefined;
    version = def ? /"([^"]+)"/.exec(def.text)?.[1] : undefined;
    at = def ?? ref;
  }
  const bridge = /compiler-bridge_[\w.]+' for Scala (\d[\w.-]*)/.exec(ctx.text)?.[1];
  const v = bridge ?? version;
  return v ? { version: v, ...(at ? { at } : {}) } : undefined;
}

function jdkOf(ctx: CauseContext): number | undefined {
  const m = /welcome to sbt [\w.-]+ \([^)\n]*?Java (\d+)/.exec(ctx.text);
  return m ? Number(m[1]) : undefined;
}

function scalaOnJdk(ctx: CauseContext): Finding[] {
  const hit = SIGNATURES.map((re) => re.exec(ctx.text)).find((m) => m !== null);
  // The whole line that carries the signature, without sbt's prefix.
  const end = hit ? ctx.text.indexOf('\n', hit.index) : -1;
  const signature = hit
    ? body(ctx.text.slice(ctx.text.lastIndexOf('\n', hit.index) + 1, end < 0 ? undefined : end))
    : undefined;
  const scala = scalaVersionOf(ctx);
  const jdk = jdkOf(ctx);
  if (!scala) return [];
  const min = jdk ? minimumScala(jdk, scala.version) : undefined;
  const tooOld = min !== undefined && cmp(scala.version, min) < 0;
  if (!tooOld && !signature) return [];
  if (!tooOld && signature && jdk) return []; // the table says this pair works: the signature has another cause
  const fix = min ?? 'the latest patch release of its line';
  return [
    {
      stage: 'build',
      severity: signature ? 'error' : 'warning',
      title: `Scala ${scala.version} does not support JDK ${jdk ?? '(this one)'}: use ${min ? `Scala ${min} or later` : 'a newer Scala'}`,
      message: `${signature ? `The compiler failed with \`${signature.trim().slice(0, 200)}\`, the mark of a Scala version older than its JDK. ` : 'The build failed, and '}Scala ${scala.version} is older than the first release that supports JDK ${jdk ?? 'this JDK'} (${fix}, per the Scala documentation's JDK compatibility table). Raise scalaVersion to ${fix} or later (the latest ${scala.version.split('.').slice(0, 2).join('.')}.x is best; it is binary compatible), or run sbt on an older JDK (the java-version of actions/setup-java before this action).`,
      ...where(ctx, scala.at),
      rule: 'build/scala-jdk',
    },
  ];
}

/** SCALA_JDK_DETECTORS recognise a Scala version too old for the JDK sbt runs on. */
export const SCALA_JDK_DETECTORS: CauseDetector[] = [
  { rule: 'build/scala-jdk', detect: scalaOnJdk, guess: true },
];
