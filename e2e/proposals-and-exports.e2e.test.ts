/**
 * Issue 13, in Debian's Chromium against two `recon serve` processes on one
 * workspace: alice (admin, analyst) made three overrides; bob is the approver.
 * - The maker is offered Withdraw on her own proposals, never Approve or
 *   Reject; bob is offered Approve and Reject, never Withdraw. Alice
 *   withdraws one: it settles for her and for bob.
 * - Bob rejects one and approves one; the CSV export then says what became
 *   of each, and the overview and the narrative count the same decided breaks.
 * - The audit trail's export writes to a folder that does not exist yet,
 *   refuses an existing file until "Replace the file if it exists" is
 *   ticked, refuses a path through a file naming its folder, and the host
 *   stays up through all of it (the harness fails the test if it dies).
 * - Settings → Reason codes offers no Retire for the system codes.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BreakRow } from '../engine/contract/index.ts';
import { EXPORT_COLUMNS } from '../engine/report/columns.ts';
import { parseCsv } from '../engine/report/testing/fixture.ts';
import { createRunFixture, serviceOn, type RunFixture } from '../engine/host/testing/run-fixture.ts';
import { addUser, grantRole } from '../engine/workflow/roles.ts';
import { buildRenderer, type Served } from './harness.ts';
import { approveProposalBy, openSection, openTwoDesks, proposeOverrides } from './review-flows.ts';

const ALICE = { userId: 'alice', displayName: 'Alice Analyst' };
let fx: RunFixture;
let dir: string;
let asAlice: Served;
let asBob: Served;
let browser: Browser;
let alice: Page;
let bob: Page;
const errors: string[][] = [];
/** The three proposals' breaks: withdrawn by alice, rejected by bob, approved by bob. */
const broke = { withdrawn: 0, rejected: 0, approved: 0 };
let model: Map<number, BreakRow>;

beforeAll(async () => {
  buildRenderer();
  fx = await createRunFixture(2000, 7);
  dir = await mkdtemp(join(tmpdir(), 'recon-e2e-proposals-'));
  // Alice claims the new workspace (the first user becomes admin), takes the analyst role, adds bob as approver.
  grantRole(fx.store, ALICE, 'alice', 'admin');
  grantRole(fx.store, ALICE, 'alice', 'analyst');
  addUser(fx.store, ALICE, { userId: 'bob', displayName: 'Bob Approver', roles: ['approver'] });
  const probe = serviceOn(fx);
  model = new Map((await probe.invoke('breaks.page', { runId: fx.summary.runId, startRow: 0, endRow: 1000 })).rows.map((r) => [r.breakId, r]));
  await probe.close();
  const autos = [...model.values()].filter((r) => r.status === 'AUTO' && r.diffType === 'MISMATCH' && r.reason !== 'STATIC_DATA');
  [broke.withdrawn, broke.rejected, broke.approved] = autos.slice(0, 3).map((r) => r.breakId) as [number, number, number];
  await proposeOverrides(fx, [broke.withdrawn, broke.rejected, broke.approved]);
  fx.store.close();
  ({ asAlice, asBob, browser, alice, bob } = await openTwoDesks(fx.workspace, errors));
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await asAlice?.stop();
  await asBob?.stop();
  await rm(fx.dir, { recursive: true, force: true });
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** The card of alice's proposal on break `breakId` (each proposal's comment names its break). */
const cardOf = (page: Page, breakId: number) => page.getByRole('article', { name: 'Proposal by alice' }).filter({ hasText: `spelling of break ${breakId}.` });

describe('withdrawing a proposal, and who is offered what', () => {
  it('offers the maker Withdraw on her own proposals, never Approve or Reject', async () => {
    await openSection(alice, 'Approvals');
    await alice.getByText('Nothing waiting for you.').waitFor();
    const mine = alice.getByRole('article', { name: 'Proposal by alice' });
    await expect.poll(() => mine.count()).toBe(3);
    expect(await mine.getByRole('button', { name: 'Withdraw…' }).count()).toBe(3);
    expect(await mine.getByRole('button', { name: /^(Approve|Reject)/ }).count()).toBe(0);
  });

  it('offers bob, an approver other than the maker, Approve and Reject, never Withdraw', async () => {
    await openSection(bob, 'Approvals');
    const waiting = bob.getByRole('article', { name: 'Proposal by alice' });
    await expect.poll(() => waiting.count()).toBe(3);
    expect(await waiting.getByRole('button', { name: 'Approve…' }).count()).toBe(3);
    expect(await waiting.getByRole('button', { name: 'Reject…' }).count()).toBe(3);
    expect(await waiting.getByRole('button', { name: /Withdraw/ }).count()).toBe(0);
  });

  it('alice withdraws one with a note: it settles for her, audited, and for bob', async () => {
    const card = cardOf(alice, broke.withdrawn);
    await card.getByRole('button', { name: 'Withdraw…' }).click();
    await card.getByLabel('Why (optional)').fill('wrong break');
    await card.getByRole('button', { name: 'Withdraw proposal' }).click();
    await alice.locator('.notice.ok', { hasText: 'Withdrew your override' }).waitFor();
    await expect.poll(() => alice.getByRole('article', { name: 'Proposal by alice' }).count()).toBe(2);
    await alice.getByRole('table', { name: 'Recently settled proposals' }).getByRole('row', { name: 'Proposal by alice, withdrawn by alice' }).waitFor();
    await bob.getByRole('button', { name: 'Refresh' }).click();
    await expect.poll(() => bob.getByRole('article', { name: 'Proposal by alice' }).count()).toBe(2);
    expect(await cardOf(bob, broke.withdrawn).count()).toBe(0);
    await openSection(alice, 'Audit trail');
    await alice.getByRole('table', { name: 'Audit events' }).getByText('proposal.withdrawn').waitFor();
  });

  it('bob rejects one and approves the other', async () => {
    const rejected = cardOf(bob, broke.rejected);
    await rejected.getByRole('button', { name: 'Reject…' }).click();
    await rejected.getByLabel('Comment').fill('not a spelling difference');
    await rejected.getByRole('button', { name: /^Reject proposal/ }).click();
    await bob.locator('.notice.ok', { hasText: 'Rejected' }).waitFor();
    await approveProposalBy(bob, 'alice', 'checked');
    await bob.getByText('Nothing waiting for you.').waitFor();
  });
});

describe('exports and screens state what happened, with the same figures', () => {
  it('the CSV says each proposal was withdrawn, rejected or approved, and by whom', async () => {
    await openSection(alice, 'Runs');
    await alice.getByRole('button', { name: fx.summary.definition }).first().click();
    await alice.getByRole('tab', { name: /Overview/ }).waitFor();
    await alice.getByRole('button', { name: /^Export/ }).click();
    const panel = alice.getByRole('dialog', { name: 'Export' });
    await panel.getByLabel('Export format').selectOption({ label: 'CSV for programs' });
    const out = join(dir, 'breaks.csv');
    await alice.getByLabel('Export to file').fill(out);
    await panel.getByRole('button', { name: 'Export' }).click();
    await panel.getByRole('status').waitFor({ timeout: 60_000 });
    const rows = parseCsv(await readFile(out, 'utf8'));
    const col = (h: string): number => EXPORT_COLUMNS.findIndex((c) => c.header === h);
    const row = (id: number): string[] => rows.find((r) => r[col('Break ID')] === String(id))!;
    const pick = (id: number) => ['Status', 'Decision', 'Proposal outcome', 'Outcome by', 'Approved by'].map((h) => row(id)[col(h)]);
    expect(pick(broke.withdrawn)).toEqual(['AUTO', 'OVERRIDE STATIC_DATA (proposal withdrawn by alice)', 'WITHDRAWN', 'alice', '']);
    expect(pick(broke.rejected)).toEqual(['AUTO', 'OVERRIDE STATIC_DATA (proposal rejected by bob)', 'REJECTED', 'bob', '']);
    expect(pick(broke.approved)).toEqual(['OVERRIDDEN', 'OVERRIDE STATIC_DATA', 'APPROVED', 'bob', 'bob']);
    await alice.keyboard.press('Escape');
  });

  it('the narrative counts one decided break: the withdrawn and the rejected override went back to AUTO', async () => {
    await alice.getByRole('button', { name: /^Export/ }).click();
    const panel = alice.getByRole('dialog', { name: 'Export' });
    await panel.getByLabel('Export format').selectOption({ label: 'Narrative (Markdown)' });
    const out = join(dir, 'story.md');
    await alice.getByLabel('Export to file').fill(out);
    await panel.getByRole('button', { name: 'Export' }).click();
    await panel.getByRole('status').waitFor({ timeout: 60_000 });
    const md = (await readFile(out, 'utf8')).replaceAll('\\_', '_');
    expect(md).toContain(`Reviewers have decided on 1 of ${model.size} breaks: 1 overridden.`);
    expect(md).toContain('1 proposal was rejected by an approver');
    expect(md).toContain('1 proposal was withdrawn by its maker');
    await alice.keyboard.press('Escape');
  });

  it("the overview's Decided tile says the same (runs.get review.decided)", async () => {
    const tile = alice.locator('.tile', { has: alice.locator('.tile-label', { hasText: /^Decided$/ }) });
    expect((await tile.locator('.tile-value').textContent())?.trim()).toBe('1');
  });
});

describe('the audit trail export', () => {
  const write = async (path: string): Promise<void> => {
    await alice.getByLabel('Export path').fill(path);
    await alice.getByRole('button', { name: 'Write file' }).click();
  };

  it('writes to a folder that does not exist yet; an existing file needs "Replace"; a path through a file is refused naming its folder; the host stays up', async () => {
    await openSection(alice, 'Audit trail');
    // The browser host has no file dialog: the path is typed (the desktop app offers Browse…, a Save dialog).
    await alice.getByLabel('Export path').waitFor();
    expect(await alice.locator('.audit-export').getByRole('button', { name: 'Browse…' }).count()).toBe(0);
    const out = join(dir, 'new', 'folder', 'audit.ndjson');
    await write(out);
    await alice.locator('.audit-export .notice.ok', { hasText: `to ${out}` }).waitFor();
    expect((await readFile(out, 'utf8')).trim().split('\n').length).toBeGreaterThan(5);

    await write(out);
    const alert = alice.locator('.audit-export').getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toContain('EXPORT_PATH_EXISTS');
    expect(await alert.textContent()).toContain('allow replacing');
    await alice.getByLabel('Replace the file if it exists').check();
    await alice.getByRole('button', { name: 'Write file' }).click();
    await alice.locator('.audit-export .notice.ok', { hasText: `to ${out}` }).waitFor();

    await writeFile(join(dir, 'plain-file'), 'not a folder');
    await write(join(dir, 'plain-file', 'audit.ndjson'));
    await alert.waitFor();
    expect(await alert.textContent()).toContain('EXPORT_PATH_INVALID');
    expect(await alert.textContent()).toContain(join(dir, 'plain-file'));
    // Still serving: the chain verifies and the status bar is not "disconnected".
    await openSection(alice, 'Runs');
    await alice.getByRole('heading', { name: 'Runs' }).waitFor();
    expect(asAlice.child.exitCode).toBeNull();
    expect(asAlice.problems()).toEqual([]);
  });
});

describe('the reason-code catalogue', () => {
  it('offers no Retire for the system codes the engine assigns itself', async () => {
    await openSection(alice, 'Settings');
    const table = alice.getByRole('table', { name: 'Reason codes' });
    await table.waitFor();
    for (const code of ['UNKNOWN', 'MISSING_IN_A', 'MISSING_IN_B', 'DUPLICATE_KEY']) {
      const row = table.getByRole('row').filter({ has: alice.getByRole('cell', { name: code, exact: true }) });
      await row.getByText('system').waitFor();
      expect(await row.getByRole('button', { name: 'Retire' }).count()).toBe(0);
    }
    const fx_ = table.getByRole('row').filter({ has: alice.getByRole('cell', { name: 'FX_DIFF', exact: true }) });
    expect(await fx_.getByRole('button', { name: 'Retire' }).count()).toBe(1);
  });

  it('logged no console error or CSP violation in either browser', () => {
    expect(errors.flat()).toEqual([]);
  });
});
