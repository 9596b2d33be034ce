// Typed wrapper around scripts/run-action.mjs, which runs dist/index.js and dist/post/index.js exactly as
// a runner does.
// @ts-expect-error: plain ESM script without type declarations.
import { actionNode as node, runAction as run } from '../../scripts/run-action.mjs';

export interface ActionRun {
  code: number;
  stdout: string;
  stderr: string;
  post: { code: number; stdout: string; stderr: string };
  outputs: Record<string, string>;
  state: Record<string, string>;
  summary: string;
  dir: string;
}

export interface ActionRunOptions {
  inputs?: Record<string, string>;
  workspace?: string;
  env?: Record<string, string>;
  event?: unknown;
  eventName?: string;
  onOutput?: (text: string) => void;
  signal?: AbortSignal;
}

/** actionNode is the Node 24 binary that runs the bundle, as on a runner. */
export const actionNode = node as () => string;

/** runAction runs the bundled action (main, then post) with the given inputs. */
export const runAction = run as (opts: ActionRunOptions) => Promise<ActionRun>;

/** annotations lists the workflow-command annotations a run printed. */
export function annotations(
  out: string,
): { level: string; props: Record<string, string>; message: string }[] {
  const list: { level: string; props: Record<string, string>; message: string }[] = [];
  for (const line of out.split('\n')) {
    const m = /^::(error|warning|notice)(?: ([^:]*))?::(.*)$/.exec(line);
    if (!m) continue;
    const props: Record<string, string> = {};
    for (const kv of (m[2] ?? '').split(',').filter(Boolean)) {
      const at = kv.indexOf('=');
      props[kv.slice(0, at)] = decodeURIComponent(kv.slice(at + 1));
    }
    list.push({ level: m[1] ?? '', props, message: decodeURIComponent(m[3] ?? '') });
  }
  return list;
}

/** failure is the message the main step failed with (its `::error::` lines, decoded). */
export function failure(r: { stdout: string }): string {
  return r.stdout
    .split('\n')
    .filter((l) => l.startsWith('::error::'))
    .map((l) => decodeURIComponent(l.slice('::error::'.length).replace(/%0A/g, '\n')))
    .join('\n');
}
