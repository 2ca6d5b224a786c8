import type { DuckDBConnection } from '@duckdb/node-api';
import { queryRows } from '../duckdb/open.ts';
import { hasStatusOverlay } from './review-figures.ts';
import type { FinishedRun } from '../run-file/finished-run.ts';
import { breaksWithAttributions, GRID_MEMORY, REASON_SLA, RUN_TABLES, STATUS_OVERLAY } from '../run-file/schema.ts';

/**
 * The SQL behind the narrative's claims: every break with its reason, model
 * status and a pattern ("bd:1" = B one business day after A; "x1000",
 * "x0.001", "sign" for amounts), so a claim is a filter whose count and ids
 * come from the same query.
 */
export interface BreakFilter {
  reason?: string;
  field?: string;
  diffType?: string | string[];
  side?: string;
  pattern?: string | null;
  status?: string;
  /** Break memory: NEW, CARRIED or CHANGED. */
  lifecycle?: string;
  /** A decision of the previous run carried to the break (true) or dropped on it (false). */
  decisionCarried?: boolean;
  /** At least this many days old (by as-of date). */
  minAgeDays?: number;
  /** Older (in days) than the SLA of its reason now. */
  overdue?: true;
}

/** Whether a filter reads the break's memory (a join the other claims do without). */
const readsMemory = (f: BreakFilter): boolean => f.lifecycle !== undefined || f.decisionCarried !== undefined || f.minAgeDays !== undefined || f.overdue !== undefined;

export interface Group {
  reason: string;
  field: string;
  diffType: string;
  side: string | null;
  pattern: string | null;
  n: number;
}

/** Business days since a Monday (1900-01-01); a weekend day counts as the Friday before. */
const bd = (d: string): string => `(5 * (date_diff('day', DATE '1900-01-01', ${d}) // 7) + least(date_diff('day', DATE '1900-01-01', ${d}) % 7, 5))`;
const near = (r: string, k: number): string => `abs(${r} - ${k}) <= ${Math.abs(k) * 1e-3}`;
const RATIO = `TRY_CAST(b.value_b AS DOUBLE) / nullif(TRY_CAST(b.value_a AS DOUBLE), 0)`;

/**
 * The relation every claim reads: breaks with reason, status and pattern. The
 * reason is the reason now (a decision's over the model's) when the store's
 * statuses are attached (review-figures.ts), as every count the summary gives;
 * the status is the model's (AUTO: explained automatically). With `memory`,
 * also each break's lifecycle, age in days, whether a decision of the previous
 * run was carried to it or dropped, and whether it is past its reason's SLA
 * (`grid_memory` and `reason_sla`, which every run file's connection has; empty
 * for a run from before break memory).
 */
export function claimRelation(run: FinishedRun, memory = false): string {
  const decided = hasStatusOverlay(run.conn);
  const overlay = decided ? `LEFT JOIN ${STATUS_OVERLAY} d ON d.break_id = b.break_id` : '';
  const reason = `coalesce(${decided ? 'd.reason, ' : ''}${run.hasAttributions ? 't.reason, ' : ''}'UNATTRIBUTED')`;
  const status = run.hasAttributions ? `coalesce(t.status, 'REVIEW')` : `'REVIEW'`;
  const pattern = `CASE
      WHEN b.diff_type = 'MISMATCH' AND b.field_type = 'date'
        THEN 'bd:' || CAST(${bd('TRY_CAST(b.value_b AS DATE)')} - ${bd('TRY_CAST(b.value_a AS DATE)')} AS VARCHAR)
      WHEN b.diff_type = 'MISMATCH' AND b.field_type IN ('decimal', 'integer') THEN CASE
        WHEN ${near(RATIO, 1000)} THEN 'x1000' WHEN ${near(RATIO, 100)} THEN 'x100'
        WHEN ${near(RATIO, 0.001)} THEN 'x0.001' WHEN ${near(RATIO, 0.01)} THEN 'x0.01'
        WHEN ${near(RATIO, -1)} THEN 'sign' END
    END`;
  const base = `SELECT b.break_id, b.key, b.field, b.diff_type, b.side, b.delta, b.field_type, ${reason} AS reason, ${status} AS status, ${pattern} AS pattern
             FROM ${breaksWithAttributions(run.hasAttributions)} ${overlay}`;
  if (!memory) return `(${base})`;
  const carried = run.file.tables.has(RUN_TABLES.carriedDecisions)
    ? `LEFT JOIN ${RUN_TABLES.carriedDecisions} cd ON cd.break_id = c.break_id`
    : 'LEFT JOIN (SELECT NULL::BIGINT AS break_id, NULL::BOOLEAN AS kept) cd ON false';
  return `(SELECT c.*, m.lifecycle, m.age_days, cd.kept AS decision_carried, coalesce(m.age_days > s.sla_days, false) AS overdue
             FROM (${base}) c LEFT JOIN ${GRID_MEMORY} m ON m.break_id = c.break_id LEFT JOIN ${REASON_SLA} s ON s.reason = c.reason ${carried})`;
}

function where(f: BreakFilter): { sql: string; params: string[] } {
  const parts: string[] = [];
  const params: string[] = [];
  const eq = (col: string, v: string | undefined): void => {
    if (v === undefined) return;
    params.push(v);
    parts.push(`${col} = $${params.length}`);
  };
  eq('reason', f.reason);
  eq('field', f.field);
  eq('side', f.side);
  eq('status', f.status);
  if (typeof f.diffType === 'string') eq('diff_type', f.diffType);
  if (Array.isArray(f.diffType)) {
    const marks = f.diffType.map((d) => {
      params.push(d);
      return `$${params.length}`;
    });
    parts.push(`diff_type IN (${marks.join(', ')})`);
  }
  if (f.pattern === null) parts.push('pattern IS NULL');
  else eq('pattern', f.pattern);
  eq('lifecycle', f.lifecycle);
  if (f.decisionCarried !== undefined) parts.push(`decision_carried = ${f.decisionCarried ? 'true' : 'false'}`);
  if (f.minAgeDays !== undefined) parts.push(`age_days >= ${Math.trunc(f.minAgeDays)}`);
  if (f.overdue) parts.push('overdue');
  return { sql: parts.length === 0 ? 'true' : parts.join(' AND '), params };
}

/** The largest (reason, field, diff type, side, pattern) groups; optionally only those with a pattern. */
export async function largestGroups(conn: DuckDBConnection, run: FinishedRun, limit: number, withPatternOnly = false): Promise<Group[]> {
  const rows = await queryRows<{ reason: string; field: string; diff_type: string; side: string | null; pattern: string | null; n: string }>(
    conn,
    `SELECT reason, field, diff_type, side, pattern, count(*) AS n FROM ${claimRelation(run)}
      ${withPatternOnly ? 'WHERE pattern IS NOT NULL AND pattern <> \'bd:0\'' : ''}
      GROUP BY ALL ORDER BY n DESC, reason, field, pattern NULLS LAST LIMIT ${Math.trunc(limit)}`,
  );
  return rows.map((r) => ({ reason: r.reason, field: r.field, diffType: r.diff_type, side: r.side, pattern: r.pattern, n: Number(r.n) }));
}

/** How many breaks match a filter, and the first `cap` of their ids. */
export async function breaksOf(conn: DuckDBConnection, run: FinishedRun, f: BreakFilter, cap: number): Promise<{ total: number; ids: number[] }> {
  const w = where(f);
  const rows = await queryRows<{ total: string; ids: (string | number)[] | null }>(
    conn,
    `SELECT count(*) AS total, (list(break_id ORDER BY break_id))[1:${Math.trunc(cap)}] AS ids FROM ${claimRelation(run, readsMemory(f))} WHERE ${w.sql}`,
    w.params,
  );
  const r = rows[0]!;
  return { total: Number(r.total), ids: (r.ids ?? []).map(Number) };
}

/** Consecutive ids as ranges: [1,2,3,7] → [{1,3},{7,7}]. */
export function idRanges(ids: readonly number[]): { from: number; to: number }[] {
  const out: { from: number; to: number }[] = [];
  for (let i = 0; i < ids.length; ) {
    let j = i;
    while (j + 1 < ids.length && ids[j + 1] === ids[j]! + 1) j++;
    out.push({ from: ids[i]!, to: ids[j]! });
    i = j + 1;
  }
  return out;
}
