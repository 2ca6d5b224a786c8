/**
 * Team sync through the service, as the workstation UI drives it, against a
 * real PostgreSQL (scripts/pg): an admin configures the connection, the
 * password goes to the keychain only, the host's loop syncs in the
 * background and reports `sync.status` events; a proposal made in one
 * workspace is listed in another's Approvals as from another device,
 * approved there, and shows approved back in the first. The server refuses a
 * self-approval; the refusal is parked and dismissed from the UI.
 *
 * The keychain here is an in-memory one (the real Secret Service is driven
 * by the e2e test and `npm run test:keyring`), except for the test of a
 * missing keychain, which uses the real one with no D-Bus to talk to.
 */
import '../testing/fail-on-unhandled.ts';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contract, contractEventSchema, type ContractEvent, type SyncStatusDto } from '../../contract/index.ts';
import { definitionSchema } from '../../definition/schema.ts';
import { generateExtracts } from '../../generate/generate-extracts.ts';
import { runRecon } from '../../run/run-recon.ts';
import type { RunSummary } from '../../contract/index.ts';
import { openStore, type Store } from '../../store/open.ts';
import { keychainAccount, osKeychain, type Keychain } from '../../sync/credentials.ts';
import { forgeSelfApproval } from '../../sync/testing/forge.ts';
import { grantServerRoles, startTestPg, type TestPg } from '../../sync/testing/pg-server.ts';
import type { WorkspaceSyncTuning } from '../../sync/workspace-sync.ts';
import type { Identity } from '../../workflow/identity.ts';
import { createService, type Service } from '../service.ts';
import { registerCompletedRun } from '../testing/register-run.ts';

const ADA: Identity = { userId: 'ada', displayName: 'Ada Maker' };
const BOB: Identity = { userId: 'bob', displayName: 'Bob Approver' };

/** A keychain in memory: what @napi-rs/keyring does, without a Secret Service. */
function memoryKeychain(): Keychain & { entries: Map<string, string> } {
  const entries = new Map<string, string>();
  return {
    entries,
    set: (account, password) => void entries.set(account, password),
    get: (account) => entries.get(account) ?? null,
    delete: (account) => entries.delete(account),
  };
}

interface Host {
  workspace: string;
  store: Store;
  service: Service;
  events: ContractEvent[];
  keychain: ReturnType<typeof memoryKeychain>;
}

let server: TestPg;
let dir: string;
let summary: RunSummary;
let maker: Host;
let approver: Host;
const hosts: Host[] = [];

/** Short timings: a failed cycle retries in ms, the regular cycle is left to the test. */
const tuning = (keychain: Keychain): WorkspaceSyncTuning => ({
  keychain,
  env: {},
  intervalMs: 60_000,
  backoff: { baseMs: 100, capMs: 400 },
  timeouts: { connectMs: 2000, queryMs: 20_000 },
  nudgeDelayMs: 20,
});

function openHost(workspace: string, user: Identity, opts: { keychain?: Keychain; sync?: WorkspaceSyncTuning } = {}): Host {
  const store = openStore(workspace);
  const events: ContractEvent[] = [];
  const keychain = memoryKeychain();
  const service = createService({ workspace, host: 'test', version: '0', store, user, emit: (e) => events.push(e), sync: opts.sync ?? tuning(opts.keychain ?? keychain) });
  const h = { workspace, store, service, events, keychain };
  hosts.push(h);
  return h;
}

async function closeHost(h: Host): Promise<void> {
  hosts.splice(hosts.indexOf(h), 1);
  await h.service.close();
  h.store.close();
}

/** Polls `fn` until it returns something truthy. */
async function until<T>(fn: () => T | Promise<T>, what: string, timeoutMs = 30_000): Promise<NonNullable<T>> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const statuses = (h: Host): SyncStatusDto[] => h.events.flatMap((e) => (e.type === 'sync.status' ? [e.status] : []));
// Each workstation connects as its person's own login (the server binds people and devices to logins).
const connection = (login = 'ada') => ({ host: server.info.host, port: server.info.port, database: server.info.database, user: login, tls: 'disable' as const });

async function filesUnder(d: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(d, { withFileTypes: true })) {
    const p = join(d, e.name);
    if (e.isDirectory()) out.push(...(await filesUnder(p)));
    else out.push(p);
  }
  return out;
}

beforeAll(async () => {
  server = await startTestPg();
  // Team roles are administered on the server; workstations mirror them on pull.
  await grantServerRoles(server, { ada: ['admin', 'analyst', 'approver'], bob: ['approver'] });
  dir = await mkdtemp(join(tmpdir(), 'recon-host-sync-'));
  const gen = await generateExtracts({ rows: 1500, outDir: join(dir, 'data'), seed: 5 });
  const definition = definitionSchema.parse(JSON.parse(await readFile(gen.definitionPath, 'utf8')));
  const makerWs = join(dir, 'maker');
  summary = await runRecon({ aPath: gen.aPath, bPath: gen.bPath, definition, workspace: makerWs });
  maker = openHost(makerWs, ADA);
  registerCompletedRun(maker.store, makerWs, summary, ADA);
  await maker.service.invoke('users.grant', { userId: 'ada', role: 'analyst' });
  approver = openHost(join(dir, 'approver'), BOB);
  await approver.service.invoke('users.grant', { userId: 'bob', role: 'approver' });
}, 180_000);

afterAll(async () => {
  for (const h of [...hosts]) await closeHost(h);
  await server?.destroy();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the team connection', () => {
  it('reports no connection yet, with the local queue and the keychain', async () => {
    const s = await maker.service.invoke('sync.status', {});
    expect(s).toMatchObject({ state: 'disabled', configured: false, connection: null, server: null, passwordSource: 'none', keychain: { available: true, hasPassword: false }, parked: [] });
    expect(s.queueLength).toBeGreaterThan(0);
    expect(s.deviceId).toBe(maker.store.deviceId);
    expect(contract['sync.status'].result.safeParse(s).error).toBeUndefined();
    expect(await maker.service.call('sync.now', {})).toMatchObject({ ok: false, error: { code: 'SYNC_NOT_CONFIGURED' } });
    expect(await maker.service.call('sync.login', { password: 'x' })).toMatchObject({ ok: false, error: { code: 'SYNC_NOT_CONFIGURED' } });
  });

  it('validates the connection and lets only an admin change it', async () => {
    expect(await maker.service.call('sync.configure', { ...connection(), port: 0 })).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
    expect(await maker.service.call('sync.configure', { ...connection(), host: 'db example' })).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
    expect(await maker.service.call('sync.configure', { ...connection(), caFile: '/etc/ca.pem' })).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT', message: expect.stringContaining('a CA file needs TLS') } });
    expect(await maker.service.call('sync.configure', { ...connection(), tls: 'verify-full', host: '/run/postgresql' })).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
    // A second process on the maker's workspace, acting as someone without the admin role.
    const cy = openHost(maker.workspace, { userId: 'cy', displayName: 'Cy' });
    try {
      expect(await cy.service.call('sync.configure', connection())).toMatchObject({ ok: false, error: { code: 'FORBIDDEN_ROLE' } });
    } finally {
      await closeHost(cy);
    }
    expect((await maker.service.invoke('sync.status', {})).configured).toBe(false);
  });

  it('saves it without the password: the loop starts, the server asks for one, the queue waits', async () => {
    const s = await maker.service.invoke('sync.configure', connection());
    expect(s).toMatchObject({ configured: true, connection: { ...connection(), caFile: null }, server: `ada@${server.info.host}:${server.info.port}/${server.info.database}` });
    expect(s).toMatchObject({ passwordSource: 'none', keychain: { available: true, hasPassword: false } });
    expect(maker.events).toContainEqual({ type: 'workflow.changed', runId: null, what: 'settings' });
    const failed = await until(() => statuses(maker).find((x) => x.lastError?.code === 'SYNC_NO_PASSWORD'), 'SYNC_NO_PASSWORD');
    expect(failed).toMatchObject({ state: 'offline', configured: true });
    expect(failed.queueLength).toBeGreaterThan(0);
    expect(statuses(maker).some((x) => x.state === 'syncing')).toBe(true);
  });

  it('stores the password in the keychain only, and the loop syncs: online, the queue empty', async () => {
    const password = server.info.sync.password;
    const s = await maker.service.invoke('sync.login', { password });
    expect(s).toMatchObject({ passwordSource: 'keychain', keychain: { available: true, hasPassword: true } });
    expect(JSON.stringify(s)).not.toContain(password);
    expect(maker.keychain.entries.get(keychainAccount({ ...connection(), caFile: null }))).toBe(password);
    const online = await until(() => statuses(maker).find((x) => x.state === 'online' && x.queueLength === 0), 'online');
    expect(online).toMatchObject({ lastError: null, failures: 0, serverSeq: expect.any(Number) });
    expect(online.lastSyncAt).not.toBeNull();
    // Every event the host pushed is what the contract describes.
    for (const e of maker.events) expect(contractEventSchema.safeParse(e).error).toBeUndefined();
    for (const file of await filesUnder(maker.workspace)) expect((await readFile(file)).includes(password), file).toBe(false);
  });
});

describe('a proposal made in one workspace, approved in another', () => {
  let decisionId: string;

  it('pushes a new proposal soon after it is made; the badge sees the queue grow first', async () => {
    await maker.service.invoke('settings.set', { bulkProposalThreshold: 1 });
    const rows = (await maker.service.invoke('breaks.page', { runId: summary.runId, startRow: 0, endRow: 1000, filterModel: { status: { filterType: 'set', values: ['AUTO'] } } as never })).rows;
    const counts = new Map<string, number>();
    for (const r of rows) if (r.reason && r.reason !== 'UNKNOWN') counts.set(r.reason, (counts.get(r.reason) ?? 0) + 1);
    const reason = [...counts].sort((x, y) => y[1] - x[1])[0]![0];
    const mark = maker.events.length;
    const r = await maker.service.invoke('review.bulk', { runId: summary.runId, filter: { reason }, kind: 'ACCEPT', comment: 'custodian statement checked' });
    expect(r.proposal).toBe(true);
    decisionId = r.decisionId;
    // The change is published at once (the queue grew), then pushed without waiting for the regular cycle. A
    // cycle already under way may report its own (empty) queue during the call, so look for the grown one among them.
    const after = maker.events.slice(mark).flatMap((e) => (e.type === 'sync.status' ? [e.status] : []));
    expect(after.some((s) => s.queueLength > 0)).toBe(true);
    await until(async () => (await maker.service.invoke('approvals.list', {})).mine.find((p) => p.decisionId === decisionId && p.sync === 'APPLIED'), 'the proposal applied on the server');
    const mine = (await maker.service.invoke('approvals.list', {})).mine;
    expect(mine).toMatchObject([{ decisionId, origin: 'local', deviceId: maker.store.deviceId, sync: 'APPLIED', maker: 'ada' }]);
    expect((await maker.service.invoke('sync.status', {})).queueLength).toBe(0);
  });

  it("lists it in the approver's workspace as from another device, with its evidence; the pull refreshes open screens", async () => {
    await approver.service.invoke('sync.configure', connection('bob'));
    await approver.service.invoke('sync.login', { password: server.info.sync.password });
    await until(() => statuses(approver).find((x) => x.state === 'online'), 'the approver online');
    expect(approver.events).toContainEqual({ type: 'workflow.changed', runId: null, what: 'decision' });
    expect(approver.events).toContainEqual({ type: 'workflow.changed', runId: null, what: 'users' });
    const list = await approver.service.invoke('approvals.list', {});
    expect(contract['approvals.list'].result.safeParse(list).error).toBeUndefined();
    expect(list.canApprove).toBe(true);
    const p = list.waiting.find((x) => x.decisionId === decisionId);
    expect(p).toMatchObject({ maker: 'ada', origin: 'remote', deviceId: maker.store.deviceId, sync: 'APPLIED', kind: 'ACCEPT', definition: summary.definition, comment: 'custodian statement checked' });
    expect(p!.breaks.length).toBeGreaterThan(0);
    expect(p!.breaks[0]).toMatchObject({ toStatus: 'ACCEPTED', key: expect.any(String), field: expect.any(String) });
    // The approver sees which login pushed what they judge (the server takes it only from the run device's login).
    expect(p!.evidencePushedBy).toEqual([{ login: 'ada', breaks: expect.any(Number) as number }]);
    expect((await maker.service.invoke('approvals.list', {})).mine[0]?.evidencePushedBy ?? []).toEqual([]);
  });

  it('refuses the maker approving their own proposal', async () => {
    expect(await maker.service.call('approvals.decide', { decisionId, verdict: 'APPROVE' })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN_SELF_APPROVAL' } });
  });

  it("approves it in the approver's workspace (no run file there); the maker's workspace then shows it approved", async () => {
    const r = await approver.service.invoke('approvals.decide', { decisionId, verdict: 'APPROVE', comment: 'checked' });
    expect(r).toMatchObject({ verdict: 'APPROVED', decisionId });
    // Pushed soon after (nudge), and the server's verdict comes back with the pull of that cycle.
    await until(async () => (await approver.service.invoke('approvals.list', {})).settled.find((s) => s.decisionId === decisionId && s.approvalSync === 'APPLIED'), 'the approval applied');
    const mark = maker.events.length;
    const now = await maker.service.invoke('sync.now', {});
    expect(contract['sync.now'].result.safeParse(now).error).toBeUndefined();
    expect(now.pulled.approvals).toBeGreaterThan(0);
    expect(now.status).toMatchObject({ state: 'online', queueLength: 0 });
    expect(maker.events.slice(mark)).toContainEqual({ type: 'workflow.changed', runId: null, what: 'approval' });
    const list = await maker.service.invoke('approvals.list', {});
    expect(list.mine).toEqual([]);
    expect(list.settled).toMatchObject([{ decisionId, verdict: 'APPROVED', approver: 'bob', origin: 'local', sync: 'APPLIED', approvalSync: 'APPLIED' }]);
    const page = await maker.service.invoke('breaks.page', { runId: summary.runId, startRow: 0, endRow: 10, filterModel: { status: { filterType: 'set', values: ['PROPOSED'] } } as never });
    expect(page.lastRow).toBe(0);
  });
});

describe('parked events', () => {
  it('parks a self-approval the server refused, without blocking the queue; retry is refused, discard dismisses it', async () => {
    const row = (await maker.service.invoke('breaks.page', { runId: summary.runId, startRow: 0, endRow: 50, filterModel: { status: { filterType: 'set', values: ['AUTO'] } } as never })).rows.find(
      (x) => x.reason !== 'FX_DIFF',
    )!;
    const p = await maker.service.invoke('review.decide', { runId: summary.runId, breakId: row.breakId, kind: 'OVERRIDE', reason: 'FX_DIFF', comment: 'EUR' });
    // A forged client writes what the local engine refuses; the server refuses it in its own transaction.
    forgeSelfApproval(maker.store, 'ada', p.decisionId);
    const now = await maker.service.invoke('sync.now', {});
    expect(now.status).toMatchObject({ queueLength: 0, blockedFromSeq: null, parked: [{ kind: 'REFUSED', code: 'FORBIDDEN_SELF_APPROVAL', deviceId: maker.store.deviceId }] });
    const item = now.status.parked[0]!;
    expect(await maker.service.call('sync.unpark', { action: 'retry', fromSeq: item.fromSeq })).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT', message: expect.stringContaining('discard') } });
    expect(await maker.service.call('sync.unpark', { action: 'discard', fromSeq: item.fromSeq + 10_000 })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    const mark = maker.events.length;
    const r = await maker.service.invoke('sync.unpark', { action: 'discard', fromSeq: item.fromSeq });
    expect(r).toMatchObject({ cleared: 1, status: { parked: [] } });
    expect(maker.events.slice(mark).some((e) => e.type === 'sync.status' && e.status.parked.length === 0)).toBe(true);
  });
});

describe('failures never reach the host', () => {
  it('answers an unreachable server as SYNC_OFFLINE data and keeps retrying in the background', async () => {
    const lonely = openHost(join(dir, 'lonely'), ADA);
    await lonely.service.invoke('sync.configure', { host: '127.0.0.1', port: 1, database: 'recon', user: 'recon_sync', tls: 'disable' });
    expect(await lonely.service.call('sync.now', {})).toMatchObject({ ok: false, error: { code: 'SYNC_OFFLINE' } });
    await until(() => statuses(lonely).filter((s) => s.lastError?.code === 'SYNC_OFFLINE').length >= 3, 'three failed attempts');
    expect(await lonely.service.invoke('sync.status', {})).toMatchObject({ state: 'offline', configured: true, lastError: { code: 'SYNC_OFFLINE' } });
    await closeHost(lonely);
  });

  it.runIf(process.platform === 'linux')('refuses to store a password without an OS keychain, and writes it nowhere', async () => {
    // The real keychain, with a D-Bus address nobody listens on and a throwaway HOME: never the developer's own.
    const saved = { bus: process.env['DBUS_SESSION_BUS_ADDRESS'], home: process.env['HOME'] };
    process.env['DBUS_SESSION_BUS_ADDRESS'] = 'unix:path=/nonexistent/recon-test-bus';
    process.env['HOME'] = join(dir, 'home');
    const h = openHost(join(dir, 'no-keychain'), ADA, { keychain: osKeychain() });
    try {
      await h.service.invoke('sync.configure', connection());
      const s = await h.service.invoke('sync.status', {});
      expect(s.keychain).toMatchObject({ available: false, hasPassword: false });
      const secret = `never-on-disk-${process.pid}`;
      const r = await h.service.call('sync.login', { password: secret });
      expect(r).toMatchObject({ ok: false, error: { code: 'SYNC_KEYCHAIN_UNAVAILABLE', message: expect.stringMatching(/^no OS keychain is available, so the password was not stored \(and is never written to disk\)/) } });
      expect(JSON.stringify(r)).not.toContain(secret);
      for (const file of await filesUnder(h.workspace)) expect((await readFile(file)).includes(secret), file).toBe(false);
    } finally {
      await closeHost(h);
      for (const [k, v] of [['DBUS_SESSION_BUS_ADDRESS', saved.bus], ['HOME', saved.home]] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });
});
