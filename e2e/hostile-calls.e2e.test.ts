/**
 * Every contract call with hostile arguments through `recon serve`'s
 * WebSocket bridge, against a real host process on a temp workspace with a
 * real run: each reply is a valid result or error data with a stable code
 * (never INTERNAL_ERROR), the process never dies nor logs an escaped error
 * (the harness fails the test if it does), and it still answers afterwards.
 * Then what a page could send that is not a call at all: frames over the
 * size limit, invalid UTF-8, binary, malformed JSON.
 *
 * No Chromium here: the bridge is driven by a Node WebSocket client with the
 * page's Origin and token, as the renderer would.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { contract, type CallName } from '../engine/contract/index.ts';
import type { BridgeMessage } from '../engine/contract/bridge.ts';
import { caseLabel, hostileCases, replyProblem, type HostileContext } from '../engine/host/testing/hostile-args.ts';
import { createRunFixture, type RunFixture } from '../engine/host/testing/run-fixture.ts';
import { MAX_MESSAGE_MIB } from '../engine/serve/ws-bridge.ts';
import { serve, type Served } from './harness.ts';

let fx: RunFixture;
let served: Served;
let ctx: HostileContext;
let ws: WebSocket;
let nextId = 1;
const pending = new Map<number, (m: BridgeMessage) => void>();

function connect(): Promise<WebSocket> {
  const url = new URL(served.url);
  const token = /token=([0-9a-f]+)/.exec(url.hash)![1]!;
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`ws://${url.host}/bridge`, ['recon.v1', `recon.token.${token}`], { headers: { Origin: url.origin } });
    socket.once('open', () => resolve(socket));
    socket.once('error', reject);
  });
}

function call(name: string, args: unknown, timeoutMs = 60_000): Promise<unknown> {
  const id = nextId++;
  // A closed socket answers nothing: say so at once instead of waiting out every call.
  if (ws.readyState !== WebSocket.OPEN) return Promise.resolve('the bridge socket is closed');
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      pending.delete(id);
      resolve(`no answer within ${timeoutMs / 1000} s`);
    }, timeoutMs);
    pending.set(id, (m) => {
      clearTimeout(timer);
      resolve(m.type === 'reply' ? m.reply : m);
    });
    ws.send(JSON.stringify({ type: 'call', id, name, args }));
  });
}

beforeAll(async () => {
  fx = await createRunFixture(300, 13);
  // The served process opens the workspace's store itself.
  fx.store.close();
  const renderer = join(fx.dir, 'renderer');
  await mkdir(renderer, { recursive: true });
  await writeFile(join(renderer, 'index.html'), '<!doctype html><title>hostile</title>');
  const outDir = join(fx.dir, 'out');
  await mkdir(outDir);
  await writeFile(join(fx.dir, 'blocker'), 'a file where a folder would be');
  // Relative paths resolve against the host's working folder: a scratch one, six levels deep, never the repository.
  const cwd = join(fx.dir, 'cwd', 'a', 'b', 'c', 'd', 'e', 'f');
  await mkdir(cwd, { recursive: true });
  ctx = {
    runId: fx.summary.runId,
    aPath: fx.gen.aPath,
    missing: join(fx.dir, 'blocker', 'no', 'file.csv'),
    dir: fx.dir,
    definition: JSON.parse(await readFile(fx.gen.definitionPath, 'utf8')) as HostileContext['definition'],
    outDir,
  };
  served = await serve(
    fx.workspace,
    // No keychain to write to (sync.login then answers SYNC_KEYCHAIN_UNAVAILABLE); retraining on the small baseline.
    { RECON_USER: 'ada', RECON_QUICK_RETRAIN: '1', DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent-bus', PGPASSWORD: '' },
    { args: ['--renderer', renderer], cwd },
  );
  ws = await connect();
  ws.on('message', (data) => {
    const m = JSON.parse(data.toString()) as BridgeMessage;
    if (m.type === 'reply') pending.get(m.id)?.(m);
  });
  for (const role of ['admin', 'analyst', 'approver']) expect(await call('users.grant', { userId: 'ada', role })).toMatchObject({ ok: true });
  expect(await call('users.add', { userId: 'cy', displayName: 'Cy', roles: ['analyst'] })).toMatchObject({ ok: true });
}, 180_000);

afterAll(async () => {
  ws?.terminate();
  await served?.stop();
  await rm(fx.dir, { recursive: true, force: true });
});

describe('recon serve: every call with hostile arguments over the bridge', () => {
  const names = Object.keys(contract) as CallName[];
  let cases: Map<CallName, unknown[]>;
  beforeAll(() => {
    cases = new Map();
    // 200,000 characters: the bridge takes messages up to MAX_MESSAGE_MIB (64 MiB). JSON has no undefined: a message without
    // args is not a call at all (the bridge drops such a socket, tested below), so that payload is left to the in-process suite.
    for (const { name, args } of hostileCases(ctx, 200_000)) if (args !== undefined) cases.set(name, [...(cases.get(name) ?? []), args]);
  });

  it.each(names)('%s: a result or error data, never INTERNAL_ERROR, and the host still serves', async (name) => {
    const problems: string[] = [];
    for (const args of cases.get(name) ?? []) {
      const reply = await call(name, args);
      const problem = typeof reply === 'string' ? reply : replyProblem(name, reply);
      if (problem) problems.push(`${caseLabel(name, args)} → ${problem}`);
    }
    expect(problems).toEqual([]);
    expect(await call('app.version', {})).toMatchObject({ ok: true, value: { host: 'browser' } });
    expect(served.problems()).toEqual([]);
  }, 600_000);
});

describe('recon serve: what a page sends that is not a call', () => {
  const closed = (socket: WebSocket): Promise<number> => new Promise((resolve) => socket.once('close', (code) => resolve(code)));

  it('oversize, invalid UTF-8, binary and malformed messages close that socket only; the host serves on', async () => {
    const sends: ((s: WebSocket) => void)[] = [
      (s) => s.send(JSON.stringify({ type: 'call', id: 1, name: 'app.version', args: { pad: 'x'.repeat((MAX_MESSAGE_MIB << 20) + 1) } })),
      (s) => s.send(Buffer.from([0xff, 0xfe, 0xfd]), { binary: false }),
      (s) => s.send(Buffer.from([1, 2, 3]), { binary: true }),
      (s) => s.send('{"type":"call",'),
      (s) => s.send(JSON.stringify({ type: 'call', id: -1, name: 'app.version', args: {} })),
      (s) => s.send(JSON.stringify({ type: 'call', id: 2, name: 'app.version' })),
    ];
    for (const send of sends) {
      const socket = await connect();
      socket.on('error', () => undefined);
      const done = closed(socket);
      send(socket);
      expect([1007, 1008, 1009]).toContain(await done);
    }
    expect(await call('app.version', {})).toMatchObject({ ok: true });
    expect(served.child.exitCode).toBeNull();
    expect(served.problems()).toEqual([]);
  });
});
