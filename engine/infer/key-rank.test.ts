import { describe, expect, it } from 'vitest';
import type { TypedColumn } from './column-types.ts';
import { betterKey, duplicateWords, triedPairs, whyNot, type MeasuredKey } from './key-rank.ts';
import { roundUpTwoDigits } from './tolerance.ts';

/** Key ranking on measured candidates: duplicates first, then overlap, then names that say identifier. */

const col = (name: string, index = 0): TypedColumn => ({ name, index }) as unknown as TypedColumn;
const key = (a: string, b: string, found: number, dupA = 0, dupB = 0): MeasuredKey => ({ parts: [{ a: col(a), b: col(b) }], keys: 1000, found, dupA, dupB });
const best = (...ks: MeasuredKey[]): string => ks.reduce((x, y) => (betterKey(y, x) ? y : x)).parts[0]!.a.name;

describe('choosing among measured keys', () => {
  it('takes a key unique on both sides over one with duplicates that overlaps more', () => {
    expect(best(key('ISIN', 'isin', 1000, 0, 81), key('TradeID', 'trade_ref', 720))).toBe('TradeID');
    expect(best(key('Security', 'sec', 990, 12, 0), key('OrderNo', 'order_number', 950))).toBe('OrderNo');
  });

  it('among equals, prefers names that say identifier (…ID, …Ref, …No, Number)', () => {
    expect(best(key('Checksum', 'hash', 990), key('Deal Number', 'DealRef', 960))).toBe('Deal Number');
    expect(best(key('Comment', 'note', 1000), key('trade_ref', 'TradeID', 1000))).toBe('trade_ref');
  });

  it('never takes a pair B hardly holds, however unique, nor lets names beat clearly better overlap', () => {
    expect(best(key('TradeID', 'isin', 0), key('TradeID', 'trade_ref', 960, 0, 4))).toBe('TradeID');
    expect(betterKey(key('TradeID', 'isin', 0), key('TradeID', 'trade_ref', 960, 0, 4))).toBe(false);
    expect(best(key('Seq', 'seq', 990), key('OrderNo', 'order_no', 400))).toBe('Seq');
  });

  it('between keys with duplicates, takes the one with far fewer', () => {
    expect(best(key('ISIN', 'isin', 1000, 25, 25), key('TradeID', 'trade_ref', 960, 0, 4))).toBe('TradeID');
  });

  it('takes a key that adds a part to another when it has fewer duplicates, however close the counts', () => {
    const msisdn = key('msisdn', 'MSISDN', 980, 511, 2);
    const withStart: MeasuredKey = { parts: [msisdn.parts[0]!, { a: col('start', 1), b: col('START', 1) }], keys: 1000, found: 975, dupA: 475, dupB: 2 };
    expect(betterKey(withStart, msisdn)).toBe(true);
    expect(betterKey(msisdn, withStart)).toBe(false);
  });

  it('says what it counted, and why a candidate lost', () => {
    const isin = key('ISIN', 'isin', 1000, 0, 81);
    const id = key('TradeID', 'trade_ref', 960);
    expect(duplicateWords(isin)).toBe('not unique: 81 duplicate keys (81 among matched B records)');
    expect(whyNot(isin, id)).toBe('not unique: 81 duplicate keys (81 among matched B records)');
    expect(whyNot(key('Checksum', 'hash', 960), id)).toBe('as good on the data, but its names do not say identifier');
  });

  it('also measures id-like pairs that rank lower by sample overlap', () => {
    const ranked = ['A', 'B', 'C', 'TradeID', 'Other', 'Deal Number', 'OrderNo'].map((n, i) => ({ part: { a: col(n, i), b: col(n, i) }, shared: 10 - i }));
    expect(triedPairs(ranked).map((p) => p.a.name)).toEqual(['A', 'B', 'C', 'TradeID', 'Deal Number']);
  });
});

describe('tolerance values', () => {
  it('rounds up to two significant digits, as exact decimal text', () => {
    expect([396.2, 400, 0.00496, 0.005, 0.0123, 1.01, 7, 12_345].map(roundUpTwoDigits)).toEqual(['400', '400', '0.005', '0.005', '0.013', '1.1', '7', '13000']);
  });
});
