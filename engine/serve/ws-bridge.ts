/**
 * The WebSocket bridge: the contract over one socket per page. A handshake is
 * accepted only for the bridge path, the loopback Host, the page's Origin and
 * the per-start token; everything else is refused before the upgrade. Calls
 * go to the same service the Electron main process uses.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import { BRIDGE_PATH, BRIDGE_PROTOCOL, bridgeCallSchema, type BridgeMessage } from '../contract/bridge.ts';
import type { ContractEvent } from '../contract/index.ts';
import type { Service } from '../host/service.ts';
import { hasValidToken, isAllowedHost, isAllowedOrigin, offeredProtocols } from './security.ts';

/**
 * Largest message a page may send, in MiB. A definition of 8,000 fields with tolerances, maps and
 * adjustments is about 1.5 MB, so 1 MiB refused ordinary saves; 64 MiB leaves room for far wider
 * ones while one client still cannot make the host buffer without bound.
 */
export const MAX_MESSAGE_MIB = 64;
const MAX_PAYLOAD = MAX_MESSAGE_MIB << 20;

/** Why the bridge closed a socket, for the close codes ws sends on its own (a close reason is at most 123 bytes). */
const CLOSE_REASONS: Record<number, string> = {
  1002: 'protocol error',
  1007: 'invalid UTF-8 in a text message',
  1009: `message too big: the bridge takes messages of at most ${MAX_MESSAGE_MIB} MiB`,
};

/**
 * The server side of one page's socket. ws closes a socket itself when a frame breaks a rule
 * (1009 over maxPayload, 1007 invalid UTF-8, 1002 a protocol error) and gives no reason; this
 * adds one, so the page can say why, and keeps the code for the log.
 */
class BridgeSocket extends WebSocket {
  closeCodeSent: number | undefined;
  override close(code?: number, reason?: string | Buffer): void {
    if (this.closeCodeSent === undefined && this.readyState === WebSocket.OPEN) this.closeCodeSent = code;
    super.close(code, reason ?? (code === undefined ? undefined : CLOSE_REASONS[code]));
  }
}

export interface Bridge {
  /** Handles an HTTP upgrade request (refuses it when a check fails). */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  broadcast(event: ContractEvent): void;
  close(): void;
}

export function createBridge(opts: { token: string; port: () => number; service: () => Service }): Bridge {
  const wss = new WebSocketServer({
    noServer: true,
    WebSocket: BridgeSocket,
    maxPayload: MAX_PAYLOAD,
    // The page offers the bridge protocol and its token; the answer names the protocol only.
    handleProtocols: (protocols) => (protocols.has(BRIDGE_PROTOCOL) ? BRIDGE_PROTOCOL : false),
  });
  const clients = new Set<BridgeSocket>();

  /**
   * Sends one message; never throws. A reply that cannot be encoded goes out as
   * INTERNAL_ERROR data instead; a socket that fails on the way is dropped.
   */
  const send = (ws: BridgeSocket, m: BridgeMessage): void => {
    if (ws.readyState !== ws.OPEN) return;
    let text: string;
    try {
      text = JSON.stringify(m);
    } catch (err) {
      if (m.type !== 'reply') {
        process.stderr.write(`[serve] event ${m.event.type} not sent: ${(err as Error).message}\n`);
        return;
      }
      text = JSON.stringify({ type: 'reply', id: m.id, reply: { ok: false, error: { code: 'INTERNAL_ERROR', message: `the reply could not be encoded: ${(err as Error).message}` } } } satisfies BridgeMessage);
    }
    ws.send(text, (err) => {
      if (err) ws.terminate();
    });
  };

  // A server-level error (none is expected in noServer mode) is logged, never thrown.
  wss.on('error', (err) => process.stderr.write(`[serve] bridge error: ${err.message}\n`));

  let connections = 0;
  wss.on('connection', (ws: BridgeSocket) => {
    const n = ++connections;
    clients.add(ws);
    ws.on('close', () => clients.delete(ws));
    // A frame over the size limit, invalid UTF-8, a reset socket: ws closes that socket and emits
    // 'error', which with no listener would be an uncaught exception taking the whole host down.
    // It has already sent the close frame (with BridgeSocket's reason) and ends the socket once that
    // is out, or destroys it after its close timeout; terminating here would drop the frame unsent.
    ws.on('error', (err: Error & { code?: string }) => {
      clients.delete(ws);
      const close = ws.closeCodeSent === undefined ? '' : ` (closed ${ws.closeCodeSent}${CLOSE_REASONS[ws.closeCodeSent] ? `: ${CLOSE_REASONS[ws.closeCodeSent]}` : ''})`;
      process.stderr.write(`[serve] bridge client ${n} dropped: ${err.message}${err.code ? ` [${err.code}]` : ''}${close}\n`);
    });
    ws.on('message', (data, isBinary) => {
      let message: unknown;
      try {
        message = isBinary ? undefined : JSON.parse(data.toString());
      } catch {
        message = undefined;
      }
      const parsed = bridgeCallSchema.safeParse(message);
      if (!parsed.success) {
        // A page that speaks another protocol is a bug or an attack: drop it.
        ws.close(1008, 'bad message');
        return;
      }
      const { id, name, args } = parsed.data;
      // service.call answers every failure as data; the catch is for the transport, so nothing is left unhandled.
      void opts
        .service()
        .call(name, args)
        .then((reply) => send(ws, { type: 'reply', id, reply }))
        .catch((err: unknown) => process.stderr.write(`[serve] reply to ${name} not sent: ${(err as Error).message}\n`));
    });
  });

  return {
    upgrade(req, socket, head) {
      const port = opts.port();
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      // Node hands an upgraded socket over without its error listener: a client that resets it
      // mid-handshake would otherwise raise an uncaught ECONNRESET. ws adds its own once it takes over.
      socket.on('error', () => socket.destroy());
      const refuse = (status: number, text: string): void => {
        socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      };
      if (path !== BRIDGE_PATH) return refuse(404, 'Not Found');
      if (!isAllowedHost(req.headers.host, port) || !isAllowedOrigin(req.headers.origin, port)) return refuse(403, 'Forbidden');
      if (!hasValidToken(offeredProtocols(req.headers['sec-websocket-protocol']), opts.token)) return refuse(401, 'Unauthorized');
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
    },
    broadcast(event) {
      for (const ws of clients) send(ws, { type: 'event', event });
    },
    close() {
      for (const ws of clients) ws.terminate();
      wss.close();
    },
  };
}
