/**
 * Conflicts that lose intent per break, told to the loser (issue 17, item 13).
 * The team server supersedes only the breaks of a decision or proposal that
 * another device decided first (server migration 011); the rest stands. The
 * pull records each lost break here (sync_superseded_breaks, with the winner),
 * so this workspace's state equals the server's per break, an approval settles
 * only the breaks a proposal still holds, and the maker is told: an inbox item
 * in the desktop app, a line in `recon review proposals` and `recon sync status`.
 */
import { sql } from '../store/sql.ts';
import type { ReadTx, Store, WriteTx } from '../store/store.ts';

/** As the pull brings it: [break_id, winner decision, the winner's status, its reason]. */
export type LostBreakRow = [number, string, string, string | null];

/** The pull's column of a decision `d` (server alias) with its lost breaks as LostBreakRow[], or NULL. */
export const LOST_BREAKS_SQL = `(SELECT json_agg(json_build_array(x.break_id, x.superseded_by, x.status, x.reason) ORDER BY x.break_id)
            FROM recon.superseded_breaks x WHERE x.decision_id = d.decision_id)`;

/** Stores the breaks a decision lost (idempotent: a pull may bring a decision again). */
export function recordLostBreaks(tx: WriteTx, decisionId: string, serverOrder: number, rows: readonly LostBreakRow[]): void {
  for (const [breakId, winner, status, reason] of rows) {
    tx.run(sql`INSERT INTO sync_superseded_breaks (decision_id, break_id, superseded_by, status, reason, server_order)
      VALUES (${decisionId}, ${breakId}, ${winner}, ${status}, ${reason}, ${serverOrder}) ON CONFLICT DO NOTHING`);
  }
}

/** The break ids of a decision the team server gave to other decisions. */
export function lostBreakIds(tx: ReadTx, decisionId: string): Set<number> {
  return new Set(tx.all<{ break_id: number }>(sql`SELECT break_id FROM sync_superseded_breaks WHERE decision_id = ${decisionId}`).map((r) => r.break_id));
}

/** One winner: the decision that held some of the loser's breaks. */
export interface ConflictWinner {
  decisionId: string;
  /** Who made it (null when that decision has not reached this workspace). */
  actor: string | null;
  kind: string | null;
  isProposal: boolean;
  /** What it had made of the breaks then, e.g. ACCEPTED or PROPOSED, and the reason. */
  status: string;
  reason: string | null;
  breakIds: number[];
}

/** What holds for the breaks the loser still has: a proposal's outcome, APPLIED for a decision, or SUPERSEDED when none is left. */
export type ConflictRemainder = 'PENDING' | 'APPROVED' | 'REJECTED' | 'WITHDRAWN' | 'APPLIED' | 'SUPERSEDED';

/** A decision or proposal of this workspace that lost breaks on the team server. */
export interface ConflictItem {
  decisionId: string;
  runId: string;
  definition: string | null;
  isProposal: boolean;
  kind: string;
  reason: string | null;
  maker: string;
  decidedAt: string;
  breakCount: number;
  lostBreakIds: number[];
  /** Breaks it still covers. */
  remaining: number;
  remainder: ConflictRemainder;
  winners: ConflictWinner[];
  /** The server order of the verdict (newest items first). */
  serverOrder: number;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
}

interface Row {
  decision_id: string;
  run_id: string;
  definition: string | null;
  is_proposal: number;
  kind: string;
  reason: string | null;
  actor: string;
  decided_at: string;
  break_count: number;
  verdict: string | null;
  server_state: string | null;
  server_order: number;
  acknowledged_at: string | null;
  acknowledged_by: string | null;
}

/**
 * This workspace's decisions and proposals that lost breaks (every device's
 * with `everyDevice`: an approver sees what a proposal still covers), newest
 * first; acknowledged ones only with `includeAcknowledged`.
 */
export function listConflicts(store: Store, opts: { includeAcknowledged?: boolean; runId?: string; everyDevice?: boolean } = {}): ConflictItem[] {
  return store.read((tx) => {
    const rows = tx.all<Row>(
      sql`SELECT d.decision_id, d.run_id, r.definition_name AS definition, d.is_proposal, d.kind, d.reason, d.actor, d.decided_at, d.break_count,
                 a.verdict, v.state AS server_state, max(x.server_order) AS server_order, k.acknowledged_at, k.acknowledged_by
            FROM sync_superseded_breaks x
            JOIN decisions d ON d.decision_id = x.decision_id
            LEFT JOIN runs r ON r.run_id = d.run_id
            LEFT JOIN approvals a ON a.decision_id = d.decision_id
            LEFT JOIN sync_decisions v ON v.id = d.decision_id
            LEFT JOIN sync_conflict_acks k ON k.decision_id = d.decision_id
           WHERE (${opts.everyDevice ? 1 : 0} = 1 OR d.device_id = ${tx.deviceId})
             AND (${opts.runId ?? null} IS NULL OR d.run_id = ${opts.runId ?? null})
             AND (${opts.includeAcknowledged ? 1 : 0} = 1 OR k.decision_id IS NULL)
           GROUP BY d.decision_id
           ORDER BY server_order DESC, d.decision_id`,
    );
    return rows.map((r) => toItem(tx, r));
  });
}

function toItem(tx: ReadTx, r: Row): ConflictItem {
  const lost = tx.all<{ break_id: number; superseded_by: string; status: string; reason: string | null; actor: string | null; kind: string | null; is_proposal: number | null }>(
    sql`SELECT x.break_id, x.superseded_by, x.status, x.reason, w.actor, w.kind, w.is_proposal
          FROM sync_superseded_breaks x LEFT JOIN decisions w ON w.decision_id = x.superseded_by
         WHERE x.decision_id = ${r.decision_id} ORDER BY x.break_id`,
  );
  const winners = new Map<string, ConflictWinner>();
  for (const l of lost) {
    const key = `${l.superseded_by}\u0000${l.status}\u0000${l.reason ?? ''}`;
    const w = winners.get(key) ?? {
      decisionId: l.superseded_by,
      actor: l.actor,
      kind: l.kind,
      isProposal: l.is_proposal === 1,
      status: l.status,
      reason: l.reason,
      breakIds: [],
    };
    w.breakIds.push(l.break_id);
    winners.set(key, w);
  }
  const remaining = r.break_count - lost.length;
  const remainder: ConflictRemainder =
    remaining <= 0 || r.server_state === 'SUPERSEDED' ? 'SUPERSEDED' : r.is_proposal === 1 ? ((r.verdict as ConflictRemainder | null) ?? 'PENDING') : 'APPLIED';
  return {
    decisionId: r.decision_id,
    runId: r.run_id,
    definition: r.definition,
    isProposal: r.is_proposal === 1,
    kind: r.kind,
    reason: r.reason,
    maker: r.actor,
    decidedAt: r.decided_at,
    breakCount: r.break_count,
    lostBreakIds: lost.map((l) => l.break_id),
    remaining: Math.max(0, remaining),
    remainder,
    winners: [...winners.values()],
    serverOrder: r.server_order,
    acknowledgedAt: r.acknowledged_at,
    acknowledgedBy: r.acknowledged_by,
  };
}

/** Dismisses the inbox item of a decision's lost breaks; false when there is no such item of this workspace. */
export function acknowledgeConflict(store: Store, userId: string, decisionId: string): boolean {
  return store.write((tx) => {
    const mine = tx.get(
      sql`SELECT 1 AS x FROM sync_superseded_breaks x JOIN decisions d ON d.decision_id = x.decision_id
           WHERE x.decision_id = ${decisionId} AND d.device_id = ${tx.deviceId} LIMIT 1`,
    );
    if (!mine) return false;
    tx.run(sql`INSERT INTO sync_conflict_acks (decision_id, acknowledged_by, acknowledged_at) VALUES (${decisionId}, ${userId}, ${tx.now})
      ON CONFLICT (decision_id) DO NOTHING`);
    return true;
  });
}

const REMAINDER_TEXT: Record<ConflictRemainder, string> = {
  PENDING: 'still pending',
  APPROVED: 'approved',
  REJECTED: 'rejected',
  WITHDRAWN: 'withdrawn',
  APPLIED: 'still applied',
  SUPERSEDED: 'none left',
};

/** "decision <id> by bob (ACCEPTED)" for each winner. */
export function winnersText(item: Pick<ConflictItem, 'winners'>): string {
  const multi = item.winners.length > 1;
  return item.winners
    .map(
      (w) =>
        `${w.isProposal ? 'proposal' : 'decision'} ${w.decisionId}${w.actor ? ` by ${w.actor}` : ''} (${w.status}${w.reason ? ` ${w.reason}` : ''}${multi ? `, ${w.breakIds.length} ${w.breakIds.length === 1 ? 'break' : 'breaks'}` : ''})`,
    )
    .join(', ');
}

/** "proposal <id> lost 1 of 84 breaks to decision <id> by bob (ACCEPTED): 83 still pending" */
export function conflictLine(item: ConflictItem): string {
  const what = item.isProposal ? 'proposal' : 'decision';
  const tail = item.remainder === 'SUPERSEDED' ? 'none left' : `${item.remaining} ${REMAINDER_TEXT[item.remainder]}`;
  return `${what} ${item.decisionId} lost ${item.lostBreakIds.length} of ${item.breakCount} ${item.breakCount === 1 ? 'break' : 'breaks'} to ${winnersText(item)}: ${tail}`;
}
