// Benchmark of the daemonless oci builder against the real local registry (scripts/local-registry.sh
// start): push of an image whose app layer holds a 200 MB JAR of random (incompressible) bytes, side by side
// with `skopeo copy` of the same image from an OCI layout to a fresh repository, then an unchanged re-push.
// Run: npm run bench -- image
//
// Each round makes a fresh JAR (new random bytes), so no repository already has its layer and neither tool
// can skip the upload: not ours by HEAD, not skopeo by mounting from a location its blob-info cache
// remembers. Per round: our builder writes the image as an OCI layout (push: false; untimed), skopeo copies
// that layout to one fresh repository, and our builder pushes from the JAR (building the layer included)
// to another; the order alternates between rounds. The re-push runs the same build again against the
// repository that has everything. The registry's storage keeps each round's 200 MB layer (blobs are
// removed only by its garbage collector); the temp dir is deleted.
import { spawnSync } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildOciImage, type OciBuildOptions } from '../src/image/oci-builder.js';
import { component, hasCommand, httpOk } from '../test/helpers/components.js';
import { LOCAL_REGISTRY, pushSyntheticBase } from '../test/helpers/registry.js';

const JAR_MB = Number(process.env.BENCH_JAR_MB ?? 200);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const REPUSH_RUNS = 9;
const TARGET = { ratio: 1.3, repushMs: 500 };
const MB = 1024 * 1024;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

function writeRandomJar(path: string): void {
  const fd = openSync(path, 'w');
  const buf = Buffer.alloc(8 * MB);
  try {
    for (let left = JAR_MB * MB; left > 0; left -= buf.length) {
      randomFillSync(buf);
      writeSync(fd, buf, 0, Math.min(left, buf.length));
    }
  } finally {
    closeSync(fd);
  }
}

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

async function main(): Promise<boolean> {
  const up = component(
    'local registry',
    () => httpOk(`http://${LOCAL_REGISTRY}/v2/`),
    'run `bash scripts/local-registry.sh start`',
  );
  const sk = component('skopeo', () => hasCommand('skopeo', ['--version']), 'apt-get install skopeo');
  if (!up || !sk) return true;
  const id = `${process.pid}-${Date.now().toString(36)}`;
  const dir = mkdtempSync(join(tmpdir(), 'image-bench-'));
  try {
    const base = await pushSyntheticBase({ registry: LOCAL_REGISTRY, repo: `bench/base-${id}`, tag: '1' });
    const jar = join(dir, 'etl-assembly.jar');
    const options = (repository: string, o: Partial<OciBuildOptions> = {}): OciBuildOptions => ({
      base: base.reference,
      repository,
      tags: ['bench'],
      platform: { os: 'linux', architecture: 'amd64' },
      appDir: '/app',
      files: [{ imagePath: '/app/etl-assembly.jar', hostPath: jar, from: 'the JAR' }],
      labels: { 'org.opencontainers.image.revision': id },
      env: { SPARK_APP_JAR: '/app/etl-assembly.jar' },
      created: '2024-01-01T00:00:00Z',
      push: true,
      ...o,
    });
    const ours: number[] = [];
    const oursCpu: number[] = [];
    const load = loadavg()[0] ?? 0;
    const theirs: number[] = [];
    let layerSize = 0;
    let lastRepo = '';
    let lastDigest = '';
    for (let round = 0; round < ROUNDS; round++) {
      writeRandomJar(jar);
      const layout = join(dir, `layout-${round}`);
      const built = await buildOciImage(
        options(`${LOCAL_REGISTRY}/bench/layout`, { push: false, layoutDir: layout }),
      );
      layerSize = built.layer.size;
      gc();
      const runSkopeo = () => {
        const t = performance.now();
        const r = spawnSync(
          'skopeo',
          [
            'copy',
            '--quiet',
            '--dest-tls-verify=false',
            `oci:${layout}:bench`,
            `docker://${LOCAL_REGISTRY}/bench/skopeo-${id}-${round}:bench`,
          ],
          { stdio: ['ignore', 'ignore', 'pipe'] },
        );
        if (r.status !== 0) throw new Error(`skopeo copy failed: ${r.stderr.toString().trim()}`);
        theirs.push(performance.now() - t);
      };
      const runOurs = async () => {
        const repo = `${LOCAL_REGISTRY}/bench/ours-${id}-${round}`;
        const c = process.cpuUsage();
        const t = performance.now();
        const r = await buildOciImage(options(repo));
        ours.push(performance.now() - t);
        const used = process.cpuUsage(c);
        oursCpu.push((used.user + used.system) / 1000);
        if (r.digest !== built.digest) throw new Error(`pushed ${r.digest}, layout has ${built.digest}`);
        if (r.transfer.uploadedBytes < JAR_MB * MB) throw new Error('the layer was not uploaded');
        lastRepo = repo;
        lastDigest = r.digest;
        gc();
      };
      if (round % 2 === 0) {
        runSkopeo();
        await runOurs();
      } else {
        await runOurs();
        runSkopeo();
      }
      rmSync(layout, { recursive: true, force: true });
      console.log(
        `round ${round + 1}: ours ${(ours.at(-1) ?? 0).toFixed(0)} ms, skopeo copy ${(theirs.at(-1) ?? 0).toFixed(0)} ms`,
      );
    }
    const repush: number[] = [];
    const repushCpu: number[] = [];
    for (let i = 0; i < REPUSH_RUNS; i++) {
      const c = process.cpuUsage();
      const t = performance.now();
      const r = await buildOciImage(options(lastRepo));
      repush.push(performance.now() - t);
      // All threads of this process (the diff_id worker too): the cost apart from waiting for a core.
      const used = process.cpuUsage(c);
      repushCpu.push((used.user + used.system) / 1000);
      if (r.digest !== lastDigest || r.transfer.uploadedBytes !== 0)
        throw new Error(`re-push changed something: ${r.digest}, ${r.transfer.uploadedBytes} bytes uploaded`);
      gc();
    }
    const o = median(ours);
    const s = median(theirs);
    const rp = median(repush);
    const ms = (x: number) => `${x.toFixed(0)} ms`;
    const rows: [string, string, string][] = [
      [`app layer (one ${JAR_MB} MB JAR of random bytes)`, `${(layerSize / MB).toFixed(1)} MB`, ''],
      [`ours: build layer + push, fresh repository (median of ${ROUNDS})`, ms(o), ''],
      [`skopeo copy oci: layout -> fresh repository (median of ${ROUNDS})`, ms(s), ''],
      ['ratio ours / skopeo', `${(o / s).toFixed(2)}×`, `≤ ${TARGET.ratio}×`],
      [`ours: unchanged re-push (median of ${REPUSH_RUNS})`, ms(rp), `≤ ${TARGET.repushMs} ms`],
      ['re-push min / max', `${ms(Math.min(...repush))} / ${ms(Math.max(...repush))}`, ''],
      [
        'ours: CPU time of a push / a re-push, all threads (median)',
        `${ms(median(oursCpu))} / ${ms(median(repushCpu))}`,
        '',
      ],
      [
        '1-minute load average at start / end',
        `${load.toFixed(1)} / ${(loadavg()[0] ?? 0).toFixed(1)}`,
        `${cpus().length} cores`,
      ],
      ['peak RSS of this process', `${((process.resourceUsage().maxRSS * 1024) / MB).toFixed(0)} MB`, ''],
    ];
    const w0 = Math.max(...rows.map((r) => r[0].length));
    const w1 = Math.max(...rows.map((r) => r[1].length));
    console.log(`\n| ${'measure'.padEnd(w0)} | ${'result'.padEnd(w1)} | target |`);
    console.log(`|${'-'.repeat(w0 + 2)}|${'-'.repeat(w1 + 2)}|--------|`);
    for (const [a, b, c] of rows) console.log(`| ${a.padEnd(w0)} | ${b.padEnd(w1)} | ${c} |`);
    const met = o <= TARGET.ratio * s && rp <= TARGET.repushMs;
    console.log(`\ntargets ${met ? 'met' : 'MISSED'}`);
    return met;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

process.exitCode = (await main()) ? 0 : 1;
