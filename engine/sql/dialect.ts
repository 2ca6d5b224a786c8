import { decimalLiteral } from './quote.ts';

/**
 * The few expressions whose spelling differs between the engines a recon's SQL
 * is emitted for; the query shapes (layers, joins, flags) are shared and call
 * these. DuckDB's spellings are exactly what the engine always emitted, so the
 * local path's SQL is byte-identical with or without the layer. ClickHouse
 * (18.16 and current) holds dates as day numbers (Int32) and timestamps as
 * microseconds (Int64) since 1970-01-01: its Date type starts at 1970 and its
 * DateTime has seconds only, and both would change values the definition compares.
 */
export interface Dialect {
  readonly name: 'duckdb' | 'clickhouse';
  /** NULL-safe "differs": NULL = NULL is equal, NULL against a value differs. */
  distinct(x: string, y: string): string;
  notNull(x: string): string;
  /** A boolean that may be NULL, NULL taken as false. */
  orFalse(cond: string): string;
  /** An exact decimal constant (a tolerance). */
  decimal(text: string): string;
  /** Whole days from date x to date y. */
  daysBetween(x: string, y: string): string;
  /** "timestamps x and y are at most `seconds` apart". */
  withinSeconds(x: string, y: string, seconds: number): string;
}

export const DUCKDB: Dialect = {
  name: 'duckdb',
  distinct: (x, y) => `(${x} IS DISTINCT FROM ${y})`,
  notNull: (x) => `${x} IS NOT NULL`,
  orFalse: (c) => `coalesce(${c}, false)`,
  decimal: (t) => decimalLiteral(t),
  daysBetween: (x, y) => `date_diff('day', ${x}, ${y})`,
  withinSeconds: (x, y, s) => `abs(epoch(${y}) - epoch(${x})) <= ${s}`,
};

export const CLICKHOUSE: Dialect = {
  name: 'clickhouse',
  // 18.16 has no IS DISTINCT FROM; `x = y` is NULL when either side is, and then both must be.
  distinct: (x, y) => `(NOT ifNull(${x} = ${y}, isNull(${x}) AND isNull(${y})))`,
  notNull: (x) => `isNotNull(${x})`,
  orFalse: (c) => `ifNull(${c}, 0)`,
  // A bare 0.01 is a Float64 in ClickHouse, which it refuses to compare with a Decimal: the constant is made exact.
  decimal: (t) => {
    const plain = plainDecimal(decimalLiteral(t));
    const scale = plain.includes('.') ? plain.length - plain.indexOf('.') - 1 : 0;
    return `toDecimal128('${plain}', ${scale})`;
  },
  daysBetween: (x, y) => `(${y} - ${x})`,
  withinSeconds: (x, y, s) => `abs(${y} - ${x}) <= ${s * 1_000_000}`,
};

/** A decimal literal ("1e-3", "+.5") written out without an exponent ("0.001", "0.5"), exactly. */
export function plainDecimal(text: string): string {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!m) throw new Error(`not a decimal number: ${text}`);
  const sign = m[1] === '-' ? '-' : '';
  const digits = `${m[2] ?? ''}${m[3] ?? ''}`;
  const point = (m[2] ?? '').length + Number(m[4] ?? 0);
  const padded = point <= 0 ? `${'0'.repeat(1 - point)}${digits}` : digits.padEnd(point, '0');
  const at = Math.max(point, 1);
  const int = padded.slice(0, at).replace(/^0+(?=\d)/, '') || '0';
  const frac = padded.slice(at).replace(/0+$/, '');
  return `${sign}${int}${frac ? `.${frac}` : ''}`;
}
