/**
 * The 4-eye check. A proposal takes effect only when a different user with
 * the approver role approves it; an approver may also reject it, with a
 * comment, which returns its breaks to where they were. While it waits, its
 * maker may withdraw it (no role needed: it is theirs), with the same effect.
 * Each outcome is one approvals row (verdict APPROVED, REJECTED or
 * WITHDRAWN), so a proposal has at most one, and one audit event.
 */
import { randomUUID } from 'node:crypto';
import { ReconError } from '../errors/recon-error.ts';
import { requireDecisionExplained } from './chain-state.ts';
import { appendAuditEvent } from '../store/audit-log.ts';
import { sql } from '../store/sql.ts';
import type { ReadTx, Store } from '../store/store.ts';
import { setStatus } from './decisions.ts';
import type { Identity } from './identity.ts';
import { requireRole } from './roles.ts';
import { asBreakStatus, checkTransition, type BreakStatus } from './status.ts';

/** A proposal and its outcome. */
export interface ProposalInfo {
  decisionId: string;
  runId: string;
  kind: string;
  reason: string | null;
  comment: string | null;
  maker: string;
  decidedAt: string;
  breakCount: number;
  /** Of breakCount, those the team server gave to another device's earlier decision (sync_superseded_breaks): the proposal covers the rest. */
  lostBreaks: number;
  bulkFilter: unknown;
  /** SUPERSEDED / REFUSED: the team server did not take it (another device's decision won its breaks, or roles refused it); it waits for no one. */
  state: 'PENDING' | 'APPROVED' | 'REJECTED' | 'WITHDRAWN' | 'SUPERSEDED' | 'REFUSED';
  /** For SUPERSEDED / REFUSED: the server's detail (the winning decision, or the refusal code). */
  serverDetail: string | null;
  approver: string | null;
  approvalComment: string | null;
  /**
   * When the approver's identity or role came from the maker, or is newer than
   * the proposal: in words ("bob was added by carol, the maker, after the
   * proposal"). A second identity minted to approve one's own proposal shows here.
   */
  approverNote: string | null;
}

interface ProposalRow {
  decision_id: string;
  run_id: string;
  kind: string;
  reason: string | null;
  comment: string | null;
  actor: string;
  decided_at: string;
  break_count: number;
  lost_breaks: number;
  bulk_filter: string | null;
  verdict: 'APPROVED' | 'REJECTED' | 'WITHDRAWN' | null;
  approval_id: string | null;
  server_state: 'SUPERSEDED' | 'REFUSED' | null;
  server_detail: string | null;
  approver: string | null;
  approval_comment: string | null;
}

/** Where an approver's identity and roles came from, by this workspace's trail: who added them and who last set their roles, and when. */
export interface ApproverVetting {
  added_by: string | null;
  added_at: string | null;
  roles_by: string | null;
  roles_at: string | null;
}

/** The approver's first and latest role events (user.added / role.granted / role.revoked) in this workspace's chain. */
export function approverVetting(tx: ReadTx, approver: string): ApproverVetting {
  const q = (order: 'ASC' | 'DESC') =>
    tx.get<{ actor: string; at: string }>({
      text: `SELECT actor, at FROM audit_events WHERE device_id = ? AND target = ? AND action IN ('user.added', 'role.granted', 'role.revoked') ORDER BY seq ${order} LIMIT 1`,
      params: [tx.deviceId, `user:${approver}`],
    });
  const first = q('ASC');
  const last = q('DESC');
  return { added_by: first?.actor ?? null, added_at: first?.at ?? null, roles_by: last?.actor ?? null, roles_at: last?.at ?? null };
}

/** The approver note of ProposalInfo, or null when nothing about the approver's identity came from the maker or after the proposal. */
function approverNote(tx: ReadTx, approver: string, maker: string, proposedAt: string, approvalId: string | null): string | null {
  const v = approverVetting(tx, approver);
  const parts: string[] = [];
  const asserted = approvalId === null ? null : overrideBefore(tx, approver, approvalId);
  if (asserted !== null) {
    parts.push(
      asserted.os_account === maker
        ? `${approver} approved as $RECON_USER from the OS account of ${maker}, the maker (${asserted.at})`
        : `${approver} acted as $RECON_USER from the OS account ${asserted.os_account}, not signed in as ${approver} (${asserted.at})`,
    );
  }
  if (v.added_by !== null && v.added_at !== null && (v.added_by === maker || v.added_at > proposedAt)) {
    parts.push(`${approver} was added by ${v.added_by === maker ? `${maker}, the maker,` : v.added_by} ${v.added_at > proposedAt ? 'after the proposal' : 'before the proposal'} (${v.added_at})`);
  }
  if (v.roles_by !== null && v.roles_at !== null && v.roles_at !== v.added_at && (v.roles_by === maker || v.roles_at > proposedAt)) {
    parts.push(`${approver}'s roles were last set by ${v.roles_by === maker ? `${maker}, the maker,` : v.roles_by} ${v.roles_at > proposedAt ? 'after the proposal' : 'before the proposal'} (${v.roles_at})`);
  }
  return parts.length > 0 ? parts.join('; ') : null;
}

/** The identity.override note (store/audit-log.ts) that preceded an approval's event on its device, if any: the approver was asserted, not signed in. */
function overrideBefore(tx: ReadTx, approver: string, approvalId: string): { os_account: string; at: string } | null {
  const ev = tx.get<{ device_id: string; seq: number }>(
    sql`SELECT device_id, seq FROM audit_events WHERE json_extract(after, '$.approval_id') = ${approvalId} AND action IN ('proposal.approved', 'proposal.rejected', 'proposal.withdrawn')`,
  );
  if (!ev) return null;
  return (
    tx.get<{ os_account: string; at: string }>(sql`SELECT json_extract(after, '$.os_account') AS os_account, at FROM audit_events
      WHERE device_id = ${ev.device_id} AND target = ${`user:${approver}`} AND action = 'identity.override' AND seq < ${ev.seq} ORDER BY seq DESC LIMIT 1`) ?? null
  );
}

/** Proposals, newest first; `pendingOnly` for the approver's queue. */
export function listProposals(store: Store, opts: { runId?: string; pendingOnly?: boolean } = {}): ProposalInfo[] {
  const rows = store.read((tx) =>
    tx.all<ProposalRow>(sql`SELECT d.decision_id, d.run_id, d.kind, d.reason, d.comment, d.actor, d.decided_at, d.break_count, d.bulk_filter,
                                   (SELECT count(*) FROM sync_superseded_breaks x WHERE x.decision_id = d.decision_id) AS lost_breaks,
                                   a.verdict, a.approval_id, a.approver, a.comment AS approval_comment,
                                   CASE WHEN s.state IN ('SUPERSEDED', 'REFUSED') THEN s.state END AS server_state, s.detail AS server_detail
                              FROM decisions d LEFT JOIN approvals a ON a.decision_id = d.decision_id
                              LEFT JOIN sync_decisions s ON s.id = d.decision_id
                             WHERE d.is_proposal = 1 AND (${opts.runId ?? null} IS NULL OR d.run_id = ${opts.runId ?? null})
                               AND (${opts.pendingOnly ? 1 : 0} = 0 OR a.decision_id IS NULL)
                             ORDER BY d.decided_at DESC, d.decision_id`),
  );
  const notes = store.read((tx) => new Map(rows.filter((r) => r.approver !== null && r.verdict !== 'WITHDRAWN').map((r) => [r.decision_id, approverNote(tx, r.approver!, r.actor, r.decided_at, r.approval_id)])));
  return rows.map((r) => ({
    approverNote: notes.get(r.decision_id) ?? null,
    decisionId: r.decision_id,
    runId: r.run_id,
    kind: r.kind,
    reason: r.reason,
    comment: r.comment,
    maker: r.actor,
    decidedAt: r.decided_at,
    breakCount: r.break_count,
    lostBreaks: r.lost_breaks,
    bulkFilter: r.bulk_filter === null ? null : JSON.parse(r.bulk_filter),
    state: r.verdict ?? r.server_state ?? 'PENDING',
    serverDetail: r.verdict === null && r.server_state !== null ? r.server_detail : null,
    approver: r.approver,
    approvalComment: r.approval_comment,
  }));
}

/** What an approval (or a withdrawal) did. */
export interface ApprovalResult {
  approvalId: string;
  decisionId: string;
  verdict: 'APPROVED' | 'REJECTED' | 'WITHDRAWN';
  breakCount: number;
}

/** Approver: the proposal takes effect. */
export function approveProposal(store: Store, actor: Identity, decisionId: string, comment?: string | null): ApprovalResult {
  return settle(store, actor, decisionId, 'APPROVED', comment ?? null);
}

/** Approver: the proposal is refused (comment required); its breaks return to where they were. */
export function rejectProposal(store: Store, actor: Identity, decisionId: string, comment: string): ApprovalResult {
  if (!comment?.trim()) throw new ReconError('COMMENT_REQUIRED', 'rejecting a proposal needs a comment (--comment) saying why');
  return settle(store, actor, decisionId, 'REJECTED', comment);
}

/** The maker: takes back their own proposal while it waits (comment optional); its breaks return to where they were. */
export function withdrawProposal(store: Store, actor: Identity, decisionId: string, comment?: string | null): ApprovalResult {
  return settle(store, actor, decisionId, 'WITHDRAWN', comment ?? null);
}

const EVENTS = { APPROVED: 'APPROVE', REJECTED: 'DECLINE', WITHDRAWN: 'WITHDRAW' } as const;
const ACTIONS = { APPROVED: 'proposal.approved', REJECTED: 'proposal.rejected', WITHDRAWN: 'proposal.withdrawn' } as const;

function settle(store: Store, actor: Identity, decisionId: string, verdict: 'APPROVED' | 'REJECTED' | 'WITHDRAWN', comment: string | null): ApprovalResult {
  return store.write((tx) => {
    const d = tx.get<{ run_id: string; actor: string; is_proposal: number; kind: string }>(
      sql`SELECT run_id, actor, is_proposal, kind FROM decisions WHERE decision_id = ${decisionId}`,
    );
    if (!d || d.is_proposal !== 1) throw new ReconError('NOT_FOUND', `no proposal ${decisionId}`, { decisionId });
    // The maker, kind, reason and breaks are the ones the proposal's event recorded (an edited maker would let them approve their own).
    requireDecisionExplained(tx, decisionId);
    if (verdict === 'WITHDRAWN') {
      // Only the maker takes a proposal back; approvers reject instead.
      if (d.actor !== actor.userId) throw new ReconError('FORBIDDEN_ROLE', `only ${d.actor}, who made proposal ${decisionId}, can withdraw it; an approver rejects it instead`, { decisionId, maker: d.actor });
    } else {
      // The maker is refused even if they hold the approver role: that is the 4-eye rule.
      if (d.actor === actor.userId) throw new ReconError('FORBIDDEN_SELF_APPROVAL', `${actor.userId} made proposal ${decisionId} and cannot approve or reject it: another approver must (the maker may withdraw it)`, { decisionId });
      requireRole(tx, actor, 'approver', 'approve proposals');
    }
    const done = tx.get<{ verdict: string; approver: string }>(sql`SELECT verdict, approver FROM approvals WHERE decision_id = ${decisionId}`);
    if (done) throw new ReconError('ILLEGAL_TRANSITION', `proposal ${decisionId} was already ${done.verdict.toLowerCase()} by ${done.approver}`, { decisionId });
    // Breaks the team server gave to another device's earlier decision (sync_superseded_breaks) are
    // no longer the proposal's: the verdict settles the ones it still holds.
    const rows = tx.all<{ break_id: number; from_status: string; to_status: string; reason: string | null; status: string | null; current_decision: string | null }>(
      sql`SELECT db.break_id, db.from_status, db.to_status, db.reason, s.status, s.decision_id AS current_decision
            FROM decision_breaks db LEFT JOIN break_status s ON s.run_id = ${d.run_id} AND s.break_id = db.break_id
           WHERE db.decision_id = ${decisionId}
             AND NOT EXISTS (SELECT 1 FROM sync_superseded_breaks x WHERE x.decision_id = db.decision_id AND x.break_id = db.break_id)
           ORDER BY db.break_id`,
    );
    if (rows.length === 0) throw new ReconError('ILLEGAL_TRANSITION', `proposal ${decisionId} lost all its breaks to other decisions on the team server`, { decisionId });
    const approvalId = randomUUID();
    tx.run(sql`INSERT INTO approvals (approval_id, decision_id, device_id, verdict, approver, comment, decided_at)
      VALUES (${approvalId}, ${decisionId}, ${tx.deviceId}, ${verdict}, ${actor.userId}, ${comment?.trim() || null}, ${tx.now})`);
    const changes: [number, BreakStatus, BreakStatus, string | null][] = [];
    for (const r of rows) {
      if (r.current_decision !== decisionId || r.status === null) {
        throw new ReconError('ILLEGAL_TRANSITION', `break ${r.break_id} is no longer held by proposal ${decisionId}`, { breakId: r.break_id });
      }
      const from = asBreakStatus(r.status);
      const to = verdict === 'APPROVED' ? asBreakStatus(r.to_status) : asBreakStatus(r.from_status);
      checkTransition(EVENTS[verdict], from, to, `break ${r.break_id}`);
      const reason = verdict === 'APPROVED' ? r.reason : null;
      setStatus(tx, d.run_id, r.break_id, to, reason, decisionId, approvalId);
      changes.push([r.break_id, from, to, reason]);
    }
    // The proposal's breaks carried into later runs of the series (break memory) follow it.
    const carried = tx.all<{ run_id: string; break_id: number; to_status: string; from_status: string; reason: string | null }>(
      sql`SELECT c.run_id, c.break_id, db.to_status, db.from_status, db.reason
            FROM break_carries c
            JOIN decision_breaks db ON db.decision_id = c.decision_id AND db.break_id = c.origin_break_id
            JOIN break_status s ON s.run_id = c.run_id AND s.break_id = c.break_id
           WHERE c.decision_id = ${decisionId} AND c.kept = 1 AND s.decision_id = ${decisionId} AND s.status = 'PROPOSED'
           ORDER BY c.run_id, c.break_id`,
    );
    for (const r of carried) {
      const to = verdict === 'APPROVED' ? asBreakStatus(r.to_status) : asBreakStatus(r.from_status);
      setStatus(tx, r.run_id, r.break_id, to, verdict === 'APPROVED' ? r.reason : null, decisionId, approvalId);
    }
    appendAuditEvent(tx, {
      actor: actor.userId,
      action: ACTIONS[verdict],
      target: `decision:${decisionId}`,
      before: { maker: d.actor, columns: ['break_id', 'status'], rows: changes.map(([id, from]) => [id, from]) },
      after: {
        approval_id: approvalId,
        verdict,
        run_id: d.run_id,
        kind: d.kind,
        columns: ['break_id', 'status', 'reason'],
        rows: changes.map(([id, , to, reason]) => [id, to, reason]),
        ...(carried.length > 0 ? { carried: carried.map((r) => [r.run_id, r.break_id]) } : {}),
        // Where the approver's identity and roles came from, for whoever reads the trail.
        ...(verdict === 'WITHDRAWN' ? {} : { approver_vetting: { ...approverVetting(tx, actor.userId) } }),
      },
      comment: comment?.trim() || null,
    });
    return { approvalId, decisionId, verdict, breakCount: changes.length };
  });
}
