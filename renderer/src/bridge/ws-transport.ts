/**
 * The browser host: the contract over one WebSocket. The per-start token
 * arrives in the URL fragment (#token=...), is kept in sessionStorage for
 * reloads, removed from the address bar, and offered as a subprotocol.
 * A call whose message is over the bridge's limit is answered with an error
 * and never sent; a socket the host closes because of a message it refused
 * (1009 too big, 1007 invalid UTF-8) answers the calls in flight with the
 * host's reason (bridge-limits.ts).
 */
import { BRIDGE_PATH, BRIDGE_PROTOCOL, TOKEN_PROTOCOL_PREFIX, type BridgeMessage } from '../../../engine/contract/bridge.ts';
import type { ContractEvent, ErrorData, Reply } from '../../../engine/contract/index.ts';
import { BRIDGE_MAX_MESSAGE_BYTES, closedError, oversizeError } from './bridge-limits.ts';
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

/** What the transport uses of a WebSocket (a test hands in its own). */
export interface BridgeSocket {
  send(data: string): void;
  onopen: (() => void) | null;
  onmessage: ((e: { data: string }) => void) | null;
  onclose: ((e: { code: number; reason: string }) => void) | null;
}

export interface WsTransportOptions {
  /** Opens the socket (default: a WebSocket to this page's host, at the bridge path). */
  open?: (protocols: string[]) => BridgeSocket;
  /** The largest message sent, in UTF-8 bytes (default: the bridge's). */
  maxBytes?: number;
}

const openBridge = (protocols: string[]): BridgeSocket => new WebSocket(`ws://${window.location.host}${BRIDGE_PATH}`, protocols) as BridgeSocket;

export function wsTransport(token: string | null, opts: WsTransportOptions = {}): Transport {
  const open = opts.open ?? openBridge;
  const maxBytes = opts.maxBytes ?? BRIDGE_MAX_MESSAGE_BYTES;
  const events = new Set<(e: ContractEvent) => void>();
  const states = new Set<(s: ConnectionState) => void>();
  const pending = new Map<number, Pending>();
  // Calls made while no socket is open, sent when one opens.
  const queue: { id: number; message: string }[] = [];
  let nextId = 1;
  let state: ConnectionState = 'connecting';
  let socket: BridgeSocket | null = null;
  let retry = 0;
  /** Why the last socket closed, once the transport stopped reconnecting: later calls get it at once. */
  let gone: ErrorData | null = null;

  const setState = (s: ConnectionState): void => {
    state = s;
    for (const l of states) l(s);
  };
  /** Answers with `error` every pending call but those still queued, unless `queued` too (the transport gives up). */
  const fail = (error: ErrorData, queued: boolean): void => {
    const waiting = new Set(queued ? [] : queue.map((q) => q.id));
    for (const [id, p] of pending) {
      if (waiting.has(id)) continue;
      p.resolve({ ok: false, error });
      pending.delete(id);
    }
    if (queued) queue.length = 0;
  };

  const connect = (): void => {
    setState('connecting');
    const protocols = token === null ? [BRIDGE_PROTOCOL] : [BRIDGE_PROTOCOL, `${TOKEN_PROTOCOL_PREFIX}${token}`];
    const ws = open(protocols);
    socket = ws;
    ws.onopen = () => {
      retry = 0;
      setState('open');
      for (const q of queue.splice(0)) ws.send(q.message);
    };
    ws.onmessage = (e) => {
      const m = JSON.parse(e.data) as BridgeMessage;
      if (m.type === 'event') for (const l of events) l(m.event);
      else {
        pending.get(m.id)?.resolve(m.reply);
        pending.delete(m.id);
      }
    };
    ws.onclose = (e) => {
      socket = null;
      setState('closed');
      // A host that is gone stays gone after a few tries; a restart needs a new token anyway.
      const again = retry < 5;
      // The calls sent on this socket get no answer; those queued for the next one wait for it, if there is one.
      const error = closedError(e.code, e.reason, again);
      fail(error, !again);
      if (again) setTimeout(connect, 500 * 2 ** retry++);
      else gone = error;
    };
  };
  connect();

  return {
    kind: 'browser',
    invoke(name, args) {
      const id = nextId++;
      let message: string;
      try {
        message = JSON.stringify({ type: 'call', id, name, args });
      } catch (err) {
        // Arguments JSON cannot encode (a string past its length limit, a cycle): nothing to send.
        return Promise.resolve({ ok: false, error: { code: 'INVALID_ARGUMENT', message: `${name}: the call could not be encoded: ${(err as Error).message}`, details: { call: name } } });
      }
      // The host would close the socket over it (1009), failing every call in flight: refuse it here instead.
      const tooBig = oversizeError(name, message, maxBytes);
      if (tooBig !== null) return Promise.resolve({ ok: false, error: tooBig });
      if (gone !== null) return Promise.resolve({ ok: false, error: gone });
      return new Promise((resolve) => {
        pending.set(id, { resolve });
        if (socket !== null && state === 'open') socket.send(message);
        else queue.push({ id, message });
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
