import type { FieldType, SideAdjust } from '../definition/schema.ts';
import { literal } from '../sql/quote.ts';
import { DUCKDB, type Dialect } from '../sql/dialect.ts';
import { chDayOfMicros, chIsoDow } from '../sql/clickhouse-casts.ts';

/**
 * SQL for a field's per-side `adjust`: the rule that normalizes one side's
 * typed value before the compare (B in cents → ×0.01, a flipped sign → ×-1,
 * dates a day or a business day off → a shift). Everything stays in DuckDB's
 * exact types: a decimal is multiplied as DECIMAL and cast back to the
 * field's DECIMAL(38, scale), which rounds half away from zero; an integer is
 * multiplied as HUGEINT by a whole factor only (the schema refuses others).
 *
 * Each expression is wrapped in `try()`: a value whose adjusted form does not
 * fit the type (a DECIMAL(38) overflow, a date beyond year 294247) becomes
 * NULL, and the stage rejects the row as it rejects a failed cast, with
 * `failure` as the reason. A valid value that fits never becomes NULL.
 */
export interface AdjustSql {
  /** The adjusted value of `x` (a column holding the typed value). */
  sql(x: string): string;
  /** Reject reason when the value cast but its adjusted form is out of range. */
  failure: string;
}

/** A factor as exact text with its decimal places, trailing zeros dropped ("100.00" → "100", scale 0). */
export interface Factor {
  text: string;
  scale: number;
  /** Digits in all, the DECIMAL precision it needs. */
  precision: number;
  whole: boolean;
}

export function parseFactor(value: string): Factor {
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(value);
  if (!m) throw new Error(`not a decimal factor: ${value}`);
  const sign = m[1]!;
  const int = m[2]!.replace(/^0+(?=\d)/, '');
  const frac = (m[3] ?? '').replace(/0+$/, '');
  return { text: `${sign}${int}${frac ? `.${frac}` : ''}`, scale: frac.length, precision: int.length + frac.length, whole: frac.length === 0 };
}

/** A Monday, the origin of business-day numbers (any Monday would do: only differences matter). */
const MONDAY = "DATE '1970-01-05'";

/**
 * Business days (Monday to Friday) numbered from a Monday: Monday of week w
 * is 5w, Friday 5w + 4, and a Saturday or Sunday counts as the Monday after
 * it (5w + 5). `d` is a DATE. Whole weeks come from the Monday that starts
 * d's ISO week, an exact multiple of 7 days, so the number is right before
 * 1970 too (DuckDB's `//` and `%` truncate towards zero).
 */
export function businessDayNumber(d: string): string {
  return `(5 * (date_diff('day', ${MONDAY}, CAST(date_trunc('week', ${d}) AS DATE)) // 7) + least(isodow(${d}) - 1, 5))`;
}

/**
 * Days to add to `d` (a DATE) to move it by `n` business days: the weekday
 * whose business-day number is businessDayNumber(d) + n. From a weekday that
 * is the usual count (Friday +1 → Monday, Monday −1 → Friday); a Saturday or
 * Sunday counts as the Monday after it (+1 → Tuesday, −1 → Friday), which is
 * the count inference measures, so an accepted proposal is its exact inverse.
 * `n` = 0 is no shift (the caller emits nothing).
 */
export function businessDayOffset(d: string, n: number): string {
  // j = weekday position (0..5) + n, lifted by whole weeks of 5 so it is never
  // negative and truncating // and % act as floor division and modulo.
  const lift = Math.ceil(Math.max(0, -n) / 5);
  const j = `(least(isodow(${d}) - 1, 5) + ${n + 5 * lift})`;
  return `CAST(7 * (${j} // 5) + ${j} % 5 - ${7 * lift} - (isodow(${d}) - 1) AS INTEGER)`;
}

/** The adjustment of one side of a field, or undefined when the side has none (or only no-op shifts). */
export function adjustSql(type: FieldType, scale: number, adj: SideAdjust | undefined, label: string, dialect: Dialect = DUCKDB): AdjustSql | undefined {
  if (!adj) return undefined;
  if (dialect.name === 'clickhouse') return chAdjustSql(type, scale, adj, label);
  if (adj.multiply !== undefined) {
    const k = parseFactor(adj.multiply);
    if (k.text === '1') return undefined;
    if (type === 'decimal') return { sql: decimalProduct(k, scale), failure: `multiplied by ${k.text} (${label}.multiply) it needs more than the 38 digits of DECIMAL(38, ${scale})` };
    if (type === 'integer') {
      if (!k.whole) throw new Error(`integer field multiplied by a non-whole factor ${k.text}`);
      return {
        sql: (x) => `try(${x} * CAST(${literal(k.text)} AS HUGEINT))`,
        failure: `multiplied by ${k.text} (${label}.multiply) it is beyond the largest whole number (about 1.7 × 10^38)`,
      };
    }
    return undefined;
  }
  if (type !== 'date' && type !== 'timestamp') return undefined;
  const addDays = (x: string, days: string): string => (type === 'date' ? `(${x} + ${days})` : `(${x} + to_days(${days}))`);
  if (adj.shiftDays !== undefined && adj.shiftDays !== 0) {
    const n = adj.shiftDays;
    return { sql: (x) => `try(${addDays(x, String(n))})`, failure: `shifted by ${n} days (${label}.shiftDays) it is out of the ${type} range` };
  }
  if (adj.shiftBusinessDays !== undefined && adj.shiftBusinessDays !== 0) {
    const n = adj.shiftBusinessDays;
    const day = (x: string): string => (type === 'date' ? x : `CAST(${x} AS DATE)`);
    return {
      sql: (x) => `try(${addDays(x, businessDayOffset(day(x), n))})`,
      failure: `shifted by ${n} business days (${label}.shiftBusinessDays) it is out of the ${type} range`,
    };
  }
  return undefined;
}

/**
 * x (DECIMAL(38, s)) × k back in DECIMAL(38, s). A whole factor needs no
 * rounding: DECIMAL(38, s) × DECIMAL(38, 0) is DECIMAL(38, s). Otherwise the
 * product has s + sk places and the cast back rounds half away from zero.
 * Rounding a 38-digit decimal is ~30x slower in DuckDB 1.5 than an 18-digit
 * one, so values that fit 18 digits (before and after) take the narrow path;
 * the wide one runs only where the narrow one gave NULL. Both are exact and
 * round the same way. The exact product (x and k as integers at their scales)
 * must fit 38 digits, which for a power of ten or −1 means the result must.
 */
function decimalProduct(k: Factor, s: number): (x: string) => string {
  const factor = literal(k.text);
  if (k.whole) return (x) => `try(${x} * CAST(${factor} AS DECIMAL(38, 0)))`;
  const wide = (x: string): string => `try(CAST(${x} * CAST(${factor} AS DECIMAL(38, ${k.scale})) AS DECIMAL(38, ${s})))`;
  if (k.precision > 18 || s + k.scale > 18) return wide;
  return (x) =>
    `coalesce(CAST(try(CAST(TRY_CAST(${x} AS DECIMAL(18, ${s})) * CAST(${factor} AS DECIMAL(18, ${k.scale})) AS DECIMAL(18, ${s}))) AS DECIMAL(38, ${s})), ${wide(x)})`;
}

/**
 * The same rules on ClickHouse, over the wire forms (clickhouse-casts.ts):
 * Decimal(38, s) values, day numbers and microseconds. The failure texts are
 * the local ones. ClickHouse throws where DuckDB's try() gives NULL, and
 * evaluates every branch, so a product that could overflow is not computed:
 * its magnitude is bounded first in floating point (exact but for values within
 * a rounding error of 10^38, which no amount has).
 */
function chAdjustSql(type: FieldType, scale: number, adj: SideAdjust, label: string): AdjustSql | undefined {
  if (adj.multiply !== undefined) {
    const k = parseFactor(adj.multiply);
    if (k.text === '1') return undefined;
    if (type !== 'decimal' && type !== 'integer') return undefined;
    if (type === 'integer' && !k.whole) throw new Error(`integer field multiplied by a non-whole factor ${k.text}`);
    const s = type === 'integer' ? 0 : scale;
    const room = 38 - s - k.scale;
    const guard = (x: string): string => `(abs(toFloat64(${x})) * ${Math.abs(Number(k.text))} < 1e${room})`;
    const exact = (x: string): string => `(if(${guard(x)}, ${x}, toDecimal128('0', ${s})) * toDecimal128('${k.text}', ${k.scale}))`;
    const failure =
      type === 'decimal'
        ? `multiplied by ${k.text} (${label}.multiply) it needs more than the 38 digits of DECIMAL(38, ${scale})`
        : `multiplied by ${k.text} (${label}.multiply) it is beyond the largest whole number (about 1.7 × 10^38)`;
    if (k.whole) return { sql: (x) => `(CASE WHEN ${guard(x)} THEN ${exact(x)} END)`, failure };
    // Back to the field's scale, half away from zero: toDecimal128 to a smaller scale truncates towards zero.
    const unit = s === 0 ? '1' : `0.${'0'.repeat(s - 1)}1`;
    return {
      sql: (x) => {
        const e = exact(x);
        const trunc = `toDecimal128(${e}, ${s})`;
        const up = `(abs(${e} - ${trunc}) * 2 >= toDecimal128('${unit}', ${s}))`;
        return `(CASE WHEN ${guard(x)} THEN ${trunc} + toDecimal128(if(${up}, if(${e} < 0, '-${unit}', '${unit}'), '0'), ${s}) END)`;
      },
      failure,
    };
  }
  if (type !== 'date' && type !== 'timestamp') return undefined;
  const addDays = (x: string, days: string): string => (type === 'date' ? `(${x} + ${days})` : `(${x} + (${days}) * 86400000000)`);
  if (adj.shiftDays !== undefined && adj.shiftDays !== 0) {
    const n = adj.shiftDays;
    return { sql: (x) => addDays(x, String(n)), failure: `shifted by ${n} days (${label}.shiftDays) it is out of the ${type} range` };
  }
  if (adj.shiftBusinessDays !== undefined && adj.shiftBusinessDays !== 0) {
    const n = adj.shiftBusinessDays;
    const day = (x: string): string => (type === 'date' ? x : chDayOfMicros(x));
    // businessDayOffset's arithmetic on ISO weekdays of day numbers; intDiv and % truncate as DuckDB's // and % do.
    const offset = (dn: string): string => {
      const lift = Math.ceil(Math.max(0, -n) / 5);
      const dow = `(${chIsoDow(dn)} - 1)`;
      const j = `(least(${dow}, 5) + ${n + 5 * lift})`;
      return `(7 * intDiv(${j}, 5) + ${j} % 5 - ${7 * lift} - ${dow})`;
    };
    return {
      sql: (x) => addDays(x, offset(day(x))),
      failure: `shifted by ${n} business days (${label}.shiftBusinessDays) it is out of the ${type} range`,
    };
  }
  return undefined;
}
