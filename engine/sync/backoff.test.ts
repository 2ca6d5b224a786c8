import { describe, expect, it } from 'vitest';
import { BACKOFF_CAP_MS, backoffDelay } from './backoff.ts';

describe('backoffDelay', () => {
  it('doubles from the base, with jitter in [d/2, d], capped at 5 minutes', () => {
    const low = { random: () => 0 };
    const high = { random: () => 0.999999 };
    expect([0, 1, 2, 3].map((a) => backoffDelay(a, low))).toEqual([500, 1000, 2000, 4000]);
    expect([0, 1, 2, 3].map((a) => backoffDelay(a, high))).toEqual([1000, 2000, 4000, 8000]);
    expect(backoffDelay(9, high)).toBe(BACKOFF_CAP_MS);
    expect(backoffDelay(1e6, high)).toBe(BACKOFF_CAP_MS);
    expect(backoffDelay(1e6, low)).toBe(BACKOFF_CAP_MS / 2);
    expect(BACKOFF_CAP_MS).toBe(300_000);
  });

  it('spreads workstations that failed together', () => {
    const delays = new Set(Array.from({ length: 50 }, () => backoffDelay(5)));
    expect(delays.size).toBeGreaterThan(40);
    for (const d of delays) {
      expect(d).toBeGreaterThanOrEqual(16_000);
      expect(d).toBeLessThanOrEqual(32_000);
    }
  });
});
