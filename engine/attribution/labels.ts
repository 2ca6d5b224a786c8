import type { DuckDBConnection } from '@duckdb/node-api';
import { literal } from '../sql/quote.ts';
import { RUN_TABLES } from '../run-file/schema.ts';

/**
 * Labels for breaks: `break_labels(break_id, reason)` in the run database.
 * From a generator's truth.csv the label is joined on (key, field) — the
 * same pair the diff reports; duplicate-key rows share their key's label.
 * The workflow store will write the same table from reviewers' decisions.
 */
export const BREAK_LABELS_DDL = 'CREATE OR REPLACE TABLE break_labels (break_id BIGINT NOT NULL, reason VARCHAR NOT NULL)';

/** Loads truth.csv (key, field, diff_type, reason, side) and labels the run's breaks from it. Returns labelled/total. */
export async function labelBreaksFromTruth(conn: DuckDBConnection, truthPath: string): Promise<{ labelled: number; total: number }> {
  await conn.run(
    `CREATE OR REPLACE TEMP TABLE truth AS
       SELECT * FROM read_csv(${literal(truthPath)}, header = true, all_varchar = true, delim = ',', quote = '"')`,
  );
  await conn.run(BREAK_LABELS_DDL);
  await conn.run(
    `INSERT INTO break_labels
       SELECT b.break_id, any_value(t.reason) FROM ${RUN_TABLES.breaks} b JOIN truth t ON t.key = b.key AND t.field = b.field GROUP BY b.break_id`,
  );
  const r = (await conn.runAndReadAll(`SELECT (SELECT count(*) FROM break_labels) AS l, (SELECT count(*) FROM ${RUN_TABLES.breaks}) AS t`)).getRowObjectsJson()[0]!;
  return { labelled: Number(r['l']), total: Number(r['t']) };
}
