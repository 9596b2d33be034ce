// Benchmark of the verify stage on a fat JAR: 120,000 class entries plus eight 40 MB stored blobs (zip64
// by entry count, ~370 MB). Run: npm run bench -- verify
//
// The JAR is generated deterministically in a temp dir by a child process (so that this process's peak RSS
// reflects verification only) and deleted afterwards. Measured on the same file: verifyJar (all rules, no
// hash) in process, the share of reading every class header, its peak RSS growth, `jar tf` and `unzip -p <jar> META-INF/MANIFEST.MF` as whole
// processes, and SHA-256 throughput.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyJar } from '../src/jar/verify.js';
import { sha256File } from '../src/util/hash.js';
import { classBytes, manifestBytes } from '../test/helpers/jar-fixtures.js';
import { writeZip, type ZipEntryInput } from '../test/helpers/zip-writer.js';

const CLASSES = 120_000;
const BLOBS = 8;
const BLOB_MB = 40;
const VERIFY_RUNS = 15;
const TOOL_RUNS = 5;
const HASH_RUNS = 3;
// All rules read every class header since the class-release rule (item 6 of issue 13): ~120,000 small
// inflates. The central-directory rules alone stay at tens of milliseconds (the row "without the class
// headers" below); the whole verification must stay well under a second.
const TARGET = { verifyMs: 500, centralMs: 60, rssMb: 64 };
const MB = 1024 * 1024;

/** A deterministic pseudo-random chunk (xorshift32), so blobs neither compress nor vary between runs. */
function chunk(size: number, seed: number): Buffer {
  const buf = Buffer.alloc(size);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < size; i += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    buf.writeUInt32LE(x >>> 0, i);
  }
  return buf;
}

function* entries(): Generator<ZipEntryInput> {
  yield { name: 'META-INF/MANIFEST.MF', data: manifestBytes([['Main-Class', 'com.acme.etl.Main']]) };
  const body = classBytes(52, 'constant pool, fields, methods and attributes of a generated class; ');
  const blob = chunk(MB, 0x5eed);
  const every = Math.floor(CLASSES / BLOBS);
  for (let i = 0; i < CLASSES; i++) {
    if (i % every === 0 && i / every < BLOBS) {
      yield { name: `data/model-${i / every}.bin`, data: { repeat: blob, times: BLOB_MB }, method: 'stored' };
    }
    const pkg = `com/acme/etl/generated/module${i % 40}/pkg${i % 997}`;
    yield { name: `${pkg}/GeneratedTransformation${i}$anonfun$apply$${i % 7}.class`, data: body };
  }
  yield { name: 'com/acme/etl/Main.class', data: body };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

function timeProcess(cmd: string, args: string[]): number | undefined {
  const t = performance.now();
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 20 });
  const ms = performance.now() - t;
  if (r.error || r.status !== 0) {
    console.log(`  ${cmd} failed: ${r.error?.message ?? r.stderr.toString().trim().split('\n')[0]}`);
    return undefined;
  }
  return ms;
}

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

async function measure(jar: string): Promise<boolean> {
  const size = statSync(jar).size;
  console.log(
    `JAR: ${CLASSES.toLocaleString('en-US')} classes + ${BLOBS} × ${BLOB_MB} MB stored blobs, ${(size / MB).toFixed(1)} MB, zip64`,
  );

  gc();
  const baseRss = process.memoryUsage().rss;
  const times: number[] = [];
  const cpu: number[] = [];
  const headerMs: number[] = [];
  const runtimeMs: number[] = [];
  let findings = -1;
  let lastFindings: unknown;
  let entries = 0;
  for (let i = 0; i < VERIFY_RUNS; i++) {
    const c = process.cpuUsage();
    const t = performance.now();
    const r = await verifyJar(jar, { javaRelease: 17 });
    times.push(performance.now() - t);
    const used = process.cpuUsage(c);
    cpu.push((used.user + used.system) / 1000);
    findings = r.findings.length;
    lastFindings = r.findings;
    entries = r.facts.entries;
    const rt = r.facts.runtime;
    if (rt) {
      headerMs.push(rt.classReleases.ms);
      runtimeMs.push(rt.classReleases.ms + rt.scala.ms + (rt.link?.ms ?? 0));
    }
    gc();
  }
  // ru_maxrss is the kernel's high-water mark of this process, in KiB.
  const rssGrowth = Math.max(0, process.resourceUsage().maxRSS * 1024 - baseRss);
  if (findings !== 0 || entries !== CLASSES + BLOBS + 2) {
    console.log(`  unexpected result: ${findings} findings, ${entries} entries`, lastFindings);
    return false;
  }

  const jarTf = [...Array(TOOL_RUNS)].map(() => timeProcess('jar', ['tf', jar]));
  const unzipP = [...Array(TOOL_RUNS)].map(() => timeProcess('unzip', ['-p', jar, 'META-INF/MANIFEST.MF']));
  const hash: number[] = [];
  for (let i = 0; i < HASH_RUNS; i++) {
    const t = performance.now();
    await sha256File(jar);
    hash.push(performance.now() - t);
  }

  const v = median(times);
  const tf = jarTf.every((x) => x !== undefined) ? median(jarTf as number[]) : undefined;
  const up = unzipP.every((x) => x !== undefined) ? median(unzipP as number[]) : undefined;
  const h = median(hash);
  const ratio = tf === undefined ? undefined : tf / v;
  const central = v - median(runtimeMs);
  const ms = (x: number | undefined) => (x === undefined ? 'n/a' : `${x.toFixed(1)} ms`);
  const rows: [string, string, string][] = [
    [`verifyJar in process, all rules, no hash (median of ${VERIFY_RUNS})`, ms(v), `≤ ${TARGET.verifyMs} ms`],
    [
      `  of which the Java release of all ${CLASSES.toLocaleString('en-US')} class headers (median)`,
      ms(median(headerMs)),
      '',
    ],
    ['  without the class headers, Scala and link checks (median)', ms(central), `≤ ${TARGET.centralMs} ms`],
    ['verifyJar CPU time, user + system (median)', ms(median(cpu)), ''],
    ['verifyJar first run (cold JIT)', ms(times[0]), ''],
    ['verifyJar min / max', `${ms(Math.min(...times))} / ${ms(Math.max(...times))}`, ''],
    ['peak RSS growth during verify', `${(rssGrowth / MB).toFixed(1)} MB`, `≤ ${TARGET.rssMb} MB`],
    [`jar tf, whole process (median of ${TOOL_RUNS})`, ms(tf), ''],
    [`unzip -p jar META-INF/MANIFEST.MF, whole process (median of ${TOOL_RUNS})`, ms(up), ''],
    [
      `SHA-256 of the JAR (median of ${HASH_RUNS})`,
      `${ms(h)} = ${(size / MB / (h / 1000)).toFixed(0)} MB/s`,
      'disk/hash speed',
    ],
    ['ratio jar tf / verifyJar', ratio === undefined ? 'n/a' : `${ratio.toFixed(1)}×`, ''],
  ];
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length));
  console.log(`\n| ${'measure'.padEnd(w0)} | ${'result'.padEnd(w1)} | target |`);
  console.log(`|${'-'.repeat(w0 + 2)}|${'-'.repeat(w1 + 2)}|--------|`);
  for (const [a, b, c] of rows) console.log(`| ${a.padEnd(w0)} | ${b.padEnd(w1)} | ${c} |`);

  const met = v <= TARGET.verifyMs && central <= TARGET.centralMs && rssGrowth <= TARGET.rssMb * MB;
  console.log(`\ntargets ${met ? 'met' : 'MISSED'}`);
  return met;
}

async function main(): Promise<void> {
  if (process.argv[2] === '--generate') {
    writeZip(process.argv[3] as string, entries());
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'verify-bench-'));
  const jar = join(dir, 'fat-assembly.jar');
  const cleanup = () => rmSync(dir, { recursive: true, force: true });
  process.on('SIGINT', () => {
    cleanup();
    process.exit(130);
  });
  try {
    const t = performance.now();
    const gen = spawnSync(process.execPath, [process.argv[1] as string, '--generate', jar], {
      stdio: 'inherit',
    });
    if (gen.status !== 0) throw new Error('generating the JAR failed');
    console.log(`generated in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    process.exitCode = (await measure(jar)) ? 0 : 1;
  } finally {
    cleanup();
  }
}

await main();
