// The act harness's static parts (test/helpers/act/): the workflow copy act accepts differs from the shipped
// workflow only by `deployment: false`, and every action the workflows pin has a stand-in, so a newly pinned
// action fails here, not half-way through an e2e run.
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { FIRST_PARTY, pinnedActions, STAND_INS } from '../helpers/act/run-act.js';
import { forAct } from '../helpers/act/workflows.js';

const root = resolve(import.meta.dirname, '../..');
const files = ['.github/workflows', 'examples/workflows'].flatMap((d) =>
  readdirSync(join(root, d))
    .filter((f) => f.endsWith('.yml'))
    .map((f) => join(root, d, f)),
);

/** withoutDeploymentFalse drops `deployment: false` from each job's environment of a parsed workflow. */
function withoutDeploymentFalse(wf: { jobs: Record<string, { environment?: unknown }> }) {
  for (const job of Object.values(wf.jobs)) {
    const env = job.environment as { deployment?: unknown } | undefined;
    if (env && typeof env === 'object' && env.deployment === false) delete env.deployment;
  }
  return wf;
}

describe('act harness', () => {
  it.each(files.map((f) => [f.slice(root.length + 1), f]))(
    '%s: forAct removes only `deployment: false`',
    (_n, f) => {
      const text = readFileSync(f, 'utf8');
      const copy = forAct(text);
      expect(copy).not.toMatch(/^\s+deployment:\s*false/m);
      expect(parse(copy)).toEqual(withoutDeploymentFalse(parse(text)));
    },
  );

  it('has a stand-in for every third-party action the workflows pin', () => {
    const missing = [...pinnedActions(files)]
      .map((u) => u.slice(0, u.indexOf('@')))
      .filter((name) => name !== FIRST_PARTY && !STAND_INS[name])
      // CI's own cache (ci.yml is the run itself: it is not run by act, see test/e2e/workflows.e2e.ts)
      .filter((name) => name !== 'actions/cache');
    expect(missing).toEqual([]);
  });

  it('keeps the shipped workflows as they are (act needs the copy)', () => {
    expect(files.some((f) => /^\s+deployment:\s*false/m.test(readFileSync(f, 'utf8')))).toBe(true);
  });
});
