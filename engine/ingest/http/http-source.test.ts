import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunSummary } from '../../contract/index.ts';
import type { DefinitionInput, SourceOptions } from '../../definition/schema.ts';
import { saveHttpConnection } from '../db/connections.ts';
import { expectedBreaks, TRADE_COLUMNS, trades, tradesCsv, type TradeRow } from '../db/testing/trades.ts';
import { startTestApi, TOKEN, type TestApi } from './testing/api-server.ts';

/**
 * HTTP sources end to end, as a user runs them: `recon run` (a child process)
 * against an API of the test's own on 127.0.0.1, in each pagination style.
 */

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const BIN = join(ROOT, 'bin', 'recon.mjs');
const N = 2000;
const PAGE = 300;
const dir = mkdtempSync(join(tmpdir(), 'recon-http-src-'));
const ENV = { RECON_SOURCE_PASSWORD_API: TOKEN };

let api: TestApi;
let decimalsApi: TestApi;

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

function recon(args: string[], env: Record<string, string> = ENV): Promise<Result> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd: ROOT, timeout: 60_000, env: { ...process.env, ...env } }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

/** A trade as the API writes it: numbers as JSON numbers, in the text the CSV has. */
const recordJson = (t: TradeRow): string =>
  `{"id":${t[0]},"trade_date":"${t[1]}","amount":${t[2] ?? 'null'},"ccy":"${t[3]}","booked":"${t[4]}","note":${JSON.stringify(t[5])}}`;

const FIELDS: DefinitionInput['fields'] = [
  { name: 'id', type: 'integer' },
  { name: 'trade_date', type: 'date' },
  { name: 'amount', type: 'decimal', scale: 2 },
  { name: 'booked', type: 'timestamp' },
];
const httpDef = (a: object): DefinitionInput => ({ name: 'trades', key: ['id'], fields: FIELDS, sources: { a: { kind: 'http', connection: 'api', ...a } as SourceOptions, b: {} } });

let n = 0;
async function workspace(base = api.url, extra: { timeoutSeconds?: number; retries?: number } = {}): Promise<string> {
  const ws = join(dir, `ws${++n}`);
  await saveHttpConnection(ws, { name: 'api', driver: 'http', baseUrl: base, headers: { Authorization: 'Bearer {secret}', 'X-Client': 'recon' }, timeoutSeconds: 5, retries: 1, ...extra });
  return ws;
}

function write(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function breakRows(outDir: string): string[] {
  return readFileSync(join(outDir, 'breaks.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(',').slice(0, 5).join(',')).sort();
}

const runFiles = (ws: string): string[] => (existsSync(join(ws, 'runs')) ? readdirSync(join(ws, 'runs')).filter((f) => !f.startsWith('.')) : []);

async function runHttp(name: string, source: object, ws?: string, env: Record<string, string> = ENV): Promise<Result & { ws: string; out: string }> {
  const w = ws ?? (await workspace());
  const out = join(dir, `out-${name}`);
  const r = await recon(['run', '--b', join(dir, 'b.csv'), '--definition', write(`${name}.json`, JSON.stringify(httpDef(source))), '--workspace', w, '--out', out, '--quiet'], env);
  return { ...r, ws: w, out };
}

beforeAll(async () => {
  api = await startTestApi(trades(N, 'a').map(recordJson), PAGE);
  decimalsApi = await startTestApi(['{"id":1,"amount":0.1}', '{"id":2,"amount":0.2}', '{"id":3,"amount":12345678901234567890.12}', '{"id":4,"amount":98765432109876543210}', '{"id":5,"amount":1E-2}'], 2);
  write('a.csv', tradesCsv(trades(N, 'a')));
  write('b.csv', tradesCsv(trades(N, 'b')));
  write('files.json', JSON.stringify({ name: 'trades', key: ['id'], fields: FIELDS }));
  const files = await recon(['run', '--a', join(dir, 'a.csv'), '--b', join(dir, 'b.csv'), '--definition', join(dir, 'files.json'), '--workspace', join(dir, 'ws-files'), '--out', join(dir, 'out-files'), '--quiet']);
  expect(files.stderr).toBe('');
}, 60_000);

afterAll(async () => {
  await Promise.all([api?.close(), decimalsApi?.close()]);
  rmSync(dir, { recursive: true, force: true });
});

describe('HTTP sources', () => {
  describe.concurrent('each pagination style finds the breaks two files do', () => {
    const styles: [string, object][] = [
      ['link-header', { path: '/link', records: '/data/items', pagination: { kind: 'link' } }],
      ['link-in-body', { path: '/link-body', records: '/items', pagination: { kind: 'link', next: '/links/next' } }],
      ['cursor', { path: '/cursor', records: '/results', pagination: { kind: 'cursor', cursor: '/meta/next_cursor', param: 'cursor' } }],
      ['page-number', { path: '/pages', pagination: { kind: 'page', param: 'p', start: 0, size: PAGE, sizeParam: 'per_page' } }],
      ['ndjson', { path: '/ndjson', response: 'ndjson', pagination: { kind: 'page' } }],
    ];
    for (const [name, source] of styles) {
      it(name, async () => {
        const r = await runHttp(name, source);
        expect(r.stderr).toBe('');
        expect(r.code).toBe(0);
        expect(breakRows(r.out)).toEqual(breakRows(join(dir, 'out-files')));
        const s = JSON.parse(readFileSync(join(r.out, 'summary.json'), 'utf8')) as RunSummary;
        const f = JSON.parse(readFileSync(join(dir, 'out-files', 'summary.json'), 'utf8')) as RunSummary;
        expect(s.breaks.byField).toMatchObject({ amount: expectedBreaks(N).mismatchAmount, note: expectedBreaks(N).mismatchNote });
        expect(s.controlTotals).toEqual(f.controlTotals);
        expect(s.checksPassed).toBe(true);
        expect(s.checks.find((c) => c.name === 'source_rows_a')!.expected).toBe(String(N));
        expect(s.checks.map((c) => c.name)).toEqual(expect.arrayContaining(['key_hash_a', 'control_total_a_amount_USD']));
        expect(s.inputs.a.http!.pages).toBeGreaterThanOrEqual(Math.ceil(N / PAGE));
      }, 60_000);
    }
  });

  it('records where the records came from in summary.json and the evidence pack, never the token', async () => {
    const r = await runHttp('provenance', { path: '/link', params: { desk: 'fx', api_key: 'k-should-not-show' }, records: '/data/items', pagination: { kind: 'link' } });
    expect(r.stderr).toBe('');
    const s = JSON.parse(readFileSync(join(r.out, 'summary.json'), 'utf8')) as RunSummary;
    const h = s.inputs.a.http!;
    expect(s.inputs.a).toMatchObject({ path: 'http:api', format: 'http' });
    expect(h).toMatchObject({ connection: 'api', url: `${api.url}/link?desk=fx&api_key=***`, headers: ['Authorization', 'X-Client'], pagination: 'link', records: '/data/items', pages: 7, rows: N });
    expect(JSON.stringify(s)).not.toContain(TOKEN);
    expect(JSON.stringify(s)).not.toContain('k-should-not-show');
    // The canonical rows' SHA-256, computed here from the same trades as text.
    const hash = createHash('sha256').update(`${JSON.stringify(TRADE_COLUMNS)}\n`);
    for (const t of trades(N, 'a')) hash.update(`${JSON.stringify(t)}\n`);
    expect(s.inputs.a.sha256).toBe(hash.digest('hex'));
    expect(h.rowsSha256).toBe(s.inputs.a.sha256);

    const pack = join(dir, 'evidence.json');
    const ex = await recon(['export', s.runId, '--format', 'evidence', '--out', pack, '--workspace', r.ws]);
    expect(ex.stderr).toBe('');
    const evidence = JSON.parse(readFileSync(pack, 'utf8')) as { inputs: { a: { sha256: string; http: typeof h } } };
    expect(evidence.inputs.a.http).toMatchObject({ url: h.url, headers: ['Authorization', 'X-Client'], pages: 7, rows: N, rowsSha256: s.inputs.a.sha256 });
    expect(readFileSync(pack, 'utf8')).not.toContain(TOKEN);
    expect((await recon(['evidence', 'verify', pack, '--workspace', r.ws])).code).toBe(0);
  }, 60_000);

  it('keeps decimals exact: JSON numbers never pass through a float', async () => {
    const ws = await workspace(decimalsApi.url);
    const b = write('decimals-b.csv', 'id,amount\n1,0.1\n2,0.20\n3,12345678901234567890.13\n4,98765432109876543210\n5,0.01\n');
    const def = { name: 'dec', key: ['id'], fields: [{ name: 'id', type: 'integer' }, { name: 'amount', type: 'decimal', scale: 2 }], sources: { a: { kind: 'http', connection: 'api', path: '/link', records: '/data/items', pagination: { kind: 'link' } }, b: {} } };
    const out = join(dir, 'out-dec');
    const r = await recon(['run', '--b', b, '--definition', write('dec.json', JSON.stringify(def)), '--workspace', ws, '--out', out, '--quiet']);
    expect(r.stderr).toBe('');
    const breaks = readFileSync(join(out, 'breaks.csv'), 'utf8').trim().split('\n').slice(1);
    // Only the 0.01 difference at 20 digits; a float would see none there and a break at id 4.
    expect(breaks).toHaveLength(1);
    expect(breaks[0]).toContain('12345678901234567890.12');
    expect(breaks[0]).toContain('12345678901234567890.13');
  }, 60_000);

  describe.concurrent('failures exit 2 naming the source, and keep no run', () => {
    const failing = async (name: string, source: object, opts: { env?: Record<string, string>; conn?: { timeoutSeconds?: number; retries?: number } } = {}): Promise<Result> => {
      const ws = await workspace(api.url, opts.conn);
      const r = await runHttp(name, source, ws, opts.env ?? ENV);
      expect(r.code).toBe(2);
      expect(runFiles(ws)).toEqual([]);
      return r;
    };

    it('a refused token (401)', async () => {
      const r = await failing('e401', { path: '/link', records: '/data/items' }, { env: { RECON_SOURCE_PASSWORD_API: 'wrong' } });
      expect(r.stderr).toContain(`error [SOURCE_AUTH_FAILED]: source A (HTTP connection "api", ${api.url}/link): page 1: the server refused the credentials: HTTP 401`);
      expect(r.stderr).toContain('secret from $RECON_SOURCE_PASSWORD_API');
      expect(r.stderr).not.toContain('wrong');
    });

    it('a resource that does not exist (404)', async () => {
      const r = await failing('e404', { path: '/nope' });
      expect(r.stderr).toContain(`error [SOURCE_QUERY_FAILED]: source A (HTTP connection "api", ${api.url}/nope): page 1: the request failed: HTTP 404 Not Found for GET ${api.url}/nope: {"error":"no such resource"}`);
    });

    it('5xx after bounded retries', async () => {
      const before = api.hits.get('/unavailable') ?? 0;
      const r = await failing('e503', { path: '/unavailable' }, { conn: { retries: 2 } });
      expect(r.stderr).toContain('error [SOURCE_QUERY_FAILED]: source A');
      expect(r.stderr).toContain('HTTP 503 Service Unavailable for GET');
      expect(r.stderr).toContain('(3 tries)');
      expect((api.hits.get('/unavailable') ?? 0) - before).toBe(3);
    });

    it('a server that never answers: the timeout', async () => {
      const t0 = Date.now();
      const r = await failing('eslow', { path: '/slow' }, { conn: { timeoutSeconds: 1 } });
      expect(r.stderr).toContain('error [SOURCE_TIMEOUT]: source A');
      expect(r.stderr).toContain('within 1 s');
      expect(Date.now() - t0).toBeLessThan(30_000);
    });

    it('invalid JSON on page 2, saying where it broke', async () => {
      const r = await failing('ejson', { path: '/bad-json', pagination: { kind: 'page', size: PAGE } });
      expect(r.stderr).toContain('error [SOURCE_QUERY_FAILED]: source A');
      expect(r.stderr).toContain('page 2 is not valid JSON: expected a member name in quotes, found "}]" at line 1, column 27 (byte 26)');
    });

    it('a page without its records where expected', async () => {
      const r = await failing('eshape', { path: '/bad-shape', records: '/data/items' });
      expect(r.stderr).toContain('page 1: expected an array of records at /data/items, found an object');
    });

    it('a connection reset mid-page', async () => {
      const r = await failing('ereset', { path: '/reset' });
      expect(r.stderr).toContain('error [SOURCE_CONNECTION_LOST]: source A (HTTP connection "api"');
      expect(r.stderr).toContain('while the page was read');
    });
  });

  it('source add-connection --driver http keeps the header template, never the secret', async () => {
    const ws = join(dir, 'ws-cli');
    const add = await recon(['source', 'add-connection', 'api', '--driver', 'http', '--base-url', api.url, '--header', 'Authorization: Bearer {secret}', '--workspace', ws]);
    expect(add.stderr).toBe('');
    expect(add.stdout).toContain(`saved connection "api": http ${api.url}  headers Authorization: Bearer {secret}`);
    expect(add.stdout).toContain('$RECON_SOURCE_PASSWORD_API');
    const list = await recon(['source', 'list', '--json', '--workspace', ws]);
    expect(JSON.parse(list.stdout)).toEqual([expect.objectContaining({ name: 'api', driver: 'http', baseUrl: api.url, headers: { Authorization: 'Bearer {secret}' } })]);
  }, 30_000);

  it('source test probes an HTTP connection with one GET: the token taken, refused, or missing; a 404 named', async () => {
    const ws = await workspace();
    const ok = await recon(['source', 'test', 'api', '--path', '/pages', '--workspace', ws]);
    expect(ok.stderr).toBe('');
    expect(ok.stdout).toMatch(new RegExp(`connection "api" OK: GET ${api.url}/pages answered in \\d+ ms \\([\\d,]+ bytes\\)`));
    expect(ok.stdout).toContain('secret from: $RECON_SOURCE_PASSWORD_API');

    const refused = await recon(['source', 'test', 'api', '--path', '/pages', '--workspace', ws], { RECON_SOURCE_PASSWORD_API: 'wrong' });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`error [SOURCE_AUTH_FAILED]: HTTP connection "api" (${api.url}/pages): HTTP 401`);
    expect(refused.stderr).toContain('(secret from $RECON_SOURCE_PASSWORD_API)');

    const missing = await recon(['source', 'test', 'api', '--path', '/nowhere', '--workspace', ws]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('error [SOURCE_QUERY_FAILED]: HTTP connection "api"');
    expect(missing.stderr).toContain('HTTP 404');

    const unknown = await recon(['source', 'test', 'api', '--workspace', join(dir, 'ws-without-connections')]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('"api"');
  }, 60_000);
});
