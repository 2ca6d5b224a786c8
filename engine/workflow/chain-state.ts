/**
 * The workflow rows the app acts on, bound to the audit chain. Every change to
 * roles, settings, decisions and approvals is written in one transaction with
 * the audit event that records it, so the chain explains every such row. A row
 * edited, added or deleted in workspace.sqlite behind the engine's back no
 * longer agrees with its event:
 *   - before acting, the engine checks the rows it acts on (the actor's roles,
 *     the setting it reads, the proposal it settles) against their events, and
 *     refuses with AUDIT_CHAIN_BROKEN when they disagree;
 *   - `recon audit verify` checks every such row (verifyWorkflowState below).
 * The explaining event must itself be intact (its hash matches its content and
 * it links to the event before it). What this cannot see: a rewrite of the
 * whole chain together with the rows (the team server's copy and signed
 * checkpoints are the anchor for that; docs/ARCHITECTURE.md, security model).
 * Not bound here: the saved source connections (connection.* events), a file beside
 * the store rather than a row of it; workflow/connections.ts says why.
 */
import { ReconError } from '../errors/recon-error.ts';
import { GENESIS_HASH, hashEvent } from '../store/audit-log.ts';
import { verifyInTx, type ChainReport } from '../store/audit-verify.ts';
import { localAnchorProblem } from '../store/checkpoint-anchors.ts';
import { canonicalJson, type JsonValue } from '../store/canonical-json.ts';
import { sql } from '../store/sql.ts';
import type { ReadTx, Store } from '../store/store.ts';
import { reasonRuleProblems, type ChainHelpers } from '../rules/chain-check.ts';

/** A stored audit event (before/after as canonical JSON text). */
export interface EventRow {
  device_id: string;
  seq: number;
  event_id: string;
  actor: string;
  at: string;
  action: string;
  target: string;
  before: string;
  after: string;
  comment: string | null;
  prev_hash: string;
  hash: string;
}

/** The actions that set a user's roles; each event's `after.roles` is the full list after it. */
const ROLE_ACTIONS = ['user.added', 'role.granted', 'role.revoked'] as const;
const DECISION_ACTIONS = ['decision.applied', 'decision.proposed'] as const;
const VERDICT_ACTIONS = ['proposal.approved', 'proposal.rejected', 'proposal.withdrawn'] as const;

/** The event's content matches its hash and it links to the event before it. */
function intact(tx: ReadTx, e: EventRow): boolean {
  let before: JsonValue;
  let after: JsonValue;
  try {
    before = JSON.parse(e.before) as JsonValue;
    after = JSON.parse(e.after) as JsonValue;
  } catch {
    return false;
  }
  if (hashEvent({ ...e, before, after }) !== e.hash) return false;
  const prev =
    e.seq === 1
      ? { hash: GENESIS_HASH }
      : (tx.get<{ hash: string }>(sql`SELECT hash FROM audit_events WHERE device_id = ${e.device_id} AND seq = ${e.seq - 1}`) ??
        // The first event held of a chain pulled from an anchor (sync/chain-anchors.ts) links to the anchor's hash.
        tx.get<{ hash: string }>(sql`SELECT anchor_hash AS hash FROM chain_anchors WHERE device_id = ${e.device_id} AND anchor_seq = ${e.seq - 1} AND device_id <> ${tx.deviceId}`));
  return prev !== undefined && prev.hash === e.prev_hash;
}

const after = <T>(e: EventRow): T => JSON.parse(e.after) as T;

/** The event checks the reason-rule tables are held to (engine/rules/chain-check.ts), the same as every other state table's. */
export const CHAIN_HELPERS: ChainHelpers = { intact: (tx, e) => intact(tx, e), ownChains: (tx) => ownChains(tx) };

function broken(what: string, details: Record<string, unknown>): ReconError {
  return new ReconError(
    'AUDIT_CHAIN_BROKEN',
    `${what} does not agree with the audit trail (workspace.sqlite was edited outside the app): refused. Run "recon audit verify" to see every such row.`,
    details,
  );
}

/**
 * The workspace's own chains, newest first: this device's, then each device it
 * continued after a restore (sync/recover.ts), found from the `sync.recovered`
 * events of the chain after it (not from a list an editor could extend).
 */
function ownChains(tx: ReadTx): string[] {
  const chains = [tx.deviceId];
  for (let i = 0; i < chains.length && chains.length < 100; i++) {
    for (const r of tx.all<{ old: string | null }>(
      // By target too, so the lookup uses audit_events_by_target (migration 014) and does not scan the chain:
      // this runs before every role check.
      sql`SELECT json_extract(before, '$.value.device_id') AS old FROM audit_events
           WHERE device_id = ${chains[i]!} AND target = 'device:recovered' AND action = 'sync.recovered' ORDER BY seq DESC`,
    )) {
      if (r.old !== null && !chains.includes(r.old)) chains.push(r.old);
    }
  }
  return chains;
}

/** The latest event of the workspace's own chains on `target` among `actions` (the last word on it). */
function latestEvent(tx: ReadTx, target: string, actions: readonly string[]): EventRow | undefined {
  for (const device of ownChains(tx)) {
    const e = tx.get<EventRow>(
      sql`SELECT * FROM audit_events WHERE device_id = ${device} AND target = ${target}
            AND action IN (SELECT value FROM json_each(${JSON.stringify(actions)})) ORDER BY seq DESC LIMIT 1`,
    );
    if (e) return e;
  }
  return undefined;
}

const sortedRoles = (roles: readonly string[]): string => [...roles].sort().join(',');

/**
 * The roles the chain gives the user: the latest role event's `after.roles`, or
 * none. Roles are a workspace's own (team-server roles arrive as local events).
 */
function chainRoles(tx: ReadTx, userId: string): { roles: string[]; event: EventRow | undefined } {
  const e = latestEvent(tx, `user:${userId}`, ROLE_ACTIONS);
  const roles = e ? (after<{ roles?: unknown }>(e).roles ?? []) : [];
  return { roles: Array.isArray(roles) ? roles.map(String) : [], event: e };
}

/** Throws unless the user's role rows are the roles their latest intact role event gives. */
export function requireRolesExplained(tx: ReadTx, userId: string, held: readonly string[]): void {
  const { roles, event } = chainRoles(tx, userId);
  if ((event !== undefined && !intact(tx, event)) || sortedRoles(roles) !== sortedRoles(held)) {
    throw broken(`${userId}'s roles (${held.join(', ') || 'none'})`, { user: userId, roles: held, chainRoles: roles });
  }
}

/** Throws unless the setting's row (canonical JSON text, or absent) is the value of its latest intact setting.changed event. */
export function requireSettingExplained(tx: ReadTx, key: string, stored: string | undefined): void {
  const e = latestEvent(tx, `setting:${key}`, ['setting.changed']);
  const fromChain = e ? canonicalJson(after<{ value: JsonValue }>(e).value ?? null) : undefined;
  if ((e !== undefined && !intact(tx, e)) || fromChain !== stored) {
    throw broken(`setting ${key}`, { key, stored: stored ?? null, chain: fromChain ?? null });
  }
}

interface DecisionRow {
  decision_id: string;
  device_id: string;
  run_id: string;
  kind: string;
  reason: string | null;
  comment: string | null;
  actor: string;
  is_proposal: number;
  break_count: number;
}

interface DecisionAfter {
  decision: { decision_id: string; run_id: string; kind: string; reason: string | null; is_proposal: boolean; break_count: number };
  rows: [number, string, string, string | null][];
}

/** A decision as its event recorded it: the row's columns, and its breaks as [break_id, from, to, reason]. */
interface RecordedDecision {
  row: { run_id: string; kind: string; reason: string | null; actor: string; is_proposal: number; break_count: number; comment: string | null };
  breaks: [number, string | null, string, string | null][];
}

/**
 * The event that wrote a decision, as recorded: a review decision's own event, or
 * the match action (or its verdict) whose breaks it settled (workflow/match-breaks.ts).
 */
function recordedDecision(tx: ReadTx, decisionId: string, deviceId: string): { event: EventRow; recorded: RecordedDecision } | undefined {
  const e = tx.get<EventRow>(
    sql`SELECT * FROM audit_events WHERE json_extract(after, '$.decision.decision_id') = ${decisionId}
          AND action IN ('decision.applied', 'decision.proposed') AND device_id = ${deviceId}`,
  );
  if (e) {
    const a = after<DecisionAfter>(e);
    const fromStatus = new Map(((JSON.parse(e.before) as { rows?: [number, string][] }).rows ?? []).map(([id, s]) => [id, s]));
    return {
      event: e,
      recorded: {
        row: { run_id: a.decision.run_id, kind: a.decision.kind, reason: a.decision.reason, actor: e.actor, is_proposal: a.decision.is_proposal ? 1 : 0, break_count: a.decision.break_count, comment: e.comment },
        breaks: [...a.rows].sort((x, y) => x[0] - y[0]).map(([id, , final, reason]) => [id, fromStatus.get(id) ?? null, final, reason]),
      },
    };
  }
  const m = tx.get<EventRow>(
    sql`SELECT * FROM audit_events WHERE json_extract(after, '$.settle.decision_id') = ${decisionId}
          AND action IN ('match.manual', 'match.unmatched', 'match.approved') AND device_id = ${deviceId}`,
  );
  if (!m) return undefined;
  const st = after<{ settle: { run_id: string; kind: string; reason: string | null; comment: string; rows: [number, string, string, string | null][] } }>(m).settle;
  return {
    event: m,
    recorded: {
      row: { run_id: st.run_id, kind: st.kind, reason: st.reason, actor: m.actor, is_proposal: 0, break_count: st.rows.length, comment: st.comment },
      breaks: [...st.rows].sort((x, y) => x[0] - y[0]),
    },
  };
}

/**
 * A row the team server gave this workspace for a chain it has retired after a restore
 * (sync/recover.ts): the lost timeline's acts, whose events are on the server's copy of
 * that chain, not on the local one. The server is their anchor (`recon audit verify --remote`).
 */
function fromRetiredTimeline(tx: ReadTx, deviceId: string, id: string): boolean {
  return deviceId !== tx.deviceId && ownChains(tx).includes(deviceId) && tx.get(sql`SELECT 1 AS x FROM sync_decisions WHERE id = ${id}`) !== undefined;
}

/**
 * A row the team server gave this workspace (its verdict is in sync_decisions) of a device whose chain is
 * held here from an anchor (a windowed pull): its event is among the events before the anchor, not pulled.
 * An open item older than the window (a pending proposal) is such a row; the server's copy is its anchor
 * (`recon audit verify --remote`), and `recon sync pull --history` brings its event to check it here.
 */
function beforeAnchor(tx: ReadTx, deviceId: string, id: string): boolean {
  return (
    deviceId !== tx.deviceId &&
    tx.get(sql`SELECT 1 AS x FROM chain_anchors WHERE device_id = ${deviceId}`) !== undefined &&
    tx.get(sql`SELECT 1 AS x FROM sync_decisions WHERE id = ${id}`) !== undefined
  );
}

/** Rows verifyWorkflowState accepted on the team server's word (their events are before an anchor). */
export interface StateStats {
  beforeAnchor: number;
}

/** What is wrong with a decision row and its breaks against its event, or null when they agree. */
function decisionProblem(tx: ReadTx, d: DecisionRow, stats?: StateStats): string | null {
  const found = recordedDecision(tx, d.decision_id, d.device_id);
  if (!found && fromRetiredTimeline(tx, d.device_id, d.decision_id)) return null;
  if (!found && beforeAnchor(tx, d.device_id, d.decision_id)) {
    if (stats) stats.beforeAnchor++;
    return null;
  }
  if (!found) return `decision ${d.decision_id} has no event in device ${d.device_id}'s chain`;
  if (!intact(tx, found.event)) return `the event of decision ${d.decision_id} was edited`;
  const want = found.recorded.row;
  const have = { run_id: d.run_id, kind: d.kind, reason: d.reason, actor: d.actor, is_proposal: d.is_proposal, break_count: d.break_count, comment: d.comment };
  if (canonicalJson(want) !== canonicalJson(have)) return `decision ${d.decision_id} reads ${canonicalJson(have)} but its event says ${canonicalJson(want)}`;
  const rows = tx.all<{ break_id: number; from_status: string; to_status: string; reason: string | null }>(
    sql`SELECT break_id, from_status, to_status, reason FROM decision_breaks WHERE decision_id = ${d.decision_id} ORDER BY break_id`,
  );
  const wantRows = found.recorded.breaks;
  const haveRows = rows.map((r) => [r.break_id, r.from_status, r.to_status, r.reason]);
  if (canonicalJson(wantRows as JsonValue) !== canonicalJson(haveRows as JsonValue)) return `the breaks of decision ${d.decision_id} differ from its event`;
  return null;
}

/** Throws unless the proposal's decision row and its breaks are exactly what their event recorded (maker, kind, reason, breaks). */
export function requireDecisionExplained(tx: ReadTx, decisionId: string): void {
  const d = tx.get<DecisionRow>(sql`SELECT * FROM decisions WHERE decision_id = ${decisionId}`);
  if (!d) return;
  const problem = decisionProblem(tx, d);
  if (problem) throw broken(`proposal ${decisionId}`, { decisionId, problem });
}

/** One row the chain does not explain. */
export interface StateProblem {
  table: string;
  key: string;
  message: string;
}

/**
 * Every roles, settings, decisions, decision_breaks and approvals row checked
 * against the chain, and every decision and verdict event of this device
 * checked to have its row (a deleted row shows too). Break statuses must be held
 * by a decision the chain explains, with the status that decision (and its
 * verdict) gives. Returns the problems found, at most `limit`.
 */
export function verifyWorkflowState(tx: ReadTx, limit = 50, stats: StateStats = { beforeAnchor: 0 }): StateProblem[] {
  const problems: StateProblem[] = [];
  const add = (table: string, key: string, message: string): boolean => {
    problems.push({ table, key, message });
    return problems.length >= limit;
  };

  // Roles: every user with role rows or role events.
  const own = JSON.stringify(ownChains(tx));
  const users = tx.all<{ user_id: string }>(
    sql`SELECT user_id FROM user_roles UNION SELECT substr(target, 6) FROM audit_events WHERE device_id IN (SELECT value FROM json_each(${own})) AND target LIKE 'user:%'
          AND action IN ('user.added', 'role.granted', 'role.revoked')`,
  );
  for (const { user_id } of users) {
    const held = tx.all<{ role: string }>(sql`SELECT role FROM user_roles WHERE user_id = ${user_id}`).map((r) => r.role);
    const { roles, event } = chainRoles(tx, user_id);
    if (event !== undefined && !intact(tx, event)) {
      if (add('user_roles', user_id, `the role event of ${user_id} was edited`)) return problems;
    } else if (sortedRoles(roles) !== sortedRoles(held)) {
      if (add('user_roles', user_id, `${user_id} holds [${held.join(', ')}] but the audit trail gives [${roles.join(', ')}]`)) return problems;
    }
  }

  // Settings: every row, and every key the chain set.
  const keys = tx.all<{ key: string }>(
    sql`SELECT key FROM settings UNION SELECT substr(target, 9) FROM audit_events WHERE device_id IN (SELECT value FROM json_each(${own})) AND action = 'setting.changed'`,
  );
  for (const { key } of keys) {
    const row = tx.get<{ value: string }>(sql`SELECT value FROM settings WHERE key = ${key}`);
    try {
      requireSettingExplained(tx, key, row?.value);
    } catch {
      if (add('settings', key, `setting ${key} is ${row?.value ?? '(unset)'}, not the value its last setting.changed event recorded`)) return problems;
    }
  }

  // Decisions and their breaks, of every device whose rows this workspace holds.
  for (const d of tx.iterate<DecisionRow>(sql`SELECT * FROM decisions ORDER BY decided_at, decision_id`)) {
    const problem = decisionProblem(tx, d, stats);
    if (problem && add('decisions', d.decision_id, problem)) return problems;
  }
  // This device's decision events each have their row.
  for (const e of tx.iterate<{ seq: number; id: string }>(
    sql`SELECT seq, json_extract(after, '$.decision.decision_id') AS id FROM audit_events
         WHERE device_id IN (SELECT value FROM json_each(${own})) AND action IN (SELECT value FROM json_each(${JSON.stringify(DECISION_ACTIONS)})) ORDER BY seq`,
  )) {
    if (!tx.get(sql`SELECT 1 AS x FROM decisions WHERE decision_id = ${e.id}`) && add('decisions', e.id, `decision ${e.id} (event seq ${e.seq}) has no row: deleted`)) return problems;
  }
  for (const e of tx.iterate<{ seq: number; id: string }>(
    sql`SELECT seq, json_extract(after, '$.settle.decision_id') AS id FROM audit_events
         WHERE device_id IN (SELECT value FROM json_each(${own})) AND action IN ('match.manual', 'match.unmatched', 'match.approved') AND json_extract(after, '$.settle.decision_id') IS NOT NULL ORDER BY seq`,
  )) {
    if (!tx.get(sql`SELECT 1 AS x FROM decisions WHERE decision_id = ${e.id}`) && add('decisions', e.id, `decision ${e.id} (event seq ${e.seq}, a match's breaks) has no row: deleted`)) return problems;
  }

  // Approvals: each row explained by its verdict event, and this device's verdict events each have their row.
  for (const ap of tx.iterate<{ approval_id: string; decision_id: string; device_id: string; verdict: string; approver: string; comment: string | null }>(
    sql`SELECT approval_id, decision_id, device_id, verdict, approver, comment FROM approvals ORDER BY decided_at, approval_id`,
  )) {
    const e = tx.get<EventRow>(
      sql`SELECT * FROM audit_events WHERE json_extract(after, '$.approval_id') = ${ap.approval_id}
            AND action IN ('proposal.approved', 'proposal.rejected', 'proposal.withdrawn') AND device_id = ${ap.device_id}`,
    );
    let problem: string | null = null;
    if (!e && fromRetiredTimeline(tx, ap.device_id, ap.approval_id)) problem = null;
    else if (!e && beforeAnchor(tx, ap.device_id, ap.approval_id)) stats.beforeAnchor++;
    else if (!e) problem = `approval ${ap.approval_id} has no event in device ${ap.device_id}'s chain`;
    else if (!intact(tx, e)) problem = `the event of approval ${ap.approval_id} was edited`;
    else {
      const want = { decision_id: e.target.replace(/^decision:/, ''), verdict: after<{ verdict: string }>(e).verdict, approver: e.actor, comment: e.comment };
      const have = { decision_id: ap.decision_id, verdict: ap.verdict, approver: ap.approver, comment: ap.comment };
      if (canonicalJson(want) !== canonicalJson(have)) problem = `approval ${ap.approval_id} reads ${canonicalJson(have)} but its event says ${canonicalJson(want)}`;
    }
    if (problem && add('approvals', ap.approval_id, problem)) return problems;
  }
  for (const e of tx.iterate<{ seq: number; id: string }>(
    sql`SELECT seq, json_extract(after, '$.approval_id') AS id FROM audit_events
         WHERE device_id IN (SELECT value FROM json_each(${own})) AND action IN (SELECT value FROM json_each(${JSON.stringify(VERDICT_ACTIONS)})) ORDER BY seq`,
  )) {
    if (!tx.get(sql`SELECT 1 AS x FROM approvals WHERE approval_id = ${e.id}`) && add('approvals', e.id, `approval ${e.id} (event seq ${e.seq}) has no row: deleted`)) return problems;
  }

  // Break statuses: held by a decision, with the status that decision and its verdict give it.
  // A break carried into a later run (break memory) is held by the decision of the break it came from.
  const statusQuery = sql`
    SELECT s.run_id, s.break_id, s.status, s.reason, s.decision_id, s.approval_id,
           d.is_proposal, coalesce(db.to_status, cdb.to_status) AS to_status, coalesce(db.from_status, cdb.from_status) AS from_status,
           coalesce(db.reason, cdb.reason) AS decided_reason, a.verdict, a.decision_id AS approval_decision
      FROM break_status s
      LEFT JOIN decisions d ON d.decision_id = s.decision_id
      LEFT JOIN decision_breaks db ON db.decision_id = s.decision_id AND db.break_id = s.break_id AND d.run_id = s.run_id
      LEFT JOIN break_carries c ON c.run_id = s.run_id AND c.break_id = s.break_id AND c.decision_id = s.decision_id AND d.run_id <> s.run_id
      LEFT JOIN decision_breaks cdb ON cdb.decision_id = c.decision_id AND cdb.break_id = c.origin_break_id
      LEFT JOIN approvals a ON a.approval_id = s.approval_id
     ORDER BY s.run_id, s.break_id`;
  for (const s of tx.iterate<{
    run_id: string;
    break_id: number;
    status: string;
    reason: string | null;
    decision_id: string;
    approval_id: string | null;
    is_proposal: number | null;
    to_status: string | null;
    from_status: string | null;
    decided_reason: string | null;
    verdict: string | null;
    approval_decision: string | null;
  }>(statusQuery)) {
    const key = `${s.run_id}#${s.break_id}`;
    let want: { status: string; reason: string | null } | null;
    if (s.is_proposal === null || s.to_status === null) want = null;
    else if (s.approval_id === null) want = s.is_proposal === 1 ? { status: 'PROPOSED', reason: null } : { status: s.to_status, reason: s.decided_reason };
    else if (s.verdict === null || s.approval_decision !== s.decision_id) want = null;
    else want = s.verdict === 'APPROVED' ? { status: s.to_status, reason: s.decided_reason } : { status: s.from_status ?? '', reason: null };
    const message =
      want === null
        ? `break ${s.break_id} of run ${s.run_id} is ${s.status}, held by decision ${s.decision_id}${s.approval_id ? ` and approval ${s.approval_id}` : ''}, which do not cover it`
        : want.status !== s.status || want.reason !== s.reason
          ? `break ${s.break_id} of run ${s.run_id} is ${s.status}${s.reason ? ` (${s.reason})` : ''}, but its decision gives ${want.status}${want.reason ? ` (${want.reason})` : ''}`
          : null;
    if (message && add('break_status', key, message)) return problems;
  }
  // A decided break has a status row (a deleted one would reopen it), unless the team server
  // did not take the decision (refused or superseded there): then the break went back to its
  // attribution's status, as on the server (sync/apply-remote.ts).
  for (const m of tx.iterate<{ run_id: string; break_id: number; decision_id: string }>(
    sql`SELECT d.run_id, db.break_id, db.decision_id FROM decision_breaks db JOIN decisions d ON d.decision_id = db.decision_id
         WHERE NOT EXISTS (SELECT 1 FROM break_status s WHERE s.run_id = d.run_id AND s.break_id = db.break_id)
           AND NOT EXISTS (SELECT 1 FROM sync_decisions v WHERE v.id = d.decision_id AND v.state <> 'APPLIED')
         ORDER BY d.run_id, db.break_id`,
  )) {
    if (add('break_status', `${m.run_id}#${m.break_id}`, `break ${m.break_id} of run ${m.run_id} was decided (decision ${m.decision_id}) but has no status row: deleted`)) return problems;
  }
  // Reason rules, their proposals and verdicts (engine/rules).
  for (const p of reasonRuleProblems(tx, CHAIN_HELPERS, limit - problems.length)) if (add(p.table, p.key, p.message)) return problems;
  return problems;
}

/** A verification report with the workflow rows the chain does not explain. */
export type TrailReport = ChainReport & {
  stateProblems?: StateProblem[];
  /** Decisions and verdicts pulled from the team server whose events are before an anchor (not pulled): taken on the server's word. */
  stateBeforeAnchor?: number;
};

/**
 * `recon audit verify`: the hash chains (store/audit-verify.ts), then every
 * workflow row against them. One read transaction.
 */
export function verifyTrail(store: Store): TrailReport {
  return store.read((tx) => {
    const chain = verifyInTx(tx);
    if (!chain.ok) return chain;
    // A tail cut off together with its outbox rows and head leaves a valid chain: the kept checkpoints show it.
    const cut = localAnchorProblem(tx);
    if (cut) return { ...chain, ok: false, firstBreak: { deviceId: cut.deviceId, seq: cut.seq, eventId: null, problem: cut.problem, message: cut.message } };
    const stats: StateStats = { beforeAnchor: 0 };
    const problems = verifyWorkflowState(tx, 50, stats);
    if (problems.length === 0) return stats.beforeAnchor > 0 ? { ...chain, stateBeforeAnchor: stats.beforeAnchor } : chain;
    const first = problems[0]!;
    return {
      ...chain,
      ok: false,
      firstBreak: {
        deviceId: tx.deviceId,
        seq: 0,
        eventId: null,
        problem: 'STATE_MISMATCH',
        message: `${problems.length >= 50 ? '50 or more' : problems.length} workflow row(s) do not agree with the audit trail; first: ${first.table} ${first.key}: ${first.message}`,
      },
      stateProblems: problems,
    };
  });
}
