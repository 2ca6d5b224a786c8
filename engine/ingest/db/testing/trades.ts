/**
 * The trades the database-source tests reconcile: the same rows as a table in
 * PostgreSQL or MariaDB and as a CSV file, each value as the database writes it
 * as text. Side "b" carries known breaks.
 */

export const TRADE_COLUMNS = ['id', 'trade_date', 'amount', 'ccy', 'booked', 'note'] as const;
export type TradeRow = [string, string, string | null, string, string, string | null];

const DAY = 86_400_000;
const BASE_DATE = Date.UTC(2026, 11, 1);
const BASE_BOOKED = Date.UTC(2026, 10, 1);

const isoDate = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
const isoStamp = (ms: number): string => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
const cents = (c: number): string => `${Math.floor(c / 100)}.${String(c % 100).padStart(2, '0')}`;

/** Rows 1..n; side "b" has amount +0.01 on every 1000th, another note on every 1500th, booked +1 h on row 3000, row n missing and row n+1 extra. */
export function trades(n: number, side: 'a' | 'b'): TradeRow[] {
  const out: TradeRow[] = [];
  for (let i = 1; i <= n + 1; i++) {
    if (side === 'a' && i === n + 1) break;
    if (side === 'b' && i === n) continue;
    let c = (i * 7919) % 1_000_000;
    if (side === 'b' && i % 1000 === 0) c += 1;
    let booked = BASE_BOOKED + i * 60_000;
    if (side === 'b' && i === 3000) booked += 3_600_000;
    let note: string | null = i === 7 ? 'tab\there, new\nline, "quoted", back\\slash' : `n${i}`;
    if (i === 13) note = null;
    if (side === 'b' && i % 1500 === 0) note = 'changed';
    out.push([String(i), isoDate(BASE_DATE - (i % 30) * DAY), i === 11 ? null : cents(c), ['USD', 'EUR', 'GBP'][i % 3]!, isoStamp(booked), note]);
  }
  return out;
}

/** The rows as CSV with a header (an empty cell for NULL). */
export function tradesCsv(rows: readonly TradeRow[]): string {
  const cell = (v: string | null): string => (v === null ? '' : /[",\n\r\t]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  return `${TRADE_COLUMNS.join(',')}\n${rows.map((r) => r.map(cell).join(',')).join('\n')}\n`;
}

/** Expected breaks of side a against side b, by type. */
export function expectedBreaks(n: number): { mismatchAmount: number; mismatchNote: number; missingInA: number; missingInB: number } {
  return {
    mismatchAmount: Math.floor((n - 1) / 1000),
    mismatchNote: Math.floor((n - 1) / 1500),
    missingInA: 1,
    missingInB: 1,
  };
}
