// The Scala binary version a JAR was built for, from what it carries: the application's bytecode
// (references only one Scala version has), a bundled scala-library's library.properties, the _2.1x suffix
// of bundled artifacts (META-INF/maven/<group>/<artifact>/pom.properties), TASTy files (Scala 3), and the
// path sbt wrote it to (target/scala-2.13/, foo_2.13-1.0.jar). Scala 2.12 and 2.13 are not binary
// compatible: a JAR for one fails on the other with NoSuchMethodError or NoClassDefFoundError.
import type { FileHandle } from 'node:fs/promises';
import type { JarClasses } from './jar-classes.js';
import type { ZipArchive } from './zip.js';
import { entryAt, forEachEntry } from './zip-entries.js';
import { readEntry } from './zip-read.js';

/** ScalaEvidence is one reason to believe the JAR is built for a Scala binary version. */
export interface ScalaEvidence {
  /** Binary version: 2.10, 2.11, 2.12, 2.13 or 3. */
  binary: string;
  source: 'tasty' | 'bytecode' | 'library.properties' | 'pom.properties' | 'sbt-target' | 'file-name';
  /** What was seen, for the message (e.g. "library.properties says version.number=2.13.14"). */
  detail: string;
}

/** JarScala is the evidence found and the bundled scala-library's full version, when there is one. */
export interface JarScala {
  evidence: ScalaEvidence[];
  /** version.number of a bundled library.properties (scala-library), e.g. 2.12.18. */
  bundledLibrary?: string;
  /** Bundled artifacts with a Scala suffix, by binary version (artifact ids). */
  artifacts: Map<string, string[]>;
  /** Application classes whose references were read. */
  classesRead: number;
}

/**
 * Classes (binary-name prefixes) that exist in only one Scala binary version of the standard library and
 * that compiled code references routinely: collection conversions, varargs, <:< evidence, Predef.
 */
const MARKERS: [prefix: string, binary: string][] = [
  ['scala/collection/immutable/ArraySeq', '2.13'],
  ['scala/$less$colon$less', '2.13'],
  ['scala/$eq$colon$eq', '2.13'],
  ['scala/collection/IterableOnce', '2.13'],
  ['scala/collection/immutable/LazyList', '2.13'],
  ['scala/jdk/CollectionConverters', '2.13'],
  ['scala/collection/ArrayOps$', '2.13'],
  ['scala/collection/StringOps$', '2.13'],
  ['scala/runtime/ModuleSerializationProxy', '2.13'],
  ['scala/collection/TraversableOnce', '2.12'],
  ['scala/collection/GenTraversableOnce', '2.12'],
  ['scala/collection/GenTraversable', '2.12'],
  ['scala/collection/TraversableLike', '2.12'],
  ['scala/Predef$$less$colon$less', '2.12'],
  ['scala/collection/generic/CanBuildFrom', '2.12'],
  ['scala/collection/mutable/WrappedArray', '2.12'],
  ['scala/collection/mutable/ArrayOps$', '2.12'],
  ['scala/collection/immutable/StringOps', '2.12'],
];

function markerOf(name: string): string | undefined {
  if (!name.startsWith('scala/')) return undefined;
  for (const [prefix, binary] of MARKERS) {
    if (name === prefix || (name.startsWith(prefix) && '$;'.includes(name[prefix.length] ?? '')))
      return binary;
    if (prefix.endsWith('$') && name.startsWith(prefix)) return binary;
  }
  return undefined;
}

const SUFFIX = /_(2\.1[0-3]|3)$/;
const POM_PREFIX = Buffer.from('META-INF/maven/', 'latin1');
const POM_SUFFIX = '/pom.properties';
const LIBRARY_PROPERTIES = Buffer.from('library.properties', 'latin1');

/** binaryOf maps a full Scala version to its binary version (2.13.14 -> 2.13, 3.3.1 -> 3). */
export function binaryOf(version: string): string | undefined {
  const m = /^(\d+)\.(\d+)/.exec(version);
  if (!m) return undefined;
  return m[1] === '2' ? `2.${m[2]}` : m[1];
}

/** compatible tells whether code for the JAR's binary version runs on the runtime's (Scala 3 uses 2.13's library). */
export function compatible(jar: string, runtime: string): boolean {
  return jar === runtime || (jar === '3' && runtime === '2.13');
}

/** Evidence from where sbt wrote the JAR and what it named it. */
export function pathEvidence(jarPath: string): ScalaEvidence[] {
  const out: ScalaEvidence[] = [];
  const dir = /(?:^|[/\\])target[/\\]scala-(2\.1[0-3]|3[.\d]*)[/\\]/.exec(jarPath);
  if (dir?.[1]) {
    out.push({
      binary: binaryOf(dir[1]) ?? dir[1],
      source: 'sbt-target',
      detail: `sbt wrote it to target/scala-${dir[1]}/`,
    });
  }
  const base = jarPath.split(/[/\\]/).pop() ?? '';
  const file = /_(2\.1[0-3]|3)(?=[-.])/.exec(base);
  if (file?.[1])
    out.push({ binary: file[1], source: 'file-name', detail: `its name ${base} has the _${file[1]} suffix` });
  return out;
}

function hasSlash(cd: Buffer, s: number, len: number): boolean {
  for (let i = s; i < s + len; i++) if (cd[i] === 0x2f) return true;
  return false;
}

/** Scans the central directory once for pom.properties artifact ids, library.properties and app classes. */
function walk(zip: ZipArchive, prefix: Buffer, limit: number) {
  const cd = zip.centralDirectory;
  const artifacts = new Map<string, string[]>();
  const appClasses: string[] = [];
  let libraryProperties = -1;
  let tasty = '';
  forEachEntry(zip, (e) => {
    const s = e.nameStart;
    const len = e.nameLength;
    const first = cd[s];
    if (
      first === 0x4d &&
      len > POM_PREFIX.length &&
      cd.compare(POM_PREFIX, 0, POM_PREFIX.length, s, s + 15) === 0
    ) {
      const name = e.name;
      if (!name.endsWith(POM_SUFFIX)) return;
      const parts = name.split('/');
      const artifact = parts[parts.length - 2] ?? '';
      const m = SUFFIX.exec(artifact);
      if (m?.[1]) {
        const list = artifacts.get(m[1]) ?? [];
        list.push(`${parts[2]}:${artifact}`);
        artifacts.set(m[1], list);
      }
      return;
    }
    if (len === LIBRARY_PROPERTIES.length && cd.compare(LIBRARY_PROPERTIES, 0, len, s, s + len) === 0) {
      libraryProperties = e.recordOffset;
      return;
    }
    if (
      prefix.length === 0 ||
      (len > prefix.length && cd.compare(prefix, 0, prefix.length, s, s + prefix.length) === 0)
    ) {
      if (prefix.length === 0 && hasSlash(cd, s, len)) return;
      const name = e.name;
      if (name.endsWith('.class') && appClasses.length < limit) appClasses.push(name.slice(0, -6));
      else if (!tasty && name.endsWith('.tasty')) tasty = name;
    }
  });
  return { artifacts, appClasses, libraryProperties, tasty };
}

/** ScalaScanOptions bounds the bytecode scan. */
export interface ScalaScanOptions {
  /** The main class (binary name with slashes), read first. */
  mainClass?: string;
  /** Package prefix of the application's own classes (see appPrefix). */
  prefix: string;
  /** Most application classes read (default 400). */
  maxClasses?: number;
  /** performance.now() after which no more classes are read (default: 250 ms after the entry walk). */
  deadline?: number;
}

/** jarScala gathers the evidence of the Scala binary version the JAR is built for. */
export async function jarScala(
  fh: FileHandle,
  zip: ZipArchive,
  classes: JarClasses,
  jarPath: string,
  options: ScalaScanOptions,
): Promise<JarScala> {
  const maxClasses = options.maxClasses ?? 400;
  const found = walk(zip, Buffer.from(options.prefix, 'utf8'), maxClasses);
  const deadline = options.deadline ?? performance.now() + 250;
  const evidence: ScalaEvidence[] = [];
  const result: JarScala = { evidence, artifacts: found.artifacts, classesRead: 0 };
  if (found.tasty) {
    evidence.push({ binary: '3', source: 'tasty', detail: `it holds Scala 3 TASTy files (${found.tasty})` });
  }

  // The application's bytecode: the main class first, then its package, until a marker has been seen in a
  // few classes or the budget runs out.
  const order = options.mainClass ? [options.mainClass, ...found.appClasses] : found.appClasses;
  const hits = new Map<string, { count: number; example: string }>();
  const seen = new Set<string>();
  for (const name of order) {
    if (seen.has(name)) continue;
    seen.add(name);
    // The main class is always read; the rest within the budget.
    if (result.classesRead > 0 && (result.classesRead >= maxClasses || performance.now() > deadline)) break;
    const pool = await classes.pool(name);
    if (!pool) continue;
    result.classesRead++;
    const local = new Set<string>();
    for (const ref of [...pool.classes, ...pool.descriptorTypes]) {
      const b = markerOf(ref);
      if (!b || local.has(b)) continue;
      local.add(b);
      const h = hits.get(b) ?? { count: 0, example: `${name.replace(/\//g, '.')} references ${ref}` };
      h.count++;
      hits.set(b, h);
    }
    if ([...hits.values()].some((h) => h.count >= 3) && result.classesRead >= 20) break;
  }
  for (const [binary, h] of [...hits].sort((a, b) => b[1].count - a[1].count)) {
    evidence.push({
      binary,
      source: 'bytecode',
      detail: `${h.count} of its own classes use${h.count === 1 ? 's' : ''} Scala ${binary}-only library classes (${h.example})`,
    });
  }

  if (found.libraryProperties >= 0) {
    try {
      const text = (await readEntry(fh, zip, entryAt(zip, found.libraryProperties), 64 * 1024)).toString(
        'latin1',
      );
      const version = /^version\.number\s*[=:]\s*(\S+)/m.exec(text)?.[1];
      const binary = version ? binaryOf(version) : undefined;
      if (version && binary) {
        result.bundledLibrary = version;
        evidence.push({
          binary,
          source: 'library.properties',
          detail: `it bundles scala-library ${version} (library.properties)`,
        });
      }
    } catch {
      // Unreadable: the entry rules report damaged entries.
    }
  }
  for (const [binary, list] of [...found.artifacts].sort((a, b) => b[1].length - a[1].length)) {
    const shown = list.slice(0, 3).join(', ');
    evidence.push({
      binary,
      source: 'pom.properties',
      detail: `it bundles ${list.length} _${binary} librar${list.length === 1 ? 'y' : 'ies'} (${shown}${list.length > 3 ? ', …' : ''})`,
    });
  }
  evidence.push(...pathEvidence(jarPath));
  return result;
}

/** The order in which evidence decides: what the application's code was compiled against comes first. */
const PRIORITY: ScalaEvidence['source'][] = [
  'tasty',
  'bytecode',
  'library.properties',
  'pom.properties',
  'sbt-target',
  'file-name',
];

/** decideScala returns the binary version the strongest evidence names, or undefined without evidence. */
export function decideScala(evidence: ScalaEvidence[]): ScalaEvidence | undefined {
  for (const source of PRIORITY) {
    const e = evidence.find((x) => x.source === source);
    if (e) return e;
  }
  return undefined;
}
