/**
 * The B/A ratio of a number break, computed exactly in DuckDB: no DOUBLE and
 * no JavaScript float ever holds it, so 1234.56 / 12.3456 shows as 100 and an
 * FX rate shows its real digits. Each value is read as DECIMAL(38, 10), whose
 * text without its point is the value × 10^10 as a whole number; B × 10^20
 * divided by A × 10^10 as HUGEINTs is the ratio × 10^10, truncated towards
 * zero, written back with 10 decimals and no trailing zeros. Each value is
 * cast once per row: the grid computes this over 10,000-row windows, and an
 * expression repeating the casts cost ~0.3 ms a row. NULL when the field is
 * not an integer or decimal, a value is missing or not a number, or A is
 * zero; `try` turns an overflow (|B| beyond ~10^18) into NULL as well.
 */

/** The value × 10^10 as a HUGEINT: DECIMAL(38, 10) printed always has 10 decimals. */
const scaled = (col: string): string => `CAST(replace(CAST(TRY_CAST(${col} AS DECIMAL(38, 10)) AS VARCHAR), '.', '') AS HUGEINT)`;

/** The ratio as text (e.g. "100", "-0.5", "1.0845"), or NULL. */
export function ratioSql(): string {
  const q = `((${scaled('b.value_b')} * 10000000000::HUGEINT) // ${scaled('b.value_a')})`;
  const text = `rtrim(rtrim(CAST(CAST(${q} AS DECIMAL(38, 0)) * 0.0000000001 AS VARCHAR), '0'), '.')`;
  return `CASE WHEN b.field_type IN ('decimal', 'integer') AND TRY_CAST(b.value_a AS DECIMAL(38, 10)) <> 0 THEN try(${text}) END`;
}
