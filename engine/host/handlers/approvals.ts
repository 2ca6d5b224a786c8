import { approveProposal, rejectProposal } from '../../workflow/approvals.ts';
import { listApprovals } from '../workflow/proposals.ts';
import type { Handlers, HostContext } from './types.ts';

export function approvalsHandlers(ctx: HostContext): Pick<Handlers, 'approvals.list' | 'approvals.decide'> {
  return {
    'approvals.list': async () => listApprovals(ctx.store, ctx.user, (runId) => ctx.dbs.get(runId)),
    'approvals.decide': async ({ decisionId, verdict, comment }) => {
      // The workflow refuses the maker (FORBIDDEN_SELF_APPROVAL) before it checks the approver role.
      const r = verdict === 'APPROVE' ? approveProposal(ctx.store, ctx.user, decisionId, comment ?? null) : rejectProposal(ctx.store, ctx.user, decisionId, comment ?? '');
      ctx.emit({ type: 'workflow.changed', runId: null, what: 'approval' });
      return r;
    },
  };
}
