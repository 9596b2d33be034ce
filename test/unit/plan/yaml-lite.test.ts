import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify, type ToStringOptions } from 'yaml';
import { parseConfigSource } from '../../../src/plan/source.js';
import { parseYamlLite } from '../../../src/plan/yaml-lite.js';
import { parseWithYaml } from '../../../src/plan/yaml-source.js';
import { valuePaths } from '../../helpers/value-paths.js';

// yaml-lite must answer exactly as the `yaml` package does (data and every position) wherever it answers.
// The reference is yaml-source.ts, the path every config took before yaml-lite.

/** agree checks lite against yaml on one text; returns whether lite answered. */
async function agree(text: string): Promise<boolean> {
  const lite = parseYamlLite(text);
  if (!lite) return false;
  const ref = parseWithYaml('c.yml', text);
  expect(ref.findings, text).toEqual([]);
  const source = ref.source;
  if (!source) throw new Error('no source');
  expect(lite.data, text).toStrictEqual(source.data);
  const ours = await parseConfigSource('c.yml', text);
  for (const p of valuePaths(source.data)) {
    for (const path of [p, [...p, 'missing'], [...p, 0]]) {
      for (const which of ['key', 'value'] as const)
        expect(ours.source?.position(path, which), `${text}\n${JSON.stringify(path)} ${which}`).toEqual(
          source.position(path, which),
        );
    }
  }
  return true;
}

const example = readFileSync(
  new URL('../../../examples/etl-app/.github/spark-deploy.yml', import.meta.url),
  'utf8',
);

describe('parseYamlLite', () => {
  it('reads the example config exactly as yaml does', async () => {
    expect(await agree(example)).toBe(true);
  });

  it('reads the subset as yaml does', async () => {
    const texts = [
      "a: 1\nb: -2\nc: 1.50\nd: true\ne: False\nf: ~\ng: null\nh: \"x # y\"\ni: 'it''s'\nj: a#b # comment\n",
      'list:\n- a\n- "b"\n-   c: 1\n    d: [x, y]\n-\n  - nested\n',
      'list:\n  - name: a\n    args:\n    - x\n  - name: b\n',
      'm: { a: 1, b: [1, 2, { c: d }], "e f": g }\n',
      'urls: [http://127.0.0.1:6066, "spark://h:7077"]\nport: 8080\n',
      'k: "esc \\" \\\\ \\n \\t \\/"\n',
      '# leading comment\n\nkey: value   \n  # indented comment\nother: { }\nempty: []\n',
      'spark.sql.shuffle.partitions: 200\n"quoted key": x\n',
    ];
    for (const t of texts) expect(await agree(t), t).toBe(true);
  });

  it('leaves everything outside the subset to yaml', () => {
    for (const t of [
      'a: &x 1\nb: *x\n', // anchors and aliases
      'a: !!str 1\n', // tags
      'a: |\n  text\n', // block scalars
      'a: >\n  text\n',
      'a: b\n  c\n', // multi-line plain scalar
      'a: [1,\n  2]\n', // multi-line flow
      'a: "x\n  y"\n', // multi-line quoted
      'a:\tb\n', // tabs
      'a: b\r\n', // CR
      'a:\n', // empty value (null)
      'a: 1\na: 2\n', // duplicate key
      'a: 0x1F\nb: 1e3\nc: .inf\nd: 0o7\ne: +1\nf: 007\ng: -0\n'.split('\n')[0] ?? '',
      'b: 1e3\n',
      'c: .inf\n',
      'd: 0o7\n',
      'e: +1\n',
      'f: 007\n',
      'g: -0\n',
      '---\na: 1\n', // documents
      '%YAML 1.2\n---\na: 1\n',
      '? complex\n: key\n',
      '1: numeric key\n',
      'true: bool key\n',
      '<<: { a: 1 }\n',
      '__proto__: x\n',
      'a: [1, 2,]\n', // trailing comma
      'a: "\\x41"\n', // escapes other than the common ones
      'a: b: c\n',
      '- a\nb: c\n',
      '',
      '# only a comment\n',
    ])
      expect(parseYamlLite(t), JSON.stringify(t)).toBeUndefined();
  });

  it('agrees with yaml on configs written by yaml.stringify in every style', async () => {
    const key = fc.oneof(
      fc.constantFrom('app', 'name', 'spark.sql.shuffle.partitions', 'masters', 'a b', 'x-y', 'fromEnv', 'k'),
      fc.string({ maxLength: 8 }),
    );
    const scalar = fc.oneof(
      fc.constantFrom(
        '',
        ' a',
        'a ',
        'true',
        'null',
        '~',
        '1',
        '1.5',
        '0x1',
        '1e3',
        '-',
        '- a',
        'a: b',
        'a #b',
        'a#b',
        '#',
        '"q"',
        "'q'",
        'http://127.0.0.1:6066',
        '{{environment}}',
        'configs/{{environment}}.json',
        '[x]',
        'ü',
        '@x',
        '%x',
        'a, b',
        'a\\b',
        'multi\nline',
      ),
      fc.string({ maxLength: 10 }),
      fc.integer(),
      fc.double({ noNaN: true }),
      fc.boolean(),
      fc.constant(null),
    );
    const { value } = fc.letrec((tie) => ({
      value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, tie('map'), tie('seq')),
      map: fc.dictionary(key, tie('value'), { maxKeys: 4 }),
      seq: fc.array(tie('value'), { maxLength: 3 }),
    }));
    const options = fc.record<ToStringOptions>({
      indent: fc.constantFrom(2, 4),
      indentSeq: fc.boolean(),
      flowCollectionPadding: fc.boolean(),
      collectionStyle: fc.constantFrom('any', 'block', 'flow'),
      defaultStringType: fc.constantFrom('PLAIN', 'QUOTE_DOUBLE', 'QUOTE_SINGLE'),
      defaultKeyType: fc.constantFrom(null, 'PLAIN', 'QUOTE_DOUBLE'),
      lineWidth: fc.constantFrom(0, 80),
    });
    let answered = 0;
    await fc.assert(
      fc.asyncProperty(fc.dictionary(key, value, { minKeys: 1, maxKeys: 5 }), options, async (doc, opts) => {
        if (await agree(stringify(doc, opts))) answered++;
      }),
      { numRuns: 1500 },
    );
    // Random documents are often outside the subset (nulls, exponents, odd characters); enough must be in
    // it for the property to say something (about 250 of 1,500 are).
    expect(answered).toBeGreaterThan(120);
  });

  it('agrees with yaml on mutated copies of the example config', async () => {
    const lines = example.split('\n');
    const edit = fc.record({
      line: fc.nat(lines.length - 1),
      at: fc.nat(60),
      del: fc.nat(3),
      insert: fc.oneof(
        fc.constantFrom(
          ':',
          ': ',
          '-',
          '- ',
          ' ',
          '  ',
          '#',
          ' #',
          "'",
          '"',
          '[',
          ']',
          '{',
          '}',
          ',',
          '\n',
          '&a ',
          '*a',
          '!',
          '|',
          '>',
          '?',
          '0',
          '1.',
          'x',
          '\n  ',
          '\n- ',
        ),
        fc.constant(''),
      ),
    });
    let answered = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(edit, { minLength: 1, maxLength: 3 }), async (edits) => {
        const copy = [...lines];
        for (const e of edits) {
          const l = copy[e.line] ?? '';
          const at = Math.min(e.at, l.length);
          copy[e.line] = l.slice(0, at) + e.insert + l.slice(at + e.del);
        }
        const text = copy.join('\n');
        const lite = parseYamlLite(text);
        if (!lite) return;
        // Where lite answers, the text must be valid YAML with the same meaning.
        if (await agree(text)) answered++;
      }),
      { numRuns: 400 },
    );
    expect(answered).toBeGreaterThan(40);
  });
});
