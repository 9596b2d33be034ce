// inflateHead against node:zlib: the first bytes it decodes must equal zlib's for any data and level
// (stored, fixed and dynamic Huffman blocks), and cut-off or invalid input must say so (-1), not guess.
import { constants, deflateRawSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { inflateHead } from '../../../src/jar/inflate-head.js';
import { classWithRefs } from '../../helpers/class-writer.js';
import { classBytes } from '../../helpers/jar-fixtures.js';

function head(data: Buffer, n = 8, cut?: number): { got: number; out: Buffer } {
  const out = Buffer.alloc(n);
  const end = cut ?? data.length;
  return { got: inflateHead(data, 0, end, out, n), out };
}

describe('inflateHead', () => {
  it('decodes the first bytes of any deflate stream as zlib does', () => {
    fc.assert(
      fc.property(
        // Random bytes (literals) and a four-letter alphabet (long back-references).
        fc.oneof(
          fc.uint8Array({ maxLength: 3000 }),
          fc.uint8Array({ maxLength: 3000 }).map((a) => a.map((x) => x & 3)),
        ),
        fc.integer({ min: 0, max: 9 }),
        fc.constantFrom(
          constants.Z_DEFAULT_STRATEGY,
          constants.Z_FIXED,
          constants.Z_HUFFMAN_ONLY,
          constants.Z_RLE,
        ),
        fc.integer({ min: 1, max: 64 }),
        (data, level, strategy, n) => {
          const raw = Buffer.from(data);
          const z = deflateRawSync(raw, { level, strategy });
          const { got, out } = head(z, n);
          expect(got).toBe(Math.min(n, raw.length));
          expect(out.subarray(0, got)).toEqual(raw.subarray(0, got));
        },
      ),
      { numRuns: 400 },
    );
  });

  it('decodes class-file headers of real constant pools', () => {
    for (const data of [
      classBytes(55),
      classWithRefs('com/acme/Main', ['scala/Predef$']),
      Buffer.alloc(5000, 0xca),
    ]) {
      const { got, out } = head(deflateRawSync(data));
      expect(got).toBe(8);
      expect(out).toEqual(data.subarray(0, 8));
    }
  });

  it('returns -1 for cut-off or invalid input', () => {
    const z = deflateRawSync(Buffer.from('x'.repeat(100) + 'constant pool'.repeat(50)));
    expect(head(z, 64, 3).got).toBe(-1);
    expect(head(Buffer.from([0xff, 0xff, 0xff]), 8).got).toBe(-1);
    expect(head(Buffer.alloc(0), 8).got).toBe(-1);
  });
});
