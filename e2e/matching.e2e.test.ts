/**
 * Issue 16's matching view in Chromium through `recon serve`: a generated cash
 * ledger against its bank statement run into a workspace; alice (admin,
 * analyst) opens the run's Matching tab, sees the groups and the unmatched
 * rows, a row's candidates, matches a small pair by hand (done at once) and a
 * large one (above the approval threshold: pending); bob (approver), in his
 * own process on the same workspace, approves it; alice unmatches a rule match.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunSummary } from '../engine/contract/index.ts';
import { definitionSchema } from '../engine/definition/schema.ts';
import { generateCash } from '../engine/generate/cash/generate-cash.ts';
import { registerRunFromSummaryFile } from '../engine/host/testing/register-run.ts';
import { runRecon } from '../engine/run/run-recon.ts';
import { buildRenderer } from './harness.ts';
import { findMatchingCases, type MatchingCases } from './matching-cases.ts';
import { approveMatchBy, filterText, groupCell, unmatchedCell } from './matching-flows.ts';
import { openSection, openTwoDesks, type TwoDesks } from './review-flows.ts';

const THRESHOLD = 1000;
let dir: string;
let summary: RunSummary;
let cases: MatchingCases;
let desks: TwoDesks;
let alice: Page;
let bob: Page;
const errors: string[][] = [];

beforeAll(async () => {
  buildRenderer();
  dir = await mkdtemp(join(tmpdir(), 'recon-e2e-matching-'));
  const workspace = join(dir, 'workspace');
  // Seed 8 at 400 rows: groups of every type, unmatched and AMBIGUOUS rows on both sides (findMatchingCases says so if that changes).
  const gen = await generateCash({ rows: 400, outDir: join(dir, 'data'), seed: 8 });
  const definition = definitionSchema.parse(JSON.parse(await readFile(gen.definitionPath, 'utf8')));
  summary = await runRecon({ aPath: gen.ledgerPath, bPath: gen.bankPath, definition, workspace });
  await registerRunFromSummaryFile(workspace, summary.runId);
  // Users, roles and a low threshold in the store, then the rows each step works on, read through the engine.
  cases = await findMatchingCases(workspace, summary.runId, THRESHOLD);
  desks = await openTwoDesks(workspace, errors);
  alice = desks.alice;
  bob = desks.bob;
}, 180_000);

afterAll(async () => {
  await desks?.browser.close();
  await desks?.asAlice.stop();
  await desks?.asBob.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const m = () => summary.matching!;

describe('the matching view (issue 16)', () => {
  it("shows a matching run's counts on its overview and opens its Matching tab with groups and unmatched rows", async () => {
    await alice.getByRole('button', { name: summary.definition }).first().click();
    const counts = alice.getByRole('region', { name: 'Matching counts' });
    await counts.waitFor();
    expect(await counts.textContent()).toContain(`${m().unmatched.a} / ${m().unmatched.b}`);
    await alice.getByRole('tab', { name: /Matching/ }).click();
    const groups = m().byType['1:1'] + m().byType['1:N'] + m().byType['N:1'] + m().byType['N:M'];
    await alice.getByLabel('Groups count').filter({ hasText: `${groups} groups` }).waitFor();
    await alice.getByLabel('Unmatched A count').filter({ hasText: `${m().unmatched.a + m().ambiguous.a} rows` }).waitFor();
    await alice.getByLabel('Unmatched B count').filter({ hasText: `${m().unmatched.b + m().ambiguous.b} rows` }).waitFor();
    expect(await groupCell(alice, 0, 'state')).toBe('RULE');
  });

  it("shows an AMBIGUOUS row's recorded candidates with the rule they tied under", async () => {
    await filterText(alice, cases.ambiguous.id);
    await alice.getByLabel('Unmatched A count').filter({ hasText: '1 rows' }).waitFor();
    expect(await unmatchedCell(alice, 'A', 0, 'status')).toBe('AMBIGUOUS');
    await alice.getByRole('region', { name: 'Unmatched A' }).locator('.ag-row[row-index="0"] .ag-cell[col-id="id"]').click();
    const panel = alice.getByRole('region', { name: `Candidates for A ${cases.ambiguous.id}` });
    await panel.getByRole('table', { name: 'Candidates' }).waitFor();
    expect(await panel.textContent()).toContain(cases.ambiguous.candidate);
    expect(await panel.textContent()).toContain('tied under rule');
  });

  it('matches a small pair by hand from a row and its suggested candidate: done at once, a MANUAL group', async () => {
    await filterText(alice, cases.small.a);
    // The count read "1 rows" under the previous filter too: wait for the row itself.
    await expect.poll(() => unmatchedCell(alice, 'A', 0, 'id')).toBe(cases.small.a);
    await alice.getByRole('region', { name: 'Unmatched A' }).locator('.ag-row[row-index="0"] .ag-cell[col-id="id"]').click();
    await alice.getByLabel(`Pick A ${cases.small.a}`).check();
    const panel = alice.getByRole('region', { name: `Candidates for A ${cases.small.a}` });
    await panel.getByLabel(`Pick candidate ${cases.small.b}`).check();
    const bar = alice.getByRole('region', { name: 'Manual match' });
    await bar.getByText('no approval needed').waitFor();
    expect(await bar.getByLabel('Manual match figures').textContent()).toContain(cases.small.amountA);
    await bar.getByLabel('Match comment').fill('Same payment, booked under another reference');
    await bar.getByRole('button', { name: 'Match', exact: true }).click();
    await alice.locator('.notice.ok', { hasText: 'Matched by hand as' }).waitFor();
    await alice.getByLabel('Unmatched A count').filter({ hasText: '0 rows' }).waitFor();
    await alice.getByLabel('Groups count').filter({ hasText: '1 groups' }).waitFor();
    await expect.poll(() => groupCell(alice, 0, 'state')).toBe('MANUAL');
    expect(await groupCell(alice, 0, 'rule')).toBe('manual');
  });

  it('matches a large pair (above the threshold): it waits for an approver, marked PENDING_MATCH', async () => {
    await filterText(alice, cases.large.a);
    await alice.getByLabel(`Pick A ${cases.large.a}`).check();
    await filterText(alice, cases.large.b);
    await alice.getByLabel(`Pick B ${cases.large.b}`).check();
    const bar = alice.getByRole('region', { name: 'Manual match' });
    await bar.getByText(`needs an approver (above ${THRESHOLD})`).waitFor();
    await bar.getByLabel('Match comment').fill('Large transfer, same value');
    await bar.getByRole('button', { name: 'Match', exact: true }).click();
    await alice.locator('.notice.ok', { hasText: 'waits for an approver' }).waitFor();
    await expect.poll(() => unmatchedCell(alice, 'B', 0, 'status')).toBe('PENDING_MATCH');
    await expect.poll(() => groupCell(alice, 0, 'state')).toBe('PENDING_MATCH');
  });

  it("lists it in alice's Approvals as hers, waiting for another approver (no Approve)", async () => {
    await openSection(alice, 'Approvals');
    const card = alice.getByRole('article', { name: 'Manual match by alice' });
    await card.getByText('waiting for another approver').waitFor();
    expect(await card.getByRole('button', { name: /^Approve/ }).count()).toBe(0);
    await card.getByRole('button', { name: 'Withdraw' }).waitFor();
  });

  it('lets bob approve it in his Approvals: alice then sees the group MANUAL', async () => {
    await openSection(bob, 'Approvals');
    await approveMatchBy(bob, 'alice', 'Checked the bank advice');
    await bob.getByText('No manual match or unmatch is waiting.').waitFor();
    await openSection(alice, 'Runs');
    await alice.getByRole('button', { name: summary.definition }).first().click();
    await alice.getByRole('tab', { name: /Matching/ }).click();
    await filterText(alice, cases.large.b);
    await alice.getByLabel('Unmatched B count').filter({ hasText: '0 rows' }).waitFor();
    await expect.poll(() => groupCell(alice, 0, 'state')).toBe('MANUAL');
  });

  it('unmatches a rule match with a comment: the group is gone and its rows are UNDONE', async () => {
    await filterText(alice, cases.rule.matchId);
    // The count read "1 groups" under the previous filter too: wait for the group itself.
    await expect.poll(() => groupCell(alice, 0, 'matchId')).toBe(cases.rule.matchId);
    await alice.getByLabel('Groups count').filter({ hasText: '1 groups' }).waitFor();
    await alice.getByRole('region', { name: 'Matched groups' }).locator('.ag-row[row-index="0"] .ag-cell[col-id="matchId"]').click();
    const detail = alice.getByRole('region', { name: `Match ${cases.rule.matchId}` });
    await detail.getByRole('table', { name: `Rows of match ${cases.rule.matchId}` }).waitFor();
    await detail.getByRole('button', { name: 'Unmatch…' }).click();
    await detail.getByLabel('Unmatch comment').fill('Wrong invoice paired');
    await detail.getByRole('button', { name: `Unmatch ${cases.rule.matchId}` }).click();
    await alice.locator('.notice.ok', { hasText: `Unmatched ${cases.rule.matchId}` }).waitFor();
    await alice.getByLabel('Groups count').filter({ hasText: '0 groups' }).waitFor();
    await filterText(alice, cases.rule.a);
    await expect.poll(() => unmatchedCell(alice, 'A', 0, 'status')).toBe('UNDONE');
  });

  it('left no console errors on either page', () => {
    expect(errors.flat()).toEqual([]);
  });
});
