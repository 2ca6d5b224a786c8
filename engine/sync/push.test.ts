/**
 * Push against a real PostgreSQL: replays leave the server unchanged, a gap
 * makes the client resend from the server's head, and an event the server
 * cannot chain is parked without losing what came before it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '../store/sql.ts';
import { buildTrail } from '../workflow/testing/scenario.ts';
import { tempDir } from '../workflow/testing/fixtures.ts';
import { withClient } from './connection.ts';
import { clearParked } from './local-state.ts';
import { pushBatch, pushOutbox } from './push.ts';
import { testDeviceKeyEnv } from './testing/device-key-file.ts';
import { verifyRemoteChains } from './remote-verify.ts';
import { readSyncStatus } from './status.ts';
import { queueEvents } from './testing/events.ts';
import { openDevice, serverCounts, serverDump, type Device } from './testing/devices.ts';
import { grantServerRoles, startTestPg, type TestPg } from './testing/pg-server.ts';

let server: TestPg;
let tmp: ReturnType<typeof tempDir>;
const devices: Device[] = [];

beforeAll(async () => {
  tmp = tempDir('recon-sync-push-');
  server = await startTestPg();
  await grantServerRoles(server, { ada: ['admin'], alice: ['analyst'], bob: ['approver'], carol: ['analyst', 'approver'] });
}, 180_000);

afterAll(async () => {
  for (const d of devices) await d.close();
  await server?.destroy();
  tmp?.cleanup();
});

function device(name: string): Device {
  const d = openDevice(tmp.dir, name, server);
  devices.push(d);
  return d;
}

const outboxRows = (d: Device, from: number, to: number) =>
  d.store.read((tx) => tx.all<{ seq: number; payload: string }>(sql`SELECT seq, payload FROM outbox WHERE device_id = ${d.store.deviceId} AND seq BETWEEN ${from} AND ${to} ORDER BY seq`));

describe('push', () => {
  it('replays every batch twice and ten times: the server state stays identical', async () => {
    const d = device('replay');
    await buildTrail(d.store, 30);
    const r = await pushOutbox(d.store, d.pool, { batchSize: 25, env: testDeviceKeyEnv() });
    expect(r.batches).toBeGreaterThan(3);
    const once = await serverDump(server);
    const head = r.serverSeq;
    for (const times of [2, 10]) {
      for (let from = 1; from <= head; from += 25) {
        const rows = outboxRows(d, from, from + 24);
        for (let i = 0; i < times; i++) {
          const ack = await withClient(d.pool, (c) => pushBatch(c, d.store.deviceId, rows));
          expect(ack.head).toBe(head);
        }
      }
      expect(await serverDump(server)).toBe(once);
    }
    const counts = (await serverCounts(server)).find((c) => c.device_id === d.store.deviceId)!;
    expect(counts).toMatchObject({ n: head, max: head, distinct_ids: head });
  });

  it('refuses a gap; the client resends from the seq after the server head', async () => {
    const d = device('gap');
    queueEvents(d.store, 5);
    await pushOutbox(d.store, d.pool, { env: testDeviceKeyEnv() });
    queueEvents(d.store, 10);
    // As if the server were restored from a backup that lost seq 6..9 after acknowledging them.
    d.store.write((tx) => tx.run(sql`UPDATE outbox SET pushed_at = ${tx.now} WHERE seq BETWEEN 6 AND 9`));
    const r = await pushOutbox(d.store, d.pool, { env: testDeviceKeyEnv() });
    expect(r).toMatchObject({ gaps: 1, serverSeq: 15 });
    expect((await serverCounts(server)).find((c) => c.device_id === d.store.deviceId)).toMatchObject({ n: 15, max: 15 });
  });

  it('parks an event the server cannot chain; the events before it still arrive', async () => {
    const d = device('invalid');
    queueEvents(d.store, 12);
    // An edited outbox payload (its triggers dropped, as an attacker would): the hash no longer matches.
    d.store.db.exec('DROP TRIGGER outbox_payload_immutable');
    d.store.db.prepare("UPDATE outbox SET payload = replace(payload, '\"rows\":7', '\"rows\":70') WHERE seq = 8").run();
    const r = await pushOutbox(d.store, d.pool, { batchSize: 5, env: testDeviceKeyEnv() });
    expect(r).toMatchObject({ serverSeq: 7, blockedFrom: 8, parked: 1 });
    const status = readSyncStatus(d.store);
    expect(status).toMatchObject({ blockedFromSeq: 8, queueLength: 5 });
    expect(status.parked).toMatchObject([{ kind: 'INVALID', code: 'HASH_MISMATCH', fromSeq: 8, toSeq: 12 }]);
    // Cleared by the user, it is tried again and parked again: nothing is lost or skipped.
    expect(clearParked(d.store, { deviceId: d.store.deviceId })).toBe(1);
    expect(await pushOutbox(d.store, d.pool, { env: testDeviceKeyEnv() })).toMatchObject({ serverSeq: 7, blockedFrom: 8 });
    expect((await withClient(d.pool, (c) => verifyRemoteChains(c))).ok).toBe(true);
  });
});
