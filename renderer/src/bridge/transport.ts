import type { ContractEvent, Reply } from '../../../engine/contract/index.ts';
import type { CallName } from '../../../engine/contract/names.ts';

/** The connection state the status bar shows. */
export type ConnectionState = 'connecting' | 'open' | 'closed';

/**
 * How the renderer reaches the engine. Two implementations, one contract:
 * the Electron preload (`window.recon`) and the browser host's WebSocket.
 */
export interface Transport {
  readonly kind: 'desktop' | 'browser';
  invoke(name: CallName, args: unknown): Promise<Reply<unknown>>;
  onEvent(listener: (event: ContractEvent) => void): () => void;
  onState(listener: (state: ConnectionState) => void): () => void;
}
