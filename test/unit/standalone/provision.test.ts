// The Spark client: found on PATH or in SPARK_HOME, else fetched (pinned by sha1) into the tool cache once.
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  defaultSparkSubmit,
  type LockedJar,
  lockedJars,
  pinnedClient,
  provisionSparkClient,
  toolCacheRoot,
} from '../../../src/targets/standalone/provision.js';
import { locateSparkSubmit } from '../../../src/targets/standalone/spark-client.js';

const files: Record<string, Buffer> = {
  'org/example/a/1.0/a-1.0.jar': Buffer.from('jar a'),
  'org/example/b/2.0/b-2.0.jar': Buffer.from('jar b, a bit longer'),
};
const sha1 = (b: Buffer) => createHash('sha1').update(b).digest('hex');
const jars: LockedJar[] = Object.entries(files).map(([path, b]) => ({ path, sha1: sha1(b), size: b.length }));

let server: Server;
let repo = '';
let requests: string[] = [];
let dir = '';
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'provision-test-'));
  server = createServer((req, res) => {
    const path = (req.url ?? '').replace(/^\/maven2\//, '');
    requests.push(path);
    const body = files[path];
    res.writeHead(body ? 200 : 404);
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  repo = `http://127.0.0.1:${(server.address() as AddressInfo).port}/maven2`;
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await new Promise((r) => server.close(r));
});

const input = (cacheRoot: string, over: Partial<Parameters<typeof provisionSparkClient>[0]> = {}) => ({
  version: '9.9.9',
  scala: '2.12',
  jars,
  repo,
  cacheRoot,
  fetch: (i: string, n?: RequestInit) => fetch(i, n),
  env: { JAVA_HOME: '/opt/jdk' },
  log: () => {},
  ...over,
});

describe('provisionSparkClient', () => {
  it('fetches the pinned jars once, verifies them, and reuses the cache', async () => {
    requests = [];
    const cache = join(dir, 'cold');
    const logs: string[] = [];
    const cmd = await provisionSparkClient(input(cache, { log: (m) => logs.push(m) }));
    const jarsDir = join(cache, 'spark-client/9.9.9-scala2.12/jars');
    expect(readdirSync(jarsDir).sort()).toEqual(['a-1.0.jar', 'b-2.0.jar']);
    expect(cmd.command).toBe('/opt/jdk/bin/java');
    expect(cmd.args.slice(-3)).toEqual(['-cp', join(jarsDir, '*'), 'org.apache.spark.deploy.SparkSubmit']);
    expect(cmd.client.args.at(-1)).toBe('org.apache.spark.deploy.Client');
    expect(cmd.args).toContain('--add-opens=java.base/sun.nio.ch=ALL-UNNAMED');
    expect(logs.join('\n')).toMatch(/fetching the Spark 9\.9\.9 client \(2 jars/);
    expect(requests.sort()).toEqual(Object.keys(files).sort());
    requests = [];
    await provisionSparkClient(input(cache));
    expect(requests).toEqual([]);
  });

  it('a jar whose sha1 differs is refused and nothing is cached', async () => {
    const cache = join(dir, 'bad');
    const wrong = jars.map((j, i) => (i === 1 ? { ...j, sha1: '0'.repeat(40) } : j));
    await expect(provisionSparkClient(input(cache, { jars: wrong }))).rejects.toThrow(
      /b-2\.0\.jar has sha1 [0-9a-f]{40}, the pinned client expects 0{40}; not used/,
    );
    expect(existsSync(join(cache, 'spark-client/9.9.9-scala2.12'))).toBe(false);
    expect(readdirSync(join(cache, 'spark-client'))).toEqual([]);
  });

  it('a missing jar is an error naming its URL', async () => {
    const missing = [...jars, { path: 'org/example/c/1/c-1.jar', sha1: 'x', size: 1 }];
    await expect(provisionSparkClient(input(join(dir, 'missing'), { jars: missing }))).rejects.toThrow(
      /fetching the Spark client failed: http:\/\/127\.0\.0\.1:\d+\/maven2\/org\/example\/c\/1\/c-1\.jar: HTTP 404/,
    );
  });

  it('an unpinned Spark version is refused with what to do', async () => {
    const { jars: _, ...rest } = input(join(dir, 'none'), { version: '1.2.3' });
    await expect(provisionSparkClient(rest)).rejects.toThrow(
      /pins no Spark client for Spark 1\.2\.3 \(Scala 2\.12\); it pins .*3\.5\.6_2\.12.*set SPARK_HOME/,
    );
  });

  it('the lock pins Spark 3.5.6 for Scala 2.12 with spark-core and a sha1 per jar', () => {
    const locked = lockedJars('3.5.6', '2.12') ?? [];
    expect(locked.some((j) => j.path.endsWith('spark-core_2.12-3.5.6.jar'))).toBe(true);
    expect(locked.every((j) => /^[0-9a-f]{40}$/.test(j.sha1))).toBe(true);
  });

  it('a version without its own pin uses the newest pinned patch release of its line, same Scala', () => {
    expect(pinnedClient('3.5.6', '2.12')?.version).toBe('3.5.6');
    expect(pinnedClient('3.5.1', '2.12')?.version).toBe('3.5.6');
    expect(pinnedClient('3.5.1', '2.13')?.version).toBe('3.5.6');
    expect(pinnedClient('4.0.0', '2.13')?.version).toBe('4.0.1');
    expect(pinnedClient('4.0.0', '2.12')).toBeUndefined();
    expect(pinnedClient('3.3.2', '2.12')).toBeUndefined();
  });

  it('the tool cache is RUNNER_TOOL_CACHE, else XDG_CACHE_HOME or ~/.cache', () => {
    expect(toolCacheRoot({ RUNNER_TOOL_CACHE: '/opt/hostedtoolcache' })).toBe(
      '/opt/hostedtoolcache/spark-deploy-action',
    );
    expect(toolCacheRoot({ XDG_CACHE_HOME: '/c' })).toBe('/c/spark-deploy-action');
  });
});

describe('locateSparkSubmit', () => {
  it('prefers spark-submit on PATH, with spark-class beside it for the client', () => {
    const bin = join(dir, 'bin');
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, 'spark-submit'), '#!/bin/sh\n');
    chmodSync(join(bin, 'spark-submit'), 0o755);
    const found = locateSparkSubmit({ PATH: `/nonexistent:${bin}` });
    expect(found).toMatchObject({ command: join(bin, 'spark-submit'), args: [] });
    expect(found?.client).toEqual({
      command: join(bin, 'spark-class'),
      args: ['org.apache.spark.deploy.Client'],
    });
  });

  it('runs SPARK_HOME/jars through java when there is no bin', () => {
    const home = join(dir, 'home');
    mkdirSync(join(home, 'jars'), { recursive: true });
    writeFileSync(join(home, 'jars/spark-core_2.12-3.5.6.jar'), '');
    const found = locateSparkSubmit({ PATH: '/nonexistent', SPARK_HOME: home });
    expect(found?.command).toBe('java');
    expect(found?.args.slice(-2)).toEqual([join(home, 'jars/*'), 'org.apache.spark.deploy.SparkSubmit']);
    expect(locateSparkSubmit({ PATH: '/nonexistent' })).toBeUndefined();
  });

  it('without any, defaultSparkSubmit provisions into the tool cache', async () => {
    await expect(
      defaultSparkSubmit(
        { version: '1.2.3', scala: '2.12' },
        {
          fetch: (i, n) => fetch(i, n),
          log: () => {},
          env: { PATH: '/nonexistent', RUNNER_TOOL_CACHE: dir },
        },
      ),
    ).rejects.toThrow(/pins no Spark client for Spark 1\.2\.3/);
  });
});
