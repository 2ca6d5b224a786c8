/**
 * A run's break memory as the reports state it: where the run stands in its
 * series (as-of date, previous run), its breaks NEW / CARRIED / CHANGED, the
 * previous run's breaks resolved and how they ended, the decisions carried
 * or dropped, ageing per reason and the breaks past their reason's SLA.
 * engine/series wrote it into the run file; the lifecycle counts and the age
 * buckets are readAgeing()'s, the figures the run overview shows (runs.ageing).
 * A run file from before break memory has none of it: null, and every report
 * reads as it did before.
 */
import { createHash } from 'node:crypto';
import { queryRows } from '../duckdb/open.ts';
import type { FinishedRun } from '../run-file/finished-run.ts';
import { readAgeing } from '../run-file/grid/ageing.ts';
import { GRID_MEMORY, RUN_TABLES } from '../run-file/schema.ts';
import { readSeriesInfo } from '../run-file/series-info.ts';
import type { RunMemory } from './memory-figures.ts';

export { AGE_BUCKETS, type RunMemory } from './memory-figures.ts';

/** Reads the run's memory; `slas` are the reason codes' SLAs from the workflow store (none without one). */
export async function readRunMemory(run: FinishedRun, slas: readonly { reason: string; sla_days: number }[]): Promise<RunMemory | null> {
  const file = run.file;
  if (!file.hasMemory) return null;
  const info = await readSeriesInfo(file);
  if (info === null) return null;
  if (slas.length > 0) await file.replaceSla(slas, createHash('sha256').update(JSON.stringify(slas)).digest('hex'));
  // Reads the connection's status_overlay: buildSummary attaches the decided statuses first.
  const ageing = await readAgeing(file);
  const resolvedBy: Record<string, number> = {};
  if (file.tables.has(RUN_TABLES.resolvedBreaks)) {
    const rows = await queryRows<{ resolution: string; n: string }>(run.conn, `SELECT resolution, count(*) AS n FROM ${RUN_TABLES.resolvedBreaks} GROUP BY 1 ORDER BY n DESC, 1`);
    for (const r of rows) resolvedBy[r.resolution] = Number(r.n);
  }
  let decisionsCarried = 0;
  let decisionsDropped = 0;
  if (file.tables.has(RUN_TABLES.carriedDecisions)) {
    const [d] = await queryRows<{ kept: string; dropped: string }>(
      run.conn,
      `SELECT count(*) FILTER (WHERE kept) AS kept, count(*) FILTER (WHERE NOT kept) AS dropped FROM ${RUN_TABLES.carriedDecisions}`,
    );
    decisionsCarried = Number(d?.kept ?? 0);
    decisionsDropped = Number(d?.dropped ?? 0);
  }
  const [old] = await queryRows<{ age_days: number; age_runs: number; first_seen_as_of: string; n: string }>(
    run.conn,
    `SELECT age_days, max(age_runs) AS age_runs, strftime(min(first_seen_as_of), '%Y-%m-%d') AS first_seen_as_of, count(*) AS n
       FROM ${GRID_MEMORY} GROUP BY age_days ORDER BY age_days DESC LIMIT 1`,
  );
  return {
    series: info.series,
    asOf: info.asOf,
    previousRunId: info.previousRunId,
    lifecycle: ageing.lifecycle,
    resolvedBy,
    decisionsCarried,
    decisionsDropped,
    byReason: ageing.byReason.map((r) => ({ ...r, reason: r.reason ?? 'UNATTRIBUTED' })),
    total: ageing.total,
    overdue: ageing.overdue,
    hasSla: slas.length > 0,
    oldest: old === undefined ? null : { ageDays: Number(old.age_days), ageRuns: Number(old.age_runs), firstSeenAsOf: old.first_seen_as_of, n: Number(old.n) },
  };
}

/** One break's memory, as the detailed exports write it. */
export interface BreakMemory {
  lifecycle: string;
  firstSeenRun: string;
  /** YYYY-MM-DD. */
  firstSeenAsOf: string;
  ageRuns: number;
  ageDays: number;
}

/**
 * The memory of breaks lo..hi (inclusive), by break id; empty for a run from
 * before break memory. The batch comes back as one text value (a line per
 * break, tab-separated: our codes, run ids, dates and integers, none of which
 * holds a tab or a line break): turning 10,000 rows of six columns into JS
 * objects took twice as long (4 s against 2 s for a million breaks).
 */
export async function breakMemoryRange(run: FinishedRun, lo: number, hi: number): Promise<Map<number, BreakMemory>> {
  const out = new Map<number, BreakMemory>();
  if (!run.file.hasMemory) return out;
  const [row] = await queryRows<{ t: string | null }>(
    run.conn,
    `SELECT string_agg(concat_ws(chr(9), break_id, lifecycle, first_seen_run, strftime(first_seen_as_of, '%Y-%m-%d'), age_runs, age_days), chr(10)) AS t
       FROM ${GRID_MEMORY} WHERE break_id BETWEEN $1 AND $2`,
    [lo, hi],
  );
  for (const line of row?.t ? row.t.split('\n') : []) {
    const [id, lifecycle, firstSeenRun, firstSeenAsOf, ageRuns, ageDays] = line.split('\t') as [string, string, string, string, string, string];
    out.set(Number(id), { lifecycle, firstSeenRun, firstSeenAsOf, ageRuns: Number(ageRuns), ageDays: Number(ageDays) });
  }
  return out;
}

/** A break of the previous run that is gone in this one. */
export interface ResolvedBreak {
  key: string;
  field: string;
  diffType: string;
  valueA: string | null;
  valueB: string | null;
  firstSeenRun: string;
  firstSeenAsOf: string;
  lastSeenRun: string;
  resolution: string;
  /** Its id in the previous run. */
  previousBreakId: number;
}

/** The resolved breaks in the previous run's break order, a batch at a time (by previous break id, so never sorted whole). */
export async function* resolvedBreaks(run: FinishedRun, size = 10_000): AsyncGenerator<ResolvedBreak[]> {
  if (!run.file.tables.has(RUN_TABLES.resolvedBreaks)) return;
  let after = -1;
  for (;;) {
    const rows = await queryRows<{
      key: string;
      field: string;
      diff_type: string;
      value_a: string | null;
      value_b: string | null;
      first_seen_run: string;
      first_seen_as_of: string;
      last_seen_run: string;
      resolution: string;
      previous_break_id: string;
    }>(
      run.conn,
      `SELECT key, field, diff_type, value_a, value_b, first_seen_run, strftime(first_seen_as_of, '%Y-%m-%d') AS first_seen_as_of, last_seen_run, resolution, previous_break_id
         FROM ${RUN_TABLES.resolvedBreaks} WHERE previous_break_id > $1 ORDER BY previous_break_id LIMIT ${Math.trunc(size)}`,
      [after],
    );
    if (rows.length === 0) return;
    yield rows.map((r) => ({
      key: r.key,
      field: r.field,
      diffType: r.diff_type,
      valueA: r.value_a,
      valueB: r.value_b,
      firstSeenRun: r.first_seen_run,
      firstSeenAsOf: r.first_seen_as_of,
      lastSeenRun: r.last_seen_run,
      resolution: r.resolution,
      previousBreakId: Number(r.previous_break_id),
    }));
    after = Number(rows.at(-1)!.previous_break_id);
  }
}

/** The previous run's ids of the resolved breaks, the first `cap` of them. */
export async function resolvedIds(run: FinishedRun, cap: number): Promise<number[]> {
  if (!run.file.tables.has(RUN_TABLES.resolvedBreaks)) return [];
  const rows = await queryRows<{ id: string }>(run.conn, `SELECT previous_break_id AS id FROM ${RUN_TABLES.resolvedBreaks} ORDER BY previous_break_id LIMIT ${Math.trunc(cap)}`);
  return rows.map((r) => Number(r.id));
}

/** How a resolved break ended, in words. */
export function resolutionWords(resolution: string): string {
  switch (resolution) {
    case 'VALUES_AGREE':
      return 'the values now agree';
    case 'RECORD_ON_BOTH_SIDES':
      return 'the record is now on both sides';
    case 'RECORD_GONE':
      return 'the record is gone from both sides';
    case 'RECORD_ON_ONE_SIDE':
      return 'the record is now on one side only';
    case 'RECORD_NOT_COMPARED':
      return 'the record was not compared (a duplicate or rejected row)';
    default:
      return `it ended as ${resolution}`;
  }
}
