import { readModelInfo } from '../model/model-info.ts';
import type { Handlers, HostContext } from './types.ts';

export function modelHandlers(ctx: HostContext): Pick<Handlers, 'model.info' | 'model.retrain' | 'model.cancel' | 'model.promote'> {
  return {
    'model.info': async () => ({ ...(await readModelInfo(ctx.workspace, ctx.store)), job: ctx.retrain.latest() }),
    'model.retrain': async ({ threshold }) => ({ jobId: await ctx.retrain.start(threshold) }),
    'model.cancel': async ({ jobId }) => ({ cancelled: ctx.retrain.cancel(jobId) }),
    'model.promote': async ({ jobId }) => {
      const r = await ctx.retrain.promote(jobId);
      ctx.emit({ type: 'workflow.changed', runId: null, what: 'model' });
      return r;
    },
  };
}
