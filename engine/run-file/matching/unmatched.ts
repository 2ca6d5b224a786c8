/**
 * matching.unmatched: one side's unmatched rows now (now.ts): left by the
 * rules, tied (AMBIGUOUS), unmatched by hand (UNDONE), or in a manual match
 * waiting for approval (PENDING_MATCH); filtered and paged in SQL, then the
 * page's rows read whole from the staged view.
 */
import type { MatchFilter, UnmatchedRow } from '../../contract/index.ts';
import { queryOne, queryRows } from '../../duckdb/open.ts';
import { Params } from '../grid/sql.ts';
import type { RunFile } from '../run-file.ts';
import type { MatchingLayout } from './layout.ts';
import { matchFilterSql, pageBounds } from './filter-sql.ts';
import { NOW_TABLES } from './now.ts';
import { readRowsByRid, type Side } from './row-sql.ts';

export async function readUnmatched(
  db: RunFile,
  layout: MatchingLayout,
  args: { side: Side; filter: MatchFilter; offset: number; limit: number },
): Promise<{ total: number; rows: UnmatchedRow[] }> {
  const params = new Params();
  const side = params.add(args.side);
  const where = `side = ${side} AND ${matchFilterSql(args.filter, params)}`;
  return db.run(async (c) => {
    const { n } = await queryOne<{ n: string }>(c, `SELECT count(*) AS n FROM ${NOW_TABLES.unmatched} WHERE ${where}`, params.values);
    const page = await queryRows<{ rid: string; status: UnmatchedRow['status']; break_id: string | null }>(
      c,
      `SELECT rid, status, break_id FROM ${NOW_TABLES.unmatched} WHERE ${where} ORDER BY date NULLS LAST, id, rid LIMIT ${pageBounds(args)}`,
      params.values,
    );
    const whole = await readRowsByRid(
      c,
      layout,
      args.side,
      page.map((p) => Number(p.rid)),
    );
    const rows = page.flatMap((p): UnmatchedRow[] => {
      const row = whole.get(Number(p.rid));
      return row ? [{ ...row, status: p.status, breakId: p.break_id === null ? null : Number(p.break_id) }] : [];
    });
    return { total: Number(n), rows };
  });
}
