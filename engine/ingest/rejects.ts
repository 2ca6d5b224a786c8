import type { DuckDBConnection } from '@duckdb/node-api';

/**
 * The run's rejects table: every input row that could not be parsed or cast,
 * with where it was and why. Rows are counted here, never dropped.
 */
export const REJECTS_DDL = `
CREATE TABLE IF NOT EXISTS rejects (
  side VARCHAR NOT NULL,
  file VARCHAR NOT NULL,
  line BIGINT,
  column_name VARCHAR,
  raw_value VARCHAR,
  reason VARCHAR NOT NULL,
  error_type VARCHAR NOT NULL,
  -- The staged row (__rid) a cast reject belongs to; NULL for a record the reader
  -- could not split, which has no staged row. Links a REJECTED_IN_A/B break to its reject.
  rid BIGINT,
  -- The key of a record the reader could not split, as staging spells keys, when it
  -- could be read from the record's first fields (ingest/reject-keys.ts); else NULL.
  key VARCHAR
)`;

export interface RejectRow {
  side: 'a' | 'b';
  file: string;
  line: number | null;
  column: string | null;
  rawValue: string | null;
  reason: string;
  errorType: string;
  /** The staged row, for rejects of a value that did not cast. */
  rid?: number;
}

/** Appends reject rows (few, by nature) through DuckDB's appender. */
export async function appendRejects(conn: DuckDBConnection, rows: readonly RejectRow[]): Promise<void> {
  if (rows.length === 0) return;
  const appender = await conn.createAppender('rejects');
  try {
    for (const r of rows) {
      appender.appendVarchar(r.side);
      appender.appendVarchar(r.file);
      if (r.line === null) appender.appendNull();
      else appender.appendBigInt(BigInt(r.line));
      if (r.column === null) appender.appendNull();
      else appender.appendVarchar(r.column);
      if (r.rawValue === null) appender.appendNull();
      else appender.appendVarchar(truncate(r.rawValue));
      appender.appendVarchar(r.reason);
      appender.appendVarchar(r.errorType);
      if (r.rid === undefined) appender.appendNull();
      else appender.appendBigInt(BigInt(r.rid));
      appender.appendNull(); // key: set by ingest/reject-keys.ts once the definition's key SQL can read it
      appender.endRow();
    }
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
}

function truncate(v: string): string {
  return v.length > 2000 ? `${v.slice(0, 2000)}…` : v;
}

/** Plain-words reasons for DuckDB's CSV error types. */
export function describeCsvError(errorType: string, message: string, side: 'a' | 'b'): string {
  switch (errorType) {
    case 'MISSING COLUMNS':
      return `too few fields: ${message}`;
    case 'TOO MANY COLUMNS':
      return `too many fields: ${message}`;
    case 'UNQUOTED VALUE':
      return `unterminated or misplaced quote: ${message}`;
    case 'INVALID UNICODE': // DuckDB < 1.1
    case 'INVALID ENCODING':
      return `not valid UTF-8 text; set sources.${side}.encoding (e.g. "windows-1252")`;
    case 'LINE SIZE OVER MAXIMUM':
      return `line too long: ${message}`;
    default:
      return message;
  }
}
