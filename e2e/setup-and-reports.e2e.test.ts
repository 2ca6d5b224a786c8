/**
 * Smart set-up and reports end to end, in Debian's Chromium against `recon
 * serve`: two files with other column names than our generator's, and a B
 * side that writes amounts in cents. The New-run screen pre-fills the
 * mapping, key and types from inference with reasons and confidences; the
 * person accepts the proposed ×100 rule and runs; the run's Export menu then
 * writes a CSV, an XLSX, a narrative and a signed evidence pack. "Run again"
 * fills in the run's files, and runs them; with the desktop app's path policy
 * played on the bridge (its answers to typed paths), the form and the audit
 * trail's "Write file" say to use Browse…, and "Run again" still runs.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page, WebSocketRoute } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyEvidencePack } from '../engine/report/evidence-verify.ts';
import { workspaceTrustedKeys } from '../engine/report/keys.ts';
import type { RunSummary } from '../engine/contract/index.ts';
import { runAndWait } from './flows.ts';
import { collectPageErrors, openWorkstation, savedDefinition, type Workstation } from './harness.ts';

const ROWS = 400;
/** Records whose amount really differs (beyond the cents convention). */
const REAL_BREAKS = new Set([7, 123, 301]);

let dir: string;
let ws: Workstation;
let page: Page;
let aPath: string;
let bPath: string;
let runId: string;
let summary: RunSummary;

/** A: loan ledger in units, comma-separated. B: the servicer's file in cents, pipe-separated, other names and order. */
async function writeFiles(data: string): Promise<void> {
  const a = ['LoanNo,Borrower,Balance,Status'];
  const b = ['status_cd|balance_cents|loan_id|borrower_name'];
  for (let i = 1; i <= ROWS; i++) {
    const id = `LN-${String(100000 + i * 7)}`;
    const cents = 100_000 + ((i * 7919) % 9_000_000);
    const balance = (cents / 100).toFixed(2);
    const status = i % 5 === 0 ? 'CLOSED' : 'OPEN';
    a.push(`${id},Borrower ${i},${balance},${status}`);
    const bCents = REAL_BREAKS.has(i) ? cents + 5000 : cents;
    b.push(`${status === 'OPEN' ? 'O' : 'C'}|${bCents}|${id}|Borrower ${i}`);
  }
  await mkdir(data, { recursive: true });
  aPath = join(data, 'ledger.csv');
  bPath = join(data, 'servicer.txt');
  await writeFile(aPath, `${a.join('\n')}\n`);
  // B in reverse order: the key, not the position, pairs records.
  await writeFile(bPath, `${[b[0], ...b.slice(1).reverse()].join('\n')}\n`);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'recon-e2e-infer-'));
  await writeFiles(join(dir, 'data'));
  ws = await openWorkstation(join(dir, 'workspace'));
  page = ws.page;
});

afterAll(async () => {
  await ws?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('new run pre-filled from inference', () => {
  it('suggests the mapping, key and types from both files, each with a reason and a confidence', async () => {
    await page.getByRole('button', { name: 'New run' }).first().click();
    await page.getByRole('heading', { name: 'New run' }).waitFor();
    await page.locator('#source-a-path').fill(aPath);
    await page.locator('#source-a-path').press('Enter');
    await page.getByRole('table', { name: 'Preview of source A' }).waitFor();
    await page.locator('#source-b-path').fill(bPath);
    await page.locator('#source-b-path').press('Enter');
    const key = page.getByLabel('Suggested key');
    await key.waitFor();
    expect(await key.textContent()).toMatch(/LoanNo.*loan_id/);
    expect(await key.locator('.confidence').textContent()).toMatch(/^\d+%$/);
    // Columns matched by their values, not their names.
    expect(await page.getByLabel('B column for Balance').inputValue()).toBe('balance_cents');
    expect(await page.getByLabel('B column for Borrower').inputValue()).toBe('borrower_name');
    expect(await page.getByLabel('B column for Status').inputValue()).toBe('status_cd');
    expect(await page.getByLabel('LoanNo is a key').isChecked()).toBe(true);
    expect(await page.getByLabel('Type of Balance').inputValue()).toBe('decimal');
    // The O/C codes became a value map; why is one click away.
    expect(await page.getByLabel('B value map of Status').inputValue()).toMatch(/O=OPEN/);
    const why = page.getByLabel('Why Status');
    await why.locator('summary').click();
    expect(await why.locator('li').count()).toBeGreaterThanOrEqual(2);
    // How each file is written, with reasons.
    expect(await page.getByLabel('How source B is written').textContent()).toContain('Delimiter');
  });

  it('proposes the cents convention as a rule the person accepts, and the run then finds only the real breaks', async () => {
    const rule = page.getByLabel(/Apply rule: Balance/);
    await rule.waitFor();
    expect(await rule.isChecked()).toBe(false);
    const rules = page.getByRole('group', { name: 'Proposed rules' });
    expect(await rules.textContent()).toMatch(/column-wide/);
    await rule.check();
    await page.locator('#definition-name').fill('Ledger vs servicer (inferred)');
    runId = await runAndWait(page);
    summary = JSON.parse(await readFile(join(dir, 'workspace', 'runs', `${runId}.json`), 'utf8')) as RunSummary;
    expect(summary.counts.matched).toBe(ROWS);
    expect(summary.breaks.byField).toEqual({ Balance: REAL_BREAKS.size });
    // The accepted rule is in the saved definition, as the definition's own words.
    const def = savedDefinition(join(dir, 'workspace'), 'Ledger vs servicer (inferred)');
    expect(def.fields?.find((f) => f.name === 'Balance')?.adjust).toEqual({ b: { multiply: '0.01' } });
  });
});

describe('the Export menu', () => {
  const exportAs = async (label: string, path?: string): Promise<string> => {
    await page.getByRole('dialog', { name: 'Export' }).getByLabel('Export format').selectOption({ label });
    await page.getByLabel('Export to file').fill(path ?? '');
    await page.getByRole('dialog', { name: 'Export' }).getByRole('button', { name: 'Export' }).click();
    const done = page.getByRole('dialog', { name: 'Export' }).getByRole('status');
    await done.waitFor({ timeout: 60_000 });
    const text = (await done.locator('.export-path').textContent()) ?? '';
    return text.trim();
  };

  it('writes each format from the run screen, with its hash, into the workspace exports folder', async () => {
    await page.getByRole('button', { name: 'Open run' }).click();
    await page.getByRole('tab', { name: /Overview/ }).waitFor();
    await page.getByRole('button', { name: /^Export/ }).click();
    const csv = await exportAs('CSV for programs');
    expect(csv).toBe(join(dir, 'workspace', 'exports', `${runId}.csv`));
    const lines = (await readFile(csv, 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(REAL_BREAKS.size + 1);

    const xlsx = await exportAs('Detailed workbook (XLSX)');
    expect((await stat(xlsx)).size).toBeGreaterThan(1000);
    expect((await readFile(xlsx)).subarray(0, 2).toString()).toBe('PK');

    const narrative = await exportAs('Narrative (HTML)', join(dir, 'out', 'story.html'));
    expect(narrative).toBe(join(dir, 'out', 'story.html'));
    expect(await readFile(narrative, 'utf8')).toContain(`${ROWS}`);

    const pack = await exportAs('Evidence pack');
    // Verified against the workspace's own key (the one inside a pack alone proves nothing).
    const verified = await verifyEvidencePack(pack, { aPath, bPath, trustedKeys: await workspaceTrustedKeys(join(dir, 'workspace')) });
    expect(verified).toMatchObject({ ok: true, signatureValid: true, trustedKey: true, runId });
  });

  it('refuses to overwrite a file unless asked', async () => {
    const target = join(dir, 'out', 'story.html');
    await page.getByRole('dialog', { name: 'Export' }).getByLabel('Export format').selectOption({ label: 'Narrative (HTML)' });
    await page.getByLabel('Export to file').fill(target);
    await page.getByRole('dialog', { name: 'Export' }).getByRole('button', { name: 'Export' }).click();
    const alert = page.getByRole('dialog', { name: 'Export' }).getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toContain('already exists');
    await page.getByLabel('Replace the file if it exists').check();
    await page.getByRole('dialog', { name: 'Export' }).getByRole('button', { name: 'Export' }).click();
    await page.getByRole('dialog', { name: 'Export' }).getByRole('status').waitFor();
    expect(existsSync(target)).toBe(true);
  });

  it('runs the same definition again from the run screen, on files the person can change', async () => {
    await page.keyboard.press('Escape'); // closes the Export panel
    await page.getByRole('button', { name: 'Run again…' }).click();
    await page.getByRole('heading', { name: 'New run' }).waitFor();
    await page.getByRole('table', { name: 'Column mapping' }).waitFor();
    expect(await page.locator('#source-a-path').inputValue()).toBe(aPath);
    expect(await page.locator('#source-b-path').inputValue()).toBe(bPath);
    // The browser host has no file dialog: the paths are typed (the desktop app offers Browse… here).
    expect(await page.locator('.source-card').getByRole('button', { name: 'Browse…' }).count()).toBe(0);
    expect(await page.getByLabel('LoanNo is a key').isChecked()).toBe(true);
    expect(await page.getByLabel('B column for Balance').inputValue()).toBe('balance_cents');
    // The saved definitions are offered too.
    expect(await page.getByLabel('Start from a saved definition').locator('option').allTextContents()).toEqual(expect.arrayContaining([expect.stringMatching(/^Ledger vs servicer \(inferred\)/)]));
    const again = await runAndWait(page);
    expect(again).not.toBe(runId);
    const second = JSON.parse(await readFile(join(dir, 'workspace', 'runs', `${again}.json`), 'utf8')) as RunSummary;
    // The accepted ×100 rule came along: still only the real breaks.
    expect(second.breaks.byField).toEqual({ Balance: REAL_BREAKS.size });
  });

  it('logged no console errors', () => {
    expect(ws.errors).toEqual([]);
  });
});

/**
 * The desktop app's path policy (electron/main/policy/chosen-paths.ts, unit-tested there) as its
 * answers arrive on the bridge: a typed path is refused, INVALID_ARGUMENT with reason
 * PATH_NOT_CHOSEN, unless it is a file this workspace's runs read (read only) or lies in the
 * workspace's exports/. The page talks to the real host for everything else.
 */
function playDesktopPolicy(route: WebSocketRoute, readable: readonly string[], exportsDir: string): void {
  const server = route.connectToServer();
  const reads: Record<string, string[]> = { 'files.preview': ['path'], 'definitions.infer': ['aPath', 'bPath'], 'runs.start': ['aPath', 'bPath'], 'definitions.import': ['path'] };
  const writes: Record<string, string[]> = { 'runs.export': ['path'], 'audit.export': ['path'], 'definitions.export': ['path'] };
  route.onMessage((message) => {
    const call = JSON.parse(String(message)) as { id: number; name: string; args?: Record<string, unknown> };
    for (const [use, table] of [['read', reads], ['write', writes]] as const) {
      for (const arg of table[call.name] ?? []) {
        const path = call.args?.[arg];
        if (typeof path !== 'string' || path.startsWith(`${exportsDir}/`) || (use === 'read' && readable.includes(path))) continue;
        const error = { code: 'INVALID_ARGUMENT', message: `${call.name}: "${path}" was not chosen in this session's file dialog`, details: { call: call.name, arg, path, use, reason: 'PATH_NOT_CHOSEN' } };
        route.send(JSON.stringify({ type: 'reply', id: call.id, reply: { ok: false, error } }));
        return;
      }
    }
    server.send(message);
  });
}

describe('typed paths the desktop app refuses', () => {
  let desk: Page;
  let deskErrors: string[];

  beforeAll(async () => {
    desk = await ws.browser.newPage({ viewport: { width: 1440, height: 900 } });
    deskErrors = collectPageErrors(desk);
    await desk.routeWebSocket(/\/bridge$/, (route) => playDesktopPolicy(route, [aPath, bPath], join(dir, 'workspace', 'exports')));
    await desk.goto(ws.served.url);
  });

  afterAll(async () => {
    await desk?.close();
  });

  it("tell the person, in the source's card, to pick the file with Browse…", async () => {
    await desk.getByRole('button', { name: 'New run' }).first().click();
    await desk.getByRole('heading', { name: 'New run' }).waitFor();
    const typed = join(dir, 'data', 'typed.csv');
    await desk.locator('#source-a-path').fill(typed);
    await desk.locator('#source-a-path').press('Enter');
    const alert = desk.locator('.source-card').first().getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toContain("This file cannot be read: it was typed, not picked with Browse…");
    expect(await alert.textContent()).toContain(typed);
    expect(await alert.textContent()).toContain('Use Browse… to pick it');
    expect(await alert.textContent()).not.toContain('INVALID_ARGUMENT');
  });

  it("tell the person, at the audit trail's Write file, to choose where to save with Browse…; the exports folder needs no dialog", async () => {
    await desk.getByRole('navigation').getByRole('button', { name: 'Audit trail' }).click();
    const out = join(dir, 'audit-typed.ndjson');
    await desk.getByLabel('Export path').fill(out);
    await desk.getByRole('button', { name: 'Write file' }).click();
    const alert = desk.locator('.audit-export').getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toContain('The export file cannot be written: it was typed, not chosen with Browse…');
    expect(await alert.textContent()).toContain('Use Browse… to choose where to save it');
    expect(existsSync(out)).toBe(false);
    const inExports = join(dir, 'workspace', 'exports', 'audit.ndjson');
    await desk.getByLabel('Export path').fill(inExports);
    await desk.getByRole('button', { name: 'Write file' }).click();
    await desk.locator('.audit-export .notice.ok', { hasText: `to ${inExports}` }).waitFor();
    expect(existsSync(inExports)).toBe(true);
  });

  it("let \"Run again\" run the earlier run's files, which the workspace's runs registry lists", async () => {
    await desk.getByRole('navigation').getByRole('button', { name: 'Runs' }).click();
    await desk.getByRole('button', { name: 'Ledger vs servicer (inferred)' }).first().click();
    await desk.getByRole('button', { name: 'Run again…' }).click();
    await desk.getByRole('table', { name: 'Column mapping' }).waitFor();
    expect(await desk.locator('#source-a-path').inputValue()).toBe(aPath);
    const again = await runAndWait(desk);
    expect(existsSync(join(dir, 'workspace', 'runs', `${again}.json`))).toBe(true);
    expect(deskErrors).toEqual([]);
  });
});
