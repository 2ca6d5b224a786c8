import type { DuckDBConnection } from '@duckdb/node-api';
import type { ResolvedDefinition } from '../definition/resolve.ts';
import { queryOne, queryRows } from '../duckdb/open.ts';
import type { WidePlan } from '../normalize/wide.ts';
import { comparedFields, fieldStatsSql } from './sql.ts';
import { wideFieldStats } from './wide.ts';
import { RUN_TABLES } from '../run-file/schema.ts';

/** What the diff found among matched records, by name (the SQL's flag columns w0…, m0… stay in this folder). */
export interface FieldStats {
  /** Matched pairs with at least one break. */
  withBreaks: number;
  /** Matched pairs equal only within a tolerance somewhere, with no break. */
  withinOnly: number;
  /** Per compared field: values equal only within its tolerance (fields with none left out). */
  withinTolerance: Record<string, number>;
}

/** The matched records' split and per-field counts, from `joined` (or a wide run's `wide_diffs`). */
export async function readFieldStats(conn: DuckDBConnection, resolved: ResolvedDefinition, wide?: WidePlan): Promise<FieldStats> {
  const row = wide
    ? await wideFieldStats(conn, wide, await queryOne<Record<string, string>>(conn, fieldStatsSql(wide.narrow)))
    : await queryOne<Record<string, string>>(conn, fieldStatsSql(resolved));
  const withinTolerance: Record<string, number> = {};
  comparedFields(resolved).forEach((f, i) => {
    const n = Number(row[`w${i}`] ?? 0);
    if (n > 0) withinTolerance[f.name] = n;
  });
  return { withBreaks: Number(row['with_breaks'] ?? 0), withinOnly: Number(row['within_only'] ?? 0), withinTolerance };
}

/** The breaks table's totals by diff type and by field. */
export async function readBreakCounts(conn: DuckDBConnection): Promise<{ total: number; byField: Record<string, number>; byType: Record<string, number> }> {
  const byType = await queryRows<{ k: string; n: string }>(conn, `SELECT diff_type AS k, count(*) AS n FROM ${RUN_TABLES.breaks} GROUP BY 1 ORDER BY 1`);
  const byField = await queryRows<{ k: string; n: string }>(conn, `SELECT field AS k, count(*) AS n FROM ${RUN_TABLES.breaks} GROUP BY 1 ORDER BY 1`);
  const toRecord = (rows: { k: string; n: string }[]): Record<string, number> => Object.fromEntries(rows.map((r) => [r.k, Number(r.n)]));
  const total = byType.reduce((s, r) => s + Number(r.n), 0);
  return { total, byField: toRecord(byField), byType: toRecord(byType) };
}
