/**
 * What the Approvals screen and a break's history need from sync: where each
 * proposal and decision came from (this device or another), whether the
 * server has it yet, and its verdict there, so a SUPERSEDED decision is shown
 * (never dropped) and a proposal that lost a race is not offered to approve.
 */
import { sql } from '../store/sql.ts';
import type { Store } from '../store/store.ts';
import { listProposals, type ProposalInfo } from '../workflow/approvals.ts';

/** PENDING_PUSH: only here so far. Otherwise the server's verdict. */
export type SyncMark = 'PENDING_PUSH' | 'APPLIED' | 'SUPERSEDED' | 'REFUSED';

/** A proposal with its origin and sync state. */
export interface SyncedProposal extends ProposalInfo {
  deviceId: string;
  origin: 'local' | 'remote';
  sync: SyncMark;
  /** The winning decision (SUPERSEDED) or the refusal code (REFUSED). */
  syncDetail: string | null;
  /** The server's verdict on this device's approval of it, if it is not APPLIED. */
  approvalSync: SyncMark | null;
}

interface Mark {
  id: string;
  device_id: string;
  state: string | null;
  detail: string | null;
}

/** Proposals with origin and sync marks; `pendingOnly` drops those the server superseded or refused. */
export function listProposalsWithSync(store: Store, opts: { runId?: string; pendingOnly?: boolean } = {}): SyncedProposal[] {
  const proposals = listProposals(store, opts);
  const marks = store.read((tx) => {
    const decisions = tx.all<Mark>(sql`SELECT d.decision_id AS id, d.device_id, s.state, s.detail FROM decisions d LEFT JOIN sync_decisions s ON s.id = d.decision_id WHERE d.is_proposal = 1`);
    const approvals = tx.all<Mark>(sql`SELECT a.decision_id AS id, a.device_id, s.state, s.detail FROM approvals a LEFT JOIN sync_decisions s ON s.id = a.approval_id`);
    return { decisions: new Map(decisions.map((m) => [m.id, m])), approvals: new Map(approvals.map((m) => [m.id, m])) };
  });
  const out: SyncedProposal[] = [];
  for (const p of proposals) {
    const m = marks.decisions.get(p.decisionId);
    const a = marks.approvals.get(p.decisionId);
    const sync = (m?.state ?? 'PENDING_PUSH') as SyncMark;
    if (opts.pendingOnly && (sync === 'SUPERSEDED' || sync === 'REFUSED')) continue;
    out.push({
      ...p,
      deviceId: m?.device_id ?? store.deviceId,
      origin: m?.device_id === undefined || m.device_id === store.deviceId ? 'local' : 'remote',
      sync,
      syncDetail: m?.detail ?? null,
      approvalSync: a ? ((a.state ?? 'PENDING_PUSH') as SyncMark) : null,
    });
  }
  return out;
}

/** One decision in a run's history. */
export interface HistoryEntry {
  decisionId: string;
  runId: string;
  kind: string;
  reason: string | null;
  comment: string | null;
  actor: string;
  decidedAt: string;
  isProposal: boolean;
  deviceId: string;
  origin: 'local' | 'remote';
  sync: SyncMark;
  syncDetail: string | null;
  breaks: number[];
}

/** Every decision on a run (or on one break), oldest first, SUPERSEDED ones included. */
export function decisionHistory(store: Store, runId: string, breakId?: number): HistoryEntry[] {
  const rows = store.read((tx) =>
    tx.all<{ decision_id: string; run_id: string; kind: string; reason: string | null; comment: string | null; actor: string; decided_at: string; is_proposal: number; device_id: string; state: string | null; detail: string | null; breaks: string }>(
      sql`SELECT d.decision_id, d.run_id, d.kind, d.reason, d.comment, d.actor, d.decided_at, d.is_proposal, d.device_id, s.state, s.detail,
                 (SELECT json_group_array(break_id) FROM (SELECT break_id FROM decision_breaks WHERE decision_id = d.decision_id ORDER BY break_id)) AS breaks
            FROM decisions d LEFT JOIN sync_decisions s ON s.id = d.decision_id
           WHERE d.run_id = ${runId}
             AND (${breakId ?? null} IS NULL OR EXISTS (SELECT 1 FROM decision_breaks b WHERE b.decision_id = d.decision_id AND b.break_id = ${breakId ?? null}))
           ORDER BY coalesce(s.server_order, 9e18), d.decided_at, d.decision_id`,
    ),
  );
  return rows.map((r) => ({
    decisionId: r.decision_id,
    runId: r.run_id,
    kind: r.kind,
    reason: r.reason,
    comment: r.comment,
    actor: r.actor,
    decidedAt: r.decided_at,
    isProposal: r.is_proposal === 1,
    deviceId: r.device_id,
    origin: r.device_id === store.deviceId ? 'local' : 'remote',
    sync: (r.state ?? 'PENDING_PUSH') as SyncMark,
    syncDetail: r.detail,
    breaks: JSON.parse(r.breaks) as number[],
  }));
}
