import type { DuckDBConnection } from '@duckdb/node-api';
import { queryRows } from '../duckdb/open.ts';
import { literal } from '../sql/quote.ts';
import type { TypedColumn } from './column-types.ts';
import type { KeyPart } from './key-candidates.ts';
import type { Sampled } from './source.ts';
import type { Side } from './types.ts';

/**
 * Which columns may be part of a key. A key holding a compared value (an
 * amount, a quantity, a comment) turns every difference in it into a
 * MISSING_IN_A + MISSING_IN_B pair instead of a MISMATCH; such a column often
 * makes a combination unique (amounts rarely repeat), so duplicates alone
 * would pick it. The values tell, whatever the column is called: codes,
 * references, dates and short categories are identifiers; decimals, whole
 * numbers that are negative, round or of varying width and repeat, and
 * long or many-worded text are values.
 */

/** Up to this many distinct values, a column is a category (a leg, a book, a year), whatever its values. */
const CATEGORY_VALUES = 20;
/** Share of values above which a trait describes the column. */
const MOST = 0.5;
/** Share of values of the commonest digit count above which whole numbers are fixed-width codes. */
const FIXED_WIDTH = 0.9;
/** Share of a range's numbers present (per sampled record) above which whole numbers are a run of consecutive ids. */
const DENSE = 0.8;
/** Share of text values that are numbers with decimals above which the text is an amount written as text. */
const MOSTLY_NUMBERS = 0.9;
/** Mean length above which text is free text. */
const LONG_TEXT = 40;

/** What the values of one column look like, counted over the sample's distinct values (`infer_v_<side>`, profile.ts). */
export interface ValueShape {
  /** Values, and distinct values. */
  n: number;
  distinct: number;
  meanLength: number;
  /** Values of three or more words. */
  manyWords: number;
  /** Values that are numbers with a fractional part. */
  fractional: number;
  negative: number;
  /** Whole numbers ending in 00. */
  round: number;
  /** Values with the commonest count of digits. */
  commonWidth: number;
  /** Smallest and largest value read as a whole number (digits only). */
  min: number;
  max: number;
}

/** Why a column's values make it a compared value rather than an identifier; undefined for an identifier. */
export function valueReason(c: TypedColumn, s: ValueShape | undefined, fraction: number): string | undefined {
  if (c.type === 'decimal') return 'numbers with decimals';
  if (!s || s.n === 0 || s.distinct <= CATEGORY_VALUES) return undefined;
  if (c.type === 'integer') {
    if (s.negative > 0) return 'whole numbers, some negative';
    if (s.round >= MOST * s.n) return 'mostly round whole numbers';
    if (s.commonWidth >= FIXED_WIDTH * s.n) return undefined;
    // A sample holds `fraction` of a run of consecutive ids (1, 2, 3 …) whatever the file's size.
    if (s.distinct >= DENSE * fraction * (s.max - s.min + 1)) return undefined;
    return 'whole numbers of varying width with gaps between them';
  }
  if (c.type === 'string') {
    if (s.fractional >= MOSTLY_NUMBERS * s.n) return 'numbers with decimals';
    if (s.manyWords >= MOST * s.n || s.meanLength > LONG_TEXT) return 'free text';
  }
  return undefined;
}

const FRACTIONAL = String.raw`[-+(]?(\d{1,3}([,' ]\d{3})*|\d+)\.\d+\)?|[-+(]?(\d{1,3}([.' ]\d{3})*|\d+),\d+\)?`;

/** The value shapes of the given columns of a side, by column index. */
export async function valueShapes(conn: DuckDBConnection, side: Side, cols: readonly TypedColumn[]): Promise<Map<number, ValueShape>> {
  const out = new Map<number, ValueShape>();
  if (cols.length === 0) return out;
  const rows = await queryRows<Record<string, string | number | null>>(
    conn,
    `WITH v AS (SELECT i, v, n, length(regexp_replace(v, '[^0-9]', '', 'g')) AS w FROM infer_v_${side} WHERE i IN (${cols.map((c) => c.index).join(', ')})),
          widths AS (SELECT i, max(k) AS common FROM (SELECT i, w, sum(n) AS k FROM v GROUP BY i, w) GROUP BY i)
     SELECT i, sum(n) AS n, count(*) AS distinct_, sum(n * length(v)) / sum(n) AS mean_length,
            coalesce(sum(n) FILTER (WHERE regexp_matches(v, '\\S+\\s+\\S+\\s+\\S')), 0) AS many_words,
            coalesce(sum(n) FILTER (WHERE regexp_full_match(v, ${literal(FRACTIONAL)})), 0) AS fractional,
            coalesce(sum(n) FILTER (WHERE regexp_matches(v, '^[-(]|-$')), 0) AS negative,
            coalesce(sum(n) FILTER (WHERE regexp_full_match(v, '[+]?[1-9][0-9,.'' ]*00')), 0) AS round,
            any_value(common) AS common_width,
            coalesce(min(TRY_CAST(nullif(regexp_replace(v, '[^0-9]', '', 'g'), '') AS DOUBLE)), 0) AS min_,
            coalesce(max(TRY_CAST(nullif(regexp_replace(v, '[^0-9]', '', 'g'), '') AS DOUBLE)), 0) AS max_
       FROM v JOIN widths USING (i) GROUP BY i`,
  );
  for (const r of rows) {
    out.set(Number(r['i']), {
      n: Number(r['n']),
      distinct: Number(r['distinct_']),
      meanLength: Number(r['mean_length']),
      manyWords: Number(r['many_words']),
      fractional: Number(r['fractional']),
      negative: Number(r['negative']),
      round: Number(r['round']),
      commonWidth: Number(r['common_width']),
      min: Number(r['min_']),
      max: Number(r['max_']),
    });
  }
  return out;
}

/** A column left out of the key, and why. */
export interface ValueColumn {
  column: TypedColumn;
  why: string;
}

/** The columns of a side that are identifiers, and those that hold compared values (never part of a key). */
export async function identifierColumns(conn: DuckDBConnection, side: Side, cols: readonly TypedColumn[], s: Sampled): Promise<{ kept: TypedColumn[]; values: ValueColumn[] }> {
  const shapes = await valueShapes(conn, side, cols);
  const kept: TypedColumn[] = [];
  const values: ValueColumn[] = [];
  for (const column of cols) {
    const why = valueReason(column, shapes.get(column.index), s.fraction);
    if (why === undefined) kept.push(column);
    else values.push({ column, why });
  }
  return { kept, values };
}

/** The A–B pairs whose columns are identifiers on both sides, and the A or B columns that hold compared values. */
export async function identifierParts(conn: DuckDBConnection, parts: readonly KeyPart[], sa: Sampled, sb: Sampled): Promise<{ kept: KeyPart[]; values: ValueColumn[] }> {
  const a = await identifierColumns(conn, 'a', parts.map((p) => p.a), sa);
  const b = await identifierColumns(conn, 'b', parts.map((p) => p.b), sb);
  const [okA, okB] = [new Set(a.kept.map((c) => c.index)), new Set(b.kept.map((c) => c.index))];
  return { kept: parts.filter((p) => okA.has(p.a.index) && okB.has(p.b.index)), values: [...a.values, ...b.values] };
}

/** The columns left out, in words for the key's notes. */
export function valueWords(values: readonly ValueColumn[]): string {
  const once = new Map(values.map((v) => [`${v.column.side}${v.column.index}`, v]));
  return [...once.values()].map((v) => `${v.column.side.toUpperCase()}'s ${v.column.name} (${v.why})`).join(', ');
}
