/**
 * approvals.list: pending proposals split into those waiting for this user
 * (made by someone else: the 4-eye rule) and this user's own, each with the
 * evidence an approver needs, read from the run file: key, field, both
 * values, the delta and what the model said.
 */
import type { Evidence, Proposal } from '../../contract/index.ts';
import { ReconError } from '../../errors/recon-error.ts';
import { sql } from '../../store/sql.ts';
import type { Store } from '../../store/store.ts';
import { listProposals, type ProposalInfo } from '../../workflow/approvals.ts';
import type { Identity } from '../../workflow/identity.ts';
import { rolesOf } from '../../workflow/roles.ts';
import { getRun } from '../../workflow/runs.ts';
import { readBreaksByIds } from '../../run-file/grid/by-ids.ts';
import type { RunFile } from '../../run-file/run-file.ts';

/** Breaks of evidence shown per proposal. */
const EVIDENCE_BREAKS = 10;
/** Proposals listed per side (the oldest wait longest, but the newest are listed first). */
const MAX_PROPOSALS = 200;

export async function listApprovals(store: Store, user: Identity, openRun: (runId: string) => Promise<RunFile>): Promise<{ canApprove: boolean; waiting: Proposal[]; mine: Proposal[] }> {
  const pending = listProposals(store, { pendingOnly: true });
  const canApprove = store.read((tx) => rolesOf(tx, user.userId)).includes('approver');
  const withEvidence = (ps: ProposalInfo[]): Promise<Proposal[]> => Promise.all(ps.slice(0, MAX_PROPOSALS).map((p) => toProposal(store, p, openRun)));
  return {
    canApprove,
    waiting: await withEvidence(pending.filter((p) => p.maker !== user.userId)),
    mine: await withEvidence(pending.filter((p) => p.maker === user.userId)),
  };
}

/** A page of a proposal's breaks (ascending break id) with their evidence, and how many it covers. */
export async function readProposalBreaks(
  store: Store,
  decisionId: string,
  offset: number,
  limit: number,
  openRun: (runId: string) => Promise<RunFile>,
): Promise<{ runId: string; total: number; breaks: Evidence[] }> {
  // The breaks it still covers: those the team server gave to another device's decision are not its own any more.
  const d = store.read((tx) =>
    tx.get<{ run_id: string; n: number }>(
      sql`SELECT d.run_id, (SELECT count(*) FROM decision_breaks db WHERE db.decision_id = d.decision_id AND NOT EXISTS (SELECT 1 FROM sync_superseded_breaks x WHERE x.decision_id = db.decision_id AND x.break_id = db.break_id)) AS n FROM decisions d WHERE d.decision_id = ${decisionId}`,
    ),
  );
  if (!d) throw new ReconError('NOT_FOUND', `no decision ${decisionId}`, { decisionId });
  const targets = store.read((tx) =>
    tx.all<Target>(
      sql`SELECT break_id, to_status, reason FROM decision_breaks db WHERE decision_id = ${decisionId} AND NOT EXISTS (SELECT 1 FROM sync_superseded_breaks x WHERE x.decision_id = db.decision_id AND x.break_id = db.break_id) ORDER BY break_id LIMIT ${limit} OFFSET ${offset}`,
    ),
  );
  return { runId: d.run_id, total: d.n, breaks: await evidenceOf(await openRun(d.run_id), targets) };
}

interface Target {
  break_id: number;
  to_status: string;
  reason: string | null;
}

/** The evidence of these breaks of a proposal, read from the run file. */
async function evidenceOf(db: RunFile, targets: Target[]): Promise<Evidence[]> {
  const rows = await readBreaksByIds(db, targets.map((t) => t.break_id));
  const byId = new Map(targets.map((t) => [t.break_id, t]));
  return rows.map((r) => ({
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
}

async function toProposal(store: Store, p: ProposalInfo, openRun: (runId: string) => Promise<RunFile>): Promise<Proposal> {
  const targets = store.read((tx) =>
    tx.all<Target>(
      sql`SELECT break_id, to_status, reason FROM decision_breaks db WHERE decision_id = ${p.decisionId} AND NOT EXISTS (SELECT 1 FROM sync_superseded_breaks x WHERE x.decision_id = db.decision_id AND x.break_id = db.break_id) ORDER BY break_id LIMIT ${EVIDENCE_BREAKS}`,
    ),
  );
  let definition: string | null = null;
  let breaks: Evidence[] = [];
  try {
    definition = getRun(store, p.runId).definitionName;
    breaks = await evidenceOf(await openRun(p.runId), targets);
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
    // What an approval would settle now (a proposal that lost breaks to another device covers the rest).
    breakCount: p.breakCount - p.lostBreaks,
    bulkFilter: p.bulkFilter,
    breaks,
  };
}
