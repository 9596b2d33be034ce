/**
 * What every workflow scenario needs: the tools (act, Node 24, sbt), the real local Spark, the deploy config
 * of the example adapted to it, and a look at the master's applications.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { parseDocument } from 'yaml';
import { component, httpOk, installedTool } from '../components.js';
import { root } from './consumer.js';

export const REST = process.env.SPARK_REST_URL ?? 'http://127.0.0.1:6066';
export const UI = process.env.SPARK_MASTER_UI_URL ?? 'http://127.0.0.1:8080';

export interface Tools {
  act: string;
  nodeBin: string;
  sbtBin: string;
}

/** tools finds act, Node 24 and sbt; undefined (local runs) or a thrown error (CI) when one is missing. */
export function tools(): Tools | undefined {
  const act = installedTool('act');
  if (!component('act', () => act !== undefined, 'run `bash scripts/install-act.sh`')) return undefined;
  if (
    !component(
      'local Spark (REST on)',
      () => httpOk(`${UI}/json/`) && httpOk(REST),
      `none answers at ${REST}: scripts/test.sh starts the act workflows' own cluster there (SPARK_REST_URL and SPARK_MASTER_UI_URL name another)`,
    )
  )
    return undefined;
  const sh = (script: string, ...args: string[]) =>
    execFileSync('bash', [join(root, 'scripts', script), ...args], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  let sbtBin = '';
  let node = '';
  try {
    sbtBin = sh('install-sbt.sh', '--print-path', '--quiet');
    node = sh('install-node.sh');
  } catch {
    // reported just below
  }
  if (!component('sbt and Node 24', () => sbtBin !== '' && node !== '', 'run `bash scripts/setup.sh`'))
    return undefined;
  return { act: act as string, nodeBin: dirname(node), sbtBin };
}

type Doc = ReturnType<typeof parseDocument>;

/**
 * onLocalSpark points environment `env` of the example deploy config at the local standalone cluster, as a
 * user points it at theirs: the example's `local` environment (small resources, the JAR staged locally, the
 * driver reading its config by absolute path) with the masters and web UI of this machine's cluster, and
 * the app named per scenario so the master's application list tells the scenarios apart.
 */
export function onLocalSpark(doc: Doc, env: string, appName: string): void {
  const local = doc.getIn(['environments', 'local']) as
    | { clone(): unknown; delete(k: string): void }
    | undefined;
  if (!local) throw new Error('the example deploy config has no `local` environment any more');
  const copy = local.clone() as { delete(k: string): void };
  copy.delete('image');
  doc.setIn(['environments', env], copy);
  doc.setIn(['environments', env, 'standalone', 'masters'], [REST]);
  doc.setIn(['environments', env, 'standalone', 'webUi'], UI);
  doc.setIn(['environments', env, 'app', 'name'], appName);
  doc.setIn(['environments', env, 'app', 'args'], ['--config', `{{working_directory}}/${ACT_CONFIG}`]);
  doc.setIn(['environments', env, 'app', 'configFile'], ACT_CONFIG);
}

/**
 * ACT_CONFIG is the app config the scenarios run: the shipped configs/local.json (which the app's own tests
 * pin) copied with its output under the scenario's directory (tests write only to temp dirs).
 */
export const ACT_CONFIG = 'configs/act.json';

/** writeAppConfig writes ACT_CONFIG with the output in `dir` (and another input path, to make the app fail). */
export function writeAppConfig(repo: string, dir: string, inputPath?: string): void {
  const cfg = JSON.parse(readFileSync(join(repo, 'configs/local.json'), 'utf8')) as {
    name: string;
    input: { path: string };
    output: { path: string };
  };
  cfg.name = 'customer-revenue-act';
  cfg.output.path = dir;
  if (inputPath) cfg.input.path = inputPath;
  writeFileSync(join(repo, ACT_CONFIG), `${JSON.stringify(cfg, null, 2)}\n`);
}

interface MasterJson {
  activeapps: { id: string; name: string }[];
  completedapps: { id: string; name: string; state: string }[];
  activedrivers: { id: string; state: string }[];
}

/** apps lists the master's applications of one name (running and completed). */
export async function apps(
  name: string,
): Promise<{ active: string[]; completed: { id: string; state: string }[] }> {
  const res = await fetch(`${UI}/json/`, { signal: AbortSignal.timeout(5000) });
  const m = (await res.json()) as MasterJson;
  return {
    active: m.activeapps.filter((a) => a.name === name).map((a) => a.id),
    completed: m.completedapps.filter((a) => a.name === name).map((a) => ({ id: a.id, state: a.state })),
  };
}
