#!/usr/bin/env node
// Generates src/jar/runtime-index/packages.json: the Java packages that each Spark distribution
// (its jars/ directory) and the JDK provide, for the verify stage's link check ("would the main class's
// references resolve on the cluster?").
//
// Spark: for each runtime below, `mvn dependency:copy-dependencies` on scripts/spark-index/pom.xml (the
// modules of a binary distribution) fetches the jars from Maven Central into a temp dir; every .class
// entry's package is recorded. JDK: `jimage list` of the running JDK's lib/modules (and of every JDK given
// with --jdk), by feature release.
//
// Usage: node scripts/gen-spark-index.mjs [--jdk /path/to/other/jdk ...] [--keep DIR]
// Needs mvn, unzip and a JDK; takes a few minutes on a cold ~/.m2.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/**
 * The runtimes indexed: a recent patch of each minor, for the default Scala of Spark 3 (2.12) and for 2.13
 * where the modules are on Maven Central. The verify stage picks the nearest one to spark.version with the
 * same Scala version; packages hardly move between patch releases.
 */
const RUNTIMES = [
  ['3.3.4', '2.12'],
  ['3.4.4', '2.12'],
  ['3.5.6', '2.12'],
  ['3.5.6', '2.13'],
  ['4.0.1', '2.13'],
];
/**
 * Packages of Java SE 8 that JDK 11 removed (JEP 320: java.xml.ws, java.xml.bind, java.activation,
 * java.xml.ws.annotation, java.corba, java.transaction): a runtime on Java 8 to 10 still has them.
 */
const JAVA8_ONLY = [
  'javax/activation',
  'javax/annotation',
  'javax/jws',
  'javax/jws/soap',
  'javax/xml/bind',
  'javax/xml/bind/annotation',
  'javax/xml/bind/annotation/adapters',
  'javax/xml/bind/attachment',
  'javax/xml/bind/helpers',
  'javax/xml/bind/util',
  'javax/xml/soap',
  'javax/xml/ws',
  'javax/xml/ws/handler',
  'javax/xml/ws/handler/soap',
  'javax/xml/ws/http',
  'javax/xml/ws/soap',
  'javax/xml/ws/spi',
  'javax/xml/ws/wsaddressing',
  'javax/activity',
  'javax/rmi',
  'javax/rmi/CORBA',
  'javax/transaction',
  'org/omg/CORBA',
  'org/omg/CORBA/portable',
  'org/omg/CosNaming',
  'org/omg/PortableServer',
  'org/omg/stub/java/rmi',
  // Nashorn (JDK 8-14).
  'jdk/nashorn/api/scripting',
];

const root = join(dirname(new URL(import.meta.url).pathname), '..');
const pom = join(root, 'scripts/spark-index/pom.xml');
const out = join(root, 'src/jar/runtime-index/packages.json');

const args = process.argv.slice(2);
const jdks = [];
let keep;
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--jdk') jdks.push(args[++i]);
  else if (args[i] === '--keep') keep = args[++i];
  else throw new Error(`unknown argument ${args[i]}`);
}

/** Package of a class entry (a/b/C.class -> a/b), or undefined for entries no class loader loads. */
function packageOf(entry) {
  if (!entry.endsWith('.class')) return undefined;
  let name = entry;
  const mr = /^META-INF\/versions\/\d+\//.exec(name);
  if (mr) name = name.slice(mr[0].length);
  else if (name.startsWith('META-INF/')) return undefined;
  if (name.endsWith('module-info.class') || name.endsWith('package-info.class')) return undefined;
  const slash = name.lastIndexOf('/');
  return slash < 0 ? '' : name.slice(0, slash);
}

function sparkPackages(version, scala, dir) {
  const jars = join(dir, `${version}-${scala}`);
  const mvn = (...extra) =>
    spawnSync(
      'mvn',
      [
        '-B',
        '-ntp',
        '-q',
        '-f',
        pom,
        ...extra,
        `-Dspark.version=${version}`,
        `-Dscala.binary.version=${scala}`,
        'dependency:copy-dependencies',
        `-DoutputDirectory=${jars}`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' },
    );
  if (!existsSync(jars)) {
    console.error(`fetching Spark ${version} (Scala ${scala})`);
    let r = mvn();
    if (r.status !== 0 && /could not be resolved|Could not find artifact|was not found/.test(r.stdout)) {
      console.error(`  without the cluster-manager modules (not published for ${version})`);
      rmSync(jars, { recursive: true, force: true });
      r = mvn('-P', '!cluster-managers');
    }
    if (r.status !== 0)
      throw new Error(`mvn failed for Spark ${version} / ${scala}:\n${r.stdout.slice(-3000)}`);
  }
  const pkgs = new Set();
  const files = readdirSync(jars).filter((f) => f.endsWith('.jar'));
  for (const f of files) {
    const list = execFileSync('unzip', ['-Z1', join(jars, f)], { encoding: 'utf8', maxBuffer: 1 << 28 });
    for (const line of list.split('\n')) {
      const p = packageOf(line.trim());
      if (p) pkgs.add(p);
    }
  }
  console.error(`Spark ${version} (Scala ${scala}): ${files.length} jars, ${pkgs.size} packages`);
  return pkgs;
}

function jdkPackages(home) {
  const javaBin = join(home, 'bin/java');
  const settings = spawnSync(javaBin, ['-XshowSettings:properties', '-version'], { encoding: 'utf8' }).stderr;
  const feature = Number(/java\.specification\.version = (\d+)/.exec(settings)?.[1]);
  const jimage = existsSync(join(home, 'bin/jimage')) ? join(home, 'bin/jimage') : 'jimage';
  const list = execFileSync(jimage, ['list', join(home, 'lib/modules')], {
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  const pkgs = new Set();
  for (const line of list.split('\n')) {
    const p = packageOf(line.trim());
    if (p) pkgs.add(p);
  }
  console.error(`JDK ${feature} (${home}): ${pkgs.size} packages`);
  return { feature, pkgs };
}

function javaHome() {
  const settings = spawnSync('java', ['-XshowSettings:properties', '-version'], { encoding: 'utf8' }).stderr;
  const home = /java\.home = (.+)/.exec(settings)?.[1]?.trim();
  if (!home) throw new Error('cannot find java.home of the java on PATH');
  return home;
}

const work = keep ?? mkdtempSync(join(tmpdir(), 'spark-index-'));
mkdirSync(work, { recursive: true });
try {
  /** Sets in mask order: the Spark runtimes, then the JDKs, then the Java-8-only packages. */
  const sets = [];
  for (const [version, scala] of RUNTIMES) {
    sets.push({ kind: 'spark', id: `${version}/${scala}`, pkgs: sparkPackages(version, scala, work) });
  }
  const seen = new Set();
  for (const home of [javaHome(), ...jdks]) {
    const { feature, pkgs } = jdkPackages(home);
    if (seen.has(feature)) continue;
    seen.add(feature);
    sets.push({ kind: 'jdk', id: String(feature), pkgs });
  }
  sets.push({ kind: 'jdk8', id: '8', pkgs: new Set(JAVA8_ONLY) });

  const masks = new Map();
  sets.forEach((s, bit) => {
    for (const p of s.pkgs) masks.set(p, (masks.get(p) ?? 0) | (1 << bit));
  });
  // { sets: [{ kind, id }], packages: { "a/b/c": mask } }: bit i of a mask is sets[i].
  const json = {
    sets: sets.map((s) => ({ kind: s.kind, id: s.id })),
    packages: Object.fromEntries([...masks.keys()].sort().map((p) => [p, masks.get(p)])),
  };
  const src = `${JSON.stringify(json)}\n`;
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, src);
  console.error(`wrote ${out}: ${masks.size} packages, ${(src.length / 1024).toFixed(0)} KB`);
} finally {
  if (!keep) rmSync(work, { recursive: true, force: true });
}
