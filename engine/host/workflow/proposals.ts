/**
 * approvals.list: pending proposals split into those waiting for this user
 * (made by someone else: the 4-eye rule) and this user's own, each with the
 * evidence an approver needs, read from the run file: key, field, both
 * values, the delta and what the model said.
 */
import type { Evidence, Proposal } from '../../contract/index.ts';
import { sql } from '../../store/sql.ts';
import type { Store } from '../../store/store.ts';
import { listProposals, type ProposalInfo } from '../../workflow/approvals.ts';
import type { Identity } from '../../workflow/identity.ts';
import { rolesOf } from '../../workflow/roles.ts';
import { getRun } from '../../workflow/runs.ts';
import { readBreaksByIds } from '../breaks/by-ids.ts';
import type { RunDb } from '../breaks/run-db.ts';

/** Breaks of evidence shown per proposal. */
const EVIDENCE_BREAKS = 10;
/** Proposals listed per side (the oldest wait longest, but the newest are listed first). */
const MAX_PROPOSALS = 200;

export async function listApprovals(store: Store, user: Identity, openRun: (runId: string) => Promise<RunDb>): Promise<{ canApprove: boolean; waiting: Proposal[]; mine: Proposal[] }> {
  const pending = listProposals(store, { pendingOnly: true });
  const canApprove = store.read((tx) => rolesOf(tx, user.userId)).includes('approver');
  const withEvidence = (ps: ProposalInfo[]): Promise<Proposal[]> => Promise.all(ps.slice(0, MAX_PROPOSALS).map((p) => toProposal(store, p, openRun)));
  return {
    canApprove,
    waiting: await withEvidence(pending.filter((p) => p.maker !== user.userId)),
    mine: await withEvidence(pending.filter((p) => p.maker === user.userId)),
  };
}

async function toProposal(store: Store, p: ProposalInfo, openRun: (runId: string) => Promise<RunDb>): Promise<Proposal> {
  const targets = store.read((tx) =>
    tx.all<{ break_id: number; to_status: string; reason: string | null }>(
      sql`SELECT break_id, to_status, reason FROM decision_breaks WHERE decision_id = ${p.decisionId} ORDER BY break_id LIMIT ${EVIDENCE_BREAKS}`,
    ),
  );
  let definition: string | null = null;
  let breaks: Evidence[] = [];
  try {
    definition = getRun(store, p.runId).definitionName;
    const rows = await readBreaksByIds(await openRun(p.runId), targets.map((t) => t.break_id));
    const byId = new Map(targets.map((t) => [t.break_id, t]));
    breaks = rows.map((r) => ({
      breakId: r.breakId,
      key: r.key,
      field: r.field,
      diffType: r.diffType,
      valueA: r.valueA,
      valueB: r.valueB,
      delta: r.delta,
      fieldType: r.fieldType,
      modelReason: r.modelReason,
      confidence: r.confidence,
      suggestedReason: r.modelStatus === 'AUTO' ? r.modelReason : r.suggestedReason,
      toStatus: byId.get(r.breakId)?.to_status ?? '',
      proposedReason: byId.get(r.breakId)?.reason ?? null,
    }));
  } catch {
    // A run file that is gone still leaves the proposal decidable; it just shows no evidence.
  }
  return {
    decisionId: p.decisionId,
    runId: p.runId,
    definition,
    kind: p.kind as Proposal['kind'],
    reason: p.reason,
    comment: p.comment,
    maker: p.maker,
    decidedAt: p.decidedAt,
    breakCount: p.breakCount,
    bulkFilter: p.bulkFilter,
    breaks,
  };
}
