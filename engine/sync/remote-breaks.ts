/**
 * Reviewing a run made on another workstation: its DuckDB file is not here,
 * so its breaks come from the evidence pulled from the team server
 * (sync_remote_breaks). The same BreakSource shape as a run file, so decide()
 * and listBreaks() work on remote runs unchanged.
 */
import { ReconError } from '../errors/recon-error.ts';
import { jsonList, sql } from '../store/sql.ts';
import type { Store } from '../store/store.ts';
import type { RemoteBreak } from './apply-remote.ts';
import { baseStatusOf, suggestionOf, type Break } from '../run-file/break.ts';
import type { BreakFilter, BreakSource } from '../workflow/breaks.ts';

/** A row of sync_remote_breaks: the evidence as pulled (apply-remote.ts writes it). */
type Row = Omit<RemoteBreak, 'run_id'>;

/** True when the run was made on another device (pulled from the team server). */
export function isRemoteRun(store: Store, runId: string): boolean {
  return store.read((tx) => tx.get(sql`SELECT 1 AS x FROM sync_remote_runs WHERE run_id = ${runId}`) !== undefined);
}

/** The pulled breaks of a remote run as a BreakSource. */
export function remoteBreakSource(store: Store, runId: string): BreakSource {
  if (!isRemoteRun(store, runId)) throw new ReconError('RUN_NOT_FOUND', `run ${runId} is not a run pulled from the team server`, { runId });
  return {
    get: async (ids) => {
      const rows = store.read((tx) =>
        tx.all<Row>(sql`SELECT * FROM sync_remote_breaks WHERE run_id = ${runId} AND break_id IN (SELECT value FROM json_each(${jsonList(ids)}))`),
      );
      return new Map(rows.map((r) => [r.break_id, toView(r)]));
    },
    page: async (filter: BreakFilter, afterId: number, limit: number) => {
      const out: Break[] = [];
      let after = afterId;
      // Filters are checked in JS over pages of the (small) evidence table.
      while (out.length < limit) {
        const rows = store.read((tx) => tx.all<Row>(sql`SELECT * FROM sync_remote_breaks WHERE run_id = ${runId} AND break_id > ${after} ORDER BY break_id LIMIT 1000`));
        if (rows.length === 0) break;
        for (const r of rows) {
          const v = toView(r);
          if (matches(v, filter)) out.push(v);
          if (out.length >= limit) break;
        }
        after = rows.at(-1)!.break_id;
      }
      return out;
    },
    close: () => undefined,
  };
}

function matches(b: Break, f: BreakFilter): boolean {
  return (
    (f.field === undefined || b.field === f.field) &&
    (f.diffType === undefined || b.diffType === f.diffType) &&
    (f.reason === undefined || suggestionOf(b) === f.reason) &&
    (f.baseStatus === undefined || baseStatusOf(b) === f.baseStatus) &&
    (f.delta === undefined || b.delta === f.delta) &&
    (f.maxAbsDelta === undefined || (b.delta !== null && absLessOrEqual(b.delta, f.maxAbsDelta))) &&
    (f.breakIds === undefined || f.breakIds.includes(b.breakId))
  );
}

// Exact decimal comparison of |a| <= b without floats: both scaled to the same number of decimals as bigints.
function absLessOrEqual(a: string, b: string): boolean {
  const scale = Math.max(decimals(a), decimals(b));
  const big = (s: string): bigint => {
    const [i = '0', f = ''] = s.replace(/^[+-]/, '').split('.');
    return BigInt((i || '0') + f.padEnd(scale, '0'));
  };
  try {
    return big(a) <= big(b);
  } catch {
    return false; // not a plain decimal (e.g. an exponent): not matched
  }
}

const decimals = (s: string): number => s.split('.')[1]?.length ?? 0;

function toView(r: Row): Break {
  const auto = r.base_status === 'AUTO';
  return {
    breakId: r.break_id,
    key: r.key,
    field: r.field,
    diffType: r.diff_type,
    side: null,
    valueA: r.value_a,
    valueB: r.value_b,
    delta: r.delta,
    fieldType: null,
    ridA: null,
    ridB: null,
    confidence: r.confidence === null ? null : Number(r.confidence),
    // The pulled evidence keeps the model's status and the reason accepting records (suggestionOf), nothing more.
    suggestedReason: r.reason,
    modelReason: auto ? r.reason : null,
    modelStatus: auto ? 'AUTO' : 'REVIEW',
  };
}

/** One break of a proposal on a remote run, from the pulled evidence, with where the proposal takes it. */
export interface RemoteProposalBreak {
  breakId: number;
  key: string;
  field: string;
  diffType: string;
  valueA: string | null;
  valueB: string | null;
  delta: string | null;
  baseStatus: 'AUTO' | 'REVIEW';
  /** The model's reason (AUTO) or suggestion (REVIEW). */
  reason: string | null;
  confidence: number | null;
  toStatus: string;
  proposedReason: string | null;
}

/** The first `limit` breaks of a proposal whose evidence has been pulled (a run made on another device has no file here). */
export function remoteProposalBreaks(store: Store, decisionId: string, limit: number): RemoteProposalBreak[] {
  const rows = store.read((tx) =>
    tx.all<Row & { to_status: string; proposed_reason: string | null }>(
      sql`SELECT e.*, db.to_status, db.reason AS proposed_reason
            FROM decision_breaks db
            JOIN decisions d ON d.decision_id = db.decision_id
            JOIN sync_remote_breaks e ON e.run_id = d.run_id AND e.break_id = db.break_id
           WHERE db.decision_id = ${decisionId}
             -- Breaks the team server gave to another device's decision are no longer the proposal's.
             AND NOT EXISTS (SELECT 1 FROM sync_superseded_breaks x WHERE x.decision_id = db.decision_id AND x.break_id = db.break_id)
           ORDER BY db.break_id LIMIT ${limit}`,
    ),
  );
  return rows.map((r) => {
    const v = toView(r);
    return {
      breakId: v.breakId,
      key: v.key,
      field: v.field,
      diffType: v.diffType,
      valueA: v.valueA,
      valueB: v.valueB,
      delta: v.delta,
      baseStatus: baseStatusOf(v),
      reason: suggestionOf(v),
      confidence: v.confidence,
      toStatus: r.to_status,
      proposedReason: r.proposed_reason,
    };
  });
}

/**
 * Who pushed the evidence the checker is looking at, per login (the server
 * sets it; "unknown" for evidence pulled before it was recorded). Of a run,
 * or of only the breaks of one proposal.
 */
export function evidencePushedBy(store: Store, runId: string, decisionId?: string): { login: string; breaks: number }[] {
  return store.read((tx) =>
    decisionId === undefined
      ? tx.all<{ login: string; breaks: number }>(
          sql`SELECT coalesce(pushed_by, 'unknown') AS login, count(*) AS breaks FROM sync_remote_breaks WHERE run_id = ${runId} GROUP BY 1 ORDER BY 2 DESC, 1`,
        )
      : tx.all<{ login: string; breaks: number }>(sql`SELECT coalesce(e.pushed_by, 'unknown') AS login, count(*) AS breaks
          FROM decision_breaks db JOIN sync_remote_breaks e ON e.run_id = ${runId} AND e.break_id = db.break_id
          WHERE db.decision_id = ${decisionId} GROUP BY 1 ORDER BY 2 DESC, 1`),
  );
}
