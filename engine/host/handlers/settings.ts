import { readSetting, setSetting } from '../../workflow/settings.ts';
import type { Handlers, HostContext } from './types.ts';

export function settingsHandlers(ctx: HostContext): Pick<Handlers, 'settings.get' | 'settings.set'> {
  const read = () => ({ bulkProposalThreshold: ctx.store.read((tx) => readSetting(tx, 'review.bulkProposalThreshold')) });
  return {
    'settings.get': async () => read(),
    'settings.set': async ({ bulkProposalThreshold }) => {
      setSetting(ctx.store, ctx.user, 'review.bulkProposalThreshold', bulkProposalThreshold);
      ctx.emit({ type: 'workflow.changed', runId: null, what: 'settings' });
      return read();
    },
  };
}
