import { ReconError } from '../../errors/recon-error.ts';
import { addReasonCode, listReasonCodes, retireReasonCode, setReasonSla, type ReasonCode } from '../../workflow/reason-codes.ts';
import type { Handlers, HostContext } from './types.ts';

export function reasonsHandlers(ctx: HostContext): Pick<Handlers, 'reasons.list' | 'reasons.add' | 'reasons.retire' | 'reasons.setSla'> {
  const one = (code: string): ReasonCode => {
    const r = listReasonCodes(ctx.store, { includeRetired: true }).find((x) => x.code === code);
    if (!r) throw new ReconError('REASON_UNKNOWN', `unknown reason code "${code}"`, { reason: code });
    return r;
  };
  const changed = (): void => ctx.emit({ type: 'workflow.changed', runId: null, what: 'reasons' });
  return {
    'reasons.list': async ({ includeRetired }) => ({ reasons: listReasonCodes(ctx.store, { includeRetired }) }),
    'reasons.add': async (entry) => {
      addReasonCode(ctx.store, ctx.user, entry);
      changed();
      return one(entry.code);
    },
    'reasons.setSla': async ({ code, slaDays }) => {
      setReasonSla(ctx.store, ctx.user, code, slaDays);
      changed();
      return one(code);
    },
    'reasons.retire': async ({ code, comment }) => {
      retireReasonCode(ctx.store, ctx.user, code, comment);
      changed();
      return one(code);
    },
  };
}
