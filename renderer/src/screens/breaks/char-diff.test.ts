import { describe, expect, it } from 'vitest';
import { charDiff, wantsCharDiff } from './char-diff.ts';

const marked = (segs: { text: string; changed: boolean }[]): string => segs.map((s) => (s.changed ? `[${s.text}]` : s.text)).join('');

describe('charDiff', () => {
  it('marks only the characters that differ, on each side', () => {
    const d = charDiff('ACME Corp Ltd', 'ACME Corp. Ltd.');
    expect(marked(d.a)).toBe('ACME Corp Ltd');
    expect(marked(d.b)).toBe('ACME Corp[.] Ltd[.]');
    expect(marked(charDiff('INITECH', 'INITEHC').a)).toBe('INITE[C]H');
    const swap = charDiff('GBP', 'USD');
    expect(marked(swap.a)).toBe('[GBP]');
    expect(marked(swap.b)).toBe('[USD]');
  });

  it('keeps every character: the segments join back to the values', () => {
    for (const [a, b] of [
      ['', 'x'],
      ['abc', ''],
      ['same', 'same'],
      ['Zürich 😀 AG', 'Zurich 😀 AG'],
      ['x'.repeat(5000) + 'a', 'x'.repeat(5000) + 'b'],
      ['a'.repeat(400) + 'q' + 'b'.repeat(400), 'b'.repeat(400) + 'q' + 'a'.repeat(400)],
    ] as const) {
      const d = charDiff(a, b);
      expect(d.a.map((s) => s.text).join('')).toBe(a);
      expect(d.b.map((s) => s.text).join('')).toBe(b);
    }
    expect(charDiff('same', 'same').a).toEqual([{ text: 'same', changed: false }]);
    // A surrogate pair is never split.
    expect(marked(charDiff('a😀b', 'a😃b').b)).toBe('a[😃]b');
  });

  it('applies to string mismatches only', () => {
    expect(wantsCharDiff({ diffType: 'MISMATCH', fieldType: 'string', valueA: 'a', valueB: 'b' })).toBe(true);
    expect(wantsCharDiff({ diffType: 'MISMATCH', fieldType: 'decimal', valueA: '1', valueB: '2' })).toBe(false);
    expect(wantsCharDiff({ diffType: 'MISSING_IN_B', fieldType: null, valueA: null, valueB: null })).toBe(false);
  });
});
