/**
 * Events are signed (server migration 010): each attack reproduced against a
 * real PostgreSQL. A correctly hashed event without the device's signature is
 * refused whatever the login; no login registers or replaces another device's
 * key; a superuser's edit that keeps the hash chain consistent is caught by
 * every pulling workstation and by `verify --remote`; events from before
 * signatures are reported as such, and a signature removed after is a failure.
 */
import { generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashEvent, type AuditEvent } from '../store/audit-log.ts';
import { canonicalJson } from '../store/canonical-json.ts';
import { localDeviceKey, signEvent } from '../store/event-signature.ts';
import { sql } from '../store/sql.ts';
import { verifyTrail } from '../workflow/chain-state.ts';
import { tempDir } from '../workflow/testing/fixtures.ts';
import { withClient } from './connection.ts';
import type { Keychain } from './credentials.ts';
import { deviceKeyAccount } from './device-key.ts';
import { verifyRemoteChains } from './remote-verify.ts';
import { migrateServer } from './server-migrate.ts';
import { readSyncStatus } from './status.ts';
import { openDevice, type Device } from './testing/devices.ts';
import { queueEvents } from './testing/events.ts';
import { createLogin, startTestPg, type TestPg } from './testing/pg-server.ts';

let server: TestPg;
let tmp: ReturnType<typeof tempDir>;
const devices: Device[] = [];

beforeAll(async () => {
  tmp = tempDir('recon-sync-signatures-');
  server = await startTestPg();
  for (const login of ['sig_ada', 'sig_bob', 'mallory']) await createLogin(server, login);
}, 180_000);

afterAll(async () => {
  for (const d of devices) await d.close();
  await server?.destroy();
  tmp?.cleanup();
});

/** A keychain in memory, as @napi-rs/keyring behaves (a test never touches the developer's keychain). */
function memoryKeychain(): Keychain & { entries: Map<string, string> } {
  const entries = new Map<string, string>();
  return { entries, set: (a, p) => void entries.set(a, p), get: (a) => entries.get(a) ?? null, delete: (a) => entries.delete(a) };
}

function device(name: string, login: string, srv = server): Device & { keychain: ReturnType<typeof memoryKeychain>; push: () => ReturnType<Device['sync']> } {
  const d = openDevice(tmp.dir, name, srv, { login });
  devices.push(d);
  const keychain = memoryKeychain();
  // No key file: the key lives in this device's keychain.
  return Object.assign(d, { keychain, push: () => d.sync({ keychain, env: {} }) });
}

async function loginClient(login: string, srv = server): Promise<pg.Client> {
  const c = new pg.Client({ ...srv.settings(undefined, login), password: srv.info.sync.password });
  c.on('error', () => undefined);
  await c.connect();
  return c;
}

const codeOf = (p: Promise<unknown>): Promise<{ code?: string; detail?: string; message?: string } | undefined> =>
  p.then(
    () => undefined,
    (e: { code?: string; detail?: string; message?: string }) => ({ code: e.code, detail: e.detail, message: e.message }),
  );

/** A correctly hashed next event for a device's chain, signed with `key` (or not at all). */
async function forgeNext(c: pg.ClientBase, deviceId: string, key: KeyObject | null): Promise<{ seq: number; err: Awaited<ReturnType<typeof codeOf>> }> {
  const head = (await c.query<{ seq: string; hash: string }>('SELECT seq, hash FROM recon.chain_heads WHERE device_id = $1', [deviceId])).rows[0]!;
  const partial: Omit<AuditEvent, 'hash'> = {
    event_id: randomUUID(),
    device_id: deviceId,
    seq: Number(head.seq) + 1,
    actor: 'ada',
    at: new Date().toISOString(),
    action: 'export.written',
    target: 'export:forged',
    before: null,
    after: { kind: 'csv', path: '/exports/forged.csv', rows: 1 },
    comment: null,
    prev_hash: head.hash,
  };
  const hash = hashEvent(partial);
  const sig = key ? Buffer.from(signEvent(key, deviceId, partial.seq, hash), 'base64') : null;
  const err = await codeOf(c.query('INSERT INTO recon.audit_events (device_id, seq, event, signature) VALUES ($1, $2, $3::json, $4)', [deviceId, partial.seq, canonicalJson({ ...partial, hash }), sig]));
  return { seq: partial.seq, err };
}

describe('the server refuses events the device did not sign', () => {
  it('refuses a correctly hashed event with no signature or a wrong one, over the device login or another; the device pushes on', async () => {
    const ada = device('ada', 'sig_ada');
    queueEvents(ada.store, 3);
    expect((await ada.push()).push.acknowledged).toBe(3);
    const deviceId = ada.store.deviceId;
    const other = generateKeyPairSync('ed25519').privateKey;

    // Someone who has the device's login password (a shared login, a stolen one) but not its key.
    const sameLogin = await loginClient('sig_ada');
    const mallory = await loginClient('mallory');
    try {
      const unsigned = await forgeNext(sameLogin, deviceId, null);
      expect(unsigned.err?.code).toBe('RC002');
      expect(JSON.parse(unsigned.err?.detail ?? '{}')).toEqual({ seq: unsigned.seq, code: 'SIGNATURE_MISSING' });
      const wrongKey = await forgeNext(sameLogin, deviceId, other);
      expect(JSON.parse(wrongKey.err?.detail ?? '{}')).toEqual({ seq: wrongKey.seq, code: 'SIGNATURE_INVALID' });
      expect((await forgeNext(mallory, deviceId, other)).err?.detail).toMatch(/DEVICE_LOGIN_MISMATCH/);
    } finally {
      await sameLogin.end();
      await mallory.end();
    }
    queueEvents(ada.store, 2, 10, 'after-attack');
    expect((await ada.push()).push.acknowledged).toBe(2);
    expect(readSyncStatus(ada.store)).toMatchObject({ queueLength: 0, blockedFromSeq: null, parked: [] });
    const report = await withClient(ada.pool, (c) => verifyRemoteChains(c));
    expect(report).toMatchObject({ ok: true });
    expect(report.signatures).toMatchObject({ checked: 5, unsigned: 0, failures: [] });
  });

  it('a device whose key is not the registered one pushes nothing (the keychain entry lost)', async () => {
    const bob = device('bob-lost-key', 'sig_bob');
    queueEvents(bob.store, 2);
    await bob.push();
    bob.keychain.entries.clear(); // a new key is made on the next push
    queueEvents(bob.store, 1);
    await expect(bob.push()).rejects.toMatchObject({ code: 'SYNC_DEVICE_KEY' });
    expect(readSyncStatus(bob.store).queueLength).toBe(1);
  });

  it('keeps the key in the keychain and reuses it across pushes', async () => {
    const ada = device('ada-reuse', 'sig_ada');
    queueEvents(ada.store, 2);
    await ada.push();
    const account = deviceKeyAccount(ada.store.deviceId);
    const pem = ada.keychain.entries.get(account);
    expect(pem).toMatch(/BEGIN PRIVATE KEY/);
    queueEvents(ada.store, 2);
    await ada.push();
    expect([...ada.keychain.entries.keys()]).toEqual([account]);
    expect(ada.keychain.entries.get(account)).toBe(pem);
    const c = await server.admin();
    try {
      const n = await c.query<{ n: number }>('SELECT count(*)::int AS n FROM recon.device_keys WHERE device_id = $1', [ada.store.deviceId]);
      expect(n.rows[0]!.n).toBe(1);
    } finally {
      await c.end();
    }
    const local = verifyTrail(ada.store);
    expect(local).toMatchObject({ ok: true, signatures: { failures: [] } });
    expect(local.signatures!.checked).toBeGreaterThanOrEqual(4);
  });
});

describe('device keys', () => {
  it('no other login can register or replace a device key; nobody can update or delete one', async () => {
    const ada = device('ada-keys', 'sig_ada');
    queueEvents(ada.store, 1);
    await ada.push();
    const deviceId = ada.store.deviceId;
    const attackerKey = Buffer.alloc(32, 7);
    const mallory = await loginClient('mallory');
    const sameLogin = await loginClient('sig_ada');
    const owner = await server.admin();
    try {
      const taken = await codeOf(mallory.query('INSERT INTO recon.device_keys (device_id, public_key) VALUES ($1, $2)', [deviceId, attackerKey]));
      expect(taken).toMatchObject({ code: 'RC006' });
      expect(taken?.message).toMatch(/cannot register its key/);
      // Not even the device's own login replaces it: the first key stays.
      expect(await codeOf(sameLogin.query('INSERT INTO recon.device_keys (device_id, public_key) VALUES ($1, $2)', [deviceId, attackerKey]))).toMatchObject({ code: '23505' });
      expect(await codeOf(mallory.query('UPDATE recon.device_keys SET public_key = $2 WHERE device_id = $1', [deviceId, attackerKey]))).toMatchObject({ code: '42501' });
      expect(await codeOf(mallory.query('DELETE FROM recon.device_keys WHERE device_id = $1', [deviceId]))).toMatchObject({ code: '42501' });
      expect(await codeOf(owner.query('UPDATE recon.device_keys SET public_key = $2 WHERE device_id = $1', [deviceId, attackerKey]))).toMatchObject({ code: 'RC003' });
      expect(await codeOf(owner.query('DELETE FROM recon.device_keys WHERE device_id = $1', [deviceId]))).toMatchObject({ code: 'RC003' });
      const kept = await owner.query<{ k: string; login: string }>("SELECT encode(public_key, 'base64') AS k, login FROM recon.device_keys WHERE device_id = $1", [deviceId]);
      expect(kept.rows).toEqual([{ k: ada.store.read((tx) => localDeviceKey(tx, deviceId))!.publicKey, login: 'sig_ada' }]);
    } finally {
      await mallory.end();
      await sameLogin.end();
      await owner.end();
    }
  });
});

describe("a superuser's edit that keeps the hash chain", () => {
  it('is caught by the pull of another workstation, by verify --remote, and locally', async () => {
    const ada = device('ada-edited', 'sig_ada');
    const bob = device('bob-puller', 'sig_bob');
    queueEvents(ada.store, 4);
    await ada.push();
    await bob.push(); // pulls ada's 4 events and keeps her key
    expect(bob.store.read((tx) => localDeviceKey(tx, ada.store.deviceId))).not.toBeNull();
    queueEvents(ada.store, 1, 10, 'to-edit');
    await ada.push();

    // Behind the triggers: the last event's content changed and its hash recomputed, the head moved along.
    const su = await server.admin('superuser');
    const row = (await su.query<{ event: string; hash: string }>('SELECT event::text AS event, hash FROM recon.audit_events WHERE device_id = $1 AND seq = 5', [ada.store.deviceId])).rows[0]!;
    try {
      const original = JSON.parse(row.event) as AuditEvent;
      const edited: Omit<AuditEvent, 'hash'> = { ...original, after: { kind: 'csv', path: '/exports/elsewhere.csv', rows: 999 } };
      delete (edited as Partial<AuditEvent>).hash;
      const hash = hashEvent(edited);
      await su.query('ALTER TABLE recon.audit_events DISABLE TRIGGER USER');
      await su.query('UPDATE recon.audit_events SET event = $3::json, hash = $4 WHERE device_id = $1 AND seq = $2', [ada.store.deviceId, 5, canonicalJson({ ...edited, hash }), hash]);
      await su.query('ALTER TABLE recon.audit_events ENABLE TRIGGER USER');
      await su.query('UPDATE recon.chain_heads SET hash = $2 WHERE device_id = $1', [ada.store.deviceId, hash]);
    } finally {
      await su.end();
    }

    await expect(bob.push()).rejects.toMatchObject({ code: 'SYNC_REMOTE_CHAIN_BROKEN', details: { problem: 'SIGNATURE_INVALID' } });
    expect(bob.store.read((tx) => tx.get<{ seq: number }>(sql`SELECT seq FROM audit_heads WHERE device_id = ${ada.store.deviceId}`))).toEqual({ seq: 4 });
    const remote = await withClient(bob.pool, (c) => verifyRemoteChains(c));
    expect(remote).toMatchObject({ ok: false, firstBreak: { deviceId: ada.store.deviceId, seq: 5, problem: 'SIGNATURE_INVALID' } });
    expect(remote.signatures?.failures).toHaveLength(1);

    // The same edit made locally on a pulled event: local verify finds it (the pulled signature is kept).
    bob.store.db.exec('DROP TRIGGER audit_events_no_update');
    bob.store.db.prepare('UPDATE audit_events SET signature = ? WHERE device_id = ? AND seq = 4').run(Buffer.alloc(64).toString('base64'), ada.store.deviceId);
    expect(verifyTrail(bob.store)).toMatchObject({ ok: false, firstBreak: { seq: 4, problem: 'SIGNATURE_INVALID' } });

    // Put the server back: later tests pull every device.
    const fix = await server.admin('superuser');
    try {
      await fix.query('ALTER TABLE recon.audit_events DISABLE TRIGGER USER');
      await fix.query('UPDATE recon.audit_events SET event = $3::json, hash = $4 WHERE device_id = $1 AND seq = $2', [ada.store.deviceId, 5, row.event, row.hash]);
      await fix.query('ALTER TABLE recon.audit_events ENABLE TRIGGER USER');
      await fix.query('UPDATE recon.chain_heads SET hash = $2 WHERE device_id = $1', [ada.store.deviceId, row.hash]);
    } finally {
      await fix.end();
    }
    expect(await withClient(ada.pool, (c) => verifyRemoteChains(c))).toMatchObject({ ok: true });
  });

  it('a key replaced on the server: caught by a workstation that kept the key, at pull and by verify --remote', async () => {
    const ada = device('ada-rekeyed', 'sig_ada');
    const bob = device('bob-kept', 'sig_bob');
    queueEvents(ada.store, 2);
    await ada.push();
    await bob.push();
    const forger = generateKeyPairSync('ed25519');
    const raw = Buffer.from(forger.publicKey.export({ format: 'jwk' }).x!, 'base64url');
    const su = await server.admin('superuser');
    try {
      await su.query('ALTER TABLE recon.device_keys DISABLE TRIGGER USER');
      await su.query('UPDATE recon.device_keys SET public_key = $2 WHERE device_id = $1', [ada.store.deviceId, raw]);
      await su.query('ALTER TABLE recon.device_keys ENABLE TRIGGER USER');
    } finally {
      await su.end();
    }
    await expect(bob.push()).rejects.toMatchObject({ code: 'SYNC_REMOTE_CHAIN_BROKEN', details: { problem: 'KEY_MISMATCH' } });
    const keptKey = (d: string) => bob.store.read((tx) => localDeviceKey(tx, d));
    expect(await withClient(bob.pool, (c) => verifyRemoteChains(c, 5000, keptKey))).toMatchObject({ ok: false, firstBreak: { deviceId: ada.store.deviceId, problem: 'KEY_MISMATCH' } });
  });
});

describe('a server upgraded to signatures', () => {
  it('refuses migration 010 without the superuser setup, then keeps older events unsigned and reports them', async () => {
    const old = await startTestPg({ migrate: false });
    try {
      await createLogin(old, 'sig_ada');
      const owner = await old.admin();
      try {
        expect(await migrateServer(owner, undefined, 9)).toHaveLength(9);
      } finally {
        await owner.end();
      }
      const ada = device('ada-upgraded', 'sig_ada', old);
      queueEvents(ada.store, 3);
      // What a client from before signatures pushed.
      const rows = ada.store.read((tx) => tx.all<{ seq: number; payload: string }>(sql`SELECT seq, payload FROM outbox ORDER BY seq`));
      const c = await loginClient('sig_ada', old);
      try {
        for (const r of rows) await c.query('INSERT INTO recon.audit_events (device_id, seq, event) VALUES ($1, $2, $3::json)', [ada.store.deviceId, r.seq, r.payload]);
      } finally {
        await c.end();
      }

      const su = await old.admin('superuser');
      try {
        await su.query('DROP SCHEMA recon_crypto CASCADE');
        const o = await old.admin();
        try {
          await expect(migrateServer(o)).rejects.toThrow(/server-setup\/ed25519\.sql/);
        } finally {
          await o.end();
        }
        await su.query(readFileSync(fileURLToPath(new URL('./server-setup/ed25519.sql', import.meta.url)), 'utf8'));
      } finally {
        await su.end();
      }
      const o = await old.admin();
      try {
        expect(await migrateServer(o)).toContain(10);
      } finally {
        await o.end();
      }

      queueEvents(ada.store, 2, 10, 'signed');
      await ada.push();
      const report = await withClient(ada.pool, (cl) => verifyRemoteChains(cl));
      expect(report).toMatchObject({ ok: true, events: 5, signatures: { checked: 2, unsigned: 3, failures: [] } });

      // After the key is registered, an unsigned event of the device is a failure.
      const su2 = await old.admin('superuser');
      try {
        await su2.query('ALTER TABLE recon.audit_events DISABLE TRIGGER USER');
        await su2.query('UPDATE recon.audit_events SET signature = NULL WHERE device_id = $1 AND seq = 5', [ada.store.deviceId]);
        await su2.query('ALTER TABLE recon.audit_events ENABLE TRIGGER USER');
      } finally {
        await su2.end();
      }
      expect(await withClient(ada.pool, (cl) => verifyRemoteChains(cl))).toMatchObject({ ok: false, firstBreak: { seq: 5, problem: 'SIGNATURE_MISSING' } });
    } finally {
      await old.destroy();
    }
  }, 120_000);
});
