import '../host/testing/fail-on-unhandled.ts';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { BridgeMessage } from '../contract/bridge.ts';
import { openStore, type Store } from '../store/open.ts';
import { startServer, type RunningServer } from './server.ts';

let dir: string;
let server: RunningServer;
let store: Store;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'recon-serve-'));
  const renderer = join(dir, 'renderer');
  await mkdir(join(renderer, 'assets'), { recursive: true });
  await writeFile(join(renderer, 'index.html'), '<!doctype html><title>t</title>');
  await writeFile(join(renderer, 'assets', 'app.js'), 'console.log(1)');
  await writeFile(join(dir, 'secret.txt'), 'secret');
  store = openStore(join(dir, 'ws'));
  server = await startServer({ workspace: join(dir, 'ws'), store, user: { userId: 'tester', displayName: 'Tester' }, rendererDir: renderer, version: '1.2.3' });
});

afterAll(async () => {
  await server.close();
  store.close();
  await rm(dir, { recursive: true, force: true });
});

const origin = (): string => `http://127.0.0.1:${server.port}`;

function get(path: string, host = `127.0.0.1:${server.port}`): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path, headers: { Host: host } }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Opens the bridge; resolves with the socket, or rejects with the HTTP status of the refusal. */
function connect(opts: { protocols?: string[]; origin?: string | null }): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const headers = opts.origin === null ? {} : { Origin: opts.origin ?? origin() };
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/bridge`, opts.protocols ?? ['recon.v1', `recon.token.${server.token}`], { headers });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => {
      reject(new Error(`HTTP ${res.statusCode}`));
      ws.terminate();
    });
    ws.once('error', (e) => reject(e));
  });
}

function call(ws: WebSocket, name: string, args: unknown, id = 1): Promise<BridgeMessage> {
  return new Promise((resolve) => {
    ws.on('message', (data) => {
      const m = JSON.parse(data.toString()) as BridgeMessage;
      if (m.type === 'reply' && m.id === id) resolve(m);
    });
    ws.send(JSON.stringify({ type: 'call', id, name, args }));
  });
}

describe('recon serve: HTTP', () => {
  it('listens on loopback and serves the renderer with the strict CSP', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#token=[0-9a-f]{64}$/);
    const res = await get('/');
    expect(res.status).toBe(200);
    expect(res.headers['content-security-policy']).toContain("default-src 'none'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect((await get('/assets/app.js')).status).toBe(200);
  });

  it('serves nothing outside the renderer folder, and only to its own Host', async () => {
    for (const p of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/%2e%2e%2f%2e%2e%2fsecret.txt', '/..%5csecret.txt']) {
      const res = await get(p);
      expect(res.status).toBe(404);
      expect(res.body).not.toContain('secret');
    }
    expect((await get('/', 'evil.example')).status).toBe(421);
    expect((await get('/', `localhost:${server.port}`)).status).toBe(421);
  });
});

describe('recon serve: WebSocket bridge', () => {
  it('refuses a connection without the token, or with a wrong one', async () => {
    await expect(connect({ protocols: ['recon.v1'] })).rejects.toThrow('HTTP 401');
    await expect(connect({ protocols: ['recon.v1', `recon.token.${'0'.repeat(64)}`] })).rejects.toThrow('HTTP 401');
  });

  it('refuses another Origin, or none, even with the token', async () => {
    await expect(connect({ origin: 'http://evil.example' })).rejects.toThrow('HTTP 403');
    await expect(connect({ origin: `http://localhost:${server.port}` })).rejects.toThrow('HTTP 403');
    await expect(connect({ origin: null })).rejects.toThrow('HTTP 403');
  });

  it('answers contract calls once the token and Origin check out; errors come as data', async () => {
    const ws = await connect({});
    expect(ws.protocol).toBe('recon.v1');
    expect(await call(ws, 'app.version', {}, 1)).toMatchObject({ type: 'reply', id: 1, reply: { ok: true, value: { version: '1.2.3', host: 'browser' } } });
    expect(await call(ws, 'runs.list', {}, 2)).toMatchObject({ reply: { ok: true, value: { runs: [] } } });
    expect(await call(ws, 'breaks.page', { runId: '../x', startRow: 0, endRow: 10 }, 3)).toMatchObject({ reply: { ok: false, error: { code: 'INVALID_ARGUMENT' } } });
    ws.close();
  });

  it('drops a client that does not speak the protocol', async () => {
    const ws = await connect({});
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    ws.send('not json');
    expect(await closed).toBe(1008);
  });
});
