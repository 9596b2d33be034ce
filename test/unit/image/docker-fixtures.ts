// Shared by the docker-path tests: a Plan for the image stage, and a stand-in `docker` executable (no
// Docker engine runs here) that records every call and answers the way docker and buildx do.
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Plan } from '../../../src/plan/plan.js';
import { basePlan, runContext } from '../../helpers/plan.js';

export { SHA } from '../../helpers/plan.js';

/** PlanOptions are the parts of a run the image settings depend on. */
export interface PlanOptions {
  ref?: string;
  refName?: string;
  sha?: string;
  environment?: string;
  image?: Record<string, unknown>;
  spark?: { version?: string; scalaVersion?: '2.12' | '2.13'; javaRelease?: number };
  app?: Record<string, unknown>;
  workingDirectory?: string;
  dryRun?: boolean;
}

/** makePlan returns the Plan of an image run for acme/etl (repository ghcr.io/acme/etl unless given). */
export function makePlan(o: PlanOptions = {}): Plan {
  const wd = o.workingDirectory ?? '/ws';
  return {
    ...basePlan(wd),
    stages: ['image'],
    javaRelease: o.spark?.javaRelease ?? 17,
    dryRun: o.dryRun ?? false,
    ...(o.environment ? { environment: o.environment } : {}),
    config: {
      app: { name: 'etl', mainClass: 'com.etl.Main', mode: 'batch', healthyAfter: 60, ...o.app },
      spark: { version: '3.5.6', scalaVersion: '2.12', javaRelease: 17, ...o.spark },
      image: { repository: 'ghcr.io/acme/etl', ...o.image },
    } as Plan['config'],
    context: runContext(wd, {
      ...(o.sha ? { sha: o.sha } : {}),
      ...(o.ref ? { ref: o.ref } : {}),
      ...(o.refName ? { refName: o.refName } : {}),
    }),
  };
}

/** DockerCall is one invocation of the stand-in, as it recorded it. */
export interface DockerCall {
  argv: string[];
  env: Record<string, string | undefined>;
  /** What arrived on stdin (only `login` reads it). */
  stdin?: string;
  /** buildx build: the Dockerfile it was given, the files of the context, the digest it wrote. */
  dockerfile?: string;
  context?: Record<string, string>;
  digest?: string;
  /** buildx build: the auths in $DOCKER_CONFIG/config.json at build time (what a push would use). */
  auths?: string[];
}

/** Environment variables the stand-in reads, set by each test. */
export interface FakeDockerEnv {
  FAKE_DOCKER_LOG: string;
  /** Which call fails: build, login or inspect. */
  FAKE_DOCKER_FAIL?: string;
  /** Driver `docker buildx inspect` reports (default docker-container). */
  FAKE_DOCKER_DRIVER?: string;
  /** The password `docker login` accepts. */
  FAKE_DOCKER_PASSWORD?: string;
}

// Plain CommonJS run by the test's own node; it must not depend on anything outside node itself.
const SCRIPT = String.raw`
const fs = require('node:fs');
const path = require('node:path');
const crypto = require('node:crypto');
const argv = process.argv.slice(2);
const env = process.env;
const keep = ['SOURCE_DATE_EPOCH', 'DOCKER_CONFIG', 'BUILDX_CONFIG', 'ACTIONS_CACHE_URL', 'ACTIONS_RESULTS_URL'];
const call = { argv, env: Object.fromEntries(keep.map((k) => [k, env[k]])) };
const record = () => fs.appendFileSync(env.FAKE_DOCKER_LOG, JSON.stringify(call) + '\n');
const fail = (lines, code = 1) => { record(); process.stderr.write(lines.join('\n') + '\n'); process.exit(code); };
const flag = (name) => { const i = argv.indexOf(name); return i === -1 ? undefined : argv[i + 1]; };
const cmd = argv.slice(0, argv[0] === 'buildx' ? 2 : 1).join(' ');
if (cmd === 'info') { record(); process.stdout.write('Client:\n Context: default\nServer:\n Server Version: 27.5.1\n'); }
else if (cmd === 'buildx version') { record(); process.stdout.write('github.com/docker/buildx v0.20.1 8e7d5e9\n'); }
else if (cmd === 'buildx inspect') {
  if (env.FAKE_DOCKER_FAIL === 'inspect') fail(['ERROR: no builder "ci" found']);
  record();
  process.stdout.write('Name:          ci\nDriver:        ' + (env.FAKE_DOCKER_DRIVER || 'docker-container') +
    '\nLast Activity: 2026-12-03 08:00:00 +0000 UTC\n\nNodes:\nName:      ci0\nEndpoint:  unix:///var/run/docker.sock\nStatus:    running\nBuildKit version: v0.18.2\nPlatforms: linux/amd64, linux/386\n');
}
else if (cmd === 'login') {
  call.stdin = fs.readFileSync(0, 'utf8');
  const server = argv.find((a, i) => i > 0 && !a.startsWith('--') && argv[i - 1] !== '--username') || 'https://index.docker.io/v1/';
  if (env.FAKE_DOCKER_FAIL === 'login' || call.stdin.trim() !== env.FAKE_DOCKER_PASSWORD)
    fail(['Error response from daemon: Get "https://' + server + '/v2/": unauthorized: incorrect username or password']);
  const file = path.join(env.DOCKER_CONFIG, 'config.json');
  const config = JSON.parse(fs.readFileSync(file, 'utf8'));
  config.auths = { ...config.auths, [server]: { auth: Buffer.from(flag('--username') + ':' + call.stdin.trim()).toString('base64') } };
  fs.writeFileSync(file, JSON.stringify(config));
  record();
  process.stdout.write('Login Succeeded\n');
}
else if (cmd === 'buildx build') {
  const context = argv[argv.length - 1];
  const dockerfile = fs.readFileSync(flag('--file'), 'utf8');
  call.dockerfile = dockerfile;
  call.context = {};
  const hash = crypto.createHash('sha256').update(dockerfile);
  // Top-level files only: enough to see what a generated context holds.
  for (const name of fs.readdirSync(context).sort()) {
    if (!fs.statSync(path.join(context, name)).isFile()) continue;
    const data = fs.readFileSync(path.join(context, name));
    call.context[name] = crypto.createHash('sha256').update(data).digest('hex');
    hash.update(name).update(data);
  }
  try {
    call.auths = Object.keys(JSON.parse(fs.readFileSync(path.join(env.DOCKER_CONFIG || '/nonexistent', 'config.json'), 'utf8')).auths || {});
  } catch { call.auths = []; }
  const log = (s) => process.stderr.write(s + '\n');
  log('#0 building with "ci" instance using docker-container driver');
  log('');
  log('#1 [internal] load build definition from ' + path.basename(flag('--file')));
  log('#1 transferring dockerfile: ' + dockerfile.length + 'B done');
  log('#1 DONE 0.0s');
  log('');
  for (let i = 0; i < 30; i++) log('#2 [internal] load metadata for docker.io/apache/spark ' + i);
  if (env.FAKE_DOCKER_FAIL === 'build')
    fail([
      '#5 [2/2] COPY --chmod=0644 ["etl.jar", "/app/etl.jar"]',
      '#5 ERROR: failed to calculate checksum of ref 6f1c::q2: "/etl.jar": not found',
      '------',
      ' > [2/2] COPY --chmod=0644 ["etl.jar", "/app/etl.jar"]:',
      '------',
      'Dockerfile:5',
      'ERROR: failed to solve: failed to compute cache key: failed to calculate checksum of ref 6f1c::q2: "/etl.jar": not found',
    ]);
  const digest = 'sha256:' + hash.digest('hex');
  call.digest = digest;
  const config = 'sha256:' + crypto.createHash('sha256').update(digest).digest('hex');
  fs.writeFileSync(flag('--metadata-file'), JSON.stringify({
    'buildx.build.ref': 'ci/ci0/q2mxyl0bx8b4xzvzd4f3jq0mx',
    'containerimage.config.digest': config,
    'containerimage.descriptor': { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest, size: 1045 },
    'containerimage.digest': digest,
    'image.name': argv.filter((a, i) => argv[i - 1] === '--tag').join(','),
  }, null, 2));
  log('#9 exporting to image');
  log('#9 pushing layers 0.4s done');
  log('#9 DONE 0.6s');
  record();
}
else fail(['docker: unknown command: docker ' + argv.join(' ')]);
`;

/** writeFakeDocker writes the stand-in as <dir>/docker (run by this node) and returns its path. */
export function writeFakeDocker(dir: string): string {
  const file = join(dir, 'docker');
  writeFileSync(file, `#!${process.execPath}\n${SCRIPT}`);
  chmodSync(file, 0o755);
  return file;
}

/** dockerCalls reads what the stand-in recorded, in order. */
export function dockerCalls(log: string): DockerCall[] {
  if (!existsSync(log)) return [];
  return readFileSync(log, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as DockerCall);
}
