import { describe, expect, it } from 'vitest';
import { clipText } from '../../../src/util/clip.js';

describe('clipText', () => {
  it('returns text that fits unchanged', () => {
    expect(clipText('short', 10)).toBe('short');
    expect(clipText('x'.repeat(10), 10)).toBe('x'.repeat(10));
  });

  it('ends at the last sentence boundary in the second half, never mid-word', () => {
    const s =
      'the JAR was built for Scala 2.13. Spark 3.5.6 here runs Scala 2.12, so it fails at start-up with NoSuchMethodError.';
    const out = clipText(s, 60);
    expect(out).toBe('the JAR was built for Scala 2.13.…');
    expect(out.length).toBeLessThanOrEqual(60);
  });

  it('falls back to a clause, then to a word boundary', () => {
    expect(clipText('driver failed; see the log at the worker for the whole story', 40)).toBe(
      'driver failed; see the log at the…',
    );
    expect(clipText('alpha beta gamma delta epsilon zeta eta theta', 20)).toBe('alpha beta gamma…');
  });

  it('cuts hard only when there is no space in the second half', () => {
    const out = clipText(`a ${'x'.repeat(50)}`, 20);
    expect(out.length).toBe(20);
    expect(out.endsWith('…')).toBe(true);
  });
});
