import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mainAttribute, parseManifest } from '../../../src/jar/manifest.js';
import { manifestBytes } from '../../helpers/jar-fixtures.js';

const parse = (s: string) => parseManifest(Buffer.from(s, 'utf8'));
const mainClass = (s: string) => mainAttribute(parse(s), 'Main-Class');

// Each row was checked against java.util.jar.Manifest (JDK 17): the Main-Class Java reads, or its error.
describe('parseManifest agrees with java.util.jar.Manifest', () => {
  it.each([
    ['LF', 'Manifest-Version: 1.0\nMain-Class: a.B\n', 'a.B'],
    ['CRLF', 'Manifest-Version: 1.0\r\nMain-Class: a.B\r\n\r\n', 'a.B'],
    ['CR', 'Manifest-Version: 1.0\rMain-Class: a.B\r', 'a.B'],
    ['mixed line ends', 'Manifest-Version: 1.0\nMain-Class: a.B\r\n\r\n', 'a.B'],
    ['lower-case name', 'Manifest-Version: 1.0\nmain-class: a.B\n', 'a.B'],
    ['continuation', 'Manifest-Version: 1.0\r\nMain-Class: a.\r\n B\r\n', 'a.B'],
    ['continuation keeps further spaces', 'Manifest-Version: 1.0\nMain-Class: a.\n B\n  C\n', 'a.B C'],
    ['trailing spaces are kept', 'Manifest-Version: 1.0\nMain-Class: a.B  \n', 'a.B  '],
    ['colons in the value', 'Main-Class: a:B: c\n', 'a:B: c'],
    ['no version line', 'Main-Class: a.B\n', 'a.B'],
    ['last duplicate wins', 'Manifest-Version: 1.0\nMain-Class: a.B\nMain-Class: c.D\n', 'c.D'],
    [
      'sections do not count',
      'Manifest-Version: 1.0\nMain-Class: a.B\n\nName: foo\nMain-Class: c.D\n',
      'a.B',
    ],
    ['blank lines after a section', 'Manifest-Version: 1.0\nMain-Class: a.B\n\nName: x\n\n\n', 'a.B'],
    ['empty value', 'Manifest-Version: 1.0\nMain-Class: \n\n', ''],
    ['unterminated last line is ignored', 'Manifest-Version: 1.0\nMain-Class: a.B', undefined],
    ['unterminated continuation drops the header', 'Manifest-Version: 1.0\nMain-Class: a.\n B', undefined],
    ['unterminated junk is ignored', 'Manifest-Version: 1.0\nMain-Class: a.B\nX', 'a.B'],
    ['unterminated section name is ignored', 'Manifest-Version: 1.0\nMain-Class: a.B\n\nName: x', 'a.B'],
    ['511-byte line', `Manifest-Version: 1.0\nX: ${'a'.repeat(508)}\nMain-Class: a.B\n`, 'a.B'],
    ['UTF-8 value', 'Manifest-Version: 1.0\nMain-Class: a.B\nX: \u00e9\n', 'a.B'],
  ])('%s', (_name, text, expected) => {
    const m = parse(text);
    expect(m.error).toBeUndefined();
    expect(mainAttribute(m, 'Main-Class')).toBe(expected);
  });

  it.each([
    ['no space after the colon', 'Manifest-Version: 1.0\nMain-Class:a.B\n', 2, 'invalid header field'],
    [
      'bad attribute name',
      'Manifest-Version: 1.0\nBad Name: x\nMain-Class: a.B\n',
      2,
      'invalid header field name: Bad Name',
    ],
    ['empty attribute name', ': x\nMain-Class: a.B\n', 1, 'invalid header field name: '],
    ['71-character name', `Manifest-Version: 1.0\n${'B'.repeat(71)}: y\n`, 2, 'invalid header field name'],
    ['continuation first', ' x\nMain-Class: a.B\n', 1, 'misplaced continuation line'],
    ['section without Name', 'Manifest-Version: 1.0\n\nMain-Class: a.B\n', 3, 'invalid manifest format'],
    [
      'two blank lines then a header',
      'Manifest-Version: 1.0\nMain-Class: a.B\n\n\nx: y\n',
      5,
      'invalid manifest format',
    ],
    [
      'Name: without space',
      'Manifest-Version: 1.0\nMain-Class: a.B\n\nName:x\n',
      4,
      'invalid manifest format',
    ],
    [
      'continuation after a blank line',
      'Manifest-Version: 1.0\nMain-Class: a.\n\n B\n',
      4,
      'invalid manifest format',
    ],
    ['512-byte line', `Manifest-Version: 1.0\nX: ${'a'.repeat(509)}\n`, 2, 'line too long'],
    [
      'long unterminated line',
      `Manifest-Version: 1.0\nMain-Class: a.B\nX: ${'a'.repeat(600)}`,
      3,
      'line too long',
    ],
  ])('rejects: %s', (_name, text, line, message) => {
    const m = parse(text);
    expect(m.error?.line).toBe(line);
    expect(m.error?.message).toContain(message);
  });

  it('joins continuation bytes before decoding UTF-8', () => {
    // é is C3 A9; a writer wrapping by bytes may put C3 and A9 on different lines.
    const m = parseManifest(
      Buffer.concat([Buffer.from('Main-Class: a'), Buffer.from([0xc3, 0x0a, 0x20, 0xa9, 0x0a])]),
    );
    expect(mainAttribute(m, 'main-class')).toBe('a\u00e9');
  });

  it('reads individual sections', () => {
    const m = parse('Manifest-Version: 1.0\n\nName: com/etl/\n Main.class\nSealed: true\n\nName: b\n');
    expect(m.sections).toEqual([
      { name: 'com/etl/Main.class', line: 3, attributes: [{ name: 'Sealed', value: 'true', line: 5 }] },
      { name: 'b', line: 7, attributes: [] },
    ]);
  });

  it('remembers an ignored last line', () => {
    expect(parse('Manifest-Version: 1.0\nMain-Class: a.B').ignoredLastLine).toEqual({
      line: 2,
      text: 'Main-Class: a.B',
    });
    expect(mainClass('Main-Class: a.B\n')).toBe('a.B');
  });
});

// Values a manifest can hold: any characters but CR, LF and NUL.
const value = fc.string({ unit: 'grapheme', maxLength: 400 }).map((s) => s.replace(/[\r\n\0]/g, '_'));
const attrName = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_-]{0,40}$/);

describe('parseManifest property', () => {
  it('reads back any attribute value written with line continuations', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(attrName, value), { selector: ([n]) => n.toLowerCase(), maxLength: 6 }),
        fc.constantFrom('\r\n', '\n', '\r'),
        fc.integer({ min: 20, max: 72 }),
        (attrs, lineEnd, width) => {
          const named = attrs.filter(([n]) => n.toLowerCase() !== 'manifest-version');
          const m = parseManifest(manifestBytes(named, { lineEnd, width }));
          expect(m.error).toBeUndefined();
          expect(m.main.slice(1).map((a) => [a.name, a.value])).toEqual(named);
          for (const [n, v] of named) expect(mainAttribute(m, n.toUpperCase())).toBe(v);
        },
      ),
      { numRuns: 300, seed: 42 },
    );
  });
});
