import type { DuckDBConnection } from '@duckdb/node-api';
import { queryRows } from '../duckdb/open.ts';
import { literal } from '../sql/quote.ts';
import { kindOf, type TypedColumn } from './column-types.ts';
import { decimalValueSql, type NumberConvention } from './numbers.ts';
import type { Side } from './types.ts';

/**
 * Digits written with leading zeros on one side ("00042") and as plain whole
 * numbers, padded to another width or with the decimal point implied, on the
 * other (42, "0042"; 1687233.65 for "000000168723365"): the same numbers. Such a padded column is kept as text on its own side
 * (column-types.ts); here, where the other file's values show it, it is typed
 * integer and compared by its number. Decided per column from the samples'
 * distinct values (`infer_v_<side>`, profile.ts): a padded column is retyped
 * when more of its values occur in some column of the other file with the
 * zeros stripped than as written, so identifiers padded alike on both sides
 * stay text.
 */

/** Most padded × partner column pairs measured (the work grows with their shared values). */
const MAX_PAIRS = 4096;

/** SQL: digits without leading zeros ("-007" → "-7", "000" → "0"). */
const stripped = (v: string): string => `regexp_replace(${v}, ${literal('^([+-]?)0+([0-9])')}, ${literal(String.raw`\1\2`)})`;

/** SQL: a partner column's value `v` as digits without leading zeros (a number's at its scale, the point dropped). */
function digitsOf(c: TypedColumn, conv: NumberConvention): string {
  if (c.paddedDigits) return stripped('v');
  return stripped(`replace(CAST(${decimalValueSql('v', conv, c.scale ?? 0)} AS VARCHAR), '.', '')`);
}

/** Retypes, in place, the padded-digit columns of A and B that the other side writes as the same numbers. */
export async function alignPaddedDigits(conn: DuckDBConnection, a: TypedColumn[], b: TypedColumn[], conv: { a: NumberConvention; b: NumberConvention }): Promise<void> {
  const retype = new Set<string>();
  for (const [side, cols, other, otherSide] of [
    ['a', a, b, 'b'],
    ['b', b, a, 'a'],
  ] as [Side, TypedColumn[], TypedColumn[], Side][]) {
    const padded = cols.filter((c) => c.paddedDigits);
    // A number of the other side is compared by its digits at its scale: 1687233.65 ↔ "000000168723365", an implied decimal.
    const partners = other.filter((c) => c.paddedDigits || kindOf(c) === 'num');
    // A wide file's many columns of small numbers would join into a huge table: beyond a bound, padded columns stay text.
    if (padded.length === 0 || partners.length === 0 || padded.length * partners.length > MAX_PAIRS) continue;
    const paddedOther = new Set(other.filter((c) => c.paddedDigits).map((c) => c.index));
    const rows = await queryRows<{ i: number; j: number; num: string; raw: string }>(
      conn,
      `WITH p AS (SELECT DISTINCT i, v, ${stripped('v')} AS k FROM infer_v_${side} WHERE i IN (${padded.map((c) => c.index).join(', ')})),
            o AS (SELECT DISTINCT i AS j, v, CASE ${partners.map((c) => `WHEN i = ${c.index} THEN ${digitsOf(c, conv[otherSide])}`).join(' ')} END AS k
                    FROM infer_v_${otherSide} WHERE i IN (${partners.map((c) => c.index).join(', ')}))
       SELECT p.i, o.j, count(DISTINCT p.k) AS num, count(DISTINCT p.v) FILTER (WHERE p.v = o.v) AS raw
         FROM p JOIN o ON p.k = o.k GROUP BY p.i, o.j`,
    );
    for (const c of padded) {
      const mine = rows.filter((r) => Number(r.i) === c.index);
      // As written, the values are found in the other file's padded columns only (an integer column drops the zeros).
      const asWritten = Math.max(0, ...mine.filter((r) => paddedOther.has(Number(r.j))).map((r) => Number(r.raw)));
      const best = mine.reduce<{ j: number; num: number } | undefined>((x, r) => (x && x.num >= Number(r.num) ? x : { j: Number(r.j), num: Number(r.num) }), undefined);
      if (!best || best.num <= asWritten) continue;
      retype.add(`${side}:${c.index}`);
      if (paddedOther.has(best.j)) retype.add(`${otherSide}:${best.j}`);
    }
  }
  for (const [side, cols] of [
    ['a', a],
    ['b', b],
  ] as [Side, TypedColumn[]][]) {
    cols.forEach((c, i) => {
      if (!retype.has(`${side}:${c.index}`)) return;
      const reason = `digits with leading zeros (${c.leadingZero} values); the other file writes the same numbers without this padding, so typed integer and compared by their number`;
      cols[i] = { ...c, type: 'integer', report: { ...c.report, type: 'integer', confidence: 0.85, reason } };
    });
  }
}
