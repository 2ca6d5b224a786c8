/**
 * Writes what the pull read into the workspace store, so the local workflow
 * (listProposals, approveProposal with its own 4-eye check) works on remote
 * proposals unchanged. Rules:
 * - the server's verdict on each decision/approval is kept in sync_decisions;
 *   a SUPERSEDED decision stays in `decisions` (history), with no effect;
 * - a break's status follows the server, except where this device acted on
 *   it and the server has not seen that yet (it will order it on push);
 * - a decision that lost some breaks to another device's earlier decision
 *   stands for the rest: its lost breaks are recorded (lost-breaks.ts) and
 *   take the winner's status, so the workspace equals the server per break;
 * - one remote row the local schema cannot take is skipped (a savepoint),
 *   never a reason to stop the pull.
 */
import { appendAuditEvent } from '../store/audit-log.ts';
import { sql } from '../store/sql.ts';
import type { Store, WriteTx } from '../store/store.ts';
import { applyPulledDefinition, type PulledDefinition } from '../workflow/definitions.ts';
import { rolesOf, ROLES, type Role } from '../workflow/roles.ts';
import { applyMatchAction, applyMatchVerdict, type RemoteMatchAction, type RemoteMatchVerdict } from './apply-match-actions.ts';
import { setState } from './local-state.ts';
import { recordLostBreaks, type LostBreakRow } from './lost-breaks.ts';

export interface RemoteRun {
  run_id: string;
  device_id: string;
  definition_name: string;
  status: string;
  started_by: string;
  started_at: string;
  finished_at: string | null;
  summary: string | null;
}

export interface RemoteDecision {
  decision_id: string;
  device_id: string;
  run_id: string;
  kind: string;
  reason: string | null;
  comment: string | null;
  actor: string;
  decided_at: string;
  is_proposal: boolean;
  bulk_filter: string | null;
  break_count: number;
  state: 'APPLIED' | 'SUPERSEDED' | 'REFUSED';
  detail: string | null;
  server_order: number;
  /** [break_id, from_status, to_status, reason] */
  breaks: [number, string, string, string | null][] | null;
  /** Breaks it lost to earlier decisions of other devices (server migration 011): [break_id, winner decision, status, reason]. */
  lost?: LostBreakRow[] | null;
}

export interface RemoteApproval {
  approval_id: string;
  decision_id: string;
  device_id: string;
  verdict: string;
  approver: string;
  comment: string | null;
  decided_at: string;
  state: 'APPLIED' | 'SUPERSEDED' | 'REFUSED';
  detail: string | null;
  server_order: number;
}

export interface RemoteCarry {
  run_id: string;
  break_id: number;
  from_run_id: string;
  from_break_id: number;
  origin_break_id: number;
  decision_id: string;
  kept: boolean;
  status: string;
  reason: string | null;
  carried_at: string;
}

export interface RemoteStatus {
  run_id: string;
  break_id: number;
  status: string;
  reason: string | null;
  decision_id: string;
  approval_id: string | null;
}

export interface RemoteBreak {
  run_id: string;
  break_id: number;
  key: string;
  field: string;
  diff_type: string;
  value_a: string | null;
  value_b: string | null;
  delta: string | null;
  base_status: string;
  reason: string | null;
  confidence: string | null;
  /** The login that pushed it (the server sets it and refuses any but the run device's: server migration 013). */
  pushed_by?: string | null;
}

const has = (tx: WriteTx, q: ReturnType<typeof sql>): boolean => tx.get(q) !== undefined;

/** Applies one window of server order and moves the watermark, in one transaction; returns the definition versions stored. */
export function applyWindow(
  store: Store,
  w: {
    runs: RemoteRun[];
    decisions: RemoteDecision[];
    approvals: RemoteApproval[];
    statuses: RemoteStatus[];
    definitions: PulledDefinition[];
    carries?: RemoteCarry[];
    /** Manual match actions and their verdicts (matching runs; apply-match-actions.ts). */
    matchActions?: RemoteMatchAction[];
    matchVerdicts?: RemoteMatchVerdict[];
  },
  upTo: number,
): number {
  return store.write((tx) => {
    let definitions = 0;
    for (const d of w.definitions) {
      savepoint(store, () => {
        if (applyPulledDefinition(tx, d)) definitions++;
      });
    }
    for (const r of w.runs) savepoint(store, () => applyRun(tx, r));
    // Actions before verdicts: a verdict needs its action here.
    for (const a of w.matchActions ?? []) savepoint(store, () => applyMatchAction(tx, a));
    for (const v of w.matchVerdicts ?? []) savepoint(store, () => applyMatchVerdict(tx, v));
    for (const d of w.decisions) {
      verdict(tx, d.decision_id, 'decision', d);
      savepoint(store, () => applyDecision(tx, d));
      if (d.lost?.length) savepoint(store, () => recordLostBreaks(tx, d.decision_id, d.server_order, d.lost!));
    }
    for (const a of w.approvals) {
      verdict(tx, a.approval_id, 'approval', a);
      savepoint(store, () => applyApproval(tx, a));
    }
    for (const c of w.carries ?? []) savepoint(store, () => applyCarry(tx, c));
    const seen = new Set<string>();
    for (const s of w.statuses) {
      seen.add(`${s.run_id}\u0000${s.break_id}`);
      savepoint(store, () => applyStatus(tx, s));
    }
    // This device's decisions the server did not take, on breaks nobody holds
    // there: back to the attribution's status (no row), as on the server.
    // A decision that stands for some breaks only undoes the breaks it lost.
    for (const d of w.decisions) {
      if (d.device_id !== store.deviceId) continue;
      const undone = d.state === 'APPLIED' ? (d.lost ?? []) : (d.breaks ?? []);
      for (const [breakId] of undone) {
        if (!seen.has(`${d.run_id}\u0000${breakId}`)) tx.run(sql`DELETE FROM break_status WHERE run_id = ${d.run_id} AND break_id = ${breakId} AND decision_id = ${d.decision_id}`);
      }
    }
    setState(tx, 'pull.serverOrder', upTo);
    setState(tx, 'pull.lastAt', tx.now);
    return definitions;
  });
}

// A nested write is a SAVEPOINT: a row the local schema refuses is skipped alone.
function savepoint(store: Store, fn: () => void): void {
  try {
    store.write(() => fn());
  } catch {
    // Skipped: the server's verdict is still recorded in sync_decisions.
  }
}

function verdict(tx: WriteTx, id: string, kind: 'decision' | 'approval', v: { decision_id: string; device_id: string; server_order: number; state: string; detail: string | null }): void {
  tx.run(sql`INSERT INTO sync_decisions (id, kind, decision_id, device_id, server_order, state, detail, synced_at)
    VALUES (${id}, ${kind}, ${v.decision_id}, ${v.device_id}, ${v.server_order}, ${v.state}, ${v.detail}, ${tx.now})
    ON CONFLICT (id) DO UPDATE SET server_order = excluded.server_order, state = excluded.state, detail = excluded.detail, synced_at = excluded.synced_at`);
}

function applyRun(tx: WriteTx, r: RemoteRun): void {
  const local = tx.get<{ remote: number }>(sql`SELECT EXISTS (SELECT 1 FROM sync_remote_runs WHERE run_id = ${r.run_id}) AS remote FROM runs WHERE run_id = ${r.run_id}`);
  if (local && !local.remote) return; // a run of this workspace: its own registry is the truth
  tx.run(sql`INSERT INTO runs (run_id, definition_name, definition_version, duckdb_path, definition_snapshot, inputs, summary, status, started_by, started_at, finished_at)
    VALUES (${r.run_id}, ${r.definition_name}, NULL, ${`remote:${r.device_id}`}, '{}', '{}', ${r.summary}, ${r.status}, ${r.started_by}, ${r.started_at}, ${r.finished_at})
    ON CONFLICT (run_id) DO UPDATE SET status = excluded.status, summary = excluded.summary, finished_at = excluded.finished_at`);
  tx.run(sql`INSERT INTO sync_remote_runs (run_id, device_id, pulled_at) VALUES (${r.run_id}, ${r.device_id}, ${tx.now}) ON CONFLICT DO NOTHING`);
}

function ensureUser(tx: WriteTx, userId: string): void {
  tx.run(sql`INSERT INTO users (user_id, display_name, created_at) VALUES (${userId}, ${userId}, ${tx.now}) ON CONFLICT DO NOTHING`);
}

// A code added on another workstation's catalogue; the local admin can describe it later.
function ensureReason(tx: WriteTx, code: string | null): void {
  if (code === null) return;
  tx.run(sql`INSERT INTO reason_codes (code, description, category, created_at) VALUES (${code}, 'from the team server', 'ACTION', ${tx.now}) ON CONFLICT DO NOTHING`);
}

function applyDecision(tx: WriteTx, d: RemoteDecision): void {
  if (d.state === 'REFUSED' || has(tx, sql`SELECT 1 AS x FROM decisions WHERE decision_id = ${d.decision_id}`)) return;
  if (!has(tx, sql`SELECT 1 AS x FROM runs WHERE run_id = ${d.run_id}`)) return;
  ensureUser(tx, d.actor);
  ensureReason(tx, d.reason);
  for (const b of d.breaks ?? []) ensureReason(tx, b[3]);
  tx.run(sql`INSERT INTO decisions (decision_id, device_id, run_id, kind, reason, comment, actor, decided_at, is_proposal, bulk_filter, break_count)
    VALUES (${d.decision_id}, ${d.device_id}, ${d.run_id}, ${d.kind}, ${d.reason}, ${d.comment}, ${d.actor}, ${d.decided_at}, ${d.is_proposal ? 1 : 0}, ${d.bulk_filter}, ${d.break_count})`);
  for (const [breakId, from, to, reason] of d.breaks ?? []) {
    tx.run(sql`INSERT INTO decision_breaks (decision_id, break_id, from_status, to_status, reason) VALUES (${d.decision_id}, ${breakId}, ${from}, ${to}, ${reason})`);
  }
}

function applyApproval(tx: WriteTx, a: RemoteApproval): void {
  if (a.state !== 'APPLIED' || has(tx, sql`SELECT 1 AS x FROM approvals WHERE approval_id = ${a.approval_id}`)) return;
  if (!has(tx, sql`SELECT 1 AS x FROM decisions WHERE decision_id = ${a.decision_id}`)) return;
  // This device settled the proposal too, and lost on the server: its own row stays (the verdict says SUPERSEDED/REFUSED).
  if (has(tx, sql`SELECT 1 AS x FROM approvals WHERE decision_id = ${a.decision_id}`)) return;
  ensureUser(tx, a.approver);
  tx.run(sql`INSERT INTO approvals (approval_id, decision_id, device_id, verdict, approver, comment, decided_at)
    VALUES (${a.approval_id}, ${a.decision_id}, ${a.device_id}, ${a.verdict}, ${a.approver}, ${a.comment}, ${a.decided_at})`);
}

function applyStatus(tx: WriteTx, s: RemoteStatus): void {
  if (!has(tx, sql`SELECT 1 AS x FROM decisions WHERE decision_id = ${s.decision_id}`)) return;
  const local = tx.get<{ decision_id: string; approval_id: string | null }>(sql`SELECT decision_id, approval_id FROM break_status WHERE run_id = ${s.run_id} AND break_id = ${s.break_id}`);
  if (local) {
    // Acted on here and not yet ordered by the server: the push will settle it.
    if (!has(tx, sql`SELECT 1 AS x FROM sync_decisions WHERE id = ${local.decision_id}`)) return;
    if (local.approval_id !== null && !has(tx, sql`SELECT 1 AS x FROM sync_decisions WHERE id = ${local.approval_id}`)) return;
  }
  const approval = s.approval_id !== null && has(tx, sql`SELECT 1 AS x FROM approvals WHERE approval_id = ${s.approval_id}`) ? s.approval_id : null;
  ensureReason(tx, s.reason);
  tx.run(sql`INSERT INTO break_status (run_id, break_id, status, reason, decision_id, approval_id, updated_at)
    VALUES (${s.run_id}, ${s.break_id}, ${s.status}, ${s.reason}, ${s.decision_id}, ${approval}, ${tx.now})
    ON CONFLICT (run_id, break_id) DO UPDATE SET status = excluded.status, reason = excluded.reason,
      decision_id = excluded.decision_id, approval_id = excluded.approval_id, updated_at = excluded.updated_at`);
}

/** A carry another device made (break memory), kept for the break's history; its status row comes with the statuses. */
function applyCarry(tx: WriteTx, c: RemoteCarry): void {
  if (!has(tx, sql`SELECT 1 AS x FROM runs WHERE run_id = ${c.run_id}`)) return;
  tx.run(sql`INSERT INTO break_carries (run_id, break_id, from_run_id, from_break_id, decision_id, origin_break_id, kept, status, reason, carried_at)
    VALUES (${c.run_id}, ${c.break_id}, ${c.from_run_id}, ${c.from_break_id}, ${c.decision_id}, ${c.origin_break_id}, ${c.kept ? 1 : 0}, ${c.status}, ${c.reason}, ${c.carried_at})
    ON CONFLICT (run_id, break_id) DO NOTHING`);
}

/** Stores evidence for remote breaks. */
export function applyEvidence(store: Store, rows: readonly RemoteBreak[]): void {
  if (rows.length === 0) return;
  store.write((tx) => {
    for (const b of rows) {
      tx.run(sql`INSERT INTO sync_remote_breaks (run_id, break_id, key, field, diff_type, value_a, value_b, delta, base_status, reason, confidence, pushed_by)
        VALUES (${b.run_id}, ${b.break_id}, ${b.key}, ${b.field}, ${b.diff_type}, ${b.value_a}, ${b.value_b}, ${b.delta}, ${b.base_status}, ${b.reason}, ${b.confidence}, ${b.pushed_by ?? null})
        ON CONFLICT (run_id, break_id) DO NOTHING`);
    }
  });
}

/**
 * Team roles come down: each server user gets exactly the server's roles here
 * (recorded as role events by "team-server"), except that the workspace's
 * last local admin is kept, as the local rules require.
 */
export function applyRoles(store: Store, users: readonly { user_id: string; display_name: string }[], roles: readonly { user_id: string; role: string; granted_by: string }[]): number {
  return store.write((tx) => {
    let changes = 0;
    for (const u of users) {
      const server = roles.filter((r) => r.user_id === u.user_id && (ROLES as readonly string[]).includes(r.role)).map((r) => r.role as Role);
      tx.run(sql`INSERT INTO users (user_id, display_name, created_at) VALUES (${u.user_id}, ${u.display_name}, ${tx.now}) ON CONFLICT DO NOTHING`);
      const before = rolesOf(tx, u.user_id);
      const add = server.filter((r) => !before.includes(r));
      const remove = before.filter((r) => !server.includes(r) && !(r === 'admin' && lastAdmin(tx)));
      for (const r of add) tx.run(sql`INSERT INTO user_roles (user_id, role, granted_by, granted_at) VALUES (${u.user_id}, ${r}, ${`team-server:${roles.find((x) => x.user_id === u.user_id && x.role === r)?.granted_by ?? '?'}`}, ${tx.now})`);
      for (const r of remove) tx.run(sql`DELETE FROM user_roles WHERE user_id = ${u.user_id} AND role = ${r}`);
      if (add.length > 0) appendAuditEvent(tx, { actor: 'team-server', action: 'role.granted', target: `user:${u.user_id}`, before: { roles: before }, after: { roles: rolesOf(tx, u.user_id) }, comment: 'roles from the team server' });
      if (remove.length > 0) appendAuditEvent(tx, { actor: 'team-server', action: 'role.revoked', target: `user:${u.user_id}`, before: { roles: before }, after: { roles: rolesOf(tx, u.user_id) }, comment: 'roles from the team server' });
      changes += add.length + remove.length;
    }
    return changes;
  });
}

const lastAdmin = (tx: WriteTx): boolean => (tx.get<{ n: number }>(sql`SELECT count(*) AS n FROM user_roles WHERE role = 'admin'`)?.n ?? 0) <= 1;
