// Canaries for the redaction end-to-end tests: a distinct, unguessable-looking value per door (config
// secret, REST header, registry password, AWS keys, Kubernetes token, GitHub token), and `leaks`, which
// looks for any of them everywhere text leaves the action: the log (the runner's own ::add-mask:: lines
// aside), the post step, the summary, the outputs, saved state, GitHub request bodies and every file
// under the run's temp dir (RUNNER_TEMP).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ActionRun } from './run-action.js';

/** canary makes a value for one door. */
export const canary = (door: string) => `cnry-${door}-5f0c2a9e`;

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = statSync(p, { throwIfNoEntry: false });
    if (!st) continue;
    if (st.isDirectory()) out.push(...filesUnder(p));
    else if (st.isFile() && st.size < 64 * 1024 * 1024) out.push(p);
  }
  return out;
}

/** leaks lists `<place>: <canary>` for every canary found where it must not be (read before r.dir is removed). */
export function leaks(
  r: ActionRun,
  canaries: readonly string[],
  githubBodies: readonly string[] = [],
): string[] {
  const places: [string, string][] = [
    [
      'log',
      r.stdout
        .split('\n')
        .filter((l) => !l.startsWith('::add-mask::'))
        .join('\n'),
    ],
    ['stderr', r.stderr],
    [
      'post log',
      r.post.stdout
        .split('\n')
        .filter((l) => !l.startsWith('::add-mask::'))
        .join('\n'),
    ],
    ['summary', r.summary],
    ['outputs', JSON.stringify(r.outputs)],
    ['state', JSON.stringify(r.state)],
    ...githubBodies.map((b, i): [string, string] => [`GitHub request ${i}`, b]),
    ...filesUnder(r.dir).map((f): [string, string] => [
      `file ${f.slice(r.dir.length)}`,
      readFileSync(f, 'latin1'),
    ]),
  ];
  const found: string[] = [];
  for (const [place, text] of places)
    for (const c of canaries) if (text.includes(c)) found.push(`${place}: ${c}`);
  return found;
}
