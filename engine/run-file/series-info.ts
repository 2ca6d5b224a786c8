/**
 * What a run file says about its place in its series (engine/series writes
 * it): the as-of date, the previous run it is linked to, and for one break
 * the previous run's break it continues. A run file from before break memory
 * has none of it (null).
 */
import { queryRows } from '../duckdb/open.ts';
import type { RunFile } from './run-file.ts';
import { GRID_MEMORY, RUN_TABLES } from './schema.ts';

export interface SeriesInfo {
  series: string;
  /** YYYY-MM-DD. */
  asOf: string;
  previousRunId: string | null;
}

/** The run's `series_info` row, or null for a run file without one. */
export async function readSeriesInfo(db: RunFile): Promise<SeriesInfo | null> {
  if (!db.tables.has(RUN_TABLES.seriesInfo)) return null;
  const cached = db.memo.get('series-info') as SeriesInfo | null | undefined;
  if (cached !== undefined) return cached;
  const rows = await db.run((c) =>
    queryRows<{ series: string; as_of: string; previous_run_id: string | null }>(
      c,
      `SELECT series, strftime(as_of, '%Y-%m-%d') AS as_of, previous_run_id FROM ${RUN_TABLES.seriesInfo} LIMIT 1`,
    ),
  );
  const r = rows[0];
  const info = r === undefined ? null : { series: r.series, asOf: r.as_of, previousRunId: r.previous_run_id };
  db.memo.set('series-info', info);
  return info;
}

/** The previous run's break that `breakId` continues (CARRIED or CHANGED); null for a NEW break or a run without memory. */
export async function previousBreakId(db: RunFile, breakId: number): Promise<number | null> {
  const rows = await db.run((c) => queryRows<{ p: string | null }>(c, `SELECT previous_break_id AS p FROM ${GRID_MEMORY} WHERE break_id = $1`, [breakId]));
  const p = rows[0]?.p;
  return p === null || p === undefined ? null : Number(p);
}
