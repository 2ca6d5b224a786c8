/**
 * Issue 20, in Debian's Chromium against two `recon serve` processes on one
 * workspace (alice: admin and analyst; bob: approver):
 * - alice overrides three similar breaks selected in the grid (ctrl-click), and makes the
 *   decision a rule: the editor comes pre-filled from what the breaks share,
 *   with the what-if, and she proposes it;
 * - on the Rules screen her own proposal cannot be approved by her (the
 *   button is disabled, with why); bob sees its what-if item by item and
 *   approves it;
 * - alice runs the recon again: the grid shows the rule on the breaks it
 *   matched, the break is AUTO with the rule's reason, and the run's
 *   "Rules vs model" report counts them.
 */
import { rm } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRunFixture, serviceOn, type RunFixture } from '../engine/host/testing/run-fixture.ts';
import { addUser, grantRole } from '../engine/workflow/roles.ts';
import { gridCell, pickFacet, runAndWait, settledCount, waitForCount } from './flows.ts';
import { buildRenderer, type Served } from './harness.ts';
import { openSection, openTwoDesks } from './review-flows.ts';

const ALICE = { userId: 'alice', displayName: 'Alice Analyst' };
const RULE = 'E2E static data rule';
let fx: RunFixture;
let asAlice: Served;
let asBob: Served;
let browser: Browser;
let alice: Page;
let bob: Page;
const errors: string[][] = [];
/** The field whose first three breaks alice decides together: a draft from them covers more breaks than these three. */
let field: string;
/** Their row indexes in the grid filtered to that field. */
let picks: number[];

beforeAll(async () => {
  buildRenderer();
  fx = await createRunFixture(2000, 7);
  grantRole(fx.store, ALICE, 'alice', 'admin');
  grantRole(fx.store, ALICE, 'alice', 'analyst');
  addUser(fx.store, ALICE, { userId: 'bob', displayName: 'Bob Approver', roles: ['approver'] });
  // The next run carries the three decided breaks with their decision (a person's decision outranks a rule):
  // pick a field where the rule drafted from its first three breaks covers others as well, which the rule will take.
  const probe = serviceOn(fx);
  const rows = (await probe.invoke('breaks.page', { runId: fx.summary.runId, startRow: 0, endRow: 1000 })).rows;
  search: for (const f of [...new Set(rows.filter((r) => r.diffType === 'MISMATCH').map((r) => r.field))]) {
    // The field's first rows, as the grid shows them filtered to it (by break id).
    const shown = rows.filter((r) => r.field === f).slice(0, 12);
    for (let i = 0; i < shown.length; i++) {
      for (let j = i + 1; j < shown.length; j++) {
        for (let k = j + 1; k < shown.length; k++) {
          const three = [shown[i]!, shown[j]!, shown[k]!];
          if (!three.every((r) => r.diffType === 'MISMATCH' && (r.status === 'AUTO' || r.status === 'REVIEW'))) continue;
          const d = await probe.invoke('rules.draftFromBreaks', { runId: fx.summary.runId, breakIds: three.map((r) => r.breakId), reason: 'STATIC_DATA' });
          if (d.coverage[0]!.matched > 3) {
            field = f;
            picks = [i, j, k];
            break search;
          }
        }
      }
    }
  }
  await probe.close();
  expect(field).toBeDefined();
  fx.store.close();
  ({ asAlice, asBob, browser, alice, bob } = await openTwoDesks(fx.workspace, errors));
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await asAlice?.stop();
  await asBob?.stop();
  if (fx) await rm(fx.dir, { recursive: true, force: true });
});

/** The agreement report's figure for one kind ("Agree: 3" → 3). */
async function figure(page: Page, label: string): Promise<number> {
  const item = page.getByRole('list', { name: 'Agreement counts' }).getByRole('listitem').filter({ hasText: label }).first();
  const text = (await item.getAttribute('aria-label')) ?? '';
  return Number(text.split(': ')[1]);
}

describe('a reason rule made from a bulk decision', () => {
  it('offers "Make this a rule" after overriding similar breaks, pre-filled with what they share and the what-if', async () => {
    await openSection(alice, 'Runs');
    await alice.getByRole('button', { name: fx.summary.definition }).first().click();
    await alice.keyboard.press('b');
    await waitForCount(alice, await settledCount(alice));
    await pickFacet(alice, 'Field', field);
    await settledCount(alice);
    for (const i of picks) await alice.locator(`.ag-row[row-index="${i}"] .ag-cell[col-id="key"]`).click({ modifiers: ['Control'] });
    const bar = alice.getByRole('region', { name: 'Selected breaks' });
    await bar.getByText('3 selected').waitFor();
    await bar.getByRole('button', { name: 'Override selected' }).click();
    await bar.getByLabel('Reason code').selectOption('STATIC_DATA');
    await bar.getByLabel('Comment').fill('the same book, spelt two ways');
    await bar.getByRole('button', { name: /^Propose override of 3/ }).click();

    await alice.getByRole('button', { name: 'Make this a rule…' }).click();
    const editor = alice.getByRole('form', { name: 'Rule editor' });
    await editor.waitFor();
    expect(await editor.getByLabel('Rule reason').inputValue()).toBe('STATIC_DATA');
    const shared = await editor.getByRole('list', { name: 'What the breaks share' }).getByRole('listitem').allTextContents();
    expect(shared).toContain(`field ${field}`);
    expect(shared.some((s) => /^would cover \d+ breaks in this run/.test(s))).toBe(true);
    // The what-if of the draft as it stands: the three breaks and more.
    const totals = editor.locator('.rule-preview-totals');
    await totals.waitFor();
    expect(Number(/Would cover (\d+)/.exec((await totals.textContent()) ?? '')?.[1])).toBeGreaterThan(3);
    await editor.getByLabel('Rule name').fill(RULE);
    await editor.getByRole('button', { name: 'Propose rule' }).click();
    await alice.getByText(`Rule "${RULE}" proposed`).waitFor();
  });

  it('does not let alice approve her own rule; bob sees the what-if item by item and approves it', async () => {
    await openSection(alice, 'Rules');
    const mine = alice.getByRole('article', { name: `Rule proposal ${RULE}` });
    await mine.waitFor();
    expect(await mine.getByRole('button', { name: 'Approve…' }).isDisabled()).toBe(true);
    await mine.getByText('You made this proposal').waitFor();

    await openSection(bob, 'Rules');
    const card = bob.getByRole('article', { name: `Rule proposal ${RULE}` });
    await card.getByRole('table', { name: /^What-if of run / }).first().waitFor();
    expect(await card.getByRole('table', { name: /^What-if of run / }).first().getByRole('row').count()).toBeGreaterThan(3);
    await card.getByRole('button', { name: 'Approve…' }).click();
    await card.getByLabel('Comment').fill('checked with the desk');
    await card.getByRole('button', { name: /^Approve/ }).click();
    await bob.locator('.notice.ok', { hasText: `Approved rule "${RULE}" (version 1)` }).waitFor();
    const row = bob.getByRole('table', { name: 'Rules in force' }).getByRole('row', { name: `Rule ${RULE}` });
    await row.waitFor();
    expect(await row.textContent()).toContain('STATIC_DATA');
    // Alice's screen follows (workflow.changed from the other process).
    await alice.getByRole('table', { name: 'Rules in force' }).getByRole('row', { name: `Rule ${RULE}` }).waitFor();
  });

  it('applies on the next run: the grid shows the rule, the break is AUTO with its reason, and the agreement report counts it', async () => {
    await openSection(alice, 'Runs');
    await alice.getByRole('button', { name: fx.summary.definition }).first().click();
    await alice.getByRole('button', { name: 'Run again…' }).click();
    await alice.getByRole('table', { name: 'Column mapping' }).waitFor();
    const next = await runAndWait(alice);
    expect(next).not.toBe(fx.summary.runId);
    await alice.getByRole('button', { name: 'Open run' }).click();
    await alice.keyboard.press('b');
    await waitForCount(alice, await settledCount(alice));
    // The Rule column is at the right: scroll the grid there.
    await alice.locator('.grid-host .ag-body-horizontal-scroll-viewport').evaluate((el) => {
      el.scrollLeft = el.scrollWidth;
    });
    await alice.getByRole('textbox', { name: 'Rule Filter Input' }).fill(RULE);
    await expect.poll(async () => gridCell(alice, 0, 'rule'), { timeout: 15_000 }).toBe(`${RULE} · v1`);
    const covered = await settledCount(alice);
    expect(covered).toBeGreaterThan(0);
    await alice.locator('.ag-row[row-index="0"] .ag-cell[col-id="rule"]').dblclick();
    const applied = alice.getByLabel('Reason rule');
    await applied.waitFor();
    expect(await applied.textContent()).toBe(`Reason rule ${RULE} (version 1) gave STATIC_DATA, before the model.`);
    expect(await alice.locator('#break-title .pill.st-auto').textContent()).toBe('AUTO');

    await alice.keyboard.press('Escape');
    await alice.getByRole('tab', { name: 'Rules vs model' }).click();
    await alice.getByRole('list', { name: 'Agreement counts' }).waitFor();
    const ruled = (await figure(alice, 'Agree')) + (await figure(alice, 'Disagree')) + (await figure(alice, 'Rule only'));
    expect(ruled).toBe(covered);
    await alice.getByText(`${RULE} v1 (${covered})`).waitFor();
    expect(errors.flat()).toEqual([]);
  });
});
