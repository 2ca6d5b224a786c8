import '../host/testing/fail-on-unhandled.ts';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, get } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { BridgeMessage } from '../contract/bridge.ts';
import { openStore, type Store } from '../store/open.ts';
import { startServer, type RunningServer } from './server.ts';
import { serveStatic } from './static-files.ts';
import { MAX_MESSAGE_MIB } from './ws-bridge.ts';

/**
 * What a page (or anything on the machine) may send the bridge must never take
 * `recon serve` down: frames over the size limit, invalid UTF-8, binary and
 * malformed messages, handshakes torn down mid-way, sockets reset while a
 * reply is on its way. Each costs that socket at most; the host serves on.
 */
let dir: string;
let server: RunningServer;
let store: Store;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'recon-bridge-'));
  const renderer = join(dir, 'renderer');
  await mkdir(renderer, { recursive: true });
  await writeFile(join(renderer, 'index.html'), '<!doctype html><title>t</title>');
  store = openStore(join(dir, 'ws'));
  server = await startServer({ workspace: join(dir, 'ws'), store, user: { userId: 'tester', displayName: 'Tester' }, rendererDir: renderer, version: '1.2.3' });
});

afterAll(async () => {
  await server.close();
  store.close();
  await rm(dir, { recursive: true, force: true });
});

const origin = (): string => `http://127.0.0.1:${server.port}`;

function open(): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/bridge`, ['recon.v1', `recon.token.${server.token}`], { headers: { Origin: origin() } });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

/** Resolves when the socket is closed (by either side), with the close code. */
const closed = (ws: WebSocket): Promise<number> => new Promise((resolve) => ws.once('close', (code) => resolve(code)));

async function stillServing(): Promise<void> {
  const ws = await open();
  const reply = await new Promise<BridgeMessage>((resolve) => {
    ws.on('message', (d) => resolve(JSON.parse(d.toString()) as BridgeMessage));
    ws.send(JSON.stringify({ type: 'call', id: 7, name: 'app.version', args: {} }));
  });
  expect(reply).toMatchObject({ type: 'reply', id: 7, reply: { ok: true, value: { version: '1.2.3' } } });
  ws.close();
}

describe('the bridge survives what a client sends', () => {
  it('a message over the size limit closes that socket only', async () => {
    const ws = await open();
    ws.on('error', () => undefined); // the client side sees the close
    const done = closed(ws);
    ws.send(JSON.stringify({ type: 'call', id: 1, name: 'app.version', args: { pad: 'x'.repeat((MAX_MESSAGE_MIB << 20) + 1) } }));
    expect(await done).toBe(1009);
    await stillServing();
  });

  it('a text frame of invalid UTF-8, a binary frame and a non-JSON message close that socket only', async () => {
    for (const send of [
      (ws: WebSocket) => ws.send(Buffer.from([0xff, 0xfe, 0xfd]), { binary: false }),
      (ws: WebSocket) => ws.send(Buffer.from([1, 2, 3]), { binary: true }),
      (ws: WebSocket) => ws.send('{"type":"call",'),
    ]) {
      const ws = await open();
      ws.on('error', () => undefined);
      const done = closed(ws);
      send(ws);
      expect([1007, 1008]).toContain(await done);
    }
    await stillServing();
  });

  it('a client that goes away before its reply, or resets its socket, costs nothing', async () => {
    for (let i = 0; i < 5; i++) {
      const ws = await open();
      ws.send(JSON.stringify({ type: 'call', id: i, name: 'runs.list', args: {} }));
      ws.terminate();
    }
    await stillServing();
  });

  it('a handshake torn down mid-way, refused or not, costs nothing', async () => {
    const attempts = [
      `GET /nope HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n`,
      `GET /bridge HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nOrigin: ${origin()}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: recon.v1, recon.token.${server.token}\r\n\r\n`,
      `GET /bridge HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n`,
    ];
    for (const text of attempts) {
      await new Promise<void>((resolve) => {
        const socket = tcpConnect(server.port, '127.0.0.1', () => {
          socket.write(text);
          // Reset (RST) at once: the server's answer meets a dead socket.
          setTimeout(() => socket.resetAndDestroy(), 1);
        });
        socket.on('error', () => undefined);
        socket.on('close', () => resolve());
      });
    }
    await new Promise((r) => setTimeout(r, 50));
    await stillServing();
  });
});

describe('the static files survive a file that fails while it is sent', () => {
  it('a read error after the headers (a file removed by a rebuild, an unreadable file) costs that response only', async () => {
    // /proc/self/mem is a regular file to stat() and fails with EIO on read: the same path as a file a
    // rebuild deletes between stat() and the read, with no timing to hope for.
    const http = createServer((req, res) => {
      serveStatic('/proc/self', 0, req, res).catch(() => {
        if (!res.headersSent) res.writeHead(500).end();
      });
    });
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
    const port = (http.address() as AddressInfo).port;
    try {
      const outcome = await new Promise<string>((resolve) => {
        const req = get({ host: '127.0.0.1', port, path: '/mem' }, (res) => {
          res.on('data', () => undefined);
          res.on('end', () => resolve(`ended ${res.statusCode}`));
          res.on('error', () => resolve('aborted'));
        });
        req.on('error', () => resolve('aborted'));
      });
      expect(['aborted', 'ended 200']).toContain(outcome);
    } finally {
      http.closeAllConnections();
      await new Promise<void>((r) => http.close(() => r()));
    }
    await stillServing();
  });
});
