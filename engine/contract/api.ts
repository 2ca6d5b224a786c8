import type { CallArgs, CallResult } from './index.ts';
import type { Reply } from './errors.ts';
import type { ContractEvent } from './events.ts';
import type { CallName } from './names.ts';

/** One named function per call: the shape of `window.recon.calls` in the desktop app. */
export type ReconCalls = { readonly [K in CallName]: (args: CallArgs<K>) => Promise<Reply<CallResult<K>>> };

/**
 * What the desktop preload exposes as `window.recon`: one named function per
 * contract call (never a raw invoke), and a subscription to host events.
 */
export interface ReconApi {
  readonly calls: ReconCalls;
  /** Calls `listener` for every event the host pushes; returns the unsubscribe function. */
  readonly onEvent: (listener: (event: ContractEvent) => void) => () => void;
}
