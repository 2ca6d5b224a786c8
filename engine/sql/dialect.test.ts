import { describe, expect, it } from 'vitest';
import type { ResolvedField } from '../definition/resolve.ts';
import { beyondTolerance } from '../diff/sql.ts';
import { readFileSync } from 'node:fs';
import { fieldSql, trimSql } from '../normalize/sql.ts';
import { CLICKHOUSE, plainDecimal } from './dialect.ts';
import { duckdbSqlOf, NORMALIZE_MATRIX } from './testing/normalize-matrix.ts';

const field = (type: ResolvedField['type'], tolerance: ResolvedField['tolerance']): ResolvedField => ({ name: 'f', type, tolerance }) as ResolvedField;

describe('the dialect layer', () => {
  it('spells DuckDB exactly as the local diff always did', () => {
    // The local path is benchmarked: the layer must not change a byte of its SQL (but for the TRY of
    // a numeric tolerance, added when an overflowing B − A was found to fail the run: diff/extreme-values.test.ts).
    expect(beyondTolerance(field('decimal', { abs: '0.01', rel: '1e-3' }), 'a0', 'b0')).toBe(
      '((a0 IS DISTINCT FROM b0) AND NOT coalesce((a0 IS NOT NULL AND b0 IS NOT NULL AND (TRY(abs(b0 - a0) <= 0.01) OR TRY(abs(b0 - a0) <= 1e-3 * greatest(abs(a0), abs(b0))))), false))',
    );
    expect(beyondTolerance(field('date', { days: 2 }), 'a1', 'b1')).toBe(
      "((a1 IS DISTINCT FROM b1) AND NOT coalesce((a1 IS NOT NULL AND b1 IS NOT NULL AND (abs(date_diff('day', a1, b1)) <= 2)), false))",
    );
    expect(beyondTolerance(field('timestamp', { days: 1 }), 'a2', 'b2')).toBe(
      '((a2 IS DISTINCT FROM b2) AND NOT coalesce((a2 IS NOT NULL AND b2 IS NOT NULL AND (abs(epoch(b2) - epoch(a2)) <= 86400)), false))',
    );
    expect(beyondTolerance(field('string', {}), 'a3', 'b3')).toBe('(a3 IS DISTINCT FROM b3)');
  });

  it('spells ClickHouse with exact decimals, day numbers and microseconds', () => {
    // The numbers' steps behind a range test where DuckDB has TRY (clickhouse/tolerance-overflow.test.ts).
    const decimal = beyondTolerance(field('decimal', { abs: '0.01', rel: '1e-3' }), 'a0', 'b0', CLICKHOUSE);
    expect(decimal).toMatch(/^\(\(NOT ifNull\(a0 = b0, isNull\(a0\) AND isNull\(b0\)\)\) AND NOT ifNull\(\(isNotNull\(a0\) AND isNotNull\(b0\) AND \(if\(/);
    expect(decimal).toContain(") <= toDecimal128('0.01', 2), 0) OR if(");
    expect(decimal).toContain(") <= toDecimal128('0.001', 3) * greatest(abs(if(");
    expect(beyondTolerance(field('date', { days: 2 }), 'a1', 'b1', CLICKHOUSE)).toContain('abs((b1 - a1)) <= 2');
    expect(beyondTolerance(field('timestamp', { days: 1 }), 'a2', 'b2', CLICKHOUSE)).toContain('abs(b2 - a2) <= 86400000000');
  });

  it('writes decimal constants out without an exponent, exactly', () => {
    expect(['1e-3', '0.01', '+.5', '1.5e2', '100', '-2.50', '0', '12.345e-1'].map(plainDecimal)).toEqual(['0.001', '0.01', '0.5', '150', '100', '-2.5', '0', '1.2345']);
    expect(() => plainDecimal('abc')).toThrow(/not a decimal/);
  });
});

describe('normalization through the dialect layer', () => {
  it('spells DuckDB byte for byte as normalize/sql.ts did before the layer', () => {
    // normalize-duckdb.json was written by the code before it took a dialect; the local
    // engine's staging is benchmarked, so not one byte of its SQL may change. (Its date and
    // timestamp entries were written again when dates without a format came to need a
    // four-digit year first, and timestamps to apply a UTC offset and round beyond microseconds.)
    const pinned = JSON.parse(readFileSync(new URL('./testing/normalize-duckdb.json', import.meta.url), 'utf8')) as Record<string, unknown>;
    expect(Object.keys(pinned)).toHaveLength(NORMALIZE_MATRIX.length + 1);
    expect(trimSql('c')).toBe(pinned['trim']);
    for (const e of NORMALIZE_MATRIX) expect(duckdbSqlOf(e), e.name).toEqual(pinned[e.name]);
  });

  it('spells the same fields for ClickHouse without DuckDB-only functions', () => {
    for (const e of NORMALIZE_MATRIX.filter((m) => m.format === undefined)) {
      const s = fieldSql(e.field, 'a', e.source, e.format, CLICKHOUSE);
      const all = [s.clean('r'), s.text('t'), s.typed('t'), s.adjust?.sql('v') ?? '', s.rounded?.('t') ?? '', s.reasons?.('t') ?? ''].join(' ');
      expect(all, e.name).not.toMatch(/TRY_CAST|TRY_STRPTIME|regexp_full_match|regexp_matches|strlen|\btry\(|::[A-Z]|\[2:-2\]|\bstrpos\(/);
    }
  });

  it('refuses the exponent form on ClickHouse rather than reading it differently', () => {
    const e = NORMALIZE_MATRIX.find((m) => m.format === 'json')!;
    expect(() => fieldSql(e.field, 'a', e.source, e.format, CLICKHOUSE)).toThrow(/DuckDB only/);
  });
});
