/**
 * The write side of the matching view: manual match and unmatch under the
 * 4-eye rule (workflow/manual-matches.ts). The rows, their breaks and the
 * rule matches are read here from the run file, never taken from the caller;
 * the checks against other actions run in the workflow's transaction.
 */
import { ReconError } from '../../errors/recon-error.ts';
import { matchingLayout } from '../../run-file/matching/layout.ts';
import { readRowBreaks } from '../../run-file/matching/row-breaks.ts';
import { readRowsByRid, rowKey, type RowRef } from '../../run-file/matching/rows-by-rid.ts';
import { readRuleMatch, readRuleMatchOfRows } from '../../run-file/matching/rule-matches.ts';
import { decideMatchAction, listMatchActions, manualMatch, unmatch, withdrawMatchAction } from '../../workflow/manual-matches.ts';
import { rolesOf } from '../../workflow/roles.ts';
import type { Handlers, HostContext } from './types.ts';

type MatchingActionCalls = 'matching.match' | 'matching.unmatch' | 'matching.actions' | 'matching.decide' | 'matching.withdraw';

export function matchingActionsHandlers(ctx: HostContext): Pick<Handlers, MatchingActionCalls> {
  const changed = (runId: string | null, what: 'decision' | 'approval'): void => ctx.emit({ type: 'workflow.changed', runId, what });
  /** The run's file, checked to be a matching run (NOT_A_MATCHING_RUN otherwise). */
  const openMatchingRun = async (runId: string) => {
    ctx.runs.completed(runId);
    const db = await ctx.dbs.get(runId);
    return { db, layout: await matchingLayout(db) };
  };

  return {
    'matching.match': async ({ runId, rows, comment }) => {
      const { db, layout } = await openMatchingRun(runId);
      const refs: RowRef[] = rows.map((r) => ({ side: r.side, rid: r.rid }));
      const facts = await readRowsByRid(db, layout, refs);
      const read = refs.map((r) => {
        const f = facts.get(rowKey(r));
        if (!f) throw new ReconError('NOT_FOUND', `run ${runId} has no row ${r.rid} on side ${r.side.toUpperCase()}`, { runId, side: r.side, rid: r.rid });
        if (!f.eligible) {
          throw new ReconError('MATCH_CONFLICT', `row ${f.id} (side ${r.side.toUpperCase()}) was rejected or has a duplicated id: matching never takes it`, { side: r.side, rid: r.rid, id: f.id });
        }
        return f;
      });
      const breaks = (await readRowBreaks(db, refs)).map((b) => ({ breakId: b.breakId, baseStatus: b.baseStatus }));
      const ruleMatchOfRow = await readRuleMatchOfRows(db, refs);
      const action = manualMatch(ctx.store, ctx.user, {
        runId,
        rows: read.map((f) => ({ side: f.side, rid: f.rid, id: f.id, amount: f.amount })),
        comment,
        breaks,
        ruleMatchOfRow,
      });
      changed(runId, 'decision');
      return action;
    },
    'matching.unmatch': async ({ runId, matchId, comment }) => {
      const { db } = await openMatchingRun(runId);
      const ruleMatch = await readRuleMatch(db, matchId);
      const action = unmatch(ctx.store, ctx.user, { runId, matchId, comment, ruleMatch });
      changed(runId, 'decision');
      return action;
    },
    'matching.actions': async ({ runId, pendingOnly }) => {
      // Newest first, as the contract lists them (the workflow applies them oldest first).
      const actions = listMatchActions(ctx.store, { ...(runId !== undefined ? { runId } : {}), pendingOnly }).reverse();
      const canApprove = ctx.store.read((tx) => rolesOf(tx, ctx.user.userId)).includes('approver');
      return { actions, canApprove };
    },
    'matching.decide': async ({ actionId, verdict, comment }) => {
      // A pending action pulled from another device is decided alike: its rows and breaks are in the store, no run file is opened.
      const action = decideMatchAction(ctx.store, ctx.user, actionId, verdict, comment ?? null);
      changed(action.runId, 'approval');
      return action;
    },
    'matching.withdraw': async ({ actionId }) => {
      const action = withdrawMatchAction(ctx.store, ctx.user, actionId);
      changed(action.runId, 'approval');
      return action;
    },
  };
}
