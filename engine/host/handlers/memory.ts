/** Break memory in the workstation: a run's ageing overview and a break's history across its series. */
import { readAgeing } from '../../run-file/grid/ageing.ts';
import { readSeriesHistory } from '../workflow/series-history.ts';
import type { Handlers, HostContext } from './types.ts';

export function memoryHandlers(ctx: HostContext): Pick<Handlers, 'runs.ageing' | 'breaks.history'> {
  return {
    'runs.ageing': async ({ runId }) => readAgeing(await ctx.openRun(runId)),
    'breaks.history': async ({ runId, breakId }) => readSeriesHistory({ store: ctx.store, dbs: ctx.dbs, current: await ctx.openRun(runId) }, breakId),
  };
}
