import type { ListedProposal, Proposal, SettledProposal } from '../../contract/index.ts';
import { ReconError } from '../../errors/recon-error.ts';
import { listProposalsWithSync, type SyncedProposal } from '../../sync/history.ts';
import { evidencePushedBy, isRemoteRun, remoteProposalBreaks } from '../../sync/remote-breaks.ts';
import { approveProposal, rejectProposal, withdrawProposal } from '../../workflow/approvals.ts';
import { sql } from '../../store/sql.ts';
import { getRun } from '../../workflow/runs.ts';
import { listApprovals, readProposalBreaks } from '../workflow/proposals.ts';
import type { Handlers, HostContext } from './types.ts';

/** Breaks of evidence shown per proposal (as for local runs). */
const EVIDENCE_BREAKS = 10;
/** Settled proposals listed. */
const SETTLED = 20;

export function approvalsHandlers(ctx: HostContext): Pick<Handlers, 'approvals.list' | 'approvals.decide' | 'approvals.breaks' | 'approvals.withdraw'> {
  const { store } = ctx;
  // A run made on another device has no file here ("remote:<device>"): its evidence comes from the pulled breaks.
  const openRun = (runId: string) => (isRemoteRun(store, runId) ? Promise.reject(new ReconError('RUN_NOT_FOUND', `run ${runId} was made on another device`)) : ctx.dbs.get(runId));

  const withSync = (p: Proposal, s: SyncedProposal | undefined): ListedProposal => {
    const breaks = p.breaks.length === 0 && s?.origin === 'remote' ? remoteEvidence(p.decisionId) : p.breaks;
    const origin = s?.origin ?? 'local';
    const pushedBy = origin === 'remote' ? evidencePushedBy(store, p.runId, p.decisionId) : [];
    return { ...p, breaks, origin, deviceId: s?.deviceId ?? store.deviceId, sync: s?.sync ?? 'PENDING_PUSH', syncDetail: s?.syncDetail ?? null, evidencePushedBy: pushedBy };
  };

  const remoteEvidence = (decisionId: string, offset = 0, limit = EVIDENCE_BREAKS): Proposal['breaks'] =>
    remoteProposalBreaks(store, decisionId, offset + limit).slice(offset).map((b) => ({
      breakId: b.breakId,
      key: b.key,
      field: b.field,
      diffType: b.diffType,
      valueA: b.valueA,
      valueB: b.valueB,
      delta: b.delta,
      fieldType: null,
      modelReason: b.baseStatus === 'AUTO' ? b.reason : null,
      confidence: b.confidence,
      suggestedReason: b.reason,
      toStatus: b.toStatus,
      proposedReason: b.proposedReason,
    }));

  const definitionOf = (runId: string): string | null => {
    try {
      return getRun(store, runId).definitionName;
    } catch {
      return null;
    }
  };

  const settledOf = (all: SyncedProposal[]): SettledProposal[] =>
    all
      .filter((p) => p.state !== 'PENDING' && (p.maker === ctx.user.userId || p.approver === ctx.user.userId))
      .slice(0, SETTLED)
      .map((p) => ({
        decisionId: p.decisionId,
        runId: p.runId,
        definition: definitionOf(p.runId),
        kind: p.kind as SettledProposal['kind'],
        reason: p.reason,
        comment: p.comment,
        maker: p.maker,
        decidedAt: p.decidedAt,
        breakCount: p.breakCount,
        origin: p.origin,
        deviceId: p.deviceId,
        sync: p.sync,
        syncDetail: p.syncDetail,
        verdict: p.state as SettledProposal['verdict'],
        approver: p.approver ?? '',
        approvalComment: p.approvalComment,
        approvalSync: p.approvalSync ?? 'PENDING_PUSH',
        approverNote: p.approverNote,
      }));

  return {
    'approvals.list': async () => {
      const base = await listApprovals(store, ctx.user, openRun);
      const all = listProposalsWithSync(store);
      const marks = new Map(all.map((p) => [p.decisionId, p]));
      const list = (ps: Proposal[]): ListedProposal[] => ps.map((p) => withSync(p, marks.get(p.decisionId)));
      // One the server superseded or refused can no longer be approved: the maker still sees it, marked.
      const approvable = (p: ListedProposal): boolean => p.sync !== 'SUPERSEDED' && p.sync !== 'REFUSED';
      return { canApprove: base.canApprove, waiting: list(base.waiting).filter(approvable), mine: list(base.mine), settled: settledOf(all) };
    },
    'approvals.decide': async ({ decisionId, verdict, comment }) => {
      // The workflow refuses the maker (FORBIDDEN_SELF_APPROVAL) before it checks the approver role.
      // A proposal pulled from another device is decided the same way: it lives in the local tables, and no run file is opened.
      const r = verdict === 'APPROVE' ? approveProposal(store, ctx.user, decisionId, comment ?? null) : rejectProposal(store, ctx.user, decisionId, comment ?? '');
      ctx.emit({ type: 'workflow.changed', runId: null, what: 'approval' });
      return { ...r, verdict: r.verdict === 'APPROVED' ? 'APPROVED' : 'REJECTED' };
    },
    'approvals.breaks': async ({ decisionId, offset, limit }) => {
      // Any user may read a proposal's breaks (approvals.list shows its first ones to everyone); a remote run's come from the pulled breaks.
      // Counted without the breaks the team server gave to another device's decision, as they are listed.
      const remote = store.read((tx) =>
        tx.get<{ run_id: string; n: number }>(
          sql`SELECT d.run_id, (SELECT count(*) FROM decision_breaks db WHERE db.decision_id = d.decision_id
                 AND NOT EXISTS (SELECT 1 FROM sync_superseded_breaks x WHERE x.decision_id = db.decision_id AND x.break_id = db.break_id)) AS n
                FROM decisions d WHERE d.decision_id = ${decisionId}`,
        ),
      );
      if (remote && isRemoteRun(store, remote.run_id)) return { total: remote.n, breaks: remoteEvidence(decisionId, offset, limit) };
      const r = await readProposalBreaks(store, decisionId, offset, limit, openRun);
      return { total: r.total, breaks: r.breaks };
    },
    'approvals.withdraw': async ({ decisionId, comment }) => {
      // Only the maker, only while it waits (the workflow checks both); a remote proposal is withdrawn on the device that made it.
      const r = withdrawProposal(store, ctx.user, decisionId, comment ?? null);
      ctx.emit({ type: 'workflow.changed', runId: null, what: 'approval' });
      return { ...r, verdict: 'WITHDRAWN' as const };
    },
  };
}
