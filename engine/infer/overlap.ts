import type { DuckDBConnection } from '@duckdb/node-api';
import { queryRows } from '../duckdb/open.ts';
import { keyTextSql } from './canon.ts';
import type { TypedColumn } from './column-types.ts';
import type { NumberConvention } from './numbers.ts';

/**
 * Value overlap between the two independent samples, for every column pair:
 * how many distinct canonical values of A's column also occur in B's. For
 * small domains (currencies, books) it shows which columns hold the same
 * vocabulary; for identifiers it is small (two samples of a big file share
 * few records) but still far above zero for the right pair.
 */
export interface OverlapMatrix {
  /** shared[i][j]: distinct values of A column i also in B column j. */
  shared: number[][];
  distinctA: number[];
  distinctB: number[];
}

/** Computes the overlap matrix of the given columns in one query. */
export async function sampleOverlap(
  conn: DuckDBConnection,
  a: readonly TypedColumn[],
  b: readonly TypedColumn[],
  conv: { a: NumberConvention; b: NumberConvention },
): Promise<OverlapMatrix> {
  // Indexed by column index, so a subset of columns can be measured.
  const width = (cols: readonly TypedColumn[]): number => Math.max(0, ...cols.map((c) => c.index + 1));
  const shared = Array.from({ length: width(a) }, () => Array.from({ length: width(b) }, () => 0));
  const distinctA = Array.from({ length: width(a) }, () => 0);
  const distinctB = Array.from({ length: width(b) }, () => 0);
  if (a.length === 0 || b.length === 0) return { shared, distinctA, distinctB };
  const unpivot = (cols: readonly TypedColumn[], c: NumberConvention, table: string): string =>
    cols.map((col) => `SELECT ${col.index} AS i, ${keyTextSql(col, c)} AS k FROM ${table}`).join(' UNION ALL ');
  const rows = await queryRows<{ i: number; j: number | null; n: string }>(
    conn,
    `WITH va AS (SELECT DISTINCT i, k FROM (${unpivot(a, conv.a, 'infer_s_a')}) WHERE k IS NOT NULL),
          vb AS (SELECT DISTINCT i AS j, k FROM (${unpivot(b, conv.b, 'infer_s_b')}) WHERE k IS NOT NULL)
     SELECT i, j, count(*) AS n FROM va JOIN vb USING (k) GROUP BY i, j
     UNION ALL SELECT i, NULL, count(*) FROM va GROUP BY i
     UNION ALL SELECT -1 - j, NULL, count(*) FROM vb GROUP BY j`,
  );
  for (const r of rows) {
    const n = Number(r.n);
    if (r.j !== null) shared[r.i]![r.j] = n;
    else if (r.i >= 0) distinctA[r.i] = n;
    else distinctB[-1 - r.i] = n;
  }
  return { shared, distinctA, distinctB };
}

/** Share of the smaller column's distinct values that the other also holds. */
export function containment(m: OverlapMatrix, i: number, j: number): number {
  const d = Math.min(m.distinctA[i] ?? 0, m.distinctB[j] ?? 0);
  return d === 0 ? 0 : (m.shared[i]![j] ?? 0) / d;
}
