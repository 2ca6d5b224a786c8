import { describe, it, expect } from 'vitest';
import { clipText, quoted, quotedList } from './quote.ts';
import { MAX_MESSAGE_CHARS, ReconError, toErrorData } from './recon-error.ts';

describe('quoting values in messages', () => {
  it('cuts a long value at 200 characters and says how much is left', () => {
    expect(quoted('abc')).toBe('"abc"');
    expect(clipText('x'.repeat(200))).toBe('x'.repeat(200));
    expect(quoted('x'.repeat(50_000_000))).toBe(`"${'x'.repeat(200)}…(49999800 more characters)"`);
    expect(clipText('abcdef', 3)).toBe('abc…(3 more characters)');
  });

  it('never splits a surrogate pair', () => {
    const clipped = clipText(`${'a'.repeat(199)}😀😀`);
    expect(clipped).toBe(`${'a'.repeat(199)}…(4 more characters)`);
    expect(clipped).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/); // no lone high surrogate
  });

  it('bounds a list by count and by length', () => {
    expect(quotedList(['a', 'b'])).toBe('"a", "b"');
    expect(quotedList(Array.from({ length: 100 }, (_, i) => `c${i}`))).toMatch(/^"c0", .*"c29", … and 70 more$/);
    const long = quotedList(Array.from({ length: 10 }, () => 'y'.repeat(1000)));
    expect(long.length).toBeLessThan(1200);
    expect(long).toMatch(/^("y{200}…\(800 more characters\)", ){3}"y{200}…\(800 more characters\)", … and 6 more$/);
    expect(quotedList([])).toBe('');
  });
});

describe('error messages are bounded', () => {
  it('ReconError and toErrorData cut any message longer than MAX_MESSAGE_CHARS', () => {
    const huge = 'm'.repeat(5_000_000);
    expect(new ReconError('INPUT_PARSE_ERROR', huge).message.length).toBeLessThan(MAX_MESSAGE_CHARS + 40);
    expect(toErrorData(new Error(huge)).message.length).toBeLessThan(MAX_MESSAGE_CHARS + 40);
    expect(new ReconError('INPUT_PARSE_ERROR', 'short').message).toBe('short');
  });
});
