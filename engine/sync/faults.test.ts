/**
 * Fault injection against a real PostgreSQL: connections dropped before
 * COMMIT, after COMMIT but before the acknowledgement and half-way through a
 * batch (a TCP proxy this test controls), a server restart during a sync,
 * and a long outage with the sync engine restarted several times. After the
 * retries: no duplicates, no gaps (count = max(seq) per device), and the
 * server's chain verifies.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../workflow/testing/fixtures.ts';
import { withClient } from './connection.ts';
import { SyncLoop } from './sync-loop.ts';
import { testDeviceKeyEnv } from './testing/device-key-file.ts';
import { classifyError } from './errors.ts';
import { verifyRemoteChains } from './remote-verify.ts';
import { readSyncStatus } from './status.ts';
import { openDevice, serverCounts, type Device } from './testing/devices.ts';
import { queueEvents } from './testing/events.ts';
import { startFaultProxy, type Fault, type FaultProxy } from './testing/fault-proxy.ts';
import { startTestPg, type TestPg } from './testing/pg-server.ts';

let server: TestPg;
let proxy: FaultProxy;
let tmp: ReturnType<typeof tempDir>;
let dev: Device;

beforeAll(async () => {
  tmp = tempDir('recon-sync-faults-');
  server = await startTestPg();
  proxy = await startFaultProxy(server.info.port);
  dev = openDevice(tmp.dir, 'dev', server, proxy.port);
}, 180_000);

afterAll(async () => {
  await dev?.close();
  await proxy?.close();
  await server?.destroy();
  tmp?.cleanup();
});

/** No duplicates, no gaps, everything acknowledged, and the server chain verifies. */
async function expectConsistent(d: Device): Promise<void> {
  const local = d.store.read((tx) => tx.get<{ n: number }>({ text: 'SELECT max(seq) AS n FROM outbox WHERE device_id = ?', params: [d.store.deviceId] }))!.n;
  expect((await serverCounts(server)).find((c) => c.device_id === d.store.deviceId)).toEqual({ device_id: d.store.deviceId, n: local, max: local, distinct_ids: local });
  expect(readSyncStatus(d.store).queueLength).toBe(0);
  expect(await withClient(d.pool, (c) => verifyRemoteChains(c))).toMatchObject({ ok: true });
}

const until = async (cond: () => boolean, ms: number): Promise<void> => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('faults', () => {
  it.each<Fault>(['before-commit', 'after-commit', 'mid-batch'])('connection dropped %s: retried, nothing lost or doubled', async (fault) => {
    queueEvents(dev.store, 250, 250, fault);
    const fired = proxy.fired();
    proxy.arm(fault);
    const failure = await dev.sync({ batchSize: 100 }).then(
      () => null,
      (err: unknown) => err,
    );
    expect(proxy.fired()).toBe(fired + 1);
    expect(classifyError(failure)).toMatchObject({ code: 'SYNC_OFFLINE', transient: true });
    // After COMMIT the server holds the batch the client never heard about; it is resent and skipped.
    if (fault === 'after-commit') expect(readSyncStatus(dev.store).queueLength).toBeGreaterThan(0);
    await dev.sync({ batchSize: 100 });
    await expectConsistent(dev);
  });

  it('survives a server restart in the middle of a sync', async () => {
    queueEvents(dev.store, 3000, 1000, 'restart');
    const errors: string[] = [];
    const logs: string[] = [];
    const engine = new SyncLoop({
      store: dev.store,
      connection: dev.settings,
      password: () => dev.password,
      env: testDeviceKeyEnv(),
      batchSize: 50,
      evidence: false,
      backoff: { baseMs: 50, capMs: 400 },
      intervalMs: 60_000,
      log: (line) => logs.push(line),
    });
    engine.onStatus((s) => {
      if (s.lastError) errors.push(s.lastError.code);
    });
    const before = readSyncStatus(dev.store).serverSeq ?? 0;
    engine.start();
    await until(() => (readSyncStatus(dev.store).serverSeq ?? 0) > before + 200, 30_000);
    await server.restart();
    await until(() => readSyncStatus(dev.store).queueLength === 0 && engine.status().state === 'online', 60_000);
    await engine.stop();
    // The restart was seen (a failed cycle, or an idle connection lost) and only ever as "offline".
    expect(logs.filter((l) => /failed|connection lost/.test(l)).length).toBeGreaterThan(0);
    expect(errors.every((code) => code === 'SYNC_OFFLINE')).toBe(true);
    await expectConsistent(dev);
  });

  it('queues 5,000 events while the server is down, across engine restarts; all arrive once it is back', async () => {
    await server.stopServer();
    const make = () => new SyncLoop({ store: dev.store, connection: dev.settings, password: () => dev.password, env: testDeviceKeyEnv(), batchSize: 1000, evidence: false, backoff: { baseMs: 20, capMs: 100 } });
    for (let restart = 0; restart < 3; restart++) {
      queueEvents(dev.store, 5000 / 5, 500, `offline-${restart}`);
      const engine = make();
      engine.start();
      await until(() => engine.status().failures >= 2, 20_000);
      expect(engine.status()).toMatchObject({ state: 'offline', lastError: { code: 'SYNC_OFFLINE' } });
      await engine.stop(); // the app quits while offline
    }
    queueEvents(dev.store, 2000, 1000, 'offline-last');
    expect(readSyncStatus(dev.store).queueLength).toBe(5000);
    await server.startServer();
    const t0 = performance.now();
    const engine = make();
    engine.start();
    await until(() => readSyncStatus(dev.store).queueLength === 0, 120_000);
    const ms = performance.now() - t0;
    await engine.stop();
    process.stdout.write(`sync offline catch-up: 5,000 events in ${Math.round(ms)} ms (${Math.round(5000 / (ms / 1000))} events/s)\n`);
    await expectConsistent(dev);
  });
});
