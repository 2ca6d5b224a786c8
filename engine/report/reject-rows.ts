/**
 * A run's rejected input rows for the reports, in batches: every row the engine
 * could not read or type, with its file, line (or sheet row), column and reason,
 * so a report lists every record nobody compared, not only the summary's sample.
 */
import { queryRows } from '../duckdb/open.ts';
import type { FinishedRun } from '../run-file/finished-run.ts';
import { RUN_TABLES } from '../run-file/schema.ts';

export interface RejectRow {
  side: string;
  file: string | null;
  line: number | null;
  column: string | null;
  rawValue: string | null;
  reason: string;
}

/** Rejects in the order they were recorded (per side, by line within each kind of reject). */
export async function* rejectRows(run: FinishedRun, size = 10_000): AsyncGenerator<RejectRow[]> {
  if (!run.file.tables.has(RUN_TABLES.rejects)) return;
  let after = -1n;
  for (;;) {
    const rows = await queryRows<{ r: string; side: string; file: string | null; line: string | null; column_name: string | null; raw_value: string | null; reason: string }>(
      run.conn,
      `SELECT CAST(rowid AS VARCHAR) AS r, side, file, line, column_name, raw_value, reason
         FROM ${RUN_TABLES.rejects} WHERE rowid > $1 ORDER BY rowid LIMIT ${Math.trunc(size)}`,
      [after.toString()],
    );
    if (rows.length === 0) return;
    after = BigInt(rows[rows.length - 1]!.r);
    yield rows.map((x) => ({ side: x.side.toUpperCase(), file: x.file, line: x.line === null ? null : Number(x.line), column: x.column_name, rawValue: x.raw_value, reason: x.reason }));
  }
}
