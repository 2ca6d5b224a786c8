import { describe, expect, it } from 'vitest';
import { canonicalJson, toJsonSafe } from './canonical-json.ts';

describe('canonicalJson', () => {
  it('sorts keys at every depth and drops undefined fields', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, 'x', null], c: true }, z: undefined })).toBe('{"a":{"c":true,"d":[1,"x",null]},"b":1}');
  });

  it('is independent of insertion order', () => {
    expect(canonicalJson({ x: 1, y: 2 })).toBe(canonicalJson({ y: 2, x: 1 }));
  });

  it('refuses floats, non-plain objects and undefined in arrays', () => {
    expect(() => canonicalJson({ amount: 0.1 })).toThrow(/decimals as strings/);
    expect(() => canonicalJson(2 ** 60)).toThrow(/safe integers/);
    expect(() => canonicalJson(new Date())).toThrow(/plain object/);
    expect(() => canonicalJson([undefined])).toThrow(/undefined/);
  });

  it('escapes strings like JSON', () => {
    expect(canonicalJson({ 'k"': 'line\nbreak \u2028' })).toBe(JSON.stringify({ 'k"': 'line\nbreak \u2028' }));
  });
});

describe('toJsonSafe', () => {
  it('turns floats, bigints and dates into strings and keeps integers', () => {
    expect(toJsonSafe({ rate: 0.05, n: 3, big: 12345678901234567890n, at: new Date(0), skip: undefined })).toEqual({
      rate: '0.05',
      n: 3,
      big: '12345678901234567890',
      at: '1970-01-01T00:00:00.000Z',
    });
  });

  it('refuses non-finite numbers', () => {
    expect(() => toJsonSafe(Number.NaN)).toThrow(/finite/);
  });
});
