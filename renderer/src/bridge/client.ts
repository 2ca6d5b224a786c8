/**
 * The renderer's typed client over whichever transport the host offers. Calls
 * resolve with the result or reject with a CallError carrying the engine's
 * error data (code, message, details), never a stack trace.
 */
import type { CallArgs, CallResult, ContractEvent, ContractEventType, ErrorData, EventOf } from '../../../engine/contract/index.ts';
import type { CallName } from '../../../engine/contract/names.ts';
import { electronTransport } from './electron-transport.ts';
import type { ConnectionState, Transport } from './transport.ts';
import { takeToken, wsTransport } from './ws-transport.ts';

export class CallError extends Error {
  readonly data: ErrorData;
  constructor(data: ErrorData) {
    super(data.message);
    this.name = 'CallError';
    this.data = data;
  }
}

export class ReconClient {
  readonly #transport: Transport;
  constructor(transport: Transport) {
    this.#transport = transport;
  }

  get kind(): Transport['kind'] {
    return this.#transport.kind;
  }

  async call<K extends CallName>(name: K, args: CallArgs<K>): Promise<CallResult<K>> {
    const reply = await this.#transport.invoke(name, args);
    if (!reply.ok) throw new CallError(reply.error);
    return reply.value as CallResult<K>;
  }

  /** Listens to one type of host event; returns the unsubscribe function. */
  on<T extends ContractEventType>(type: T, listener: (event: EventOf<T>) => void): () => void {
    return this.#transport.onEvent((e: ContractEvent) => {
      if (e.type === type) listener(e as EventOf<T>);
    });
  }

  onState(listener: (state: ConnectionState) => void): () => void {
    return this.#transport.onState(listener);
  }
}

/** The desktop preload when present, else the browser host's WebSocket: one renderer, two transports. */
export function createClient(): ReconClient {
  return new ReconClient(window.recon ? electronTransport(window.recon) : wsTransport(takeToken()));
}

/** Error data from anything a call or the UI threw. */
export function errorData(err: unknown): ErrorData {
  if (err instanceof CallError) return err.data;
  return { code: 'INTERNAL_ERROR', message: err instanceof Error ? err.message : String(err) };
}
