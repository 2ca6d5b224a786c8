import { dateSpecOf, kindOf, type TypedColumn } from './column-types.ts';
import { typedDateSql } from './date-formats.ts';
import { decimalValueSql, type NumberConvention } from './numbers.ts';

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

/** SQL text of a key part: canonical, as text, so key parts of any type join and concatenate. */
export function keyTextSql(c: TypedColumn, conv: NumberConvention, ref = c.ref): string {
  return kindOf(c) === 'text' ? `upper(${ref})` : `CAST(${canonSql(c, conv, ref)} AS VARCHAR)`;
}
