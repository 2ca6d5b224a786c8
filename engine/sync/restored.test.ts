/**
 * A restored or copied workspace against a real PostgreSQL (issue 17 item
 * 11): a device syncs, a backup of its folder is taken, more decisions are
 * synced, the backup is put back and a new decision made. The server holds
 * events of this device the workspace lacks, so its next event can never
 * chain: push says so (WORKSPACE_RESTORED, non-zero exit in the CLI), status
 * shows the server's real head, and unpark does not hide it. `recover`
 * (admin only) continues as a new device: the acts the server lacks go up
 * once, a conflicting one is SUPERSEDED, the team sees them, remote verify is
 * ok. A copied workspace that ran ahead of the server (a FORK at a seq both
 * hold) is the same.
 */
import { cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBreakSource } from '../run-file/break-source.ts';
import { verifyChain } from '../store/audit-verify.ts';
import { sql } from '../store/sql.ts';
import { verifyTrail } from '../workflow/chain-state.ts';
import { decide } from '../workflow/decisions.ts';
import { ADA, ALICE, seedRun, seedUsers, tempDir } from '../workflow/testing/fixtures.ts';
import { writeRunFile } from '../workflow/testing/run-file.ts';
import { SyncError } from './errors.ts';
import { clearParked, saveConnection } from './local-state.ts';
import { pushOutbox } from './push.ts';
import { recoverWorkspace } from './recover.ts';
import { readSyncStatus } from './status.ts';
import { openDevice, serverCounts, type Device } from './testing/devices.ts';
import { grantServerRoles, startTestPg, type TestPg } from './testing/pg-server.ts';
import { testDeviceKeyEnv } from './testing/device-key-file.ts';
import { runSyncCli } from './testing/run-cli.ts';

let server: TestPg;
let tmp: ReturnType<typeof tempDir>;
let runFile: string;

beforeAll(async () => {
  tmp = tempDir('recon-sync-restored-');
  server = await startTestPg();
  await grantServerRoles(server, { ada: ['admin'], alice: ['analyst'], bob: ['approver'] });
  runFile = join(tmp.dir, 'run.duckdb');
  await writeRunFile(runFile, 200);
}, 180_000);

afterAll(async () => {
  await server?.destroy();
  tmp?.cleanup();
});

const open = (name: string): Device => openDevice(tmp.dir, name, server, { login: 'alice' });

async function accept(d: Device, runId: string, breakIds: readonly number[]): Promise<string[]> {
  const source = await openBreakSource(runFile);
  try {
    const ids: string[] = [];
    for (const breakId of breakIds) ids.push((await decide(d.store, source, ALICE, { runId, breakId, kind: 'ACCEPT' })).decisionId);
    return ids;
  } finally {
    source.close();
  }
}

/** Closes the device, copies its folder, reopens it. */
async function backup(d: Device, to: string): Promise<Device> {
  await d.close();
  cpSync(d.dir, to, { recursive: true });
  return open(d.name);
}

/** Closes the device, puts the backup back in its place, reopens it. */
async function restore(d: Device, from: string): Promise<Device> {
  await d.close();
  rmSync(d.dir, { recursive: true, force: true });
  cpSync(from, d.dir, { recursive: true });
  return open(d.name);
}

async function serverHead(deviceId: string): Promise<number> {
  return (await serverCounts(server)).find((r) => r.device_id === deviceId)?.max ?? 0;
}

async function pushError(d: Device): Promise<SyncError> {
  const err = await pushOutbox(d.store, d.pool, { env: testDeviceKeyEnv() }).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SyncError);
  return err as SyncError;
}

// Never the developer's keychain: the password comes from PGPASSWORD.
const cliEnv = (user = 'alice'): NodeJS.ProcessEnv => ({
  ...process.env,
  HOME: join(tmp.dir, 'home'),
  RECON_USER: user,
  PGPASSWORD: server.info.sync.password,
  DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/recon-test-bus',
  ...testDeviceKeyEnv(),
});

describe('a restored workspace', () => {
  it('is detected at push: blocked with a clear error, status shows the server head, unpark does not hide it; recover continues as a new device', async () => {
    let d = open('restored');
    seedUsers(d.store);
    seedRun(d.store, 'run-r', runFile);
    saveConnection(d.store, ADA, d.settings);
    await accept(d, 'run-r', [1]);
    await d.sync();
    const deviceId = d.store.deviceId;
    const atBackup = readSyncStatus(d.store).serverSeq!;
    d = await backup(d, join(tmp.dir, 'restored-backup'));

    const meanwhile = await accept(d, 'run-r', [2, 3, 4]);
    await d.sync();
    const head = await serverHead(deviceId);
    expect(head).toBeGreaterThan(atBackup + 2);

    d = await restore(d, join(tmp.dir, 'restored-backup'));
    expect(d.store.deviceId).toBe(deviceId);
    // A new decision after the restore, and one on a break the team (the lost timeline) decided meanwhile.
    const [afterRestore, conflicting] = await accept(d, 'run-r', [5, 2]);
    expect(readSyncStatus(d.store)).toMatchObject({ serverSeq: atBackup, restored: null });

    const err = await pushError(d);
    expect(err.message).toContain('WORKSPACE_RESTORED');
    expect(err.message).toContain('restored from a backup or copied');
    const localSeq = d.store.read((tx) => tx.get<{ seq: number }>(sql`SELECT seq FROM audit_heads WHERE device_id = ${deviceId}`))!.seq;
    expect(localSeq).toBeGreaterThan(atBackup);
    expect(err.details).toMatchObject({ reason: 'WORKSPACE_RESTORED', serverSeq: head, commonSeq: atBackup, localSeq });
    const status = readSyncStatus(d.store);
    expect(status).toMatchObject({
      serverSeq: head,
      blockedFromSeq: atBackup + 1,
      restored: { deviceId, serverSeq: head, localSeq, commonSeq: atBackup },
    });
    expect(status.restored!.message).toContain('recon sync recover');
    expect(status.parked).toEqual([expect.objectContaining({ deviceId, kind: 'INVALID', code: 'WORKSPACE_RESTORED', fromSeq: atBackup + 1, toSeq: localSeq })]);
    // Nothing of this device reached the server, before or after an unpark.
    expect(await serverHead(deviceId)).toBe(head);
    clearParked(d.store, { deviceId });
    expect((await pushError(d)).details).toMatchObject({ reason: 'WORKSPACE_RESTORED' });
    await expect(d.sync()).rejects.toThrow(/WORKSPACE_RESTORED/);
    expect(await serverHead(deviceId)).toBe(head);
    expect(readSyncStatus(d.store).parked).toHaveLength(1);

    // The CLI: push and run exit non-zero with the error; status says it and shows the server's head.
    await d.close();
    const ws = join(tmp.dir, 'restored');
    for (const sub of ['push', 'run']) {
      const r = await runSyncCli([sub, '--workspace', ws], cliEnv());
      expect(r.code, r.stderr).not.toBe(0);
      expect(r.stderr).toContain('WORKSPACE_RESTORED');
      expect(r.stderr).toContain('recon sync recover');
    }
    const unpark = await runSyncCli(['unpark', '--workspace', ws], cliEnv());
    expect(unpark.code).toBe(0);
    const again = await runSyncCli(['push', '--workspace', ws], cliEnv());
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain('WORKSPACE_RESTORED');
    const text = await runSyncCli(['status', '--workspace', ws], cliEnv());
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('BLOCKED: restored or copied workspace');
    expect(text.stdout).toContain(`server holds up to seq ${head}`);
    expect(text.stdout).toContain('RESTORED [WORKSPACE_RESTORED]');
    const json = await runSyncCli(['status', '--workspace', ws, '--json'], cliEnv());
    expect(JSON.parse(json.stdout)).toMatchObject({ serverSeq: head, restored: { serverSeq: head, commonSeq: atBackup } });

    // Recover: admin only; then the workspace is a new device and re-queues what the server lacks.
    const denied = await runSyncCli(['recover', '--workspace', ws], cliEnv('alice'));
    expect(denied.code, denied.stderr).not.toBe(0);
    expect(denied.stderr).toContain('FORBIDDEN_ROLE');
    const recovered = await runSyncCli(['recover', '--workspace', ws, '--json'], cliEnv('ada'));
    expect(recovered.code, recovered.stderr).toBe(0);
    const r = JSON.parse(recovered.stdout) as { oldDeviceId: string; newDeviceId: string; commonSeq: number; requeued: { fromSeq: number; toSeq: number; action: string }[] };
    expect(r).toMatchObject({ oldDeviceId: deviceId, commonSeq: atBackup });
    expect(r.newDeviceId).not.toBe(deviceId);
    expect(r.requeued.map((x) => x.fromSeq)).toEqual(Array.from({ length: localSeq - atBackup }, (_, i) => atBackup + 1 + i));
    expect((await runSyncCli(['recover', '--workspace', ws], cliEnv('ada'))).code).not.toBe(0); // nothing to recover twice

    d = open('restored');
    expect(d.store.deviceId).toBe(r.newDeviceId);
    // The old chain stays as it was; the new one starts with the recovery event, after the note that the CLI acted as $RECON_USER=ada.
    const first = (seq: number) => d.store.read((tx) => tx.get<{ action: string; target: string; after: string }>(sql`SELECT action, target, after FROM audit_events WHERE device_id = ${r.newDeviceId} AND seq = ${seq}`))!;
    expect(first(1)).toMatchObject({ action: 'identity.override', target: 'user:ada' });
    const rec = first(2);
    expect(rec).toMatchObject({ action: 'sync.recovered', target: 'device:recovered' });
    expect(JSON.parse(rec.after)).toMatchObject({ value: { device_id: r.newDeviceId, requeued: expect.any(Array) } });
    expect(d.store.read((tx) => tx.get<{ seq: number }>(sql`SELECT seq FROM audit_heads WHERE device_id = ${deviceId}`))!.seq).toBe(localSeq);
    // Both chains verify (hashes, heads, outbox), and so does every workflow row: the retired chain is read as
    // the workspace's own, before the new one (engine/workflow/chain-state.ts).
    expect(verifyChain(d.store)).toMatchObject({ ok: true, firstBreak: null });
    expect(verifyTrail(d.store)).toMatchObject({ ok: true });

    const cycle = await d.sync();
    expect(cycle.push.acknowledged).toBe(r.requeued.length + 2);
    expect(readSyncStatus(d.store)).toMatchObject({ queueLength: 0, restored: null, blockedFromSeq: null, parked: [] });
    const c = await server.admin();
    try {
      const rows = (await c.query<{ decision_id: string; device_id: string; state: string }>('SELECT decision_id, device_id, state FROM recon.decisions WHERE run_id = $1 ORDER BY decided_at', ['run-r'])).rows;
      const byId = new Map(rows.map((x) => [x.decision_id, x]));
      expect(byId.get(afterRestore!)).toMatchObject({ device_id: r.newDeviceId, state: 'APPLIED' });
      // Break 2 was decided by the lost timeline first: the team's rules make the late one SUPERSEDED.
      expect(byId.get(conflicting!)).toMatchObject({ device_id: r.newDeviceId, state: 'SUPERSEDED' });
      for (const id of meanwhile) expect(byId.get(id)).toMatchObject({ device_id: deviceId, state: 'APPLIED' });
      expect(rows).toHaveLength(1 + meanwhile.length + 2);
    } finally {
      await c.end();
    }
    for (const row of await serverCounts(server)) expect(row.distinct_ids).toBe(row.n);
    expect(await serverHead(deviceId)).toBe(head);
    // The workspace now also has what the lost timeline decided, as the team's work.
    const local = d.store.read((tx) => tx.all<{ decision_id: string }>(sql`SELECT decision_id FROM decisions WHERE run_id = 'run-r'`)).map((x) => x.decision_id);
    for (const id of [...meanwhile, afterRestore!, conflicting!]) expect(local).toContain(id);

    // The team: another device pulls and sees the decision made after the restore, once.
    const team = openDevice(tmp.dir, 'team', server, { login: 'bob' });
    try {
      await team.sync();
      const seen = team.store.read((tx) => tx.all<{ decision_id: string; device_id: string }>(sql`SELECT decision_id, device_id FROM decisions WHERE decision_id = ${afterRestore!}`));
      expect(seen).toEqual([{ decision_id: afterRestore, device_id: r.newDeviceId }]);
      expect(verifyTrail(team.store).ok).toBe(true);
    } finally {
      await team.close();
    }
    // After the pull (the lost timeline's decisions came back as the team's work) the workspace still verifies.
    expect(verifyTrail(d.store)).toMatchObject({ ok: true });
    await d.close();
    const verify = await runSyncCli(['verify', '--workspace', ws], cliEnv());
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
    expect(verify.stdout).toContain('team server audit chain ok');
  }, 120_000);

  it('a copy that ran ahead of the server (a FORK at a seq both hold) is the same', async () => {
    let d = open('copied');
    seedUsers(d.store);
    seedRun(d.store, 'run-c', runFile);
    await d.sync();
    const deviceId = d.store.deviceId;
    const atCopy = readSyncStatus(d.store).serverSeq!;
    d = await backup(d, join(tmp.dir, 'copied-backup'));
    await accept(d, 'run-c', [1]);
    await d.sync();
    const head = await serverHead(deviceId);

    d = await restore(d, join(tmp.dir, 'copied-backup'));
    await accept(d, 'run-c', [2, 3, 4]);
    const local = d.store.read((tx) => tx.get<{ seq: number }>(sql`SELECT seq FROM audit_heads WHERE device_id = ${deviceId}`))?.seq;
    expect(local).toBeGreaterThan(head);
    const err = await pushError(d);
    expect(err.details).toMatchObject({ reason: 'WORKSPACE_RESTORED', serverSeq: head, commonSeq: atCopy, localSeq: local });
    expect(readSyncStatus(d.store)).toMatchObject({ serverSeq: head, blockedFromSeq: atCopy + 1 });
    expect(await serverHead(deviceId)).toBe(head);

    // Recovered (here through the API): a store still open with the old id refuses to push; reopened, it pushes.
    const r = await recoverWorkspace(d.store, d.pool, ADA);
    expect(r.requeued.map((x) => x.fromSeq)).toEqual(Array.from({ length: local! - atCopy }, (_, i) => atCopy + 1 + i));
    await expect(pushOutbox(d.store, d.pool, { env: testDeviceKeyEnv() })).rejects.toThrow(/close and reopen it/);
    await d.close();
    d = open('copied');
    await d.sync();
    expect(readSyncStatus(d.store)).toMatchObject({ queueLength: 0, restored: null, parked: [] });
    expect(await serverHead(r.newDeviceId)).toBe(r.requeued.length + 1);
    await d.close();
  }, 120_000);

  it('a device that is not restored pushes on as before (the check costs one query)', async () => {
    const d = open('plain');
    seedUsers(d.store);
    seedRun(d.store, 'run-p', runFile);
    await accept(d, 'run-p', [1]);
    const r = await pushOutbox(d.store, d.pool, { env: testDeviceKeyEnv() });
    expect(r.acknowledged).toBeGreaterThan(0);
    await accept(d, 'run-p', [2]);
    await pushOutbox(d.store, d.pool, { env: testDeviceKeyEnv() });
    expect(readSyncStatus(d.store)).toMatchObject({ queueLength: 0, restored: null, blockedFromSeq: null });
    await d.close();
  }, 120_000);
});
