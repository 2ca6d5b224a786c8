/**
 * A series' runs as the runs registry knows them: one lean row per run with
 * only the summary's figures the recon page shows (read by json_extract, so
 * a wide definition's per-field counts never leave SQLite), in the series'
 * order; and the decided breaks per run from `break_status`.
 */
import type { RunStatus as ListStatus } from '../../contract/index.ts';
import { jsonList, sql } from '../../store/sql.ts';
import type { Store } from '../../store/store.ts';

/** How a run pulled from the team server names where its file is (runs-source.ts). */
const REMOTE_PREFIX = 'remote:';

/** Statuses that close a break for review (the run overview's "decided"). */
export const FINAL_STATUSES = ['ACCEPTED', 'OVERRIDDEN', 'REJECTED'] as const;

export interface SeriesRunRow {
  runId: string;
  definition: string;
  status: ListStatus;
  startedAt: string;
  finishedAt: string | null;
  asOf: string | null;
  previousRunId: string | null;
  remoteDevice: string | null;
  breaks: number | null;
  lifecycle: { new: number; carried: number; changed: number; resolved: number } | null;
  unknownRate: number | null;
}

interface Row {
  run_id: string;
  definition_name: string;
  status: 'RUNNING' | 'COMPLETED' | 'FAILED';
  started_at: string;
  finished_at: string | null;
  duckdb_path: string;
  error_code: string | null;
  lifecycle: string | null;
  breaks: number | null;
  unknown_rate: number | null;
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const count = (v: unknown): number => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : 0);

function toRun(r: Row): SeriesRunRow {
  let lifecycle: Record<string, unknown> | null = null;
  try {
    const parsed: unknown = r.lifecycle === null ? null : JSON.parse(r.lifecycle);
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) lifecycle = parsed as Record<string, unknown>;
  } catch {
    lifecycle = null;
  }
  const asOf = typeof lifecycle?.['asOf'] === 'string' ? lifecycle['asOf'] : null;
  const previous = lifecycle?.['previousRunId'];
  const total = num(r.breaks);
  return {
    runId: r.run_id,
    definition: r.definition_name,
    // A cancelled run is recorded FAILED with RUN_CANCELLED (as the runs list shows it).
    status: r.status === 'FAILED' && r.error_code === 'RUN_CANCELLED' ? 'CANCELLED' : r.status,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    asOf,
    previousRunId: typeof previous === 'string' ? previous : null,
    remoteDevice: r.duckdb_path.startsWith(REMOTE_PREFIX) ? r.duckdb_path.slice(REMOTE_PREFIX.length) : null,
    breaks: total === null ? null : Math.max(0, Math.trunc(total)),
    lifecycle: lifecycle === null ? null : { new: count(lifecycle['new']), carried: count(lifecycle['carried']), changed: count(lifecycle['changed']), resolved: count(lifecycle['resolved']) },
    unknownRate: num(r.unknown_rate),
  };
}

/** The date a run sorts by in its series: its as-of, or the day it started (a run from before break memory, a failed one). */
const dateOf = (r: SeriesRunRow): string => r.asOf ?? r.startedAt.slice(0, 10);

/** Series order: as-of date, then start time, then run id (a total order, oldest first). */
export function bySeriesOrder(x: SeriesRunRow, y: SeriesRunRow): number {
  const dx = dateOf(x);
  const dy = dateOf(y);
  if (dx !== dy) return dx < dy ? -1 : 1;
  if (x.startedAt !== y.startedAt) return x.startedAt < y.startedAt ? -1 : 1;
  return x.runId < y.runId ? -1 : x.runId > y.runId ? 1 : 0;
}

/** Registered runs, of one series (definition name) or of every series (null), in series order. */
export function readRuns(store: Store, name: string | null): SeriesRunRow[] {
  const rows = store.read((tx) =>
    tx.all<Row>(
      sql`SELECT run_id, definition_name, status, started_at, finished_at, duckdb_path,
                 json_extract(error, '$.code') AS error_code,
                 json_extract(summary, '$.lifecycle') AS lifecycle,
                 json_extract(summary, '$.breaks.total') AS breaks,
                 json_extract(summary, '$.attribution.unknownRate') AS unknown_rate
            FROM runs WHERE ${name} IS NULL OR definition_name = ${name}`,
    ),
  );
  return rows.map(toRun).sort(bySeriesOrder);
}

/** The series' latest completed run: its breaks are the ones open now. */
export function latestCompleted(runs: readonly SeriesRunRow[]): SeriesRunRow | null {
  for (let i = runs.length - 1; i >= 0; i--) if (runs[i]!.status === 'COMPLETED') return runs[i]!;
  return null;
}

/** Breaks with a final decision now, per run (carried decisions are break_status rows of the new run too). */
export function decidedCounts(store: Store, runIds: readonly string[]): Map<string, number> {
  if (runIds.length === 0) return new Map();
  const rows = store.read((tx) =>
    tx.all<{ run_id: string; n: number }>(
      sql`SELECT run_id, count(*) AS n FROM break_status
           WHERE run_id IN (SELECT value FROM json_each(${jsonList(runIds)}))
             AND status IN (SELECT value FROM json_each(${jsonList(FINAL_STATUSES)}))
           GROUP BY run_id`,
    ),
  );
  return new Map(rows.map((r) => [r.run_id, r.n]));
}
