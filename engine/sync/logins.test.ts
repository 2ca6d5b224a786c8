/**
 * The server binds people and devices to PostgreSQL logins (server migration
 * 009): a person's act counts only when pushed over the login an admin bound
 * them to, an approval never over the login that pushed the proposal, a
 * device's chain only grows over the login of its first push, and no team
 * login can hold the locks every push waits for.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBreakSource } from '../run-file/break-source.ts';
import { hashEvent, type AuditEvent } from '../store/audit-log.ts';
import { canonicalJson } from '../store/canonical-json.ts';
import { approveProposal } from '../workflow/approvals.ts';
import { verifyTrail } from '../workflow/chain-state.ts';
import { decide } from '../workflow/decisions.ts';
import { saveDefinition } from '../workflow/definitions.ts';
import { addUser } from '../workflow/roles.ts';
import { ADA, CAROL, seedRun, seedUsers, tempDir } from '../workflow/testing/fixtures.ts';
import { writeRunFile } from '../workflow/testing/run-file.ts';
import { withClient } from './connection.ts';
import { verifyRemoteChains } from './remote-verify.ts';
import { readSyncStatus } from './status.ts';
import { openDevice, type Device } from './testing/devices.ts';
import { queueEvents } from './testing/events.ts';
import { createLogin, grantServerRoles, startTestPg, type TestPg } from './testing/pg-server.ts';

const DAVE = { userId: 'dave', displayName: 'Dave' };
let server: TestPg;
let tmp: ReturnType<typeof tempDir>;
const devices: Device[] = [];
let runFile = '';

beforeAll(async () => {
  tmp = tempDir('recon-sync-logins-');
  server = await startTestPg();
  runFile = join(tmp.dir, 'run.duckdb');
  await writeRunFile(runFile, 100);
}, 180_000);

afterAll(async () => {
  for (const d of devices) await d.close();
  await server?.destroy();
  tmp?.cleanup();
});

function device(name: string, login?: string): Device {
  const d = openDevice(tmp.dir, name, server, { login });
  devices.push(d);
  return d;
}

async function propose(d: Device, runId: string, breakId: number): Promise<string> {
  const source = await openBreakSource(runFile);
  try {
    const p = await decide(d.store, source, CAROL, { runId, breakId, kind: 'OVERRIDE', reason: 'FX_DIFF', comment: 'EUR' });
    expect(p.proposal).toBe(true);
    return p.decisionId;
  } finally {
    source.close();
  }
}

async function serverRows<T extends pg.QueryResultRow>(text: string, params: unknown[] = []): Promise<T[]> {
  const c = await server.admin();
  try {
    return (await c.query<T>(text, params)).rows;
  } finally {
    await c.end();
  }
}

async function loginClient(login: string): Promise<pg.Client> {
  const c = new pg.Client({ ...server.settings(undefined, login), password: server.info.sync.password });
  c.on('error', () => undefined);
  await c.connect();
  return c;
}

const codeOf = (p: Promise<unknown>): Promise<{ code?: string; detail?: string } | undefined> =>
  p.then(
    () => undefined,
    (e: { code?: string; detail?: string }) => ({ code: e.code, detail: e.detail }),
  );

let carolDev: Device;
let daveDev: Device;

/** As another login: reads a device's head and appends a correctly hashed event to its chain. */
async function appendForged(attacker: pg.Client, deviceId: string): Promise<{ seq: number; err: { code?: string; detail?: string } | undefined }> {
  const head = (await attacker.query<{ seq: string; hash: string }>('SELECT seq, hash FROM recon.chain_heads WHERE device_id = $1', [deviceId])).rows[0]!;
  const partial: Omit<AuditEvent, 'hash'> = {
    event_id: randomUUID(),
    device_id: deviceId,
    seq: Number(head.seq) + 1,
    actor: 'carol',
    at: new Date().toISOString(),
    action: 'export.written',
    target: 'export:forged',
    before: null,
    after: { kind: 'csv', path: '/exports/forged.csv', rows: 1 },
    comment: null,
    prev_hash: head.hash,
  };
  const event = canonicalJson({ ...partial, hash: hashEvent(partial) });
  const err = await codeOf(attacker.query('INSERT INTO recon.audit_events (device_id, seq, event) VALUES ($1, $2, $3::json)', [deviceId, partial.seq, event]));
  return { seq: partial.seq, err };
}

describe('people bound to logins', () => {
  it('refuses carol proposing and dave approving over one shared login', async () => {
    await grantServerRoles(server, { carol: ['analyst', 'approver'], dave: ['analyst', 'approver'] }, { carol: null, dave: null });
    const shared = device('shared'); // the shared recon_sync login
    seedUsers(shared.store);
    addUser(shared.store, ADA, { userId: DAVE.userId, displayName: DAVE.displayName, roles: ['approver'] });
    seedRun(shared.store, 'run-shared', runFile);
    const id = await propose(shared, 'run-shared', 4);
    approveProposal(shared.store, DAVE, id); // two people on one workstation: the local 4-eye rule is satisfied
    saveDefinition(shared.store, CAROL, { name: 'Shared', key: ['id'], fields: [{ name: 'id' }], attribution: { threshold: 0.85, unknownRateLimit: 0.05 } });
    await shared.sync();
    expect(await serverRows('SELECT state, refusal_code FROM recon.decisions WHERE decision_id = $1', [id])).toEqual([{ state: 'REFUSED', refusal_code: 'LOGIN_MISMATCH' }]);
    expect(await serverRows('SELECT state, refusal_code FROM recon.approvals WHERE decision_id = $1', [id])).toEqual([{ state: 'REFUSED', refusal_code: 'LOGIN_MISMATCH' }]);
    expect(await serverRows("SELECT status FROM recon.break_status WHERE run_id = 'run-shared'")).toEqual([]);
    expect(await serverRows("SELECT name FROM recon.definitions WHERE name = 'Shared'")).toEqual([]);
    expect(readSyncStatus(shared.store).parked.map((p) => p.code)).toEqual(['LOGIN_MISMATCH', 'LOGIN_MISMATCH', 'LOGIN_MISMATCH']);
  });

  it('with each bound to their own login, carol proposes and dave approves', async () => {
    await grantServerRoles(server, { carol: ['analyst', 'approver'], dave: ['analyst', 'approver'] });
    carolDev = device('carol', 'carol');
    daveDev = device('dave', 'dave');
    seedUsers(carolDev.store);
    seedRun(carolDev.store, 'run-c', runFile);
    const id = await propose(carolDev, 'run-c', 8);
    await carolDev.sync();
    await daveDev.sync();
    approveProposal(daveDev.store, DAVE, id);
    await daveDev.sync();
    expect(await serverRows('SELECT state, approver FROM recon.approvals WHERE decision_id = $1', [id])).toEqual([{ state: 'APPLIED', approver: 'dave' }]);
    expect(await serverRows("SELECT status FROM recon.break_status WHERE run_id = 'run-c' AND break_id = 8")).toEqual([{ status: 'OVERRIDDEN' }]);
    expect(readSyncStatus(daveDev.store).parked).toEqual([]);
  });

  it('refuses an approval pushed over the login that pushed the proposal, whatever the actor name', async () => {
    const id = await propose(carolDev, 'run-c', 12);
    await carolDev.sync();
    // An admin binds dave to carol's login (a mistake, or one person with two names).
    await grantServerRoles(server, { dave: ['analyst', 'approver'] }, { dave: 'carol' });
    try {
      await carolDev.sync(); // pulls dave's approver role
      approveProposal(carolDev.store, DAVE, id);
      await carolDev.sync();
      expect(await serverRows('SELECT state, refusal_code FROM recon.approvals WHERE decision_id = $1', [id])).toEqual([{ state: 'REFUSED', refusal_code: 'FORBIDDEN_SELF_APPROVAL' }]);
      expect(readSyncStatus(carolDev.store).parked).toMatchObject([{ kind: 'REFUSED', code: 'FORBIDDEN_SELF_APPROVAL' }]);
    } finally {
      await grantServerRoles(server, { dave: ['analyst', 'approver'] });
    }
  });
});

describe('devices bound to logins', () => {
  it("refuses another login's correctly hashed event on a device's chain; the device pushes on", async () => {
    await createLogin(server, 'mallory');
    const attacker = await loginClient('mallory');
    const deviceId = carolDev.store.deviceId;
    try {
      const { seq, err } = await appendForged(attacker, deviceId);
      expect(err?.code).toBe('RC002');
      expect(JSON.parse(err?.detail ?? '{}')).toEqual({ seq, code: 'DEVICE_LOGIN_MISMATCH' });
    } finally {
      await attacker.end();
    }
    queueEvents(carolDev.store, 2, 10, 'after-attack');
    const r = await carolDev.sync();
    expect(r.push.acknowledged).toBe(2);
    expect(readSyncStatus(carolDev.store)).toMatchObject({ queueLength: 0, blockedFromSeq: null });
    expect(await withClient(carolDev.pool, (c) => verifyRemoteChains(c))).toMatchObject({ ok: true });
    expect(verifyTrail(carolDev.store)).toMatchObject({ ok: true });
  });
});

describe('push locks', () => {
  it('a team login cannot hold the locks pushes take: a push completes promptly', async () => {
    const staller = await loginClient('mallory');
    const deviceId = carolDev.store.deviceId;
    try {
      // The advisory locks pushes used to take: anyone can hold them.
      await staller.query('SELECT pg_advisory_lock(7261001)');
      await staller.query('SELECT pg_advisory_lock(7261002, hashtext($1))', [deviceId]);
      // A refused append to the device's chain, its error caught in a savepoint, the transaction kept open:
      // the device's row lock went with the savepoint.
      await staller.query('BEGIN');
      await staller.query('SAVEPOINT forged');
      expect((await appendForged(staller, deviceId)).err?.code).toBe('RC002');
      await staller.query('ROLLBACK TO SAVEPOINT forged');
      const source = await openBreakSource(runFile);
      try {
        await decide(carolDev.store, source, CAROL, { runId: 'run-c', breakId: 16, kind: 'ACCEPT' });
      } finally {
        source.close();
      }
      const started = Date.now();
      const sync = carolDev.sync();
      const outcome = await Promise.race([sync.then(() => 'done'), new Promise((r) => setTimeout(() => r('stalled'), 5000))]);
      expect(outcome).toBe('done');
      expect(Date.now() - started).toBeLessThan(5000);
      expect(await serverRows("SELECT status FROM recon.break_status WHERE run_id = 'run-c' AND break_id = 16")).toEqual([{ status: 'ACCEPTED' }]);
      await staller.query('ROLLBACK');
      // The row locks that replaced them are out of the team logins' reach.
      expect((await codeOf(staller.query('SELECT * FROM recon.push_locks FOR UPDATE')))?.code).toBe('42501');
      expect((await codeOf(staller.query('SELECT * FROM recon.push_locks FOR KEY SHARE')))?.code).toBe('42501');
      expect((await codeOf(staller.query('SELECT * FROM recon.devices WHERE device_id = $1 FOR KEY SHARE', [deviceId])))?.code).toBe('42501');
      await staller.query('BEGIN');
      expect((await codeOf(staller.query('LOCK TABLE recon.devices IN SHARE MODE')))?.code).toBe('42501');
      await staller.query('ROLLBACK');
    } finally {
      await staller.query('SELECT pg_advisory_unlock_all()').catch(() => undefined);
      await staller.end();
    }
  }, 30_000);
});
