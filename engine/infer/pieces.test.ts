import { describe, expect, it } from 'vitest';
import { DATE_FORMATS, dateVerdict } from './date-formats.ts';
import { chooseSplit, parseRecords, type Head } from './head.ts';
import { detectHeader } from './header.ts';
import { lambdaOf } from './matching.ts';
import { nameSimilarity, nameTokens } from './names.ts';
import { chooseConvention } from './numbers.ts';
import { learnMap, type Cell } from './value-maps.ts';

/** The pure parts of inference, one behaviour each. */

const head = (text: string): Head => ({ text, truncated: false, encoding: { value: 'utf-8', confidence: 1, reason: '' } });

describe('dialect sniffing', () => {
  it('splits quoted records, keeping delimiters and line breaks inside quotes', () => {
    expect(parseRecords('a;b\n"x;1";"two\nlines"\n', ';', '"')).toEqual([
      ['a', 'b'],
      ['x;1', 'two\nlines'],
    ]);
  });

  it('picks the delimiter that splits records consistently and skips title lines', () => {
    const s = chooseSplit(head('Report of 28/06/2024\nid|name|amt\n1|a, b|2.5\n2|c|3\n'));
    expect(s.delimiter.value).toBe('|');
    expect(s.skipRows.value).toBe(1);
    expect(s.records[0]).toEqual(['id', 'name', 'amt']);
  });

  it('tells a header from a first data row', () => {
    expect(detectHeader([['id', 'amount', 'date'], ['1', '2.50', '2024-01-02'], ['2', '3.10', '2024-01-03']]).value).toBe(true);
    expect(detectHeader([['7', '2.50', '2024-01-02'], ['8', '3.10', '2024-01-03']]).value).toBe(false);
  });
});

describe('date formats', () => {
  const fits = (formats: (string | null)[], n: number): number[] => DATE_FORMATS.map((f) => (formats.includes(f.format) && f.kind === 'date' ? n : 0));

  it('accepts the one format that fits every value', () => {
    expect(dateVerdict(fits(['%d/%m/%Y'], 10), 10)).toEqual({ kind: 'date', format: '%d/%m/%Y' });
    expect(dateVerdict(fits([null], 10), 10)).toEqual({ kind: 'date', format: null });
  });

  it('refuses when dd/mm and mm/dd both fit every value', () => {
    expect(dateVerdict(fits(['%d/%m/%Y', '%m/%d/%Y'], 10), 10)).toEqual({ kind: 'ambiguous', valueKind: 'date', formats: ['%d/%m/%Y', '%m/%d/%Y'] });
  });

  it('accepts no format that misses a single value', () => {
    const f = DATE_FORMATS.map((x) => (x.format === '%d/%m/%Y' ? 9 : 0));
    expect(dateVerdict(f, 10)).toEqual({ kind: 'none' });
  });
});

describe('number conventions', () => {
  const none = { dotDecisive: 0, commaDecisive: 0, groupedComma: 0, groupedDot: 0, groupedSpace: 0, dotInCommaNumbers: 0, example: {} };

  it('reads a decimal comma with dot grouping', () => {
    const c = chooseConvention({ ...none, commaDecisive: 40, dotInCommaNumbers: 12, example: { comma: '1.234,50' } });
    expect([c.decimal.value, c.thousands.value]).toEqual([',', '.']);
  });

  it('keeps "." when nothing decides, and says so', () => {
    const c = chooseConvention(none);
    expect(c.decimal.value).toBe('.');
    expect(c.decimal.confidence).toBeLessThan(0.7);
  });
});

describe('value maps', () => {
  it('learns a code list used systematically (B/S ↔ BUY/SELL)', () => {
    const cells: Cell[] = [
      { va: 'BUY', vb: 'B', n: 520 },
      { va: 'SELL', vb: 'S', n: 478 },
      { va: 'SELL', vb: 'B', n: 2 },
    ];
    const m = learnMap(cells);
    expect(m.map).toEqual({ B: 'BUY', S: 'SELL' });
    expect(m.agreeAfter).toBeCloseTo(0.998, 3);
  });

  it('refuses a spelling variant of a value both sides usually spell the same (ACME CORP is a break)', () => {
    const cells: Cell[] = [
      { va: 'ACME CORPORATION', vb: 'ACME CORPORATION', n: 400 },
      { va: 'ACME CORPORATION', vb: 'ACME CORP', n: 6 },
      { va: 'GLOBEX LIMITED', vb: 'GLOBEX LIMITED', n: 300 },
    ];
    const m = learnMap(cells);
    expect(m.map).toEqual({});
    expect(m.refused[0]).toMatchObject({ from: 'ACME CORP', to: 'ACME CORPORATION', records: 6 });
    expect(m.refused[0]!.reason).toMatch(/break, not a map/);
  });

  it('learns nothing over a large domain', () => {
    const cells: Cell[] = Array.from({ length: 60 }, (_, i) => ({ va: `N${i}`, vb: `n${i}x`, n: 10 }));
    expect(learnMap(cells).map).toEqual({});
  });

  it('measures how much B predicts A (λ): 1 for a code list, 0 for unrelated columns', () => {
    expect(lambdaOf([{ va: 'BUY', vb: 'B', n: 50 }, { va: 'SELL', vb: 'S', n: 50 }])).toBe(1);
    expect(lambdaOf([{ va: 'BUY', vb: 'X', n: 25 }, { va: 'SELL', vb: 'X', n: 25 }, { va: 'BUY', vb: 'Y', n: 25 }, { va: 'SELL', vb: 'Y', n: 25 }])).toBe(0);
  });
});

describe('column names', () => {
  it('reads abbreviations and case styles as words', () => {
    expect(nameTokens('TradeID')).toEqual(['trade', 'id']);
    expect(nameTokens('trade_ref')).toEqual(['trade', 'id']);
    expect(nameSimilarity('SettleDate', 'settle_dt')).toBe(1);
    expect(nameSimilarity('Quantity', 'qty')).toBe(1);
    expect(nameSimilarity('Book', 'Counterparty')).toBeLessThan(0.3);
  });
});
