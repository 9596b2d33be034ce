import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { Input, Output } from '../../src/constants.js';

const root = new URL('../../', import.meta.url);
const action = parse(readFileSync(new URL('action.yml', root), 'utf8')) as {
  inputs: Record<string, { description: string; default?: string }>;
  outputs: Record<string, { description: string }>;
  runs: { using: string; main: string; post: string };
};
const readme = readFileSync(new URL('README.md', root), 'utf8');

function tableRows(heading: string): string[][] {
  const section = readme.split(`\n## ${heading}\n`)[1]?.split('\n## ')[0] ?? '';
  return section
    .split('\n')
    .filter((l) => /^\| `/.test(l))
    .map((l) =>
      l
        .slice(1, -1)
        .split(' | ')
        .map((c) => c.trim()),
    );
}

describe('README and action.yml', () => {
  it('lists every input with its default and description, in order', () => {
    const rows = tableRows('Inputs');
    const expected = Object.entries(action.inputs).map(([name, i]) => [
      `\`${name}\``,
      i.default === undefined ? '—' : `\`${i.default}\``,
      i.description,
    ]);
    expect(rows).toEqual(expected);
  });

  it('lists every output with its description, in order', () => {
    const rows = tableRows('Outputs');
    expect(rows).toEqual(Object.entries(action.outputs).map(([name, o]) => [`\`${name}\``, o.description]));
  });

  it('declares exactly the inputs and outputs the code knows', () => {
    expect(Object.keys(action.inputs).sort()).toEqual(Object.values(Input).sort());
    expect(Object.keys(action.outputs).sort()).toEqual(Object.values(Output).sort());
  });

  it('runs on node24 with main and post bundles', () => {
    expect(action.runs).toMatchObject({ using: 'node24', main: 'dist/index.js', post: 'dist/post/index.js' });
  });

  it('names the test command that .ci/run calls', () => {
    const ci = readFileSync(new URL('.ci/run', root), 'utf8');
    const command = /\*\*Every test\*\*.*\| `([^`]+)` \|/.exec(readme)?.[1];
    expect(command).toBe('bash scripts/test.sh');
    expect(ci.trimEnd().split('\n').at(-1)).toBe(command);
  });
});
