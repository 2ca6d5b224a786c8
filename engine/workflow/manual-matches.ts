/**
 * Manual match and unmatch in a matching run (store migration 013). The run
 * file's matches are written once by the run; people change what is matched
 * by actions: MATCH rows of both sides by hand, or UNMATCH a match (a rule's
 * or a manual one). Above the workspace's amount threshold
 * (`matching.approvalAbove`) an action waits for an approver (the 4-eye rule);
 * its maker may withdraw it. What is matched now is the run file's matches
 * with the effective actions applied in order (run-file/matching/action-overlay.ts).
 *
 * The caller reads the rows, their breaks and the rule matches from the run
 * file (host/handlers/matching-actions.ts); the checks against the store's
 * actions run here, in the action's own write transaction, so two actions
 * can never take the same row. Breaks follow the rows (match-breaks.ts); a
 * PENDING action moves no break until it is approved.
 *
 * Roles: a MATCH or UNMATCH is a review decision (analyst); a verdict needs
 * the approver role and is never the maker's; a withdrawal is the maker's own.
 */
import { randomUUID } from 'node:crypto';
import type { MatchAction } from '../contract/index.ts';
import { ReconError } from '../errors/recon-error.ts';
import { matchOfRowNow, overlayActions } from '../run-file/matching/action-overlay.ts';
import { rowKey } from '../run-file/matching/rows-by-rid.ts';
import { appendAuditEvent } from '../store/audit-log.ts';
import { sql } from '../store/sql.ts';
import type { ReadTx, Store, WriteTx } from '../store/store.ts';
import { largerAbsAbove, subtractDecimals, sumDecimals } from './decimal-text.ts';
import { requireCompletedRun } from './decisions.ts';
import type { Identity } from './identity.ts';
import { settleJson, settleMatchBreaks, type FollowingBreak, type SettleRecord } from './match-breaks.ts';
import { requireRole } from './roles.ts';
import { readSetting } from './settings.ts';

export type { FollowingBreak };

interface ActionRow {
  action_id: string;
  run_id: string;
  kind: 'MATCH' | 'UNMATCH';
  match_id: string;
  rows_json: string;
  breaks_json: string;
  sum_a: string | null;
  sum_b: string | null;
  difference: string | null;
  comment: string | null;
  actor: string;
  decided_at: string;
  needs_approval: number;
  verdict: 'APPROVED' | 'REJECTED' | 'WITHDRAWN' | null;
  approver: string | null;
  approval_comment: string | null;
  /** The team server's verdict on the action itself, when it did not take it. */
  server_state: 'SUPERSEDED' | 'REFUSED' | null;
}

/** An action's state: SUPERSEDED when the team server did not take it, else EFFECTIVE (needed no approval), PENDING, or its verdict. */
function stateOf(r: Pick<ActionRow, 'needs_approval' | 'verdict' | 'server_state'>): MatchAction['state'] {
  if (r.server_state !== null) return 'SUPERSEDED';
  if (r.verdict !== null) return r.verdict;
  return r.needs_approval === 1 ? 'PENDING' : 'EFFECTIVE';
}

/** True when the action is in force: it needed no approval, or it was approved. */
export function inForce(a: Pick<MatchAction, 'state'>): boolean {
  return a.state === 'EFFECTIVE' || a.state === 'APPROVED';
}

/** Manual matches and unmatches, oldest first (the order they apply in): of one run, or only those waiting for an approver. */
export function listMatchActions(store: Store, opts: { runId?: string; pendingOnly?: boolean } = {}): MatchAction[] {
  return store.read((tx) => readMatchActions(tx, opts).map(toAction));
}

/** The same, inside a transaction (what the writes below check against). */
export function readMatchActionsTx(tx: ReadTx, opts: { runId?: string; pendingOnly?: boolean } = {}): MatchAction[] {
  return readMatchActions(tx, opts).map(toAction);
}

function readMatchActions(tx: ReadTx, opts: { runId?: string; pendingOnly?: boolean; actionId?: string }): ActionRow[] {
  const runId = opts.runId ?? null;
  const actionId = opts.actionId ?? null;
  return tx.all<ActionRow>(sql`SELECT m.action_id, m.run_id, m.kind, m.match_id, m.rows_json, m.breaks_json, m.sum_a, m.sum_b, m.difference, m.comment,
                                      m.actor, m.decided_at, m.needs_approval, v.verdict, v.approver, v.comment AS approval_comment,
                                      (SELECT s.state FROM sync_match_actions s WHERE s.id = m.action_id AND s.kind = 'action' AND s.state <> 'APPLIED') AS server_state
                                 FROM match_actions m LEFT JOIN match_action_verdicts v USING (action_id)
                                WHERE (${runId} IS NULL OR m.run_id = ${runId})
                                  AND (${actionId} IS NULL OR m.action_id = ${actionId})
                                  AND (${opts.pendingOnly ? 1 : 0} = 0 OR (m.needs_approval = 1 AND v.action_id IS NULL
                                       AND NOT EXISTS (SELECT 1 FROM sync_match_actions s WHERE s.id = m.action_id AND s.kind = 'action' AND s.state <> 'APPLIED')))
                                ORDER BY m.decided_at, m.action_id`);
}

function toAction(r: ActionRow): MatchAction {
  return {
    actionId: r.action_id,
    runId: r.run_id,
    kind: r.kind,
    matchId: r.match_id,
    rows: JSON.parse(r.rows_json) as MatchAction['rows'],
    sumA: r.sum_a,
    sumB: r.sum_b,
    difference: r.difference,
    comment: r.comment,
    maker: r.actor,
    decidedAt: r.decided_at,
    state: stateOf(r),
    approver: r.approver,
    approvalComment: r.approval_comment,
  };
}

/** One action by id (NOT_FOUND when there is none). */
export function getMatchAction(store: Store, actionId: string): MatchAction {
  return store.read((tx) => requireAction(tx, actionId).action);
}

function requireAction(tx: ReadTx, actionId: string): { action: MatchAction; row: ActionRow } {
  const [row] = readMatchActions(tx, { actionId });
  if (!row) throw new ReconError('NOT_FOUND', `no manual match or unmatch ${actionId}`, { actionId });
  return { action: toAction(row), row };
}

/** A row of a manual match, as the caller read it from the run file (rows-by-rid.ts). */
export interface ManualMatchRow {
  side: 'a' | 'b';
  rid: number;
  id: string;
  /** The matching amount field's value, exact decimal text; null without one. */
  amount: string | null;
}

export interface ManualMatchInput {
  runId: string;
  rows: readonly ManualMatchRow[];
  comment: string;
  /** The run file's breaks of these rows (row-breaks.ts readRowBreaks): settled when the match comes into force. */
  breaks: readonly FollowingBreak[];
  /** The rule match each row is in according to the run file, by rowKey (rule-matches.ts readRuleMatchOfRows). */
  ruleMatchOfRow: ReadonlyMap<string, string>;
  /**
   * Break memory (host/match-carry.ts): the manual match of the series' previous run this one
   * carries to the same rows of a new run. It was in force there (approved, or below the
   * threshold), so it is in force at once here; the audit event names where it came from.
   */
  carriedFrom?: { runId: string; matchId: string };
}

/** Analyst: matches unmatched rows of both sides by hand (match.manual); PENDING above the threshold. */
export function manualMatch(store: Store, actor: Identity, input: ManualMatchInput): MatchAction {
  const comment = requireComment(input.comment);
  const rows = [...input.rows].sort((x, y) => (x.side === y.side ? x.rid - y.rid : x.side < y.side ? -1 : 1));
  if (new Set(rows.map(rowKey)).size !== rows.length) throw new ReconError('INVALID_ARGUMENT', 'a row is listed twice');
  for (const side of ['a', 'b'] as const) {
    if (!rows.some((r) => r.side === side)) throw new ReconError('INVALID_ARGUMENT', `a manual match needs at least one row of side ${side.toUpperCase()}`, { side });
  }
  const sumA = sumDecimals(amountsOf(rows, 'a'));
  const sumB = sumDecimals(amountsOf(rows, 'b'));
  return store.write((tx) => {
    requireRole(tx, actor, 'analyst', 'match rows by hand');
    requireCompletedRun(tx, input.runId);
    const overlay = overlayActions(readMatchActionsTx(tx, { runId: input.runId }));
    for (const r of rows) {
      const key = rowKey(r);
      const pending = overlay.pendingMatchOfRow.get(key);
      if (pending) throw conflict(r, `waits for an approver in manual match ${pending.matchId}`, { actionId: pending.actionId });
      const now = matchOfRowNow(overlay, key, input.ruleMatchOfRow.get(key));
      if (now !== undefined) throw conflict(r, `is matched now (${now}); unmatch it first`, { matchId: now });
    }
    const matchId = newMatchId();
    return record(tx, actor, {
      runId: input.runId,
      kind: 'MATCH',
      matchId,
      rows: rows.map((r) => ({ side: r.side, rid: r.rid, id: r.id })),
      breaks: input.breaks,
      sumA,
      sumB,
      comment,
      ...(input.carriedFrom ? { carriedFrom: input.carriedFrom } : {}),
      settle: (t) => settleMatchBreaks(t, actor, { runId: input.runId, kind: 'ACCEPT', breaks: input.breaks, comment: `manual match ${matchId}: ${comment}` }),
    });
  });
}

/** A rule match as the run file holds it (rule-matches.ts readRuleMatch). */
export interface RuleMatchFacts {
  rows: readonly { side: 'a' | 'b'; rid: number; id: string }[];
  sumA: string | null;
  sumB: string | null;
}

export interface UnmatchInput {
  runId: string;
  matchId: string;
  comment: string;
  /** The run file's match with this id, when the rules made one; a manual match is found in the store. */
  ruleMatch: RuleMatchFacts | undefined;
}

/** Analyst: undoes a match, a rule's or a manual one (match.unmatched); PENDING above the threshold. */
export function unmatch(store: Store, actor: Identity, input: UnmatchInput): MatchAction {
  const comment = requireComment(input.comment);
  return store.write((tx) => {
    requireRole(tx, actor, 'analyst', 'unmatch');
    requireCompletedRun(tx, input.runId);
    const actions = readMatchActionsTx(tx, { runId: input.runId });
    const overlay = overlayActions(actions);
    const pending = overlay.pendingUnmatchOf.get(input.matchId);
    if (pending) throw new ReconError('MATCH_CONFLICT', `match ${input.matchId} already waits for an approver to unmatch it`, { matchId: input.matchId, actionId: pending.actionId });
    const manual = overlay.manual.get(input.matchId);
    const ruleInForce = input.ruleMatch !== undefined && !overlay.undone.has(input.matchId);
    if (!manual && !ruleInForce) {
      const known = input.ruleMatch !== undefined || actions.some((a) => a.matchId === input.matchId);
      throw new ReconError(known ? 'MATCH_CONFLICT' : 'NOT_FOUND', `run ${input.runId} has no match ${input.matchId} matched now`, { matchId: input.matchId });
    }
    // A manual match's rows and the breaks its MATCH settled come from the store; a rule match's rows had no breaks.
    const facts = manual ?? input.ruleMatch!;
    const breaks = manual ? breaksOf(tx, manual.actionId) : [];
    return record(tx, actor, {
      runId: input.runId,
      kind: 'UNMATCH',
      matchId: input.matchId,
      rows: facts.rows.map((r) => ({ side: r.side, rid: r.rid, id: r.id })),
      breaks,
      sumA: facts.sumA,
      sumB: facts.sumB,
      comment,
      settle: (t) => settleMatchBreaks(t, actor, { runId: input.runId, kind: 'REOPEN', breaks, comment: `unmatched ${input.matchId}: ${comment}` }),
    });
  });
}

interface NewAction {
  runId: string;
  kind: 'MATCH' | 'UNMATCH';
  matchId: string;
  rows: MatchAction['rows'];
  breaks: readonly FollowingBreak[];
  sumA: string | null;
  sumB: string | null;
  comment: string;
  /** A manual match carried from the previous run of the series: in force at once (see ManualMatchInput). */
  carriedFrom?: { runId: string; matchId: string };
  /** Moves the breaks when the action is in force at once. */
  settle: (tx: WriteTx) => SettleRecord | null;
}

/** Writes the action, its effect on breaks when it needs no approval, and its audit event. */
function record(tx: WriteTx, actor: Identity, a: NewAction): MatchAction {
  const threshold = String(readSetting(tx, 'matching.approvalAbove'));
  const needsApproval = a.carriedFrom === undefined && largerAbsAbove(a.sumA, a.sumB, threshold);
  const difference = a.sumA !== null && a.sumB !== null ? subtractDecimals(a.sumB, a.sumA) : null;
  const actionId = randomUUID();
  const breaks = a.breaks.map((b) => [b.breakId, b.baseStatus] as [number, string]);
  tx.run(sql`INSERT INTO match_actions (action_id, device_id, run_id, kind, match_id, rows_json, breaks_json, sum_a, sum_b, difference, comment, actor, decided_at, needs_approval)
    VALUES (${actionId}, ${tx.deviceId}, ${a.runId}, ${a.kind}, ${a.matchId}, ${JSON.stringify(a.rows)}, ${JSON.stringify(breaks)}, ${a.sumA}, ${a.sumB}, ${difference},
            ${a.comment}, ${actor.userId}, ${tx.now}, ${needsApproval ? 1 : 0})`);
  const settle = needsApproval ? null : a.settle(tx);
  appendAuditEvent(tx, {
    actor: actor.userId,
    action: a.kind === 'MATCH' ? 'match.manual' : 'match.unmatched',
    target: `run:${a.runId}`,
    before: null,
    after: {
      action: {
        action_id: actionId,
        run_id: a.runId,
        kind: a.kind,
        match_id: a.matchId,
        rows: a.rows.map((r) => [r.side, r.rid, r.id]),
        breaks,
        sum_a: a.sumA,
        sum_b: a.sumB,
        difference,
        needs_approval: needsApproval,
        threshold,
        ...(a.carriedFrom ? { carried_from: { run_id: a.carriedFrom.runId, match_id: a.carriedFrom.matchId } } : {}),
      },
      settle: settleJson(settle),
    },
    comment: a.comment,
  });
  return requireAction(tx, actionId).action;
}

const VERDICT_ACTIONS = { APPROVED: 'match.approved', REJECTED: 'match.rejected', WITHDRAWN: 'match.withdrawn' } as const;

/** Approver: approves (the action comes into force, its breaks follow) or rejects (comment required) a pending action; never one's own. */
export function decideMatchAction(store: Store, approver: Identity, actionId: string, verdict: 'APPROVED' | 'REJECTED', comment?: string | null): MatchAction {
  if (verdict === 'REJECTED' && !comment?.trim()) throw new ReconError('COMMENT_REQUIRED', 'rejecting a manual match or unmatch needs a comment saying why');
  return settleVerdict(store, approver, actionId, verdict, comment?.trim() || null);
}

/** The maker: takes back their own pending action; nothing moves. */
export function withdrawMatchAction(store: Store, maker: Identity, actionId: string, comment?: string | null): MatchAction {
  return settleVerdict(store, maker, actionId, 'WITHDRAWN', comment?.trim() || null);
}

function settleVerdict(store: Store, who: Identity, actionId: string, verdict: 'APPROVED' | 'REJECTED' | 'WITHDRAWN', comment: string | null): MatchAction {
  return store.write((tx) => {
    const { action, row } = requireAction(tx, actionId);
    if (verdict === 'WITHDRAWN') {
      if (action.maker !== who.userId) throw new ReconError('FORBIDDEN_ROLE', `only ${action.maker}, who made ${actionId}, can withdraw it; an approver rejects it instead`, { actionId, maker: action.maker });
    } else {
      // The maker is refused even if they hold the approver role: that is the 4-eye rule.
      if (action.maker === who.userId) throw new ReconError('FORBIDDEN_SELF_APPROVAL', `${who.userId} made ${actionId} and cannot approve or reject it: another approver must (the maker may withdraw it)`, { actionId });
      requireRole(tx, who, 'approver', 'approve manual matches');
    }
    if (action.state !== 'PENDING') {
      throw new ReconError('ILLEGAL_TRANSITION', `${action.kind === 'MATCH' ? 'manual match' : 'unmatch'} ${actionId} is ${action.state.toLowerCase()}, not waiting for an approver`, { actionId, state: action.state });
    }
    tx.run(sql`INSERT INTO match_action_verdicts (action_id, device_id, verdict, approver, comment, decided_at)
      VALUES (${actionId}, ${tx.deviceId}, ${verdict}, ${who.userId}, ${comment}, ${tx.now})`);
    let settle: SettleRecord | null = null;
    if (verdict === 'APPROVED') {
      const note = `${action.kind === 'MATCH' ? 'manual match' : 'unmatched'} ${action.matchId} (approved by ${who.userId}): ${action.comment ?? ''}`;
      settle = settleMatchBreaks(tx, who, { runId: action.runId, kind: action.kind === 'MATCH' ? 'ACCEPT' : 'REOPEN', breaks: parseBreaks(row.breaks_json), comment: note });
    }
    appendAuditEvent(tx, {
      actor: who.userId,
      action: VERDICT_ACTIONS[verdict],
      target: `match-action:${actionId}`,
      before: { maker: action.maker, state: 'PENDING' },
      after: { action_id: actionId, run_id: action.runId, kind: action.kind, match_id: action.matchId, verdict, settle: settleJson(settle) },
      comment,
    });
    return requireAction(tx, actionId).action;
  });
}

/** The breaks a MATCH action recorded (what its UNMATCH reopens). */
function breaksOf(tx: ReadTx, actionId: string): FollowingBreak[] {
  const row = tx.get<{ breaks_json: string }>(sql`SELECT breaks_json FROM match_actions WHERE action_id = ${actionId}`);
  return row ? parseBreaks(row.breaks_json) : [];
}

function parseBreaks(json: string): FollowingBreak[] {
  return (JSON.parse(json) as [number, string][]).map(([breakId, base]) => ({ breakId, baseStatus: base === 'AUTO' ? 'AUTO' : 'REVIEW' }));
}

function amountsOf(rows: readonly ManualMatchRow[], side: 'a' | 'b'): string[] {
  const amounts = rows.filter((r) => r.side === side).map((r) => r.amount);
  // No amount field at all: no sums (and nothing to compare with the threshold). An empty value counts as 0.
  return amounts.every((x) => x === null) ? [] : amounts.map((x) => x ?? '0');
}

function requireComment(comment: string): string {
  const c = comment?.trim();
  if (!c) throw new ReconError('COMMENT_REQUIRED', 'a manual match or unmatch needs a comment saying why');
  return c;
}

function conflict(r: ManualMatchRow, what: string, details: Record<string, unknown>): ReconError {
  return new ReconError('MATCH_CONFLICT', `row ${r.id} (side ${r.side.toUpperCase()}) ${what}`, { side: r.side, rid: r.rid, id: r.id, ...details });
}

/** A new manual match id: 'U' and 16 hex digits of a random UUID (rule matches are 'M' and a number). */
function newMatchId(): string {
  return `U${randomUUID().replace(/-/g, '').slice(0, 16).toUpperCase()}`;
}
