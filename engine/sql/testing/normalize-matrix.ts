import type { ResolvedField } from '../../definition/resolve.ts';
import type { SourceFormat, SourceOptions } from '../../definition/schema.ts';
import { fieldSql } from '../../normalize/sql.ts';

/**
 * Field and source shapes that reach every branch of normalize/sql.ts and
 * adjust-sql.ts: the DuckDB SQL of each is pinned (normalize-duckdb.json) so the
 * dialect layer cannot change a byte of the benchmarked local path, and the
 * ClickHouse test (engine/clickhouse/normalize-dialect.test.ts) runs the same shapes.
 */
export interface MatrixEntry {
  name: string;
  field: ResolvedField;
  source: SourceOptions;
  format?: SourceFormat | 'query' | 'http';
}

const base: ResolvedField = {
  name: 'f', aColumn: 'f', bColumn: 'f', type: 'string', scale: 0, mapA: undefined, mapB: undefined, case: 'none', trim: true,
  dateFormatA: undefined, dateFormatB: undefined, tolerance: {}, adjustA: undefined, adjustB: undefined, compare: true, isKey: false, listed: true,
} as ResolvedField;

const f = (over: Partial<ResolvedField>): ResolvedField => ({ ...base, ...over });

export const NORMALIZE_MATRIX: MatrixEntry[] = [
  { name: 'string', field: f({}), source: {} },
  { name: 'string untrimmed', field: f({ trim: false }), source: {} },
  { name: 'string nulls', field: f({}), source: { nullValues: ['NULL', 'n/a'] } },
  { name: 'string map upper', field: f({ mapA: { x: 'y', "it's": 'ok' }, case: 'upper' }), source: {} },
  { name: 'string lower', field: f({ case: 'lower' }), source: {} },
  { name: 'integer', field: f({ type: 'integer' }), source: {} },
  { name: 'integer grouped', field: f({ type: 'integer' }), source: { thousandsSeparator: ',' } },
  { name: 'integer parquet', field: f({ type: 'integer' }), source: {}, format: 'parquet' },
  { name: 'decimal', field: f({ type: 'decimal', scale: 2 }), source: {} },
  { name: 'decimal reject', field: f({ type: 'decimal', scale: 2, rounding: 'reject' }), source: {} },
  { name: 'decimal comma', field: f({ type: 'decimal', scale: 3 }), source: { decimalSeparator: ',', thousandsSeparator: '.' } },
  { name: 'decimal space grouped', field: f({ type: 'decimal', scale: 2 }), source: { decimalSeparator: ',', thousandsSeparator: ' ' } },
  { name: 'integer apostrophe grouped', field: f({ type: 'integer' }), source: { thousandsSeparator: "'" } },
  { name: 'decimal scale 0', field: f({ type: 'decimal', scale: 0 }), source: {} },
  { name: 'decimal json', field: f({ type: 'decimal', scale: 4 }), source: {}, format: 'json' },
  { name: 'decimal reject json', field: f({ type: 'decimal', scale: 2, rounding: 'reject' }), source: {}, format: 'json' },
  { name: 'decimal multiply', field: f({ type: 'decimal', scale: 2, adjustA: { multiply: '0.01' } }), source: {} },
  { name: 'decimal multiply whole', field: f({ type: 'decimal', scale: 2, adjustA: { multiply: '-1' } }), source: {} },
  { name: 'decimal multiply wide', field: f({ type: 'decimal', scale: 10, adjustA: { multiply: '0.000000001' } }), source: {} },
  { name: 'integer multiply', field: f({ type: 'integer', adjustA: { multiply: '100' } }), source: {} },
  { name: 'date', field: f({ type: 'date' }), source: {} },
  { name: 'date formats', field: f({ type: 'date', dateFormatA: ['%d/%m/%Y', '%Y%m%d'] }), source: {} },
  { name: 'date timed formats', field: f({ type: 'date', dateFormatA: ['%d/%m/%Y %H:%M'] }), source: {} },
  { name: 'date shift', field: f({ type: 'date', adjustA: { shiftDays: -2 } }), source: {} },
  { name: 'date business', field: f({ type: 'date', adjustA: { shiftBusinessDays: -1 } }), source: {} },
  { name: 'date business +7', field: f({ type: 'date', adjustA: { shiftBusinessDays: 7 } }), source: {} },
  { name: 'timestamp', field: f({ type: 'timestamp' }), source: {} },
  { name: 'timestamp formats', field: f({ type: 'timestamp', dateFormatA: ['%d.%m.%Y %H:%M:%S'] }), source: {} },
  { name: 'timestamp shift', field: f({ type: 'timestamp', adjustA: { shiftDays: 1 } }), source: {} },
  { name: 'timestamp business', field: f({ type: 'timestamp', adjustA: { shiftBusinessDays: 2 } }), source: {} },
  { name: 'boolean', field: f({ type: 'boolean' }), source: {} },
];

/** Every piece of SQL fieldSql gives for an entry on DuckDB, as normalize-duckdb.json holds it. */
export function duckdbSqlOf(e: MatrixEntry): unknown {
  const s = fieldSql(e.field, 'a', e.source, e.format);
  return {
    clean: s.clean('__r0'),
    text: s.text('__s0'),
    typed: s.typed('__t0'),
    sqlType: s.sqlType,
    expected: s.expected,
    adjust: s.adjust ? { sql: s.adjust.sql('__v0'), failure: s.adjust.failure } : null,
    narrow: s.narrow ? { sqlType: s.narrow.sqlType, typed: s.narrow.typed('__t0'), unchecked: s.narrow.unchecked('__t0'), status: s.narrow.status('__t0', '__u0') } : null,
    rounded: s.rounded ? s.rounded('__t0') : null,
    reasons: s.reasons ? s.reasons('__t0') : null,
  };
}
