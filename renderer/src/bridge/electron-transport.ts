import type { ReconApi } from './recon-api.ts';
import type { Transport } from './transport.ts';

/** The desktop app: calls go through the preload's named functions. */
export function electronTransport(api: ReconApi): Transport {
  return {
    kind: 'desktop',
    invoke: (name, args) => (api.calls[name] as (a: unknown) => ReturnType<Transport['invoke']>)(args),
    onEvent: (listener) => api.onEvent(listener),
    onState: (listener) => {
      listener('open');
      return () => {};
    },
  };
}
