/** Grid rows for a few breaks by id (an approver's evidence), with their decided statuses. */
import type { BreakRow } from '../../contract/index.ts';
import { queryRows } from '../../duckdb/open.ts';
import type { RunFile } from '../run-file.ts';
import { breaksByIdsSql, toBreakRow } from './sql.ts';

export async function readBreaksByIds(db: RunFile, ids: readonly number[]): Promise<BreakRow[]> {
  if (ids.length === 0) return [];
  const rows = await db.run((c) => queryRows<Record<string, unknown>>(c, breaksByIdsSql(db.hasAttributions), [ids.join(',')]));
  return rows.map(toBreakRow);
}
