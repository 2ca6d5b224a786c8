/**
 * Signed checkpoints make truncation detectable (server migration 014,
 * sync/checkpoints.ts). Before: deleting the tail of a chain together with
 * its outbox rows and head went undetected locally, and the schema owner
 * could disable the append-only trigger, delete a device's last events, fix
 * chain_heads, and `verify --remote` still reported OK.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyTrail } from '../workflow/chain-state.ts';
import { verifyRemote } from './api.ts';
import { keptCheckpoints } from '../store/checkpoint-anchors.ts';
import { sqlState } from './errors.ts';
import { openDevice, type Device } from './testing/devices.ts';
import { queueEvents } from './testing/events.ts';
import { createLogin, grantServerRoles, startTestPg, type TestPg } from './testing/pg-server.ts';
import { tempDir } from '../workflow/testing/fixtures.ts';
import { testDeviceKeyEnv } from './testing/device-key-file.ts';

let server: TestPg;
let tmp: ReturnType<typeof tempDir>;
const devices: Device[] = [];

beforeAll(async () => {
  tmp = tempDir('recon-sync-checkpoints-');
  server = await startTestPg();
  await grantServerRoles(server, { alice: ['analyst'], bob: ['approver'] });
  await createLogin(server, 'mallory');
}, 180_000);

afterAll(async () => {
  for (const d of devices) await d.close();
  await server?.destroy();
  tmp?.cleanup();
});

function device(name: string, login: string): Device {
  const d = openDevice(tmp.dir, name, server, { login });
  devices.push(d);
  return d;
}

const remote = (d: Device) => verifyRemote(d.store, { connection: d.settings, env: { PGPASSWORD: d.password, ...testDeviceKeyEnv() } });

async function asSuperuser<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = await server.admin('superuser');
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** What the schema owner (or a superuser) can do: triggers off, the tail of a device's chain gone, heads and checkpoints "fixed". */
async function truncateOnServer(deviceId: string, keep: number): Promise<void> {
  await asSuperuser(async (c) => {
    await c.query('BEGIN');
    for (const t of ['audit_events', 'event_outcomes', 'checkpoints', 'chain_heads']) await c.query(`ALTER TABLE recon.${t} DISABLE TRIGGER USER`);
    await c.query('DELETE FROM recon.event_outcomes WHERE device_id = $1 AND seq > $2', [deviceId, keep]);
    await c.query('DELETE FROM recon.checkpoints WHERE device_id = $1 AND seq > $2', [deviceId, keep]);
    await c.query('DELETE FROM recon.audit_events WHERE device_id = $1 AND seq > $2', [deviceId, keep]);
    await c.query('UPDATE recon.chain_heads SET seq = $2, hash = (SELECT hash FROM recon.audit_events WHERE device_id = $1 AND seq = $2) WHERE device_id = $1', [deviceId, keep]);
    for (const t of ['audit_events', 'event_outcomes', 'checkpoints', 'chain_heads']) await c.query(`ALTER TABLE recon.${t} ENABLE TRIGGER USER`);
    await c.query('COMMIT');
  });
}

describe('signed checkpoints', () => {
  it('each push signs the pushed head; other workstations keep the latest checkpoint they saw', async () => {
    const maker = device('maker', 'alice');
    const other = device('other', 'bob');
    queueEvents(maker.store, 12);
    await maker.sync();
    expect(maker.store.read((tx) => keptCheckpoints(tx))).toEqual([expect.objectContaining({ deviceId: maker.store.deviceId, seq: 12, own: true })]);
    await other.sync();
    expect(other.store.read((tx) => keptCheckpoints(tx))).toEqual([expect.objectContaining({ deviceId: maker.store.deviceId, seq: 12, own: false })]);
    expect(await remote(other)).toMatchObject({ ok: true });
  });

  it('the server refuses a checkpoint over another login, with a bad signature, or past the chain', async () => {
    const maker = devices[0]!;
    const c = new pg.Client({ ...server.settings(undefined, 'mallory'), password: server.info.sync.password });
    c.on('error', () => undefined);
    await c.connect();
    try {
      const forged = await c
        .query("INSERT INTO recon.checkpoints (device_id, seq, hash, signed_at, signature) VALUES ($1, 12, $2, 'x', decode(repeat('00', 64), 'hex'))", [maker.store.deviceId, 'f'.repeat(64)])
        .then(
          () => null,
          (e: unknown) => e,
        );
      expect(sqlState(forged)).toBe('RC005');
      expect((forged as Error).message).toMatch(/pushes over the login alice, not mallory/);
    } finally {
      await c.end();
    }
    const own = new pg.Client({ ...server.settings(undefined, 'alice'), password: server.info.sync.password });
    own.on('error', () => undefined);
    await own.connect();
    try {
      const past = await own.query("INSERT INTO recon.checkpoints (device_id, seq, hash, signed_at, signature) VALUES ($1, 99, $2, 'x', decode(repeat('00', 64), 'hex'))", [maker.store.deviceId, 'f'.repeat(64)]).then(
        () => null,
        (e: unknown) => e,
      );
      expect(sqlState(past)).toBe('RC005');
    } finally {
      await own.end();
    }
  });

  it('a tail deleted on the server by its owner, heads and checkpoints fixed, is found by every workstation that saw it', async () => {
    const [maker, other] = devices as [Device, Device];
    queueEvents(maker.store, 8, 1000, 'more');
    await maker.sync();
    await other.sync();
    await truncateOnServer(maker.store.deviceId, 15);
    for (const d of [maker, other]) {
      const r = await remote(d);
      expect(r.ok).toBe(false);
      expect(r.firstBreak).toMatchObject({ deviceId: maker.store.deviceId, problem: 'TRUNCATED' });
      expect(r.firstBreak!.message).toMatch(/the team server's copy ends at seq 15, but .* is at seq (2\d)/);
    }
    // A workstation that never saw the lost events has no anchor for them: that limit is documented.
    const fresh = device('fresh', 'bob');
    await fresh.sync();
    expect(await remote(fresh)).toMatchObject({ ok: true });
  });

  it('a tail deleted locally with its outbox rows and head is found against the own checkpoint, and against the server', async () => {
    const solo = device('solo', 'alice');
    queueEvents(solo.store, 10);
    await solo.sync();
    const db = solo.store.db;
    // Whoever edits the file can drop the append-only triggers first.
    for (const t of ['audit_events_no_delete', 'outbox_no_delete']) db.prepare(`DROP TRIGGER ${t}`).run();
    db.prepare('DELETE FROM audit_events WHERE device_id = ? AND seq > 7').run(solo.store.deviceId);
    db.prepare('DELETE FROM outbox WHERE device_id = ? AND seq > 7').run(solo.store.deviceId);
    db.prepare('UPDATE audit_heads SET seq = 7, hash = (SELECT hash FROM audit_events WHERE device_id = ? AND seq = 7) WHERE device_id = ?').run(solo.store.deviceId, solo.store.deviceId);
    const local = verifyTrail(solo.store);
    expect(local.ok).toBe(false);
    expect(local.firstBreak).toMatchObject({ deviceId: solo.store.deviceId, problem: 'TRUNCATED' });
    // Also without the checkpoint row: the team server's copy is the anchor.
    db.prepare('DROP TRIGGER chain_checkpoints_forward').run();
    db.prepare('DELETE FROM chain_checkpoints WHERE device_id = ?').run(solo.store.deviceId);
    const r = await remote(solo);
    expect(r.ok).toBe(false);
    expect(r.firstBreak).toMatchObject({ deviceId: solo.store.deviceId, problem: 'TRUNCATED' });
    expect(r.firstBreak!.message).toMatch(/this workspace's chain ends at seq 7/);
  });
});
