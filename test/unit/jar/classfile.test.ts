import { describe, expect, it } from 'vitest';
import { javaReleaseForMajor, majorForJavaRelease, parseClassHeader } from '../../../src/jar/classfile.js';

const header = (hex: string) => parseClassHeader(Buffer.from(hex, 'hex'));

describe('class-file header', () => {
  it.each([
    [45, 1],
    [49, 5],
    [52, 8],
    [55, 11],
    [61, 17],
    [65, 21],
    [69, 25],
  ])('major %i is Java %i', (major, release) => {
    expect(javaReleaseForMajor(major)).toBe(release);
    expect(majorForJavaRelease(release)).toBe(major);
  });

  it('decodes magic, minor and major', () => {
    expect(header('cafebabe00000034')).toEqual({ major: 52, minor: 0, release: 8, preview: false });
    expect(header('cafebabe0000003d0a0b')).toEqual({ major: 61, minor: 0, release: 17, preview: false });
  });

  it('marks preview-feature class files', () => {
    expect(header('cafebabeffff0041')).toEqual({ major: 65, minor: 0xffff, release: 21, preview: true });
  });

  it.each([
    ['short', 'cafeba', /3 bytes long/],
    ['bad magic', 'cafed00d00000034', /0xcafed00d/],
    ['text', Buffer.from('not a class').toString('hex'), /not the class-file magic/],
    ['major below 45', 'cafebabe0000002c', /not a valid Java version/],
  ])('rejects %s', (_name, hex, why) => {
    const r = header(hex);
    expect('error' in r && r.error).toMatch(why);
  });

  it('reads a header from a view into a larger buffer', () => {
    const buf = Buffer.from('0000cafebabe00000037', 'hex');
    expect(parseClassHeader(buf.subarray(2))).toMatchObject({ major: 55, release: 11 });
  });
});
