import type { DuckDBConnection } from '@duckdb/node-api';
import type { Break } from '../run-file/break.ts';
import { ident } from '../sql/quote.ts';

/** A break to write into a table shaped like the diff's `breaks` (a Break without rids or attribution); used for tests and synthetic training data. */
export type BreakRow = Pick<Break, 'breakId' | 'key' | 'field' | 'valueA' | 'valueB' | 'fieldType'> & {
  diffType: 'MISMATCH' | 'MISSING_IN_A' | 'MISSING_IN_B' | 'DUPLICATE_KEY' | 'REJECTED_IN_A' | 'REJECTED_IN_B';
  side?: 'a' | 'b' | null;
  delta?: string | null;
  /** The records' positions (`__rid`), for rules that read record fields (rules.ts). */
  ridA?: number | null;
  ridB?: number | null;
};

/** DDL of a table shaped like the diff's `breaks` (minus rid columns the features never read). */
export function breaksTableDdl(table: string): string {
  return `CREATE OR REPLACE TABLE ${ident(table)} (break_id BIGINT, key VARCHAR, field VARCHAR, diff_type VARCHAR, side VARCHAR,
            value_a VARCHAR, value_b VARCHAR, delta VARCHAR, field_type VARCHAR, rid_a BIGINT, rid_b BIGINT)`;
}

/** Creates `table` and appends the rows with DuckDB's appender. */
export async function writeBreakRows(conn: DuckDBConnection, table: string, rows: readonly BreakRow[]): Promise<void> {
  await conn.run(breaksTableDdl(table));
  const app = await conn.createAppender(table);
  const text = (v: string | null | undefined): void => (v === null || v === undefined ? app.appendNull() : app.appendVarchar(v));
  try {
    for (const r of rows) {
      app.appendBigInt(BigInt(r.breakId));
      app.appendVarchar(r.key);
      app.appendVarchar(r.field);
      app.appendVarchar(r.diffType);
      text(r.side);
      text(r.valueA);
      text(r.valueB);
      text(r.delta);
      text(r.fieldType);
      for (const rid of [r.ridA, r.ridB]) {
        if (rid === null || rid === undefined) app.appendNull();
        else app.appendBigInt(BigInt(rid));
      }
      app.endRow();
    }
    app.flushSync();
  } finally {
    app.closeSync();
  }
}
