/**
 * One PostgreSQL login per person (issue 17): the team server checks a
 * person's password against the company directory (PostgreSQL's own `ldap`
 * authentication, simple bind, against a real OpenLDAP from
 * scripts/ldap/start-test-slapd.sh), or, for a team without a directory,
 * against its own SCRAM verifier. Either way the workstation keeps the
 * password only in the OS keychain (a real Secret Service: `npm run
 * test:keyring`) and syncs as that person: the server records their login as
 * `received_by` and counts their acts.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBreakSource } from '../run-file/break-source.ts';
import { openStore } from '../store/open.ts';
import { decide } from '../workflow/decisions.ts';
import type { Identity } from '../workflow/identity.ts';
import { addUser } from '../workflow/roles.ts';
import { ADA, CAROL, seedRun, seedUsers, tempDir } from '../workflow/testing/fixtures.ts';
import { writeRunFile } from '../workflow/testing/run-file.ts';
import type { ConnectionSettings } from './connection.ts';
import { keychainStatus, osKeychain, resolvePassword, storePassword } from './credentials.ts';
import { startTestLdap, type TestLdap } from './testing/ldap-server.ts';
import { grantServerRoles, startTestPg, type TestPg } from './testing/pg-server.ts';
import { runSyncCli } from './testing/run-cli.ts';

const LIVE = process.env['RECON_SECRET_SERVICE'] === '1';
const DAVE: Identity = { userId: 'dave', displayName: 'Dave' };
/** The group whose members the server sends to the directory (pg_hba `+recon_directory`). */
const DIRECTORY_GROUP = 'recon_directory';

describe.runIf(LIVE)('one login per person: company directory (LDAP) and passwords, password in the OS keychain', () => {
  let server: TestPg;
  let ldap: TestLdap;
  let tmp: ReturnType<typeof tempDir>;
  let runFile = '';
  const keychain = osKeychain();
  const davePassword = `dave-${process.pid}-pw`;

  beforeAll(async () => {
    tmp = tempDir('recon-ldap-login-');
    [server, ldap] = await Promise.all([startTestPg(), startTestLdap()]);
    runFile = join(tmp.dir, 'run.duckdb');
    await writeRunFile(runFile, 60);
    const su = await server.admin('superuser');
    try {
      // As an administrator: a login per person, no password kept in PostgreSQL
      // for the directory's people; eve has a login but is not in the directory.
      await su.query(`CREATE ROLE ${DIRECTORY_GROUP} NOLOGIN`);
      await su.query(`CREATE ROLE carol LOGIN IN ROLE recon_sync, ${DIRECTORY_GROUP}`);
      await su.query(`CREATE ROLE eve LOGIN IN ROLE recon_sync, ${DIRECTORY_GROUP}`);
      // A team without a directory: a password login (SCRAM, PostgreSQL 15's default).
      await su.query("SET password_encryption = 'scram-sha-256'");
      await su.query(`CREATE ROLE dave LOGIN PASSWORD ${su.escapeLiteral(davePassword)} IN ROLE recon_sync`);
    } finally {
      await su.end();
    }
    await addHbaLines(server, [
      `host ${server.info.database} +${DIRECTORY_GROUP} 127.0.0.1/32 ldap ${ldap.hbaOptions()}`,
      `host ${server.info.database} dave 127.0.0.1/32 scram-sha-256`,
    ]);
    // The postmaster re-reads pg_hba.conf on SIGHUP, asynchronously: wait until a new connection as carol goes to the directory.
    await waitFor(() => canConnect(server, 'carol', ldap.user('carol').password));
    // Server users bound to their own logins (README: people are bound to logins).
    await grantServerRoles(server, { carol: ['analyst'], dave: ['analyst'], eve: ['analyst'] });
  }, 180_000);

  afterAll(async () => {
    await Promise.allSettled([server?.destroy(), ldap?.destroy()]);
    tmp?.cleanup();
  });

  const settingsFor = (login: string): ConnectionSettings => ({ ...server.settings(undefined, login), tls: 'disable', caFile: null });

  /** The environment of a person's workstation: their OS name, the test's Secret Service, no $PGPASSWORD. */
  const envFor = (user: string): NodeJS.ProcessEnv => {
    const env: NodeJS.ProcessEnv = { ...process.env, RECON_USER: user };
    delete env['PGPASSWORD'];
    return env;
  };

  /** A workstation `name`: ada set it up (its admin), with a completed run; the team connection as `login`. */
  async function workstation(name: string, login: string, people: Identity[]): Promise<string> {
    const ws = join(tmp.dir, name);
    const store = openStore(ws);
    try {
      seedUsers(store);
      for (const p of people) if (p.userId !== CAROL.userId) addUser(store, ADA, { userId: p.userId, displayName: p.displayName, roles: ['analyst'] });
      seedRun(store, `run-${name}`, runFile);
    } finally {
      store.close();
    }
    const { host, port, database } = server.info;
    const configured = await runSyncCli(['configure', '--workspace', ws, '--host', host, '--port', String(port), '--database', database, '--user', login, '--tls', 'disable'], envFor('ada'));
    expect(configured, configured.stderr).toMatchObject({ code: 0 });
    return ws;
  }

  async function decideOn(ws: string, who: Identity, breakId: number): Promise<string> {
    const store = openStore(ws);
    const source = await openBreakSource(runFile);
    try {
      const r = await decide(store, source, who, { runId: `run-${basename(ws)}`, breakId, kind: 'ACCEPT' });
      expect(r.proposal).toBe(false);
      return r.decisionId;
    } finally {
      source.close();
      store.close();
    }
  }

  async function rows<T extends pg.QueryResultRow>(text: string, params: unknown[] = []): Promise<T[]> {
    const c = await server.admin();
    try {
      return (await c.query<T>(text, params)).rows;
    } finally {
      await c.end();
    }
  }

  const deviceOf = (ws: string): string => {
    const store = openStore(ws);
    try {
      return store.deviceId;
    } finally {
      store.close();
    }
  };
  const serverEvents = async (ws: string): Promise<{ n: number; logins: string[] }> => {
    const r = await rows<{ n: number; logins: string[] | null }>('SELECT count(*)::int AS n, array_agg(DISTINCT received_by) AS logins FROM recon.audit_events WHERE device_id = $1', [deviceOf(ws)]);
    return { n: r[0]!.n, logins: r[0]!.logins ?? [] };
  };
  const status = async (ws: string, user: string): Promise<{ server: string; queueLength: number; keychain: { hasPassword: boolean } }> =>
    JSON.parse((await runSyncCli(['status', '--workspace', ws, '--json'], envFor(user))).stdout) as { server: string; queueLength: number; keychain: { hasPassword: boolean } };

  it('the server sends the directory group to the directory and dave to his SCRAM verifier', async () => {
    const su = await server.admin('superuser');
    const rules = (
      await su
        .query<{ line_number: number; user_name: string[]; auth_method: string; error: string | null }>(
          "SELECT line_number, user_name, auth_method, error FROM pg_hba_file_rules WHERE type = 'host' ORDER BY line_number",
        )
        .finally(() => su.end())
    ).rows;
    expect(rules.filter((r) => r.error !== null)).toEqual([]);
    // First match wins: the people's lines come before the catch-all.
    expect(rules.slice(0, 3).map((r) => [r.user_name, r.auth_method])).toEqual([
      [[`+${DIRECTORY_GROUP}`], 'ldap'],
      [['dave'], 'scram-sha-256'],
      [['all'], 'scram-sha-256'],
    ]);
    const su2 = await server.admin('superuser');
    try {
      const pw = await su2.query<{ rolname: string; verifier: string | null }>("SELECT rolname, left(rolpassword, 14) AS verifier FROM pg_authid WHERE rolname IN ('carol', 'dave', 'eve') ORDER BY rolname");
      expect(pw.rows).toEqual([
        { rolname: 'carol', verifier: null },
        { rolname: 'dave', verifier: 'SCRAM-SHA-256$' },
        { rolname: 'eve', verifier: null },
      ]);
    } finally {
      await su2.end();
    }
  });

  it('carol signs in with her directory password from the keychain; the server records her events as received by carol', async () => {
    const carol = ldap.user('carol');
    const ws = await workstation('carol-ws', 'carol', [CAROL]);
    const settings = settingsFor('carol');
    expect(keychainStatus(settings, keychain)).toMatchObject({ available: true, hasPassword: false });
    storePassword(settings, carol.password, keychain);
    expect(resolvePassword(settings, {}, keychain)).toEqual({ password: carol.password, source: 'keychain' });
    const id = await decideOn(ws, CAROL, 16);
    const run = await runSyncCli(['run', '--workspace', ws], envFor('carol'));
    expect(run.stderr).toBe('');
    expect(run).toMatchObject({ code: 0 });
    expect(run.stdout).toMatch(/^pushed \d+ events/);
    const events = await serverEvents(ws);
    expect(events.n).toBeGreaterThan(0);
    expect(events.logins).toEqual(['carol']);
    expect(await rows('SELECT actor, state FROM recon.decisions WHERE decision_id = $1', [id])).toEqual([{ actor: 'carol', state: 'APPLIED' }]);
    // What the workstation shows as the signed-in person: the login in the server's name. (The pull may
    // have queued role changes from the server, so the queue is not asserted here.)
    const st = await status(ws, 'carol');
    expect(st).toMatchObject({ server: `carol@${server.info.host}:${server.info.port}/${server.info.database}`, keychain: { hasPassword: true } });
  });

  it('a wrong directory password in the keychain: SYNC_AUTH_FAILED and nothing pushed; a new password in the directory and the keychain works again', async () => {
    const ws = join(tmp.dir, 'carol-ws');
    const settings = settingsFor('carol');
    const before = await serverEvents(ws);
    const id = await decideOn(ws, CAROL, 24);

    storePassword(settings, 'not-carols-password', keychain);
    const wrong = await runSyncCli(['run', '--workspace', ws], envFor('carol'));
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/^error \[SYNC_AUTH_FAILED\]: the team server refused the login: .*carol/);
    expect(wrong.stderr).toContain('recon sync login');
    expect(await serverEvents(ws)).toEqual(before);
    expect((await status(ws, 'carol')).queueLength).toBeGreaterThan(0);

    // The directory's administrator changes carol's password: her old one no longer opens the server.
    const oldPassword = ldap.user('carol').password;
    const newPassword = `carol-new-${process.pid}`;
    await ldap.setPassword('carol', newPassword);
    expect(await ldap.canBind('carol', oldPassword)).toBe(false);
    storePassword(settings, oldPassword, keychain);
    const stale = await runSyncCli(['push', '--workspace', ws], envFor('carol'));
    expect(stale.code).toBe(1);
    expect(stale.stderr).toMatch(/^error \[SYNC_AUTH_FAILED\]/);
    expect(await serverEvents(ws)).toEqual(before);

    // carol stores her new password with `recon sync login` (first line of stdin): the queue goes up.
    const login = await runSyncCli(['login', '--workspace', ws], envFor('carol'), `${newPassword}\n`);
    expect(login).toMatchObject({ code: 0, stdout: `signed in as carol: password for carol@${server.info.host}:${server.info.port}/${server.info.database} stored in the OS keychain\n` });
    expect(resolvePassword(settings, {}, keychain)).toEqual({ password: newPassword, source: 'keychain' });
    const again = await runSyncCli(['run', '--workspace', ws], envFor('carol'));
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
    const after = await serverEvents(ws);
    expect(after.n).toBeGreaterThan(before.n);
    expect(after.logins).toEqual(['carol']);
    expect(await rows('SELECT actor, state FROM recon.decisions WHERE decision_id = $1', [id])).toEqual([{ actor: 'carol', state: 'APPLIED' }]);
    expect((await status(ws, 'carol')).queueLength).toBe(0);
  });

  it('a login that is not in the directory cannot sign in, whatever password it gives', async () => {
    const ws = await workstation('eve-ws', 'eve', [{ userId: 'eve', displayName: 'Eve' }]);
    const settings = settingsFor('eve');
    // Even another person's valid directory password does not open eve's login.
    storePassword(settings, ldap.user('dave').password, keychain);
    await decideOn(ws, { userId: 'eve', displayName: 'Eve' }, 28);
    const run = await runSyncCli(['run', '--workspace', ws], envFor('eve'));
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error \[SYNC_AUTH_FAILED\]/);
    expect((await serverEvents(ws)).n).toBe(0);
    // A name with no PostgreSQL login is refused too (no role: the catch-all line, which it cannot pass).
    expect(await canConnect(server, 'nobody', ldap.user('carol').password)).toBe(false);
  });

  it('a team without a directory: dave signs in with his own PostgreSQL password, kept in the keychain', async () => {
    const ws = await workstation('dave-ws', 'dave', [DAVE]);
    const login = await runSyncCli(['login', '--workspace', ws], envFor('dave'), `${davePassword}\n`);
    expect(login).toMatchObject({ code: 0 });
    expect(resolvePassword(settingsFor('dave'), {}, keychain)).toEqual({ password: davePassword, source: 'keychain' });
    const id = await decideOn(ws, DAVE, 32);
    const run = await runSyncCli(['run', '--workspace', ws], envFor('dave'));
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect((await serverEvents(ws)).logins).toEqual(['dave']);
    expect(await rows('SELECT actor, state FROM recon.decisions WHERE decision_id = $1', [id])).toEqual([{ actor: 'dave', state: 'APPLIED' }]);

    // dave's directory entry (a different password) plays no part: his login is checked by PostgreSQL alone.
    storePassword(settingsFor('dave'), ldap.user('dave').password, keychain);
    await decideOn(ws, DAVE, 36);
    const wrong = await runSyncCli(['run', '--workspace', ws], envFor('dave'));
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/^error \[SYNC_AUTH_FAILED\]/);
    expect((await status(ws, 'dave')).queueLength).toBeGreaterThan(0);
    storePassword(settingsFor('dave'), davePassword, keychain);
    expect((await runSyncCli(['run', '--workspace', ws], envFor('dave'))).code).toBe(0);
    expect((await status(ws, 'dave')).queueLength).toBe(0);
  });
});

/**
 * Puts `lines` into the test cluster's pg_hba.conf before its first `host`
 * line (the catch-all scram-sha-256 lines initdb wrote; the first matching
 * line wins) and reloads the server, as an administrator edits pg_hba.conf.
 */
async function addHbaLines(server: TestPg, lines: readonly string[]): Promise<void> {
  const file = join(server.info.dir, 'data', 'pg_hba.conf');
  const current = readFileSync(file, 'utf8').split('\n');
  const at = current.findIndex((l) => /^\s*host(ssl|nossl)?\s/.test(l));
  const next = [...current.slice(0, at < 0 ? current.length : at), '# recon: one login per person (engine/sync/ldap-login.keyring.test.ts)', ...lines, ...current.slice(at < 0 ? current.length : at)];
  writeFileSync(file, next.join('\n')); // the file keeps its owner and mode
  const su = await server.admin('superuser');
  try {
    await su.query('SELECT pg_reload_conf()');
  } finally {
    await su.end();
  }
}

/** Whether `login` with `password` gets a connection to the recon database. */
async function canConnect(server: TestPg, login: string, password: string): Promise<boolean> {
  const c = new pg.Client({ host: server.info.host, port: server.info.port, database: server.info.database, user: login, password });
  c.on('error', () => undefined);
  try {
    await c.connect();
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => undefined);
  }
}

async function waitFor(check: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('timed out waiting for the server to take the new pg_hba.conf');
    await new Promise((r) => setTimeout(r, 100));
  }
}
