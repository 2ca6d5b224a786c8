/**
 * `recon sync` and `recon audit verify --remote` in their own processes,
 * against a real PostgreSQL: configure, run, status and verify with
 * $PGPASSWORD; a wrong password is a clear error; and without a keychain,
 * login fails clearly and the password is written nowhere.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../store/open.ts';
import { tempDir } from '../workflow/testing/fixtures.ts';
import { queueEvents } from './testing/events.ts';
import { testDeviceKeyEnv } from './testing/device-key-file.ts';
import { runSyncCli } from './testing/run-cli.ts';
import { startTestPg, type TestPg } from './testing/pg-server.ts';

const RECON = fileURLToPath(new URL('../../bin/recon.mjs', import.meta.url));
let server: TestPg;
let tmp: ReturnType<typeof tempDir>;
let ws: string;

beforeAll(async () => {
  tmp = tempDir('recon-sync-cli-');
  ws = join(tmp.dir, 'ws');
  mkdirSync(join(tmp.dir, 'home'));
  server = await startTestPg();
}, 180_000);

afterAll(async () => {
  await server?.destroy();
  tmp?.cleanup();
});

// Never the developer's real keychain or session: a throwaway HOME, and a D-Bus address nobody listens on.
const env = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => {
  const e: NodeJS.ProcessEnv = { ...process.env, HOME: join(tmp.dir, 'home'), RECON_USER: 'ada', DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/recon-test-bus', ...testDeviceKeyEnv(), ...extra };
  delete e['PGPASSWORD'];
  for (const [k, v] of Object.entries(extra)) e[k] = v;
  return e;
};

describe('recon sync (CLI)', () => {
  it('configures, syncs, reports status and verifies the server copy, with PGPASSWORD', async () => {
    const { host, port, database, sync } = server.info;
    const configured = await runSyncCli(['configure', '--workspace', ws, '--host', host, '--port', String(port), '--database', database, '--user', sync.user, '--tls', 'disable'], env());
    expect(configured).toMatchObject({ code: 0 });
    expect(configured.stdout).toContain(`${sync.user}@${host}:${port}/${database}`);
    const store = openStore(ws);
    queueEvents(store, 40);
    store.close();
    const pw = env({ PGPASSWORD: sync.password });
    const run = await runSyncCli(['run', '--workspace', ws], pw);
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/^pushed 4\d events in 1 batches/);
    const status = JSON.parse((await runSyncCli(['status', '--workspace', ws, '--probe', '--json'], pw)).stdout) as { queueLength: number; state: string; lastSyncAt: string | null; schemaVersion: number };
    // The server is at the newest of its migrations.
    const newest = readdirSync(join(import.meta.dirname, 'server-migrations')).filter((f) => /^\d+_.*\.sql$/.test(f)).length;
    expect(status).toMatchObject({ queueLength: 0, state: 'online', schemaVersion: newest, deviceId: expect.stringMatching(/./) });
    expect(status.lastSyncAt).not.toBeNull();
    expect((await runSyncCli(['verify', '--workspace', ws], pw)).stdout).toMatch(/^team server audit chain ok: 4\d events on 1 device/);
    const audit = await promisify(execFile)(process.execPath, [RECON, 'audit', 'verify', '--remote', '--workspace', ws], { env: pw });
    expect(audit.stdout).toMatch(/^team server audit chain ok/);
    // Every event went up signed (server migration 010), with the key file of $RECON_DEVICE_KEY_FILE.
    expect(audit.stdout).toMatch(/^signatures: 4\d checked, 0 failed, 0 events from before signatures$/m);
    const local = await promisify(execFile)(process.execPath, [RECON, 'audit', 'verify', '--workspace', ws], { env: pw });
    expect(local.stdout).toMatch(/^signatures: 4\d checked, 0 failed, 0 events from before signatures$/m);
  });

  it('lets only a workspace admin change the connection, as the UI does', async () => {
    const { host, port, database } = server.info;
    // ada configured this workspace first and so became its admin; mallory holds no role here.
    const args = ['sync', 'configure', '--workspace', ws, '--host', 'db.attacker.example', '--port', String(port), '--database', database, '--user', 'mallory', '--tls', 'disable'];
    const refused = await promisify(execFile)(process.execPath, [RECON, ...args], { env: env({ RECON_USER: 'mallory' }) }).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }),
    );
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^error \[FORBIDDEN_ROLE\]: mallory may not change the team connection/);
    const status = JSON.parse((await runSyncCli(['status', '--workspace', ws, '--json'], env())).stdout) as { server: string; signedInAs: string };
    expect(status.server).toBe(`${server.info.sync.user}@${host}:${port}/${database}`);
    // Which person this workstation signs in as: in the status, for the CLI and the Team connection screen.
    expect(status.signedInAs).toBe(server.info.sync.user);
    expect((await runSyncCli(['status', '--workspace', ws], env())).stdout).toMatch(new RegExp(`^signed in as: ${server.info.sync.user}$`, 'm'));
  });

  it('reports a wrong password as an authentication failure', async () => {
    const r = await runSyncCli(['push', '--workspace', ws], env({ PGPASSWORD: 'wrong' }));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error \[SYNC_AUTH_FAILED\]: the team server refused the login/);
  });

  it.runIf(process.platform === 'linux')('login without a keychain fails clearly and writes the password nowhere', async () => {
    const secret = 'hunter2-9f1c7e-not-on-disk';
    const r = await runSyncCli(['login', '--workspace', ws], env(), `${secret}\n`);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error \[SYNC_KEYCHAIN_UNAVAILABLE\]: no OS keychain is available, so the password was not stored \(and is never written to disk\)/);
    expect(r.stderr).toContain('set PGPASSWORD');
    for (const file of walk(tmp.dir)) expect(readFileSync(file).includes(secret), file).toBe(false);
  });
});

function* walk(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* walk(p);
    else yield p;
  }
}
