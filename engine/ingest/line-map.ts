import type { DuckDBConnection } from '@duckdb/node-api';
import type { LoadedSource } from './load-source.ts';
import { RUN_TABLES } from '../run-file/schema.ts';

/**
 * Where every staged row is in its file, so a break's records can be shown at
 * the line (or sheet row) a person finds them, as the rejects are. Staged rows
 * keep file order, and a row's line minus its position (`__rid`) never
 * decreases: a multi-line record, a blank line or a rejected record only push
 * the later records further down. So the map is only the points where that
 * offset changes, usually one per side:
 *
 *   line_map (side, rid, line_offset, label)
 *   line of row r = r + line_offset of the last point of its side with rid <= r
 *
 * `label` is "line" for text files, "row" for sheets, Parquet and JSON.
 */
export const LINE_MAP_DDL = `CREATE OR REPLACE TABLE ${RUN_TABLES.lineMap} (side VARCHAR NOT NULL, rid BIGINT NOT NULL, line_offset BIGINT NOT NULL, label VARCHAR NOT NULL)`;

/**
 * The points `[rid, offset, …]` where `lineOf(rid) - rid` changes over rows
 * [0, rows), found by bisection: where the offset is equal at both ends of a
 * span it is constant within (it never decreases), so a file without
 * multi-line records costs two calls.
 */
export function offsetPoints(rows: number, lineOf: (rid: number) => number): number[] {
  const out: number[] = [];
  if (rows <= 0) return out;
  const offset = (k: number): number => lineOf(k) - k;
  const split = (lo: number, atLo: number, hi: number, atHi: number): void => {
    if (atLo === atHi) return;
    if (hi === lo + 1) {
      out.push(hi, atHi);
      return;
    }
    const mid = Math.floor((lo + hi) / 2);
    const atMid = offset(mid);
    split(lo, atLo, mid, atMid);
    split(mid, atMid, hi, atHi);
  };
  const first = offset(0);
  out.push(0, first);
  split(0, first, rows - 1, offset(rows - 1));
  return out;
}

/** Writes `line_map` for both sides' staged rows (`rows`: staged and cast-rejected). */
export async function writeLineMap(conn: DuckDBConnection, sides: readonly { loaded: LoadedSource; rows: number }[]): Promise<void> {
  await conn.run(LINE_MAP_DDL);
  const appender = await conn.createAppender('line_map');
  try {
    for (const { loaded, rows } of sides) {
      const points = await loaded.lineOffsets(rows);
      for (let i = 0; i < points.length; i += 2) {
        appender.appendVarchar(loaded.side);
        appender.appendBigInt(BigInt(points[i]!));
        appender.appendBigInt(BigInt(points[i + 1]!));
        appender.appendVarchar(loaded.lineLabel);
        appender.endRow();
      }
    }
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
}
