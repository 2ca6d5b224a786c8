/** SyncLoop without a reachable server: status, never a crash, and backoff between attempts. */
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../store/open.ts';
import { tempDir } from '../workflow/testing/fixtures.ts';
import { SyncLoop } from './sync-loop.ts';
import { saveConnection } from './local-state.ts';
import { readSyncStatus } from './status.ts';
import { queueEvents } from './testing/events.ts';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function workspace() {
  const tmp = tempDir('recon-sync-engine-');
  const store = openStore(tmp.dir);
  cleanups.push(() => tmp.cleanup(), () => store.close());
  return store;
}

describe('SyncLoop', () => {
  it('is disabled without a team connection, and says why when asked to sync', async () => {
    const store = workspace();
    const engine = new SyncLoop({ store });
    expect(engine.status()).toMatchObject({ state: 'disabled', configured: false, queueLength: 0, parked: [] });
    await expect(engine.syncNow()).rejects.toMatchObject({ code: 'SYNC_NOT_CONFIGURED', transient: false });
  });

  it('goes offline when the server is unreachable, backs off, keeps the queue, and stops cleanly', async () => {
    const store = workspace();
    // Port 1 on loopback: connection refused at once.
    saveConnection(store, { userId: 'ada', displayName: 'Ada' }, { host: '127.0.0.1', port: 1, database: 'recon', user: 'recon_sync', tls: 'disable', caFile: null });
    queueEvents(store, 3);
    const attempts: number[] = [];
    const engine = new SyncLoop({ store, password: () => 'x', backoff: { baseMs: 40, capMs: 200, random: () => 0.5 } });
    engine.onStatus((s) => {
      if (s.state === 'syncing') attempts.push(Date.now());
    });
    engine.start();
    while (engine.status().failures < 4) await new Promise((r) => setTimeout(r, 10));
    await engine.stop();
    const s = engine.status();
    expect(s).toMatchObject({ state: 'offline', configured: true, server: 'recon_sync@127.0.0.1:1/recon', lastError: { code: 'SYNC_OFFLINE' } });
    // 4 audit events: the 3 queued and the connection setting itself.
    expect(readSyncStatus(store).queueLength).toBe(4);
    const gaps = attempts.slice(1).map((t, i) => t - attempts[i]!);
    // Nominal delays 40, 80, 160 ms at random 0.5 → 30, 60, 120 (timers may run late, never early).
    expect(gaps.slice(0, 3).map((g, i) => g >= [30, 60, 120][i]! - 5)).toEqual([true, true, true]);
  });
});
