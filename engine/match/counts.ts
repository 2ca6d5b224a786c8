import type { DuckDBConnection } from '@duckdb/node-api';
import { queryOne } from '../duckdb/open.ts';
import { RUN_TABLES } from '../run-file/schema.ts';

/** A rows matched in a group whose amounts differ (within the rule's tolerance): the summary's "matched with breaks". */
export async function matchedWithDifference(conn: DuckDBConnection): Promise<number> {
  const r = await queryOne<{ n: string }>(
    conn,
    `SELECT count(*) AS n FROM ${RUN_TABLES.matches} m JOIN ${RUN_TABLES.matchGroups} g USING (match_id)
      WHERE m.side = 'a' AND g.difference IS NOT NULL AND g.difference <> 0`,
  );
  return Number(r.n);
}
