/**
 * Issue 13, item 20, through the service as the UI drives it: a bulk decision
 * over the rows selected in the grid (break ids), a comment required above the
 * workspace's bulk limit (the engine refuses without one), and every break of
 * a proposal readable page by page, by its maker and by the approver.
 */
import './testing/fail-on-unhandled.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BreakRow } from '../contract/index.ts';
import { openStore, type Store } from '../store/open.ts';
import { createService, type Service } from './service.ts';
import { createRunFixture, type RunFixture } from './testing/run-fixture.ts';

let fx: RunFixture;
let ada: Service;
let bobStore: Store;
let bob: Service;
let runId: string;

beforeAll(async () => {
  fx = await createRunFixture(3000, 11);
  runId = fx.summary.runId;
  ada = createService({ workspace: fx.workspace, host: 'test', version: '0', store: fx.store, user: { userId: 'ada', displayName: 'Ada' }, emit: () => {} });
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

const open = async (): Promise<BreakRow[]> =>
  (await ada.invoke('breaks.page', { runId, startRow: 0, endRow: 1000, filterModel: { status: { filterType: 'set', values: ['AUTO', 'REVIEW'] } } })).rows;

describe('a bulk decision over the selected breaks', () => {
  it('previews and decides exactly the selected break ids, whatever they have in common', async () => {
    await ada.invoke('settings.set', { bulkProposalThreshold: 50 });
    const rows = await open();
    // Three breaks of different fields and types: no "similar" filter could pick exactly these.
    const picked = [rows[0]!, rows.find((r) => r.field !== rows[0]!.field)!, rows.at(-1)!];
    expect(new Set(picked.map((r) => r.field)).size).toBeGreaterThan(1);
    const breakIds = picked.map((r) => r.breakId);
    const preview = await ada.invoke('review.bulkPreview', { runId, filter: { breakIds } });
    expect(preview).toMatchObject({ matched: 3, open: 3 });
    const r = await ada.invoke('review.bulk', { runId, filter: { breakIds }, kind: 'REJECT', comment: 'chase these three' });
    expect(r).toMatchObject({ proposal: false, breakCount: 3, skipped: 0 });
    expect(r.breaks.map((b) => b.breakId).sort((x, y) => x - y)).toEqual([...breakIds].sort((x, y) => x - y));
    for (const id of breakIds) expect((await ada.invoke('breaks.detail', { runId, breakId: id })).break.status).toBe('REJECTED');
    // Nothing else moved.
    const rejected = await ada.invoke('breaks.page', { runId, startRow: 0, endRow: 1000, filterModel: { status: { filterType: 'set', values: ['REJECTED'] } } });
    expect(rejected.lastRow).toBe(3);
    // Decided now: a second decision over them finds none open.
    expect(await ada.call('review.bulk', { runId, filter: { breakIds }, kind: 'REJECT', comment: 'again' })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });

  it('refuses bad selections as arguments', async () => {
    expect(await ada.call('review.bulk', { runId, filter: { breakIds: [] }, kind: 'REJECT', comment: 'x' })).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
    expect(await ada.call('review.bulk', { runId, filter: { breakIds: [-1] }, kind: 'REJECT', comment: 'x' })).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
    expect(await ada.call('review.bulk', { runId, filter: { breakIds: [99_999_999] }, kind: 'REJECT', comment: 'x' })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });
});

describe('a bulk decision above the workspace limit', () => {
  it('needs a comment, enforced by the engine; with one it is a proposal', async () => {
    const acceptable = (await open()).filter((r) => r.modelStatus === 'AUTO' && r.reason && r.reason !== 'UNKNOWN').slice(0, 5);
    const breakIds = acceptable.map((r) => r.breakId);
    expect(breakIds).toHaveLength(5);
    // Ada's earlier bulk decisions on this run (the tests above) count towards the limit with the next one.
    const { recentBulk } = await ada.invoke('review.bulkPreview', { runId, filter: { breakIds } });
    expect(recentBulk).toBeGreaterThan(0);
    const limit = recentBulk + 2;
    await ada.invoke('settings.set', { bulkProposalThreshold: limit });
    const refused = await ada.call('review.bulk', { runId, filter: { breakIds }, kind: 'ACCEPT' });
    expect(refused).toMatchObject({ ok: false, error: { code: 'COMMENT_REQUIRED' } });
    expect((refused as { error: { message: string } }).error.message).toMatch(new RegExp(`limit of ${limit} breaks \\(this one covers 5 with the ${recentBulk} you decided in bulk`));
    expect(await ada.call('review.bulk', { runId, filter: { breakIds }, kind: 'ACCEPT', comment: '   ' })).toMatchObject({ ok: false, error: { code: 'COMMENT_REQUIRED' } });
    // Nothing was written.
    for (const id of breakIds) expect((await ada.invoke('breaks.detail', { runId, breakId: id })).break.status).toBe('AUTO');
    // At or under the limit no comment is needed.
    const small = await ada.invoke('review.bulk', { runId, filter: { breakIds: breakIds.slice(0, 2) }, kind: 'ACCEPT' });
    expect(small).toMatchObject({ proposal: false, breakCount: 2 });
    const big = await ada.invoke('review.bulk', { runId, filter: { breakIds: breakIds.slice(2) }, kind: 'ACCEPT', comment: 'statement checked' });
    expect(big).toMatchObject({ proposal: true, breakCount: 3 });
  });
});

describe('every break of a proposal', () => {
  it('pages through all of them, for the maker and the approver alike', async () => {
    await ada.invoke('settings.set', { bulkProposalThreshold: 5 });
    const breakIds = (await open()).slice(0, 23).map((r) => r.breakId);
    const r = await ada.invoke('review.bulk', { runId, filter: { breakIds }, kind: 'REJECT', comment: 'a big selection' });
    expect(r).toMatchObject({ proposal: true, breakCount: 23 });
    const seen: number[] = [];
    for (let offset = 0; offset < 30; offset += 10) {
      const page = await bob.invoke('approvals.breaks', { decisionId: r.decisionId, offset, limit: 10 });
      expect(page.total).toBe(23);
      expect(page.breaks.length).toBe(Math.min(10, 23 - offset));
      expect(page.breaks.every((b) => b.toStatus === 'REJECTED' && b.key !== '')).toBe(true);
      seen.push(...page.breaks.map((b) => b.breakId));
    }
    expect(seen).toEqual([...breakIds].sort((x, y) => x - y));
    const mine = await ada.invoke('approvals.breaks', { decisionId: r.decisionId, offset: 20, limit: 10 });
    expect(mine.breaks.map((b) => b.breakId)).toEqual(seen.slice(20));
    expect(await ada.call('approvals.breaks', { decisionId: '6f1c1c8e-8f1a-4c52-9a7e-3f6f1d2b7c11', offset: 0, limit: 10 })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await ada.call('approvals.breaks', { decisionId: r.decisionId, offset: 0, limit: 5000 })).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
  });
});
