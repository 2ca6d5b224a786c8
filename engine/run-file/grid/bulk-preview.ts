/**
 * review.bulkPreview: how many breaks a bulk decision's filter covers, counted
 * in DuckDB with the decided statuses (the overlay). The filter means exactly
 * what the workflow's own break source means by it (engine/run-file/break-source.ts):
 * the suggestion is the model's reason when AUTO, its best guess when REVIEW.
 */
import type { BreakFilterInput } from '../../contract/index.ts';
import { queryOne } from '../../duckdb/open.ts';
import type { RunFile } from '../run-file.ts';
import { OVERLAY_JOIN, Params } from './sql.ts';
import { breaksWithAttributions } from '../schema.ts';

export interface BulkCounts {
  /** Breaks matching the filter. */
  matched: number;
  /** Of those, still open (AUTO or REVIEW after decisions). */
  open: number;
  /** Of the open ones, with a suggestion that can be accepted (not UNKNOWN). */
  acceptable: number;
}

export async function countBulk(db: RunFile, filter: BreakFilterInput): Promise<BulkCounts> {
  const attr = db.hasAttributions;
  const params = new Params();
  const parts: string[] = [];
  const eq = (expr: string, v: string | undefined): void => {
    if (v !== undefined && v !== '') parts.push(`${expr} = ${params.add(v)}`);
  };
  const suggestion = attr ? `CASE WHEN t.status = 'AUTO' THEN t.reason ELSE t.suggested_reason END` : 'NULL::VARCHAR';
  const baseStatus = attr ? `coalesce(t.status, 'REVIEW')` : `'REVIEW'`;
  eq('b.field', filter.field);
  eq('b.diff_type', filter.diffType);
  eq(suggestion, filter.reason);
  eq('b.delta', filter.delta);
  if (filter.breakIds !== undefined && filter.breakIds.length > 0) {
    // A selection in the grid: its ids travel as one text parameter "1,5,9".
    parts.push(`b.break_id IN (SELECT CAST(unnest(string_split(${params.add(filter.breakIds.join(','))}, ',')) AS BIGINT))`);
  }
  if (filter.maxAbsDelta !== undefined && filter.maxAbsDelta !== '') {
    parts.push(`abs(TRY_CAST(b.delta AS DECIMAL(38, 10))) <= CAST(${params.add(filter.maxAbsDelta)} AS DECIMAL(38, 10))`);
  }
  const from = `${breaksWithAttributions(attr)} ${OVERLAY_JOIN}`;
  const open = `coalesce(d.status, ${baseStatus}) IN ('AUTO', 'REVIEW')`;
  const row = await db.run((c) =>
    queryOne<{ matched: string; open: string; acceptable: string }>(
      c,
      `SELECT count(*) AS matched,
              count(*) FILTER (WHERE ${open}) AS open,
              count(*) FILTER (WHERE ${open} AND ${suggestion} IS NOT NULL AND ${suggestion} <> 'UNKNOWN') AS acceptable
         FROM ${from} ${parts.length > 0 ? `WHERE ${parts.join(' AND ')}` : ''}`,
      params.values,
    ),
  );
  return { matched: Number(row.matched), open: Number(row.open), acceptable: Number(row.acceptable) };
}
