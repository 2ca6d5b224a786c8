import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { BridgeSocket } from './ws-transport.ts';
import { wsTransport } from './ws-transport.ts';

/** A socket the test drives: what the page sent, and the host's side (open, reply, close). */
class FakeSocket implements BridgeSocket {
  sent: string[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((e: { data: string }) => void) | null = null;
  onclose: ((e: { code: number; reason: string }) => void) | null = null;
  send(data: string): void {
    this.sent.push(data);
  }
  reply(id: number, value: unknown): void {
    this.onmessage?.({ data: JSON.stringify({ type: 'reply', id, reply: { ok: true, value } }) });
  }
}

let sockets: FakeSocket[];
const open = (): FakeSocket => {
  const s = new FakeSocket();
  sockets.push(s);
  return s;
};
const last = (): FakeSocket => sockets[sockets.length - 1] as FakeSocket;

beforeEach(() => {
  sockets = [];
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('the browser transport', () => {
  it('refuses a call over the limit without sending it; the socket and other calls carry on', async () => {
    const t = wsTransport('ab', { open, maxBytes: 200 });
    last().onopen?.();
    const big = await t.invoke('definitions.save', { definition: { name: 'x'.repeat(300) } });
    expect(big).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT', details: { reason: 'MESSAGE_TOO_BIG', limit: 200 } } });
    expect(last().sent).toEqual([]);
    const small = t.invoke('app.version', {});
    const id = (JSON.parse(last().sent[0] as string) as { id: number }).id;
    last().reply(id, { version: '1' });
    expect(await small).toEqual({ ok: true, value: { version: '1' } });
    expect(sockets).toHaveLength(1);
  });

  it('answers the calls in flight with the host’s reason when it closes the socket 1009, then reconnects', async () => {
    const t = wsTransport('ab', { open });
    last().onopen?.();
    const inFlight = t.invoke('definitions.save', { definition: { name: 'x' } });
    last().onclose?.({ code: 1009, reason: 'message too big: the bridge takes messages of at most 64 MiB' });
    const r = await inFlight;
    expect(r).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT', details: { reason: 'BRIDGE_REFUSED', closeCode: 1009 } } });
    expect(!r.ok && r.error.message).toContain('message too big: the bridge takes messages of at most 64 MiB');
    // A call made while it reconnects waits for the new socket, and is answered there.
    const later = t.invoke('app.version', {});
    await vi.advanceTimersByTimeAsync(600);
    expect(sockets).toHaveLength(2);
    last().onopen?.();
    const id = (JSON.parse(last().sent[0] as string) as { id: number }).id;
    last().reply(id, { version: '2' });
    expect(await later).toEqual({ ok: true, value: { version: '2' } });
  });

  it('after its last try, answers every waiting and later call with why the socket closed', async () => {
    const t = wsTransport('ab', { open });
    for (let i = 0; i < 5; i++) {
      last().onclose?.({ code: 1006, reason: '' });
      await vi.advanceTimersByTimeAsync(500 * 2 ** i + 1);
    }
    const waiting = t.invoke('app.version', {});
    last().onclose?.({ code: 1006, reason: '' });
    expect(await waiting).toMatchObject({ ok: false, error: { code: 'INTERNAL_ERROR' } });
    expect(await t.invoke('app.version', {})).toMatchObject({ ok: false, error: { message: expect.stringContaining('reload the page') } });
    expect(sockets).toHaveLength(6);
  });
});
