import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect as tcpConnect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { BridgeMessage } from '../contract/bridge.ts';
import { packageRoot } from '../package-root.ts';

/**
 * `recon serve` as its own process (bin/recon.mjs), driven by real sockets:
 * one bad frame from one client (too big, invalid UTF-8) costs that client its
 * socket, with a close code and a reason that say why and a line in the log;
 * the process and every other client carry on. A large but ordinary message, a
 * definition of 8,000 fields, is saved.
 */
const LIMIT_MIB = 64;

let dir: string;
let child: ChildProcess;
let port: number;
let token: string;
let stderr = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'recon-serve-process-'));
  const renderer = join(dir, 'renderer');
  await mkdir(renderer, { recursive: true });
  await writeFile(join(renderer, 'index.html'), '<!doctype html><title>t</title>');
  child = spawn(process.execPath, [join(packageRoot(), 'bin', 'recon.mjs'), 'serve', '--workspace', join(dir, 'ws'), '--renderer', renderer], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, RECON_USER: 'tester' },
  });
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /http:\/\/127\.0\.0\.1:\d+\/#token=[0-9a-f]+/.exec(out);
      if (m) resolve(m[0]);
    });
    child.once('exit', (code) => reject(new Error(`recon serve exited with ${code}:\n${out}\n${stderr}`)));
  });
  const u = new URL(url);
  port = Number(u.port);
  token = u.hash.replace('#token=', '');
}, 180_000);

afterAll(async () => {
  if (child && child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGINT');
    await exited;
  }
  await rm(dir, { recursive: true, force: true });
});

const origin = (): string => `http://127.0.0.1:${port}`;

function open(): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/bridge`, ['recon.v1', `recon.token.${token}`], { headers: { Origin: origin() } });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

let nextId = 100;
function call(ws: WebSocket, name: string, args: unknown): Promise<BridgeMessage> {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    ws.once('close', (code, reason) => reject(new Error(`closed ${code} ${reason.toString()} before reply ${id}`)));
    const onMessage = (data: WebSocket.RawData): void => {
      const m = JSON.parse(data.toString()) as BridgeMessage;
      if (m.type === 'reply' && m.id === id) {
        ws.off('message', onMessage);
        resolve(m);
      }
    };
    ws.on('message', onMessage);
    ws.send(JSON.stringify({ type: 'call', id, name, args }));
  });
}

/** Resolves with the close code and reason the client saw. */
const closed = (ws: WebSocket): Promise<{ code: number; reason: string }> =>
  new Promise((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));

/** A masked client frame (RFC 6455 §5.2) with any payload, valid or not. */
function clientFrame(opcode: number, payload: Buffer): Buffer {
  const mask = Buffer.from([0x12, 0x34, 0x56, 0x78]);
  if (payload.length > 125) throw new Error('short frames only');
  const masked = Buffer.from(payload.map((b, i) => b ^ mask[i % 4]!));
  return Buffer.concat([Buffer.from([0x80 | opcode, 0x80 | payload.length]), mask, masked]);
}

/** Opens the bridge over a raw TCP socket (handshake by hand); resolves once the 101 is read. */
function rawBridge(): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = tcpConnect(port, '127.0.0.1', () => {
      socket.write(
        `GET /bridge HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nOrigin: ${origin()}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: recon.v1, recon.token.${token}\r\n\r\n`,
      );
    });
    let head = '';
    const onData = (d: Buffer): void => {
      head += d.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      socket.off('data', onData);
      if (!head.startsWith('HTTP/1.1 101')) return reject(new Error(head));
      resolve(socket);
    };
    socket.on('data', onData);
    socket.on('error', reject);
  });
}

/** The first server frame read from a raw socket after the handshake, as a close frame's code and reason. */
function readClose(socket: Socket): Promise<{ code: number; reason: string }> {
  return new Promise((resolve, reject) => {
    let buf = Buffer.alloc(0);
    socket.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length < 2) return;
      const len = buf[1]! & 0x7f;
      if (buf.length < 2 + len) return;
      if ((buf[0]! & 0x0f) !== 0x8) return reject(new Error(`expected a close frame, got opcode ${buf[0]! & 0x0f}`));
      resolve({ code: buf.readUInt16BE(2), reason: buf.subarray(4, 2 + len).toString('utf8') });
    });
    socket.on('close', () => reject(new Error('closed without a close frame')));
  });
}

function expectAlive(): void {
  expect(child.exitCode, stderr).toBeNull();
  expect(child.signalCode, stderr).toBeNull();
  expect(stderr).not.toMatch(/Unhandled 'error' event|uncaught|unhandled/i);
}

/** A definition of `n` fields, each with the options a real wide definition carries. */
function wideDefinition(n: number): Record<string, unknown> {
  const fields = Array.from({ length: n }, (_, i) => {
    const name = `position_attribute_${String(i).padStart(5, '0')}`;
    return i % 2 === 0
      ? { name, b: name.toUpperCase(), type: 'decimal', scale: 2, tolerance: { abs: '0.01', rel: '0.0001' }, adjust: { b: { multiply: '0.01' } } }
      : { name, b: name.toUpperCase(), type: 'string', case: 'upper', map: { b: { Y: 'YES', N: 'NO' } } };
  });
  return { name: 'wide-8000', key: ['position_attribute_00001'], fields };
}

describe('recon serve (its own process) survives a bad frame', () => {
  it('a message over the limit is closed 1009 with a reason naming the limit; the process and other clients serve on', async () => {
    const bystander = await open();
    const big = await open();
    big.on('error', () => undefined);
    const done = closed(big);
    big.send(JSON.stringify({ type: 'call', id: 1, name: 'app.version', args: { pad: 'x'.repeat((LIMIT_MIB << 20) + 1) } }));
    const { code, reason } = await done;
    expect(code).toBe(1009);
    expect(reason).toMatch(new RegExp(`${LIMIT_MIB} MiB`));
    expect(await call(bystander, 'app.version', {})).toMatchObject({ reply: { ok: true } });
    await expect.poll(() => stderr).toMatch(/\[serve\] .*1009/);
    expectAlive();
    bystander.close();
  }, 60_000);

  it('a text frame of invalid UTF-8 (a raw frame on a raw socket) is closed 1007 with a reason; the process serves on', async () => {
    const bystander = await open();
    const socket = await rawBridge();
    socket.on('error', () => undefined);
    const close = readClose(socket);
    socket.write(clientFrame(0x1, Buffer.from([0x7b, 0xff, 0xfe, 0xfd, 0x7d])));
    const { code, reason } = await close;
    expect(code).toBe(1007);
    expect(reason).toMatch(/UTF-8/);
    socket.destroy();
    expect(await call(bystander, 'app.version', {})).toMatchObject({ reply: { ok: true } });
    await expect.poll(() => stderr).toMatch(/\[serve\] .*1007/);
    expectAlive();
    bystander.close();
  }, 60_000);

  it('an ordinary definitions.save of an 8,000-field definition is saved', async () => {
    const definition = wideDefinition(8000);
    expect(JSON.stringify(definition).length).toBeGreaterThan(1 << 20);
    const ws = await open();
    expect(await call(ws, 'definitions.save', { definition })).toMatchObject({ reply: { ok: true, value: { name: 'wide-8000', version: 1 } } });
    const got = await call(ws, 'definitions.get', { name: 'wide-8000' });
    expect(got).toMatchObject({ reply: { ok: true } });
    expect((got as { reply: { value: { definition: { fields: unknown[] } } } }).reply.value.definition.fields).toHaveLength(8000);
    ws.close();
    expectAlive();
  }, 60_000);
});
