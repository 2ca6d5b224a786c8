/**
 * Review through the service, as the UI drives it: decisions show in the
 * grid over the model's status (the overlay), the 4-eye rule holds across two
 * host processes on one workspace (two stores here), and bulk decisions are
 * previewed and applied.
 */
import './testing/fail-on-unhandled.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BreakRow, ContractEvent } from '../contract/index.ts';
import { openStore, type Store } from '../store/open.ts';
import { createService, type Service } from './service.ts';
import { createRunFixture, type RunFixture } from './testing/run-fixture.ts';

let fx: RunFixture;
let ada: Service;
let bobStore: Store;
let bob: Service;
let runId: string;
const events: ContractEvent[] = [];

beforeAll(async () => {
  fx = await createRunFixture(3000, 11);
  runId = fx.summary.runId;
  ada = createService({ workspace: fx.workspace, host: 'test', version: '0', store: fx.store, user: { userId: 'ada', displayName: 'Ada' }, emit: (e) => events.push(e) });
  // A second process on the same workspace: its own connection to the store.
  bobStore = openStore(fx.workspace);
  bob = createService({ workspace: fx.workspace, host: 'test', version: '0', store: bobStore, user: { userId: 'bob', displayName: 'Bob' }, emit: () => {} });
  await ada.invoke('users.grant', { userId: 'ada', role: 'analyst' });
  await ada.invoke('users.add', { userId: 'bob', roles: ['approver', 'analyst'] });
});

afterAll(async () => {
  await ada.close();
  await bob.close();
  bobStore.close();
  await fx.dispose();
});

const page = async (svc: Service, filterModel: object = {}): Promise<{ rows: BreakRow[]; lastRow: number }> =>
  svc.invoke('breaks.page', { runId, startRow: 0, endRow: 1000, filterModel: filterModel as never });
const statusFilter = (s: string) => ({ status: { filterType: 'set', values: [s] } });
const row = async (svc: Service, breakId: number): Promise<BreakRow> => (await svc.invoke('breaks.detail', { runId, breakId })).break;

describe('decisions over the grid', () => {
  it('makes the first user admin when they grant themselves a role, and says who is acting', async () => {
    expect(await ada.invoke('users.me', {})).toEqual({ userId: 'ada', displayName: 'Ada', roles: ['admin', 'analyst'], workspaceHasUsers: true });
    expect((await bob.invoke('users.me', {})).roles).toEqual(['analyst', 'approver']);
  });

  it('accepts a break: the grid, its status filter and the facets show ACCEPTED over the model status', async () => {
    const auto = (await page(ada, statusFilter('AUTO'))).rows.find((r) => r.reason !== 'UNKNOWN')!;
    const r = await ada.invoke('review.decide', { runId, breakId: auto.breakId, kind: 'ACCEPT' });
    expect(r).toMatchObject({ proposal: false, breakCount: 1, breaks: [{ breakId: auto.breakId, from: 'AUTO', to: 'ACCEPTED' }] });
    expect(await row(ada, auto.breakId)).toMatchObject({ status: 'ACCEPTED', modelStatus: 'AUTO', reason: auto.reason });
    const accepted = await page(ada, statusFilter('ACCEPTED'));
    expect(accepted.rows.map((x) => x.breakId)).toEqual([auto.breakId]);
    const facets = await ada.invoke('breaks.facets', { runId });
    expect(facets.statuses.find((f) => f.value === 'ACCEPTED')?.count).toBe(1);
    expect(facets.statuses.reduce((n, f) => n + f.count, 0)).toBe(fx.summary.breaks.total);
    expect(events.some((e) => e.type === 'workflow.changed' && e.runId === runId)).toBe(true);
  });

  it('answers missing comments and reasons with the workflow codes, and refuses a second decision on a decided break', async () => {
    const review = (await page(ada, statusFilter('AUTO'))).rows.find((r) => r.diffType === 'MISMATCH')!;
    expect(await ada.call('review.decide', { runId, breakId: review.breakId, kind: 'REJECT' })).toMatchObject({ ok: false, error: { code: 'COMMENT_REQUIRED' } });
    expect(await ada.call('review.decide', { runId, breakId: review.breakId, kind: 'OVERRIDE', comment: 'x' })).toMatchObject({ ok: false, error: { code: 'REASON_REQUIRED' } });
    expect(await ada.call('review.decide', { runId, breakId: review.breakId, kind: 'OVERRIDE', reason: 'NO_SUCH', comment: 'x' })).toMatchObject({ ok: false, error: { code: 'REASON_UNKNOWN' } });
    const accepted = (await page(ada, statusFilter('ACCEPTED'))).rows[0]!;
    expect(await ada.call('review.decide', { runId, breakId: accepted.breakId, kind: 'ACCEPT' })).toMatchObject({ ok: false, error: { code: 'ILLEGAL_TRANSITION' } });
  });
});

describe('the 4-eye check across two processes', () => {
  let breakId: number;
  let decisionId: string;

  it("proposes an override: PROPOSED in the grid, in the maker's own list, not in their queue", async () => {
    breakId = (await page(ada, statusFilter('AUTO'))).rows.find((r) => r.diffType === 'MISMATCH' && r.reason !== 'FX_DIFF')!.breakId;
    const r = await ada.invoke('review.decide', { runId, breakId, kind: 'OVERRIDE', reason: 'FX_DIFF', comment: 'EUR booked as USD' });
    expect(r).toMatchObject({ proposal: true, breaks: [{ to: 'PROPOSED' }] });
    decisionId = r.decisionId;
    expect((await row(ada, breakId)).status).toBe('PROPOSED');
    const list = await ada.invoke('approvals.list', {});
    expect(list.waiting).toEqual([]);
    expect(list.mine.map((p) => p.decisionId)).toEqual([decisionId]);
    expect(list.canApprove).toBe(false);
  });

  it('refuses self-approval with FORBIDDEN_SELF_APPROVAL', async () => {
    expect(await ada.call('approvals.decide', { decisionId, verdict: 'APPROVE' })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN_SELF_APPROVAL' } });
  });

  it("shows the proposal with its evidence in the other approver's queue; approving it moves the break in the maker's grid", async () => {
    const list = await bob.invoke('approvals.list', {});
    expect(list.canApprove).toBe(true);
    const p = list.waiting.find((x) => x.decisionId === decisionId)!;
    expect(p).toMatchObject({ maker: 'ada', kind: 'OVERRIDE', reason: 'FX_DIFF', comment: 'EUR booked as USD', breakCount: 1, definition: fx.summary.definition });
    expect(p.breaks[0]).toMatchObject({ breakId, toStatus: 'OVERRIDDEN', proposedReason: 'FX_DIFF' });
    expect(p.breaks[0]!.key.length).toBeGreaterThan(0);
    // Ada's grid was read before bob's write: it must see the change made by the other process.
    expect((await page(ada, statusFilter('PROPOSED'))).lastRow).toBe(1);
    expect(await bob.invoke('approvals.decide', { decisionId, verdict: 'APPROVE', comment: 'checked the FX ticket' })).toMatchObject({ verdict: 'APPROVED', breakCount: 1 });
    expect(await row(ada, breakId)).toMatchObject({ status: 'OVERRIDDEN', reason: 'FX_DIFF' });
    expect((await page(ada, statusFilter('OVERRIDDEN'))).rows.map((r) => r.breakId)).toEqual([breakId]);
    expect((await page(ada, statusFilter('PROPOSED'))).lastRow).toBe(0);
  });

  it('lists the history of the break: the proposal and its approval', async () => {
    const h = await ada.invoke('review.history', { runId, breakId });
    expect(h.current).toMatchObject({ status: 'OVERRIDDEN', reason: 'FX_DIFF', decisionId });
    expect(h.entries).toHaveLength(1);
    expect(h.entries[0]).toMatchObject({ kind: 'OVERRIDE', actor: 'ada', proposal: true, from: 'AUTO', to: 'OVERRIDDEN', approval: { verdict: 'APPROVED', approver: 'bob', comment: 'checked the FX ticket' } });
    const run = await ada.invoke('runs.get', { runId });
    expect(run.review.byStatus).toMatchObject({ ACCEPTED: 1, OVERRIDDEN: 1 });
    expect(run.review.pendingProposals).toBe(0);
  });

  it('reopens an overridden break back to REVIEW', async () => {
    await ada.invoke('review.decide', { runId, breakId, kind: 'REOPEN' });
    expect((await row(ada, breakId)).status).toBe('REVIEW');
    expect((await ada.invoke('review.history', { runId, breakId })).entries.map((e) => e.kind)).toEqual(['OVERRIDE', 'REOPEN']);
  });
});

describe('bulk decisions', () => {
  it('previews how many open breaks a filter covers, then applies one decision to them', async () => {
    const facets = await ada.invoke('breaks.facets', { runId });
    const field = facets.fields.find((f) => f.value !== '*')!.value!;
    const filter = { field, diffType: 'MISMATCH' };
    const before = await ada.invoke('review.bulkPreview', { runId, filter });
    const mismatches = await page(ada, { field: { filterType: 'set', values: [field] }, diffType: { filterType: 'set', values: ['MISMATCH'] } });
    expect(before.matched).toBe(mismatches.lastRow);
    expect(before.threshold).toBe(50);
    expect(before.open).toBeLessThanOrEqual(before.matched);
    expect(before.acceptable).toBeLessThanOrEqual(before.open);
    await ada.invoke('settings.set', { bulkProposalThreshold: before.open + 10 });
    const r = await ada.invoke('review.bulk', { runId, filter, kind: 'REJECT', comment: 'chase with the custodian' });
    expect(r).toMatchObject({ proposal: false, breakCount: before.open, skipped: before.matched - before.open });
    const after = await ada.invoke('review.bulkPreview', { runId, filter });
    expect(after).toMatchObject({ matched: before.matched, open: 0, acceptable: 0, threshold: before.open + 10 });
    expect((await page(ada, statusFilter('REJECTED'))).lastRow).toBe(before.open);
  });

  it('makes a bulk decision over the threshold a proposal', async () => {
    await ada.invoke('settings.set', { bulkProposalThreshold: 1 });
    // An AUTO break's suggestion is the model's own reason.
    const open = (await page(ada, statusFilter('AUTO'))).rows.filter((r) => r.reason && r.reason !== 'UNKNOWN');
    const counts = new Map<string, number>();
    for (const r of open) counts.set(r.reason!, (counts.get(r.reason!) ?? 0) + 1);
    const reason = [...counts].sort((x, y) => y[1] - x[1])[0]![0];
    const preview = await ada.invoke('review.bulkPreview', { runId, filter: { reason } });
    expect(preview.acceptable).toBeGreaterThan(1);
    const r = await ada.invoke('review.bulk', { runId, filter: { reason }, kind: 'ACCEPT', comment: 'statement checked' });
    expect(r).toMatchObject({ proposal: true, breakCount: preview.acceptable });
    expect((await bob.invoke('approvals.list', {})).waiting.find((p) => p.decisionId === r.decisionId)?.bulkFilter).toEqual({ reason });
  });
});
