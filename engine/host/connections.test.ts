/**
 * Query and HTTP sources from the desktop app, through the service as the UI
 * drives it, against a real PostgreSQL (scripts/pg) and the tests' own HTTP API:
 * an admin saves connections (audited, the password to the keychain only),
 * anyone tests and previews them, an analyst may not change them, and runs.start
 * reads a query or HTTP side and finds the breaks the same data finds in files.
 *
 * The keychain of connections.* is an in-memory one (the real Secret Service is
 * driven by the e2e test); a run's worker thread reads the password from the
 * connection's environment variable, as a scripted run does.
 */
import './testing/fail-on-unhandled.ts';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContractEvent, DefinitionInput } from '../contract/index.ts';
import { TRADE_COLUMNS, trades, tradesCsv, expectedBreaks } from '../ingest/db/testing/trades.ts';
import { startTestApi, TOKEN, type TestApi } from '../ingest/http/testing/api-server.ts';
import { openStore, type Store } from '../store/open.ts';
import { sql } from '../store/sql.ts';
import type { Keychain } from '../sync/credentials.ts';
import { startTestPg, type TestPg } from '../sync/testing/pg-server.ts';
import type { Identity } from '../workflow/identity.ts';
import { createService, type Service } from './service.ts';
import { seedTradesDatabase } from '../ingest/db/testing/pg-trades.ts';

const ADA: Identity = { userId: 'ada', displayName: 'Ada Admin' };
const CY: Identity = { userId: 'cy', displayName: 'Cy Analyst' };
const N = 3000;
const PG_PASSWORD = 'src-reader-pw-4d1';
const SELECT = `SELECT ${TRADE_COLUMNS.join(', ')} FROM trades WHERE trade_date <= :asOf ORDER BY id`;
/** Files have no types of their own: the definition declares them (HTTP records neither). */
const TYPED_FIELDS: DefinitionInput['fields'] = [
  { name: 'id', type: 'integer' },
  { name: 'trade_date', type: 'date' },
  { name: 'amount', type: 'decimal', scale: 2 },
  { name: 'booked', type: 'timestamp' },
];

function memoryKeychain(): Keychain & { entries: Map<string, string> } {
  const entries = new Map<string, string>();
  return { entries, set: (a, p) => void entries.set(a, p), get: (a) => entries.get(a) ?? null, delete: (a) => entries.delete(a) };
}

let pgServer: TestPg;
let api: TestApi;
let dir: string;
let workspace: string;
let store: Store;
let service: Service;
let analyst: Service;
const keychain = memoryKeychain();
const events: ContractEvent[] = [];
let aCsv: string;
let bCsv: string;

const ledger = () => ({ name: 'ledger', driver: 'postgres' as const, host: pgServer.info.host, port: pgServer.info.port, database: 'recon_src', user: 'src_reader', connectTimeoutSeconds: 5, queryTimeoutSeconds: 60 });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'recon-host-conn-'));
  workspace = join(dir, 'ws');
  pgServer = await startTestPg({ migrate: false });
  await seedTradesDatabase(pgServer, { user: 'src_reader', password: PG_PASSWORD, rows: N, side: 'a' });
  // The same A rows as an API's records, 500 a page, each value as the database writes it as text.
  api = await startTestApi(
    trades(N, 'a').map((r) => JSON.stringify(Object.fromEntries(TRADE_COLUMNS.map((name, i) => [name, r[i]])))),
    500,
  );
  aCsv = join(dir, 'a.csv');
  bCsv = join(dir, 'b.csv');
  await writeFile(aCsv, tradesCsv(trades(N, 'a')));
  await writeFile(bCsv, tradesCsv(trades(N, 'b')));
  // A run's worker thread logs in as a scripted run does: the connection's own variable.
  process.env['RECON_SOURCE_PASSWORD_LEDGER'] = PG_PASSWORD;
  process.env['RECON_SOURCE_PASSWORD_API'] = TOKEN;
  store = openStore(workspace);
  const sync = { keychain, env: {}, intervalMs: 3_600_000 };
  service = createService({ workspace, host: 'test', version: '0', store, user: ADA, emit: (e) => events.push(e), sync });
  // The first user to act is the workspace's admin; cy is an analyst.
  await service.invoke('users.add', { userId: CY.userId, displayName: CY.displayName, roles: ['analyst'] });
  analyst = createService({ workspace, host: 'test', version: '0', store, user: CY, emit: () => undefined, sync });
}, 180_000);

afterAll(async () => {
  delete process.env['RECON_SOURCE_PASSWORD_LEDGER'];
  delete process.env['RECON_SOURCE_PASSWORD_API'];
  await analyst?.close();
  await service?.close();
  store?.close();
  await api?.close();
  await pgServer?.destroy();
  await rm(dir, { recursive: true, force: true });
}, 60_000);

/** The connection.* events of the trail, in order. */
function connectionEvents(): { action: string; actor: string; target: string; before: string | null; after: string | null }[] {
  return store.read((tx) => tx.all(sql`SELECT action, actor, target, before, after FROM audit_events WHERE action LIKE 'connection.%' ORDER BY at, seq`));
}

async function* walk(path: string): AsyncGenerator<string> {
  for (const name of await readdir(path)) {
    const p = join(path, name);
    if ((await stat(p)).isDirectory()) yield* walk(p);
    else yield p;
  }
}

describe('connections in the app', () => {
  it('an admin saves, tests and removes a database connection; the password goes to the keychain only; every change is audited', async () => {
    expect(await service.invoke('connections.save', { connection: ledger() })).toMatchObject({ created: true, connection: { name: 'ledger', tls: 'disable', secret: { from: 'none', stored: false, envVar: 'RECON_SOURCE_PASSWORD_LEDGER' } } });
    // No password anywhere the host looks (its environment here is empty): the server refuses, and says where none was found.
    const refused = await service.call('connections.test', { name: 'ledger' });
    expect(refused).toMatchObject({ ok: false, error: { code: 'SOURCE_AUTH_FAILED' } });
    expect(JSON.stringify(refused)).toContain('no password was found');

    expect(await service.invoke('connections.setPassword', { name: 'ledger', password: PG_PASSWORD })).toMatchObject({ connection: { secret: { from: 'the OS keychain', stored: true } } });
    expect([...keychain.entries.values()]).toEqual([PG_PASSWORD]);
    const ok = await service.invoke('connections.test', { name: 'ledger' });
    expect(ok).toMatchObject({ kind: 'database', target: `postgres://src_reader@${pgServer.info.host}:${pgServer.info.port}/recon_src`, tls: 'off (--tls disable)', secretFrom: 'the OS keychain' });
    expect(ok.server).toMatch(/^PostgreSQL \d+/);

    expect(await service.invoke('connections.save', { connection: { ...ledger(), queryTimeoutSeconds: 120 } })).toMatchObject({ created: false, connection: { queryTimeoutSeconds: 120 } });
    expect((await service.invoke('connections.list', {})).connections.map((c) => c.name)).toEqual(['ledger']);
    expect(await service.invoke('connections.forgetPassword', { name: 'ledger' })).toMatchObject({ removed: true, connection: { secret: { stored: false, from: 'none' } } });
    expect(keychain.entries.size).toBe(0);

    // Saved again with its password, for the runs below; a throwaway one is removed with its password.
    await service.invoke('connections.setPassword', { name: 'ledger', password: PG_PASSWORD });
    await service.invoke('connections.save', { connection: { ...ledger(), name: 'scratch' } });
    await service.invoke('connections.setPassword', { name: 'scratch', password: 'throwaway-pw' });
    expect(await service.invoke('connections.remove', { name: 'scratch' })).toEqual({ removed: true });
    expect(await service.invoke('connections.remove', { name: 'scratch' })).toEqual({ removed: false });
    expect([...keychain.entries.values()]).toEqual([PG_PASSWORD]);

    const trail = connectionEvents();
    expect(trail.map((e) => `${e.action} ${e.target}`)).toEqual([
      'connection.saved connection:ledger',
      'connection.password_set connection:ledger',
      'connection.saved connection:ledger',
      'connection.password_forgotten connection:ledger',
      'connection.password_set connection:ledger',
      'connection.saved connection:scratch',
      'connection.password_set connection:scratch',
      'connection.removed connection:scratch',
    ]);
    expect(trail.every((e) => e.actor === 'ada')).toBe(true);
    expect(JSON.parse(trail[2]!.before!)).toMatchObject({ query_timeout_seconds: 60 });
    expect(JSON.parse(trail[2]!.after!)).toMatchObject({ query_timeout_seconds: 120, host: pgServer.info.host });
    expect(JSON.parse(trail[7]!.after!)).toEqual({ password_removed: true });
    // Never a password: not in the trail, nor in any file of the workspace.
    for (const e of trail) expect(`${e.before}${e.after}`).not.toMatch(/src-reader-pw|throwaway-pw/);
    for await (const file of walk(workspace)) {
      const bytes = await readFile(file);
      expect(bytes.includes(PG_PASSWORD), file).toBe(false);
      expect(bytes.includes('throwaway-pw'), file).toBe(false);
    }
    expect(events.some((e) => e.type === 'workflow.changed' && e.what === 'settings')).toBe(true);
  }, 60_000);

  it('an HTTP connection keeps its {secret} in the keychain and a literal header value out of the list', async () => {
    const saved = await service.invoke('connections.save', {
      connection: { name: 'api', driver: 'http', baseUrl: api.url, headers: [{ name: 'Authorization', value: 'Bearer {secret}' }, { name: 'X-Desk', value: 'fx-desk-key' }], timeoutSeconds: 5, retries: 0 },
    });
    expect(saved.connection).toMatchObject({ driver: 'http', headers: [{ name: 'Authorization', value: 'Bearer {secret}' }, { name: 'X-Desk', value: null }], secret: { needed: true, from: 'none' } });
    expect(await service.call('connections.test', { name: 'api', path: '/link' })).toMatchObject({ ok: false, error: { code: 'SOURCE_AUTH_FAILED' } });
    await service.invoke('connections.setPassword', { name: 'api', password: TOKEN });
    const ok = await service.invoke('connections.test', { name: 'api', path: '/link' });
    expect(ok).toMatchObject({ kind: 'http', target: `${api.url}/link`, secretFrom: 'the OS keychain', server: null, tls: 'none (http://)' });
    expect(ok.bytes).toBeGreaterThan(1000);
    // Saved again from the form, which never saw X-Desk's value: null keeps it.
    await service.invoke('connections.save', { connection: { name: 'api', driver: 'http', baseUrl: api.url, headers: [{ name: 'Authorization', value: 'Bearer {secret}' }, { name: 'X-Desk', value: null }], timeoutSeconds: 5, retries: 0 } });
    const file = JSON.parse(await readFile(join(workspace, 'connections.json'), 'utf8')) as { connections: { name: string; headers?: Record<string, string> }[] };
    expect(file.connections.find((c) => c.name === 'api')?.headers).toEqual({ Authorization: 'Bearer {secret}', 'X-Desk': 'fx-desk-key' });
    const events = connectionEvents().filter((e) => e.target === 'connection:api');
    expect(events.map((e) => e.action)).toEqual(['connection.saved', 'connection.password_set', 'connection.saved']);
    for (const e of events) expect(`${e.before}${e.after}`).not.toMatch(/fx-desk-key|tok-3f9a/);
    // A path is always under the connection's base URL: a URL given as a path asks the same server (here a 404), never another host.
    const elsewhere = await service.call('connections.test', { name: 'api', path: 'http://169.254.169.254/' });
    expect(elsewhere).toMatchObject({ ok: false, error: { code: 'SOURCE_QUERY_FAILED' } });
    expect(elsewhere.ok ? '' : elsewhere.error.message).toContain(`GET ${api.url}/http://169.254.169.254/`);
  }, 60_000);

  it('an analyst may test and preview connections, but not add, change or remove them', async () => {
    for (const [name, args] of [
      ['connections.save', { connection: { ...ledger(), name: 'mine' } }],
      ['connections.remove', { name: 'ledger' }],
      ['connections.setPassword', { name: 'ledger', password: 'guess' }],
      ['connections.forgetPassword', { name: 'ledger' }],
    ] as const) {
      expect(await analyst.call(name, args), name).toMatchObject({ ok: false, error: { code: 'FORBIDDEN_ROLE' } });
    }
    expect(keychain.entries.get([...keychain.entries.keys()].find((k) => k.startsWith('source:ledger:'))!)).toBe(PG_PASSWORD);
    expect((await analyst.invoke('connections.list', {})).connections.map((c) => c.name)).toEqual(['api', 'ledger']);
    expect(await analyst.invoke('connections.test', { name: 'ledger' })).toMatchObject({ kind: 'database', secretFrom: 'the OS keychain' });
    expect(connectionEvents().filter((e) => e.actor === 'cy')).toEqual([]);
  }, 60_000);
});

describe('connections.preview', () => {
  it("shows a query's first rows under a LIMIT, with the database's column types", async () => {
    const p = await service.invoke('connections.preview', { side: 'a', source: { kind: 'query', connection: 'ledger', sql: SELECT, params: { asOf: '2026-12-01' } }, limit: 5 });
    expect(p).toMatchObject({ path: 'query:ledger', format: 'query', columns: [...TRADE_COLUMNS] });
    expect(p.dbTypes).toEqual(['integer', 'date', 'numeric(18,2)', 'character(3)', 'timestamp with time zone', 'text']);
    expect(p.rows).toHaveLength(5);
    const first = trades(N, 'a')[0]!;
    expect(p.rows[0]!.slice(0, 4)).toEqual([first[0], first[1], first[2], first[3]]);
    // A query that ends in a line comment still previews (the LIMIT around it starts on a line of its own).
    const commented = await service.invoke('connections.preview', { source: { kind: 'query', connection: 'ledger', sql: 'SELECT id FROM trades ORDER BY id -- the ids' }, limit: 2 });
    expect(commented.rows).toEqual([['1'], ['2']]);
  }, 60_000);

  it("shows an HTTP source's first page", async () => {
    const p = await service.invoke('connections.preview', { side: 'b', source: { kind: 'http', connection: 'api', path: '/link', records: '/data/items', pagination: { kind: 'link' } }, limit: 3 });
    expect(p).toMatchObject({ path: 'http:api', format: 'http', columns: [...TRADE_COLUMNS], dbTypes: [null, null, null, null, null, null] });
    expect(p.rows).toEqual(trades(N, 'a').slice(0, 3));
  }, 60_000);

  it('refuses a connection the workspace does not have, a URL of a page’s own, a file side, and a bad query with its error', async () => {
    expect(await service.call('connections.preview', { source: { kind: 'query', connection: 'nope', sql: 'SELECT 1' } })).toMatchObject({ ok: false, error: { code: 'SOURCE_NOT_CONFIGURED' } });
    expect(await service.call('connections.preview', { source: { kind: 'http', url: `${api.url}/link` } })).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
    expect(await service.call('connections.preview', { source: { delimiter: ',' } })).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
    const bad = await service.call('connections.preview', { source: { kind: 'query', connection: 'ledger', sql: 'SELECT nope FROM trades' } });
    expect(bad).toMatchObject({ ok: false, error: { code: 'SOURCE_QUERY_FAILED' } });
    expect(bad.ok ? '' : bad.error.message).toContain('column "nope" does not exist');
    expect(await service.call('connections.preview', { source: { kind: 'query', connection: 'ledger', sql: SELECT } })).toMatchObject({ ok: false, error: { code: 'DEFINITION_INVALID' } });
  }, 60_000);
});

describe('runs.start with a query or HTTP side', () => {
  const waitFinished = async (id: string): Promise<ContractEvent> => {
    for (let i = 0; i < 1200; i++) {
      const e = events.find((x) => x.type === 'run.finished' && x.runId === id);
      if (e) return e;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`run ${id} did not finish`);
  };
  /** Every break of a run, as key, field, type and values: comparable across runs. */
  const breaksOf = async (runId: string): Promise<string[]> => {
    const page = await service.invoke('breaks.page', { runId, startRow: 0, endRow: 1000 });
    return page.rows.map((r) => `${r.key}|${r.field}|${r.diffType}|${r.valueA}|${r.valueB}`).sort();
  };
  let fileBreaks: string[];
  let fileTypes: Record<string, number>;

  beforeAll(async () => {
    const { runId } = await service.invoke('runs.start', { aPath: aCsv, bPath: bCsv, definition: { name: 'trades-files', key: ['id'], fields: TYPED_FIELDS } });
    expect(await waitFinished(runId)).toMatchObject({ status: 'COMPLETED' });
    fileBreaks = await breaksOf(runId);
    fileTypes = (await service.invoke('runs.get', { runId })).summary.breaks.byType;
  }, 120_000);

  it('a query side against a file side completes with the breaks the same data finds in two files, and records its provenance', async () => {
    const definition = { name: 'trades-query', key: ['id'], sources: { a: { kind: 'query' as const, connection: 'ledger', sql: SELECT, params: { asOf: '2026-12-01' } } } };
    const { runId } = await service.invoke('runs.start', { bPath: bCsv, definition });
    expect(await waitFinished(runId)).toMatchObject({ status: 'COMPLETED', error: null });
    const { summary } = await service.invoke('runs.get', { runId });
    const e = expectedBreaks(N);
    expect(summary.breaks.byType).toEqual(fileTypes);
    expect(summary.breaks.byType).toMatchObject({ MISSING_IN_A: e.missingInA, MISSING_IN_B: e.missingInB });
    expect(await breaksOf(runId)).toEqual(fileBreaks);
    expect(summary.checksPassed).toBe(true);
    expect(summary.inputs.a).toMatchObject({ path: 'query:ledger', format: 'query', query: { sql: SELECT, params: { asOf: '2026-12-01' }, rows: N, connection: { name: 'ledger', tls: 'disable', encryption: 'none' } } });
    expect(JSON.stringify(summary)).not.toContain(PG_PASSWORD);
    expect((await service.invoke('runs.list', {})).runs.find((r) => r.runId === runId)).toMatchObject({ status: 'COMPLETED', definition: 'trades-query' });
  }, 120_000);

  it('an HTTP side against a file side completes with the same breaks', async () => {
    const definition = {
      name: 'trades-http',
      key: ['id'],
      fields: TYPED_FIELDS,
      sources: { a: { kind: 'http' as const, connection: 'api', path: '/link', records: '/data/items', pagination: { kind: 'link' as const } } },
    };
    const { runId } = await service.invoke('runs.start', { bPath: bCsv, definition });
    expect(await waitFinished(runId)).toMatchObject({ status: 'COMPLETED', error: null });
    const { summary } = await service.invoke('runs.get', { runId });
    expect(summary.breaks.byType).toEqual(fileTypes);
    expect(await breaksOf(runId)).toEqual(fileBreaks);
    expect(summary.inputs.a).toMatchObject({ path: 'http:api', format: 'http', http: { connection: 'api', pages: Math.ceil(N / 500), rows: N } });
  }, 120_000);

  it('refuses, before any run starts, a connection the workspace does not have, a path for a query side, a missing path for a file side, and a URL of its own', async () => {
    const query = (connection: string) => ({ kind: 'query' as const, connection, sql: 'SELECT 1 AS id' });
    const missing = await service.call('runs.start', { bPath: bCsv, definition: { name: 'x', key: ['id'], sources: { a: query('warehouse') } } });
    expect(missing).toMatchObject({ ok: false, error: { code: 'SOURCE_NOT_CONFIGURED', details: { connection: 'warehouse' } } });
    expect(JSON.stringify(missing)).toContain('no connection named \\"warehouse\\"');
    expect(await service.call('runs.start', { aPath: aCsv, bPath: bCsv, definition: { name: 'x', key: ['id'], sources: { a: query('ledger') } } })).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
    expect(await service.call('runs.start', { definition: { name: 'x', key: ['id'], sources: { a: query('ledger') } } })).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
    expect(await service.call('runs.start', { bPath: bCsv, definition: { name: 'x', key: ['id'], sources: { a: query('api') } } })).toMatchObject({ ok: false, error: { code: 'SOURCE_NOT_CONFIGURED' } });
    expect(await service.call('runs.start', { bPath: bCsv, definition: { name: 'x', key: ['id'], sources: { a: { kind: 'http', url: `${api.url}/link` } } } })).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
    const runs = (await service.invoke('runs.list', {})).runs.filter((r) => r.definition === 'x');
    expect(runs).toEqual([]);
  }, 60_000);
});
