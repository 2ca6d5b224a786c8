/**
 * The inbox (contract/inbox.ts): this workstation's decisions and proposals
 * that lost breaks to other devices on the team server, as the pull recorded
 * them (sync/lost-breaks.ts), and their dismissal. Dismissing changes no
 * decision, so it is not audited; the lost breaks stay in history.
 */
import type { ConflictItemDto } from '../../contract/index.ts';
import { ReconError } from '../../errors/recon-error.ts';
import { acknowledgeConflict, conflictLine, listConflicts, type ConflictItem } from '../../sync/lost-breaks.ts';
import type { Handlers, HostContext } from './types.ts';

const toDto = (c: ConflictItem): ConflictItemDto => ({ ...c, line: conflictLine(c) });

export function inboxHandlers(ctx: HostContext): Pick<Handlers, 'inbox.list' | 'inbox.acknowledge'> {
  const { store } = ctx;
  const list = (includeAcknowledged = false): ConflictItemDto[] => listConflicts(store, { includeAcknowledged }).map(toDto);
  return {
    'inbox.list': async ({ includeAcknowledged }) => ({ items: list(includeAcknowledged ?? false) }),
    'inbox.acknowledge': async ({ decisionId }) => {
      if (!acknowledgeConflict(store, ctx.user.userId, decisionId)) {
        throw new ReconError('NOT_FOUND', `no inbox item for decision ${decisionId}: it lost no breaks on the team server, or was made on another workstation`, { decisionId });
      }
      // Other open windows drop the item too.
      ctx.emit({ type: 'workflow.changed', runId: null, what: 'decision' });
      return { acknowledged: true, items: list() };
    },
  };
}
