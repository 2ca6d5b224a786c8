import { describe, expect, it } from 'vitest';
import { serialDateText } from './cell-text.ts';

/** Excel date serials around the phantom 1900-02-29 (the Lotus 1-2-3 leap-year bug Excel keeps). */
describe('Excel serial dates in the 1900 system', () => {
  it('reads the days around the phantom leap day each as its own date', () => {
    expect([1, 59, 61, 45292].map((s) => serialDateText(s, false))).toEqual(['1900-01-01', '1900-02-28', '1900-03-01', '2024-01-01']);
  });

  it('writes serial 60 as Excel shows it, 1900-02-29, a date that does not exist, never as serial 59’s date', () => {
    expect(serialDateText(60, false)).toBe('1900-02-29');
    expect(serialDateText(60.5, false)).toBe('1900-02-29 12:00:00');
    // In the 1904 system serial 60 is an ordinary day.
    expect(serialDateText(60, true)).toBe('1904-03-01');
  });
});
