import type { DecisionResultDto } from '../../contract/index.ts';
import { countBulk } from '../../run-file/grid/bulk-preview.ts';
import { decide, decideBulk, recentBulkBreaks, type DecisionResult } from '../../workflow/decisions.ts';
import { readSetting } from '../../workflow/settings.ts';
import { readHistory } from '../workflow/history.ts';
import type { Handlers, HostContext } from './types.ts';

/** A bulk decision may move a million breaks; the UI needs the count, not every id. */
const RESULT_BREAKS = 100;

const toDto = (r: DecisionResult): DecisionResultDto => ({ ...r, breaks: r.breaks.slice(0, RESULT_BREAKS) });

export function reviewHandlers(ctx: HostContext): Pick<Handlers, 'review.decide' | 'review.bulkPreview' | 'review.bulk' | 'review.history'> {
  const changed = (runId: string): void => ctx.emit({ type: 'workflow.changed', runId, what: 'decision' });
  return {
    'review.decide': async ({ runId, breakId, kind, reason, comment }) => {
      ctx.runs.completed(runId);
      const r = await decide(ctx.store, await ctx.breakSource(runId), ctx.user, { runId, breakId, kind, reason: reason ?? null, comment: comment ?? null });
      changed(runId);
      return toDto(r);
    },
    'review.bulkPreview': async ({ runId, filter }) => {
      const counts = await countBulk(await ctx.openRun(runId), filter);
      return {
        ...counts,
        ...ctx.store.read((tx) => ({
          threshold: readSetting(tx, 'review.bulkProposalThreshold'),
          recentBulk: recentBulkBreaks(tx, ctx.user.userId, runId, new Date().toISOString()),
        })),
      };
    },
    'review.bulk': async ({ runId, filter, kind, reason, comment }) => {
      ctx.runs.completed(runId);
      const r = await decideBulk(ctx.store, await ctx.breakSource(runId), ctx.user, { runId, filter, kind, reason: reason ?? null, comment: comment ?? null });
      changed(runId);
      return toDto(r);
    },
    'review.history': async ({ runId, breakId }) => readHistory(ctx.store, runId, breakId),
  };
}
