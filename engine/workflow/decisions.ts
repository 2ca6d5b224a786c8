/**
 * Decisions on breaks: accept (the suggested reason), override (another
 * reason, with a comment: always a proposal), reject (a real problem, with a
 * comment), reopen; and bulk decisions over every break matching a filter.
 * Breaks are read from the run file first (it never changes after the run);
 * statuses are then checked and changed in one write transaction with the
 * decision row and its audit event.
 */
import { randomUUID } from 'node:crypto';
import { ReconError } from '../errors/recon-error.ts';
import { appendAuditEvent } from '../store/audit-log.ts';
import { canonicalJson, type JsonValue } from '../store/canonical-json.ts';
import { jsonList, sql } from '../store/sql.ts';
import type { ReadTx, Store, WriteTx } from '../store/store.ts';
import { baseStatusOf, suggestionOf, type Break } from '../run-file/break.ts';
import { findAll, validateFilter, type BreakFilter, type BreakSource } from './breaks.ts';
import type { Identity } from './identity.ts';
import { requireActiveReason } from './reason-codes.ts';
import { requireRole } from './roles.ts';
import { readSetting } from './settings.ts';
import { asBreakStatus, checkTransition, isOpen, type BreakStatus, type StatusEvent } from './status.ts';

export type DecisionKind = 'ACCEPT' | 'OVERRIDE' | 'REJECT' | 'REOPEN';

/** A decision on one break. */
export interface DecisionInput {
  runId: string;
  breakId: number;
  kind: DecisionKind;
  /** OVERRIDE: the new reason code. */
  reason?: string | null;
  /** Required for OVERRIDE and REJECT. */
  comment?: string | null;
}

/** A decision over every open break matching `filter`. */
export interface BulkInput {
  runId: string;
  filter: BreakFilter;
  kind: Exclude<DecisionKind, 'REOPEN'>;
  reason?: string | null;
  comment?: string | null;
}

/** What a decision did. */
export interface DecisionResult {
  decisionId: string;
  runId: string;
  kind: DecisionKind;
  proposal: boolean;
  breakCount: number;
  /** Bulk: matching breaks left alone (already decided, pending, or nothing to accept). */
  skipped: number;
  breaks: { breakId: number; from: BreakStatus; to: BreakStatus }[];
}

const FINAL: Record<DecisionKind, BreakStatus> = { ACCEPT: 'ACCEPTED', OVERRIDE: 'OVERRIDDEN', REJECT: 'REJECTED', REOPEN: 'REVIEW' };
const EVENT: Record<DecisionKind, StatusEvent> = { ACCEPT: 'ACCEPT', OVERRIDE: 'PROPOSE', REJECT: 'REJECT', REOPEN: 'REOPEN' };

/** Records a decision on one break. */
export async function decide(store: Store, source: BreakSource, actor: Identity, input: DecisionInput): Promise<DecisionResult> {
  checkInput(input.kind, input.reason, input.comment);
  const found = await source.get([input.breakId]);
  const view = found.get(input.breakId);
  if (!view) throw new ReconError('NOT_FOUND', `run ${input.runId} has no break ${input.breakId}`, { runId: input.runId, breakId: input.breakId });
  return applyDecision(store, actor, { ...input, breaks: [view], filter: null });
}

/** Records one decision covering every open break that matches the filter (the filter is stored). */
export async function decideBulk(store: Store, source: BreakSource, actor: Identity, input: BulkInput): Promise<DecisionResult> {
  checkInput(input.kind, input.reason, input.comment);
  const filter = validateFilter(input.filter);
  if (Object.keys(filter).length === 0) throw new ReconError('INVALID_ARGUMENT', 'a bulk decision needs at least one filter (field, reason, diff type, delta …)');
  const breaks = await findAll(source, filter);
  if (breaks.length === 0) throw new ReconError('NOT_FOUND', `no break of run ${input.runId} matches ${JSON.stringify(filter)}`, { filter });
  return applyDecision(store, actor, { ...input, breaks, filter });
}

function checkInput(kind: DecisionKind, reason: string | null | undefined, comment: string | null | undefined): void {
  if (!(kind in FINAL)) throw new ReconError('INVALID_ARGUMENT', `unknown decision "${String(kind)}"`);
  if (kind !== 'OVERRIDE' && reason) throw new ReconError('INVALID_ARGUMENT', `${kind.toLowerCase()} takes no reason code: accept takes the suggested reason; to choose another, override`);
  if (kind === 'OVERRIDE' && !reason) throw new ReconError('REASON_REQUIRED', 'an override needs the new reason code (--reason)');
  if ((kind === 'OVERRIDE' || kind === 'REJECT') && !comment?.trim()) {
    throw new ReconError('COMMENT_REQUIRED', `${kind === 'OVERRIDE' ? 'an override' : 'a rejection'} needs a comment (--comment) saying why`);
  }
}

interface Plan {
  runId: string;
  kind: DecisionKind;
  reason?: string | null;
  comment?: string | null;
  breaks: Break[];
  filter: BreakFilter | null;
}

interface Entry {
  breakId: number;
  from: BreakStatus;
  final: BreakStatus;
  reason: string | null;
}

function applyDecision(store: Store, actor: Identity, plan: Plan): DecisionResult {
  const bulk = plan.filter !== null;
  return store.write((tx) => {
    requireRole(tx, actor, 'analyst', 'decide on breaks');
    requireCompletedRun(tx, plan.runId);
    if (plan.kind === 'OVERRIDE') requireActiveReason(tx, plan.reason!);
    const current = currentStatuses(tx, plan.runId, plan.breaks.map((b) => b.breakId));
    const entries: Entry[] = [];
    for (const b of plan.breaks) {
      const from = current.get(b.breakId) ?? baseStatusOf(b);
      const reason = plan.kind === 'ACCEPT' ? suggestionOf(b) : plan.kind === 'OVERRIDE' ? plan.reason! : null;
      if (bulk && (!isOpen(from) || (plan.kind === 'ACCEPT' && !acceptable(reason)))) continue;
      if (plan.kind === 'ACCEPT' && !acceptable(reason)) {
        throw new ReconError('REASON_REQUIRED', `break ${b.breakId} has no suggested reason to accept; override it with a reason instead`, { breakId: b.breakId });
      }
      entries.push({ breakId: b.breakId, from, final: FINAL[plan.kind], reason });
    }
    if (entries.length === 0) throw new ReconError('NOT_FOUND', `none of the ${plan.breaks.length} matching breaks is open for a decision`, { matched: plan.breaks.length });
    for (const r of new Set(entries.map((e) => e.reason))) if (r !== null) requireActiveReason(tx, r);
    const limit = readSetting(tx, 'review.bulkProposalThreshold');
    // The limit counts what this person decided in bulk on this run lately, not one decision alone:
    // 2 + 15 + 15 breaks split under a limit of 20 is one bulk decision of 32.
    const recent = bulk ? recentBulkBreaks(tx, actor.userId, plan.runId, tx.now) : 0;
    const overLimit = bulk && recent + entries.length > limit;
    // Above the workspace's bulk limit a decision says why, whatever its kind: the approver and the audit trail read it.
    if (overLimit && !plan.comment?.trim()) {
      const lately = recent > 0 ? ` with the ${recent} you decided in bulk on this run in the last ${BULK_WINDOW_HOURS} hours` : '';
      throw new ReconError(
        'COMMENT_REQUIRED',
        `a bulk decision over more than the workspace's limit of ${limit} breaks (this one covers ${entries.length}${lately}) needs a comment (--comment) saying why`,
        { breakCount: entries.length, recentBulk: recent, limit },
      );
    }
    const proposal = plan.kind === 'OVERRIDE' || overLimit;
    const to = (e: Entry): BreakStatus => (proposal ? 'PROPOSED' : e.final);
    for (const e of entries) checkTransition(proposal ? 'PROPOSE' : EVENT[plan.kind], e.from, to(e), `break ${e.breakId}`);
    const decisionId = randomUUID();
    const filterJson = plan.filter === null ? null : canonicalJson(plan.filter);
    tx.run(sql`INSERT INTO decisions (decision_id, device_id, run_id, kind, reason, comment, actor, decided_at, is_proposal, bulk_filter, break_count)
      VALUES (${decisionId}, ${tx.deviceId}, ${plan.runId}, ${plan.kind}, ${plan.kind === 'OVERRIDE' ? plan.reason! : null}, ${plan.comment?.trim() || null},
              ${actor.userId}, ${tx.now}, ${proposal ? 1 : 0}, ${filterJson}, ${entries.length})`);
    for (const e of entries) {
      tx.run(sql`INSERT INTO decision_breaks (decision_id, break_id, from_status, to_status, reason) VALUES (${decisionId}, ${e.breakId}, ${e.from}, ${e.final}, ${e.reason})`);
      setStatus(tx, plan.runId, e.breakId, to(e), proposal ? null : e.reason, decisionId, null);
    }
    appendAuditEvent(tx, {
      actor: actor.userId,
      action: proposal ? 'decision.proposed' : 'decision.applied',
      target: `run:${plan.runId}`,
      before: { columns: ['break_id', 'status'], rows: entries.map((e) => [e.breakId, e.from]) },
      after: {
        decision: { decision_id: decisionId, run_id: plan.runId, kind: plan.kind, reason: plan.kind === 'OVERRIDE' ? plan.reason! : null, is_proposal: proposal, bulk_filter: (plan.filter ?? null) as JsonValue, break_count: entries.length },
        columns: ['break_id', 'status', 'final_status', 'reason'],
        rows: entries.map((e) => [e.breakId, to(e), e.final, e.reason]),
      },
      comment: plan.comment?.trim() || null,
    });
    return { decisionId, runId: plan.runId, kind: plan.kind, proposal, breakCount: entries.length, skipped: plan.breaks.length - entries.length, breaks: entries.map((e) => ({ breakId: e.breakId, from: e.from, to: to(e) })) };
  });
}

const acceptable = (reason: string | null): reason is string => reason !== null && reason !== 'UNKNOWN';

/** How far back a person's bulk decisions on a run count towards the bulk limit. */
export const BULK_WINDOW_HOURS = 24;

/**
 * The breaks `actor` decided at once (not as proposals) in bulk decisions on `runId`
 * in the BULK_WINDOW_HOURS before `now`, on any device this workspace knows of:
 * they count towards the bulk limit with the next one, so splitting a bulk
 * decision (by delta band, by field, …) does not get it past the approver.
 */
export function recentBulkBreaks(tx: ReadTx, actor: string, runId: string, now: string): number {
  const since = new Date(Date.parse(now) - BULK_WINDOW_HOURS * 3_600_000).toISOString();
  const row = tx.get<{ n: number }>(
    sql`SELECT coalesce(sum(break_count), 0) AS n FROM decisions
         WHERE actor = ${actor} AND run_id = ${runId} AND bulk_filter IS NOT NULL AND is_proposal = 0 AND decided_at > ${since}`,
  );
  return row?.n ?? 0;
}

/** Throws unless the run is registered and COMPLETED. */
export function requireCompletedRun(tx: ReadTx, runId: string): void {
  const run = tx.get<{ status: string }>(sql`SELECT status FROM runs WHERE run_id = ${runId}`);
  if (!run) throw new ReconError('RUN_NOT_FOUND', `run ${runId} is not registered in this workspace`, { runId });
  if (run.status !== 'COMPLETED') throw new ReconError('ILLEGAL_TRANSITION', `run ${runId} is ${run.status}: only a completed run can be reviewed`, { runId });
}

/** The status rows of these breaks (absent = the attribution's status). */
export function currentStatuses(tx: ReadTx, runId: string, ids: readonly number[]): Map<number, BreakStatus> {
  const rows = tx.all<{ break_id: number; status: string }>(
    sql`SELECT break_id, status FROM break_status WHERE run_id = ${runId} AND break_id IN (SELECT value FROM json_each(${jsonList(ids)}))`,
  );
  return new Map(rows.map((r) => [r.break_id, asBreakStatus(r.status)]));
}

/** Writes a break's current status. */
export function setStatus(tx: WriteTx, runId: string, breakId: number, status: BreakStatus, reason: string | null, decisionId: string, approvalId: string | null): void {
  tx.run(sql`INSERT INTO break_status (run_id, break_id, status, reason, decision_id, approval_id, updated_at)
    VALUES (${runId}, ${breakId}, ${status}, ${reason}, ${decisionId}, ${approvalId}, ${tx.now})
    ON CONFLICT (run_id, break_id) DO UPDATE SET status = excluded.status, reason = excluded.reason,
      decision_id = excluded.decision_id, approval_id = excluded.approval_id, updated_at = excluded.updated_at`);
}
