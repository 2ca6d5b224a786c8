import { readSetting, setSetting } from '../../workflow/settings.ts';
import type { Handlers, HostContext } from './types.ts';

export function settingsHandlers(ctx: HostContext): Pick<Handlers, 'settings.get' | 'settings.set'> {
  const read = () =>
    ctx.store.read((tx) => ({
      bulkProposalThreshold: readSetting(tx, 'review.bulkProposalThreshold'),
      matchApprovalAbove: readSetting(tx, 'matching.approvalAbove'),
    }));
  return {
    'settings.get': async () => read(),
    'settings.set': async ({ bulkProposalThreshold, matchApprovalAbove }) => {
      // Admin only (setSetting checks), each change audited as setting.changed, as before for the bulk limit.
      setSetting(ctx.store, ctx.user, 'review.bulkProposalThreshold', bulkProposalThreshold);
      if (matchApprovalAbove !== undefined) setSetting(ctx.store, ctx.user, 'matching.approvalAbove', matchApprovalAbove);
      ctx.emit({ type: 'workflow.changed', runId: null, what: 'settings' });
      return read();
    },
  };
}
