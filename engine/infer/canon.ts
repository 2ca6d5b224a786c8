import { literal } from '../sql/quote.ts';
import { dateSpecOf, kindOf, type TypedColumn } from './column-types.ts';
import { typedDateSql } from './date-formats.ts';
import { DECIMAL_DIGITS, decimalValueSql, type NumberConvention } from './numbers.ts';

/**
 * Canonical values: how inference compares a value of A with one of B. Numbers
 * become exact decimals (so "1 234,50" equals "1234.5"), dates real dates
 * under each side's own format, text is case-folded. Equal canonical values
 * are what the definition will call equal, apart from case (decided per field).
 */

/** SQL for the canonical value of column `c` read from `ref`. */
export function canonSql(c: TypedColumn, conv: NumberConvention, ref = c.ref): string {
  switch (kindOf(c)) {
    case 'num':
      return decimalValueSql(ref, conv, c.scale ?? 0);
    case 'date':
    case 'ts': {
      const spec = dateSpecOf(c);
      return typedDateSql(spec.format, spec.kind, ref);
    }
    case 'bool':
      return `(CASE WHEN lower(${ref}) IN ('true','t','yes','y','1') THEN true WHEN lower(${ref}) IN ('false','f','no','n','0') THEN false END)`;
    case 'text':
      return `upper(${ref})`;
  }
}

/**
 * SQL text of a key part: canonical, as text, so key parts of any type join and
 * concatenate. A number's text has no trailing fraction zeros, so the same
 * number typed at different scales on the two sides ("1.50", "1.5") has one text.
 */
export function keyTextSql(c: TypedColumn, conv: NumberConvention, ref = c.ref): string {
  if (kindOf(c) === 'text') return `upper(${ref})`;
  const text = `CAST(${canonSql(c, conv, ref)} AS VARCHAR)`;
  if (kindOf(c) !== 'num' || (c.scale ?? 0) === 0) return text;
  return `regexp_replace(regexp_replace(${text}, ${literal(String.raw`(\.[0-9]*?)0+$`)}, ${literal(String.raw`\1`)}), ${literal(String.raw`\.$`)}, '')`;
}

/**
 * The scale two numeric columns are compared at: the finer of theirs, less
 * what the larger values' integer digits need of a DECIMAL(38). Comparing
 * DECIMAL(38, s1) with DECIMAL(38, s2) directly would cast both to the larger
 * scale, which fails (not NULL: an error) on a value with too many integer digits.
 */
export function commonScale(x: TypedColumn, y: TypedColumn): number {
  const finer = Math.min(18, Math.max(x.scale ?? 0, y.scale ?? 0));
  return Math.max(0, Math.min(finer, DECIMAL_DIGITS - Math.max(x.intDigits, y.intDigits)));
}

/** SQL comparing two canonical numbers (`vx` of x, `vy` of y) with `op`, never failing: both cast (TRY_CAST) to a common scale. */
export function numCompareSql(x: TypedColumn, y: TypedColumn, vx: string, vy: string, op: '=' | '<>'): string {
  if ((x.scale ?? 0) === (y.scale ?? 0)) return `${vx} ${op} ${vy}`;
  const s = commonScale(x, y);
  return `TRY_CAST(${vx} AS DECIMAL(38, ${s})) ${op} TRY_CAST(${vy} AS DECIMAL(38, ${s}))`;
}
