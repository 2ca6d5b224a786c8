/**
 * A run's review figures, from one place: the run overview (runs.get), the
 * narrative, the text and JSON summary, the XLSX summary sheet and the
 * evidence pack all take them from reviewFigures(), so they cannot disagree.
 *
 * - decided: breaks whose status now is final (ACCEPTED, OVERRIDDEN,
 *   REJECTED). A break whose proposal was rejected or withdrawn went back to
 *   where it was: it is not decided, whatever decision last touched it.
 * - proposals waiting for an approver, and the breaks they hold; proposals
 *   an approver rejected and proposals their maker withdrew.
 * - byReason: every break by its reason now, the reason a decision gave it
 *   (an accepted suggestion, an approved override) over the model's, as the
 *   grid shows it.
 *
 * The statuses come from the workflow store's `break_status`, joined in SQL
 * from the TEMP table `status_overlay` of the run file's connection: the
 * grid's RunFile keeps one current (run-file/grid/status-overlay.ts); a report
 * attaches one with attachStatusOverlay().
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { queryRows } from '../duckdb/open.ts';
import { sql } from '../store/sql.ts';
import type { Store } from '../store/store.ts';
import { breaksWithAttributions, STATUS_OVERLAY } from '../run-file/schema.ts';

export const FINAL_STATUSES = ['ACCEPTED', 'OVERRIDDEN', 'REJECTED'] as const;
export type FinalStatus = (typeof FINAL_STATUSES)[number];

/** A break's status and reason in the store (absent: the model's). */
export interface DecidedStatus {
  break_id: number;
  status: string;
  reason: string | null;
}

/** Proposals of a run by outcome. */
export interface ProposalCounts {
  /** Waiting for an approver. */
  pending: number;
  /** Breaks those proposals hold (status PROPOSED). */
  pendingBreaks: number;
  approved: number;
  /** Rejected by an approver: their breaks went back to where they were. */
  rejected: number;
  /** Withdrawn by their maker: their breaks went back to where they were. */
  withdrawn: number;
}

export const NO_PROPOSALS: ProposalCounts = { pending: 0, pendingBreaks: 0, approved: 0, rejected: 0, withdrawn: 0 };

export interface ReviewFigures {
  /** Breaks in the run. */
  breaks: number;
  /** Breaks whose status now is final. */
  decided: number;
  decidedByStatus: Record<FinalStatus, number>;
  /** Status now of every break a decision touched (REVIEW or AUTO: reopened, or its proposal rejected or withdrawn). */
  byStatus: Record<string, number>;
  proposals: ProposalCounts;
  /** Every break by its reason now (UNATTRIBUTED where the run has none). */
  byReason: Record<string, number>;
}

/** The run's decided statuses in the store. */
export function readDecidedStatuses(store: Store, runId: string): DecidedStatus[] {
  return store.read((tx) => tx.all<DecidedStatus>(sql`SELECT break_id, status, reason FROM break_status WHERE run_id = ${runId} ORDER BY break_id`));
}

/** The run's proposals by outcome. */
export function readProposalCounts(store: Store, runId: string): ProposalCounts {
  return store.read((tx) => {
    const rows = tx.all<{ verdict: string | null; n: number }>(
      sql`SELECT a.verdict, count(*) AS n FROM decisions d LEFT JOIN approvals a ON a.decision_id = d.decision_id
           WHERE d.run_id = ${runId} AND d.is_proposal = 1 GROUP BY a.verdict`,
    );
    const of = (v: string | null): number => rows.find((r) => r.verdict === v)?.n ?? 0;
    const held = tx.get<{ n: number }>(sql`SELECT count(*) AS n FROM break_status WHERE run_id = ${runId} AND status = 'PROPOSED'`);
    return { pending: of(null), pendingBreaks: held?.n ?? 0, approved: of('APPROVED'), rejected: of('REJECTED'), withdrawn: of('WITHDRAWN') };
  });
}

/** Connections that have a status_overlay (reports attach one; a RunFile always has one). */
const attached = new WeakSet<DuckDBConnection>();

/** Creates (or replaces) the TEMP `status_overlay` of a report's connection with these statuses. */
export async function attachStatusOverlay(conn: DuckDBConnection, rows: readonly DecidedStatus[]): Promise<void> {
  await conn.run(`CREATE TEMP TABLE IF NOT EXISTS ${STATUS_OVERLAY} (break_id BIGINT PRIMARY KEY, status VARCHAR NOT NULL, reason VARCHAR)`);
  await conn.run(`DELETE FROM ${STATUS_OVERLAY}`);
  if (rows.length > 0) {
    await conn.run(
      `INSERT INTO ${STATUS_OVERLAY} SELECT unnest(from_json($1::JSON, '[{"break_id":"BIGINT","status":"VARCHAR","reason":"VARCHAR"}]'), recursive := true)`,
      [JSON.stringify(rows.map((r) => ({ break_id: r.break_id, status: r.status, reason: r.reason })))],
    );
  }
  attached.add(conn);
}

/** Whether reviewFigures() and the claims may join this connection's status_overlay. */
export function hasStatusOverlay(conn: DuckDBConnection): boolean {
  return attached.has(conn);
}

/**
 * The figures, in one query over the run's breaks, their attributions and
 * the connection's status_overlay (which must exist: attachStatusOverlay or
 * a RunFile), and the store's proposal counts.
 */
export async function reviewFigures(conn: DuckDBConnection, opts: { hasAttributions: boolean }, proposals: ProposalCounts): Promise<ReviewFigures> {
  const attr = opts.hasAttributions;
  const rows = await queryRows<{ reason: string; status: string | null; n: string }>(
    conn,
    `SELECT coalesce(d.reason, ${attr ? 't.reason, ' : ''}'UNATTRIBUTED') AS reason, d.status AS status, count(*) AS n
       FROM ${breaksWithAttributions(attr)}
       LEFT JOIN ${STATUS_OVERLAY} d ON d.break_id = b.break_id
      GROUP BY ALL`,
  );
  const byReason: Record<string, number> = {};
  const byStatus: Record<string, number> = {};
  const decidedByStatus: Record<FinalStatus, number> = { ACCEPTED: 0, OVERRIDDEN: 0, REJECTED: 0 };
  let breaks = 0;
  for (const r of rows) {
    const n = Number(r.n);
    breaks += n;
    byReason[r.reason] = (byReason[r.reason] ?? 0) + n;
    if (r.status === null) continue;
    byStatus[r.status] = (byStatus[r.status] ?? 0) + n;
    if ((FINAL_STATUSES as readonly string[]).includes(r.status)) decidedByStatus[r.status as FinalStatus] += n;
  }
  const decided = FINAL_STATUSES.reduce((s, k) => s + decidedByStatus[k], 0);
  return { breaks, decided, decidedByStatus, byStatus, proposals, byReason };
}
