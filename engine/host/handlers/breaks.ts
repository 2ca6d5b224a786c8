import { readDetail } from '../../run-file/grid/detail.ts';
import { readFacets } from '../../run-file/grid/facets.ts';
import { readLargest } from '../../run-file/grid/largest.ts';
import { readPage } from '../../run-file/grid/pager.ts';
import type { Handlers, HostContext } from './types.ts';

export function breaksHandlers(ctx: HostContext): Pick<Handlers, 'breaks.page' | 'breaks.facets' | 'breaks.detail' | 'breaks.largest'> {
  return {
    'breaks.page': async (args) => readPage(await ctx.openRun(args.runId), args),
    'breaks.facets': async ({ runId, ...filters }) => readFacets(await ctx.openRun(runId), filters),
    'breaks.detail': async ({ runId, breakId }) => readDetail(await ctx.openRun(runId), breakId),
    'breaks.largest': async ({ runId, perCurrency }) => readLargest(await ctx.openRun(runId), perCurrency),
  };
}
