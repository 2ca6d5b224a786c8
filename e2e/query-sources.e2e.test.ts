/**
 * A query source from the app, end to end, in Debian's Chromium against
 * `recon serve` and a real PostgreSQL (scripts/pg): the admin adds the
 * connection in Settings → Connections, stores its password (in the OS
 * keychain: a real Secret Service under scripts/keyring/with-secret-service.sh,
 * as `npm run test:e2e` runs it; outside it, the host's
 * $RECON_SOURCE_PASSWORD_LEDGER), tests it, then starts a new run whose side A
 * is a query with an as-of parameter against a CSV file on side B, previews the
 * query's first rows with their database types, and sees the run complete with
 * the breaks the data holds. The trail records the connection's set-up.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunSummary } from '../engine/contract/index.ts';
import { expectedBreaks, TRADE_COLUMNS, trades, tradesCsv } from '../engine/ingest/db/testing/trades.ts';
import { startTestPg, type TestPg } from '../engine/sync/testing/pg-server.ts';
import { runAndWait } from './flows.ts';
import { buildRenderer, collectPageErrors, launchChromium, serve, type Served } from './harness.ts';
import { openSection, setUpUsers } from './review-flows.ts';
import { seedTradesDatabase } from '../engine/ingest/db/testing/pg-trades.ts';

/** Inside scripts/keyring/with-secret-service.sh: a real, throwaway Secret Service answers. */
const KEYCHAIN = process.env['RECON_SECRET_SERVICE'] === '1';
const N = 3200;
const PASSWORD = `src-e2e-${process.pid}`;
const SQL = `SELECT ${TRADE_COLUMNS.join(', ')} FROM trades WHERE trade_date <= :asOf ORDER BY id`;

let dir: string;
let server: TestPg;
let served: Served;
let browser: Browser;
let page: Page;
let bPath: string;
const errors: string[][] = [];

beforeAll(async () => {
  buildRenderer();
  dir = await mkdtemp(join(tmpdir(), 'recon-e2e-query-'));
  server = await startTestPg({ migrate: false });
  await seedTradesDatabase(server, { user: 'src_reader', password: PASSWORD, rows: N, side: 'a' });
  bPath = join(dir, 'custodian.csv');
  await writeFile(bPath, tradesCsv(trades(N, 'b')));
  // With a keychain, the password comes only from the form; without one, from the host's environment.
  served = await serve(join(dir, 'workspace'), { RECON_USER: 'ada', RECON_USER_NAME: 'Ada Admin', PGPASSWORD: '', RECON_SOURCE_PASSWORD_LEDGER: KEYCHAIN ? '' : PASSWORD });
  browser = await launchChromium();
  page = await (await browser.newContext({ viewport: { width: 1440, height: 1000 } })).newPage();
  errors.push(collectPageErrors(page));
  await page.goto(served.url);
  await page.getByRole('heading', { name: 'Runs' }).waitFor();
});

afterAll(async () => {
  await browser?.close();
  await served?.stop();
  await server?.destroy();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('a database query as a source, from the app', () => {
  it('an admin adds a PostgreSQL connection in Settings, stores its password and tests it', async () => {
    await setUpUsers(page, 'ada', ['analyst'], []);
    const panel = page.getByRole('region', { name: 'Connections', exact: true });
    await panel.getByRole('button', { name: 'Add database connection' }).click();
    await panel.getByLabel('Connection name').fill('ledger');
    await panel.getByLabel('Database host').fill(server.info.host);
    await panel.getByLabel('Database port').fill(String(server.info.port));
    await panel.getByLabel('Database name').fill('recon_src');
    await panel.getByLabel('Database user').fill('src_reader');
    await panel.getByRole('button', { name: 'Save connection' }).click();
    const item = panel.getByRole('listitem', { name: 'Connection ledger' });
    await item.waitFor();
    expect(await item.textContent()).toContain(`postgres://src_reader@${server.info.host}:${server.info.port}/recon_src`);
    if (KEYCHAIN) {
      await item.getByLabel('Password for ledger').fill(PASSWORD);
      await item.getByRole('button', { name: 'Save to keychain' }).click();
      await item.getByText('password in keychain').waitFor();
      // Sent once, never shown again.
      expect(await item.getByLabel('Password for ledger').inputValue()).toBe('');
    } else {
      await item.getByText('password from $RECON_SOURCE_PASSWORD_LEDGER').waitFor();
    }
    await item.getByRole('button', { name: 'Test connection ledger' }).click();
    const result = item.getByRole('status', { name: 'Test of ledger' });
    await result.waitFor();
    const text = (await result.textContent()) ?? '';
    expect(text).toMatch(/PostgreSQL \d+/);
    expect(text).toContain(KEYCHAIN ? 'the OS keychain' : '$RECON_SOURCE_PASSWORD_LEDGER');
  });

  it('starts a new run with a query side against a file side, previewed with the database types, and sees its breaks', async () => {
    await openSection(page, 'Runs');
    await page.getByRole('button', { name: 'New run' }).first().click();
    await page.getByRole('heading', { name: 'New run' }).waitFor();
    const cardA = page.locator('.source-card').first();
    await cardA.getByRole('radiogroup', { name: 'Source A kind' }).getByText('Database query').click();
    await cardA.getByLabel('Source A connection').selectOption('ledger');
    await cardA.getByLabel('Source A SQL').fill(SQL);
    // The :asOf parameter gets its row as the query is typed.
    await cardA.getByLabel('Source A parameter asOf').fill('2026-12-01');
    await cardA.getByRole('button', { name: 'Preview' }).click();
    const previewA = page.getByRole('table', { name: 'Preview of source A' });
    await previewA.waitFor();
    const header = (await previewA.locator('thead').textContent()) ?? '';
    expect(header).toContain('numeric(18,2)');
    expect(header).toContain('timestamp with time zone');
    expect(await previewA.locator('tbody tr').count()).toBe(12);

    await page.locator('#source-b-path').fill(bPath);
    await page.locator('#source-b-path').press('Enter');
    await page.getByRole('table', { name: 'Preview of source B' }).waitFor();
    // No inference for a query side: the mapping is by column names, and the person picks the key.
    await page.getByRole('table', { name: 'Column mapping' }).waitFor();
    expect(await page.getByLabel('B column for amount').inputValue()).toBe('amount');
    await page.getByLabel('id is a key').check();
    await page.locator('#definition-name').fill('Ledger (query) vs custodian');
    const runId = await runAndWait(page);

    const summary = JSON.parse(await readFile(join(dir, 'workspace', 'runs', `${runId}.json`), 'utf8')) as RunSummary;
    const e = expectedBreaks(N);
    expect(summary.breaks.byField).toMatchObject({ amount: e.mismatchAmount, note: e.mismatchNote, booked: 1 });
    expect(summary.breaks.byType).toMatchObject({ MISSING_IN_A: e.missingInA, MISSING_IN_B: e.missingInB });
    expect(summary.inputs.a).toMatchObject({ path: 'query:ledger', format: 'query', query: { sql: SQL, params: { asOf: '2026-12-01' }, rows: N } });
    expect(summary.checksPassed).toBe(true);

    await page.getByRole('button', { name: 'Open run' }).click();
    const total = e.mismatchAmount + e.mismatchNote + 1 + e.missingInA + e.missingInB;
    expect(summary.breaks.total).toBe(total);
    // The run screen's Breaks tab counts them.
    await page.getByText(`Breaks (${total})`).first().waitFor();
  });

  it('the audit trail records the set-up, never the password', async () => {
    const db = new Database(join(dir, 'workspace', 'workspace.sqlite'), { readonly: true });
    try {
      const events = db.prepare("SELECT action, target, coalesce(before, '') || coalesce(after, '') AS body FROM audit_events WHERE action LIKE 'connection.%' ORDER BY at, seq").all() as { action: string; target: string; body: string }[];
      expect(events.map((e) => `${e.action} ${e.target}`)).toEqual(['connection.saved connection:ledger', ...(KEYCHAIN ? ['connection.password_set connection:ledger'] : [])]);
      expect(events.every((e) => !e.body.includes(PASSWORD))).toBe(true);
    } finally {
      db.close();
    }
    for (const f of ['workspace.sqlite', 'connections.json']) expect((await readFile(join(dir, 'workspace', f))).includes(PASSWORD), f).toBe(false);
    expect(errors.flat()).toEqual([]);
  });
});
