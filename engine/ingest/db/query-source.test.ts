import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DefinitionInput } from '../../definition/schema.ts';
import type { RunSummary } from '../../contract/index.ts';
import { startTestPg, type TestPg } from '../../sync/testing/pg-server.ts';
import { saveConnection } from './connections.ts';
import { startTestMariaDb, type TestMariaDb } from './testing/mariadb-server.ts';
import { seedTradesDatabase } from './testing/pg-trades.ts';
import { expectedBreaks, TRADE_COLUMNS, trades, tradesCsv } from './testing/trades.ts';

/**
 * Query sources end to end, as a user runs them: `recon run` (a child process)
 * against a real PostgreSQL and a real MariaDB started by the repo's scripts.
 */

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const BIN = join(ROOT, 'bin', 'recon.mjs');
const N = 20_000;
const PG_PASSWORD = 'src-reader-pw';
const dir = mkdtempSync(join(tmpdir(), 'recon-query-src-'));

let pgServer: TestPg;
let maria: TestMariaDb;

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

function recon(args: string[], env: Record<string, string> = {}): Promise<Result> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd: ROOT, timeout: 120_000, env: { ...process.env, ...env } }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

const SELECT = `SELECT ${TRADE_COLUMNS.join(', ')} FROM trades WHERE trade_date <= :asOf ORDER BY id`;
const querySource = (connection: string, extra: Record<string, unknown> = {}) => ({ kind: 'query' as const, connection, sql: SELECT, params: { asOf: '2026-12-01' }, ...extra });
/** Files have no types of their own: the definition declares them. */
const FILE_DEF: DefinitionInput = {
  name: 'trades',
  key: ['id'],
  fields: [
    { name: 'id', type: 'integer' },
    { name: 'trade_date', type: 'date' },
    { name: 'amount', type: 'decimal', scale: 2 },
    { name: 'booked', type: 'timestamp' },
  ],
};
/** A query source's types come from the database: the definition names the key only. */
const queryDef = (a: object, b: object = {}): DefinitionInput => ({ name: 'trades', key: ['id'], sources: { a, b } as DefinitionInput['sources'] });

let n = 0;
async function workspace(): Promise<string> {
  const ws = join(dir, `ws${++n}`);
  await saveConnection(ws, { name: 'ledger', driver: 'postgres', host: pgServer.info.host, port: pgServer.info.port, database: 'recon_src', user: 'src_reader', connectTimeoutSeconds: 5, queryTimeoutSeconds: 60 });
  await saveConnection(ws, { name: 'bank', driver: 'mysql', host: maria.info.host, port: maria.info.port, database: maria.info.database, user: maria.info.user, connectTimeoutSeconds: 5, queryTimeoutSeconds: 60 });
  return ws;
}
const ENV = (): Record<string, string> => ({ RECON_SOURCE_PASSWORD_LEDGER: PG_PASSWORD, RECON_SOURCE_PASSWORD_BANK: maria.info.password });

function write(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** What the breaks say, whatever run they are in: key, field, values, type; sorted. */
function breakRows(outDir: string): string[] {
  const lines = readFileSync(join(outDir, 'breaks.csv'), 'utf8').trim().split('\n').slice(1);
  return lines.map((l) => l.split(',').slice(0, 5).join(',')).sort();
}

/** The run files a workspace holds (none after a failed run). */
function runFiles(ws: string): string[] {
  const runs = join(ws, 'runs');
  return existsSync(runs) ? readdirSync(runs) : [];
}

beforeAll(async () => {
  [pgServer, maria] = await Promise.all([startTestPg({ migrate: false }), startTestMariaDb()]);
  await seedTradesDatabase(pgServer, { user: 'src_reader', password: PG_PASSWORD, rows: N, side: 'a' });
  const m = await maria.client();
  try {
    await m.query('CREATE TABLE trades (id INT PRIMARY KEY, trade_date DATE NOT NULL, amount DECIMAL(18,2), ccy CHAR(3), booked DATETIME, note TEXT)');
    const rows = trades(N, 'b');
    for (let i = 0; i < rows.length; i += 2000) await m.query('INSERT INTO trades VALUES ?', [rows.slice(i, i + 2000)]);
  } finally {
    await m.end();
  }
  write('a.csv', tradesCsv(trades(N, 'a')));
  write('b.csv', tradesCsv(trades(N, 'b')));
  write('file.json', JSON.stringify(FILE_DEF));
}, 180_000);

afterAll(async () => {
  await Promise.all([pgServer?.destroy(), maria?.destroy()]);
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe('query sources', () => {
  it('PostgreSQL query vs CSV finds the same breaks as the same data in two files, typed from the database', async () => {
    const ws1 = await workspace();
    const files = await recon(['run', '--a', join(dir, 'a.csv'), '--b', join(dir, 'b.csv'), '--definition', join(dir, 'file.json'), '--workspace', ws1, '--out', join(dir, 'out-files'), '--quiet']);
    expect(files.stderr).toBe('');
    expect(files.code).toBe(0);
    const ws2 = await workspace();
    write('pg-vs-csv.json', JSON.stringify(queryDef(querySource('ledger'))));
    const query = await recon(['run', '--b', join(dir, 'b.csv'), '--definition', join(dir, 'pg-vs-csv.json'), '--workspace', ws2, '--out', join(dir, 'out-pg'), '--quiet'], ENV());
    expect(query.stderr).toBe('');
    expect(query.code).toBe(0);
    expect(breakRows(join(dir, 'out-pg'))).toEqual(breakRows(join(dir, 'out-files')));
    const s = JSON.parse(readFileSync(join(dir, 'out-pg', 'summary.json'), 'utf8')) as RunSummary;
    const f = JSON.parse(readFileSync(join(dir, 'out-files', 'summary.json'), 'utf8')) as RunSummary;
    const e = expectedBreaks(N);
    expect(s.breaks.byType).toEqual(f.breaks.byType);
    expect(s.breaks.byField).toEqual(f.breaks.byField);
    expect(s.breaks.byField).toMatchObject({ amount: e.mismatchAmount, note: e.mismatchNote, booked: 1 });
    expect(s.breaks.byType).toMatchObject({ MISSING_IN_A: 1, MISSING_IN_B: 1 });
    // Types from the database: amount compared as a decimal of scale 2, so control totals exist and agree with the files'.
    expect(s.controlTotals).toEqual(f.controlTotals);
    expect(s.checksPassed).toBe(true);
    expect(s.checks.map((c) => c.name)).toEqual(expect.arrayContaining(['source_rows_a', 'key_hash_a', 'control_total_a_amount_USD']));
    expect(s.checks.find((c) => c.name === 'source_rows_a')!.expected).toBe(String(N));
  }, 180_000);

  it('records where the rows came from in summary.json and the evidence pack', async () => {
    const ws = await workspace();
    write('pg-prov.json', JSON.stringify(queryDef(querySource('ledger'))));
    const r = await recon(['run', '--b', join(dir, 'b.csv'), '--definition', join(dir, 'pg-prov.json'), '--workspace', ws, '--out', join(dir, 'out-prov'), '--quiet', '--param', 'asOf=2026-11-30'], ENV());
    expect(r.stderr).toBe('');
    const s = JSON.parse(readFileSync(join(dir, 'out-prov', 'summary.json'), 'utf8')) as RunSummary;
    const q = s.inputs.a.query!;
    expect(s.inputs.a).toMatchObject({ path: 'query:ledger', format: 'query' });
    expect(q.connection).toEqual({ name: 'ledger', driver: 'postgres', host: pgServer.info.host, port: pgServer.info.port, database: 'recon_src', user: 'src_reader', tls: 'disable', encryption: 'none' });
    expect(JSON.stringify(s)).not.toContain(PG_PASSWORD);
    expect(q.sql).toBe(SELECT);
    expect(q.params).toEqual({ asOf: '2026-11-30' });
    expect(q.server).toMatch(/^PostgreSQL/);
    // --param as-of 2026-11-30 leaves out the rows dated 2026-12-01 (i % 30 === 0).
    const expectedRows = trades(N, 'a').filter((t) => t[1] <= '2026-11-30');
    expect(q.rows).toBe(expectedRows.length);
    expect(q.serverRows).toBe(expectedRows.length);
    expect(q.columns.find((c) => c.name === 'amount')).toEqual({ name: 'amount', dbType: 'numeric(18,2)', type: 'decimal', scale: 2 });
    expect(q.columns.find((c) => c.name === 'booked')).toMatchObject({ dbType: 'timestamp with time zone', type: 'timestamp' });
    // The SHA-256 of the rows in the canonical form, computed here independently from the database's text.
    const c = new pg.Client({ host: pgServer.info.host, port: pgServer.info.port, database: 'recon_src', user: 'src_reader', password: PG_PASSWORD, options: '-c TimeZone=UTC' });
    await c.connect();
    const res = await c.query({ text: `SELECT ${TRADE_COLUMNS.join(', ')} FROM trades WHERE trade_date <= '2026-11-30' ORDER BY id`, rowMode: 'array', types: { getTypeParser: () => (v: string) => v } });
    await c.end();
    const hash = createHash('sha256').update(`${JSON.stringify(TRADE_COLUMNS)}\n`);
    for (const row of res.rows as unknown[][]) hash.update(`${JSON.stringify(row)}\n`);
    expect(s.inputs.a.sha256).toBe(hash.digest('hex'));
    expect(q.rowsSha256).toBe(s.inputs.a.sha256);

    const pack = join(dir, 'evidence.json');
    const ex = await recon(['export', s.runId, '--format', 'evidence', '--out', pack, '--workspace', ws]);
    expect(ex.stderr).toBe('');
    const evidence = JSON.parse(readFileSync(pack, 'utf8')) as { inputs: { a: { sha256: string; query: typeof q } } };
    expect(evidence.inputs.a.sha256).toBe(s.inputs.a.sha256);
    expect(evidence.inputs.a.query).toMatchObject({ sql: SELECT, params: { asOf: '2026-11-30' }, rows: expectedRows.length, rowsSha256: s.inputs.a.sha256, connection: { name: 'ledger', user: 'src_reader' } });
    const verify = await recon(['evidence', 'verify', pack, '--workspace', ws]);
    expect(verify.code).toBe(0);
  }, 120_000);

  it('MariaDB vs PostgreSQL: two queries find the breaks the files do', async () => {
    const ws = await workspace();
    write('pg-vs-maria.json', JSON.stringify(queryDef(querySource('ledger'), querySource('bank'))));
    const r = await recon(['run', '--definition', join(dir, 'pg-vs-maria.json'), '--workspace', ws, '--out', join(dir, 'out-maria'), '--quiet'], ENV());
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(breakRows(join(dir, 'out-maria'))).toEqual(breakRows(join(dir, 'out-files')));
    const s = JSON.parse(readFileSync(join(dir, 'out-maria', 'summary.json'), 'utf8')) as RunSummary;
    expect(s.checksPassed).toBe(true);
    expect(s.inputs.b.query).toMatchObject({ connection: { driver: 'mysql', name: 'bank' }, rows: N, server: expect.stringMatching(/MariaDB/) });
    expect(s.inputs.b.query!.columns.find((c) => c.name === 'amount')).toEqual({ name: 'amount', dbType: 'decimal(18,2)', type: 'decimal', scale: 2 });
    expect(s.inputs.b.query!.columns.find((c) => c.name === 'booked')).toMatchObject({ dbType: 'datetime', type: 'timestamp' });
  }, 120_000);

  it('source add-connection, list and test through the CLI', async () => {
    const ws = join(dir, 'ws-cli');
    const add = await recon(['source', 'add-connection', 'ledger', '--driver', 'postgres', '--host', pgServer.info.host, '--port', String(pgServer.info.port), '--database', 'recon_src', '--user', 'src_reader', '--workspace', ws]);
    expect(add.stderr).toBe('');
    expect(add.stdout).toContain(`saved connection "ledger": postgres://src_reader@${pgServer.info.host}:${pgServer.info.port}/recon_src`);
    const list = await recon(['source', 'list', '--json', '--workspace', ws]);
    expect(JSON.parse(list.stdout)).toEqual([expect.objectContaining({ name: 'ledger', driver: 'postgres', user: 'src_reader' })]);
    expect(readFileSync(join(ws, 'connections.json'), 'utf8')).not.toContain(PG_PASSWORD);
    const test = await recon(['source', 'test', 'ledger', '--workspace', ws], ENV());
    expect(test.stdout).toContain('connection "ledger" OK');
    expect(test.stdout).toContain('password from: $RECON_SOURCE_PASSWORD_LEDGER');
    const bad = await recon(['source', 'test', 'ledger', '--workspace', ws], { RECON_SOURCE_PASSWORD_LEDGER: 'wrong' });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('SOURCE_AUTH_FAILED');
  }, 120_000);

  describe('bad connections fail the run with exit 2, a clear message and nothing kept', () => {
    const failing = async (def: DefinitionInput, env: Record<string, string>, extra: string[] = []): Promise<Result & { ws: string }> => {
      const ws = await workspace();
      const path = write(`fail-${n}.json`, JSON.stringify(def));
      const r = await recon(['run', '--definition', path, '--workspace', ws, '--quiet', ...(def.sources?.b && 'kind' in def.sources.b ? [] : ['--b', join(dir, 'b.csv')]), ...extra], env);
      expect(runFiles(ws).filter((f) => !f.startsWith('.'))).toEqual([]);
      return { ...r, ws };
    };

    it('a wrong password', async () => {
      const r = await failing(queryDef(querySource('ledger')), { ...ENV(), RECON_SOURCE_PASSWORD_LEDGER: 'wrong' });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('error [SOURCE_AUTH_FAILED]: source A (connection "ledger", postgres://src_reader@');
      expect(r.stderr).toContain('password authentication failed');
      expect(r.stderr).toContain('password from $RECON_SOURCE_PASSWORD_LEDGER');
    });

    it('no password at all: refused at once, saying none was found', async () => {
      const t0 = Date.now();
      const r = await failing(queryDef(querySource('ledger')), { RECON_SOURCE_PASSWORD_LEDGER: '', PGPASSWORD: '' });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('error [SOURCE_AUTH_FAILED]: source A (connection "ledger"');
      expect(r.stderr).toContain('no password was found');
      expect(Date.now() - t0).toBeLessThan(20_000);
    });

    it('a wrong MariaDB password', async () => {
      const r = await failing(queryDef(querySource('ledger'), querySource('bank')), { ...ENV(), RECON_SOURCE_PASSWORD_BANK: 'wrong' });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('error [SOURCE_AUTH_FAILED]: source B (connection "bank", mysql://recon_src@');
      expect(r.stderr).toContain('Access denied for user');
    });

    it('a MariaDB query past its timeout', async () => {
      const sql = 'SELECT id, SLEEP(30) AS s FROM trades WHERE id = 1 AND trade_date <= :asOf';
      const r = await failing(queryDef(querySource('ledger'), querySource('bank', { sql, timeoutSeconds: 1 })), ENV());
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('error [SOURCE_TIMEOUT]: source B (connection "bank"');
    });

    it('an unreachable server', async () => {
      const ws = await workspace();
      await saveConnection(ws, { name: 'ledger', driver: 'postgres', host: '127.0.0.1', port: 1, database: 'x', user: 'x', connectTimeoutSeconds: 3 });
      const path = write('unreachable.json', JSON.stringify(queryDef(querySource('ledger'))));
      const r = await recon(['run', '--definition', path, '--b', join(dir, 'b.csv'), '--workspace', ws, '--quiet'], ENV());
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/error \[SOURCE_UNREACHABLE\]: source A \(connection "ledger", postgres:\/\/x@127\.0\.0\.1:1\/x\): could not connect: .*ECONNREFUSED/);
      expect(runFiles(ws)).toEqual([]);
    });

    it('a query error', async () => {
      const r = await failing(queryDef(querySource('ledger', { sql: 'SELECT id, nope FROM trades WHERE trade_date <= :asOf' })), ENV());
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('error [SOURCE_QUERY_FAILED]: source A (connection "ledger"');
      expect(r.stderr).toContain('column "nope" does not exist');
    });

    it('a parameter the query uses but params does not give', async () => {
      const r = await failing(queryDef(querySource('ledger', { params: {} })), ENV());
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('the query uses :asOf, but params gives no value for it');
    });

    it('a --param no query uses', async () => {
      const r = await failing(queryDef(querySource('ledger')), ENV(), ['--param', 'asof=2026-12-01']);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('--param asof: no query of the definition uses :asof');
    });

    it('a query past its timeout', async () => {
      const t0 = Date.now();
      const r = await failing(queryDef(querySource('ledger', { sql: 'SELECT id, pg_sleep(30)::text AS s FROM trades WHERE id = 1 AND trade_date <= :asOf', timeoutSeconds: 1 })), ENV());
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('error [SOURCE_TIMEOUT]: source A (connection "ledger"');
      expect(Date.now() - t0).toBeLessThan(20_000);
    });

    it('a PostgreSQL connection ended mid-stream', async () => {
      // Row 5000 waits, after the server has sent the rows before it; then its backend is terminated.
      const sql = 'SELECT id, amount, CASE WHEN id = 5000 THEN pg_sleep(30)::text END AS s FROM trades WHERE trade_date <= :asOf ORDER BY id';
      const done = failing(queryDef(querySource('ledger', { sql })), ENV());
      const su = await pgServer.admin('superuser');
      try {
        await waitFor(async () => (await su.query("SELECT pg_terminate_backend(pid) AS t FROM pg_stat_activity WHERE wait_event = 'PgSleep' AND datname = 'recon_src'")).rowCount! > 0);
      } finally {
        await su.end();
      }
      const r = await done;
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/error \[SOURCE_CONNECTION_LOST\]: source A \(connection "ledger".*the connection was lost while rows were streaming/);
    }, 60_000);

    it('a MariaDB server killed mid-stream (last: the server is gone after it)', async () => {
      const sql = 'SELECT id, amount, IF(id = 5000, SLEEP(30), 0) AS s FROM trades WHERE trade_date <= :asOf ORDER BY id';
      const done = failing(queryDef(querySource('ledger'), querySource('bank', { sql })), ENV());
      const m = await maria.client();
      await waitFor(async () => {
        const [rows] = await m.query("SELECT id FROM information_schema.processlist WHERE info LIKE '%SLEEP(30)%' AND command = 'Query' AND state = 'User sleep'");
        return (rows as unknown[]).length > 0;
      });
      maria.kill();
      m.destroy();
      const r = await done;
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/error \[SOURCE_CONNECTION_LOST\]: source B \(connection "bank", mysql:\/\/recon_src@127\.0\.0\.1:\d+\/recon_src\): the connection was lost/);
    }, 60_000);
  });
});

async function waitFor(probe: () => Promise<boolean>, ms = 45_000): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await probe()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('timed out waiting');
}


