/**
 * The browser host: the contract over one WebSocket. The per-start token
 * arrives in the URL fragment (#token=...), is kept in sessionStorage for
 * reloads, removed from the address bar, and offered as a subprotocol.
 */
import { BRIDGE_PATH, BRIDGE_PROTOCOL, TOKEN_PROTOCOL_PREFIX, type BridgeMessage } from '../../../engine/contract/bridge.ts';
import type { ContractEvent, Reply } from '../../../engine/contract/index.ts';
import type { ConnectionState, Transport } from './transport.ts';

const TOKEN_KEY = 'recon.token';

/** Takes the token from the fragment (once) or from sessionStorage. */
export function takeToken(): string | null {
  const match = /(?:^#|&)token=([0-9a-f]+)/.exec(window.location.hash);
  if (match?.[1]) {
    sessionStorage.setItem(TOKEN_KEY, match[1]);
    history.replaceState(null, '', window.location.pathname + window.location.search);
  }
  return sessionStorage.getItem(TOKEN_KEY);
}

interface Pending {
  resolve: (r: Reply<unknown>) => void;
}

export function wsTransport(token: string | null): Transport {
  const events = new Set<(e: ContractEvent) => void>();
  const states = new Set<(s: ConnectionState) => void>();
  const pending = new Map<number, Pending>();
  const queue: string[] = [];
  let nextId = 1;
  let state: ConnectionState = 'connecting';
  let socket: WebSocket | null = null;
  let retry = 0;

  const setState = (s: ConnectionState): void => {
    state = s;
    for (const l of states) l(s);
  };
  const failAll = (message: string): void => {
    for (const p of pending.values()) p.resolve({ ok: false, error: { code: 'INTERNAL_ERROR', message } });
    pending.clear();
  };

  const connect = (): void => {
    setState('connecting');
    const protocols = token === null ? [BRIDGE_PROTOCOL] : [BRIDGE_PROTOCOL, `${TOKEN_PROTOCOL_PREFIX}${token}`];
    const ws = new WebSocket(`ws://${window.location.host}${BRIDGE_PATH}`, protocols);
    socket = ws;
    ws.onopen = () => {
      retry = 0;
      setState('open');
      for (const m of queue.splice(0)) ws.send(m);
    };
    ws.onmessage = (e: MessageEvent<string>) => {
      const m = JSON.parse(e.data) as BridgeMessage;
      if (m.type === 'event') for (const l of events) l(m.event);
      else {
        pending.get(m.id)?.resolve(m.reply);
        pending.delete(m.id);
      }
    };
    ws.onclose = () => {
      socket = null;
      setState('closed');
      failAll('the connection to the engine was lost; reconnecting');
      // A host that is gone stays gone after a few tries; a restart needs a new token anyway.
      if (retry < 5) setTimeout(connect, 500 * 2 ** retry++);
    };
  };
  connect();

  return {
    kind: 'browser',
    invoke(name, args) {
      const id = nextId++;
      const message = JSON.stringify({ type: 'call', id, name, args });
      return new Promise((resolve) => {
        pending.set(id, { resolve });
        if (socket !== null && state === 'open') socket.send(message);
        else queue.push(message);
      });
    },
    onEvent(listener) {
      events.add(listener);
      return () => events.delete(listener);
    },
    onState(listener) {
      states.add(listener);
      listener(state);
      return () => states.delete(listener);
    },
  };
}
