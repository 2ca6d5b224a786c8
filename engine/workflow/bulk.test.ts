import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../store/open.ts';
import type { Store } from '../store/store.ts';
import { approveProposal } from './approvals.ts';
import type { BreakSource } from './breaks.ts';
import { decide, decideBulk } from './decisions.ts';
import { listTrainingLabels } from './labels.ts';
import { listBreaks } from './review-queue.ts';
import { openBreakSource } from '../run-file/break-source.ts';
import { baseStatusOf, suggestionOf } from '../run-file/break.ts';
import { setSetting } from './settings.ts';
import { ADA, ALICE, BOB, seedRun, seedUsers, syntheticBreak, tempDir } from './testing/fixtures.ts';
import { writeRunFile } from './testing/run-file.ts';

// One run file (real DuckDB, read-only) shared by the tests; a fresh store each.
const N = 1200;
let files: ReturnType<typeof tempDir>;
let runPath: string;
let source: BreakSource;
beforeAll(async () => {
  files = tempDir();
  mkdirSync(join(files.dir, 'runs'));
  runPath = join(files.dir, 'runs', 'run-1.duckdb');
  await writeRunFile(runPath, N);
  source = await openBreakSource(runPath);
});
afterAll(() => {
  source.close();
  files.cleanup();
});

let tmp: ReturnType<typeof tempDir>;
let store: Store;
const runId = 'run-1';
beforeEach(() => {
  tmp = tempDir();
  store = openStore(tmp.dir);
  seedUsers(store);
  seedRun(store, runId, runPath);
});
afterEach(() => {
  store.close();
  tmp.cleanup();
});

const expected = (pred: (id: number) => boolean): number[] => Array.from({ length: N }, (_, i) => i + 1).filter(pred);

describe('the DuckDB break source', () => {
  it('reads breaks with the attribution suggestion, like the synthetic definition', async () => {
    const got = await source.get([1, 4, 11, 33]);
    for (const id of [1, 4, 11, 33]) expect(got.get(id)).toEqual(syntheticBreak(id));
  });

  it('works on a run without attributions: every break waits for review', async () => {
    const path = join(files.dir, 'runs', 'plain.duckdb');
    await writeRunFile(path, 10, false);
    const plain = await openBreakSource(path);
    const b = (await plain.get([1])).get(1)!;
    expect([baseStatusOf(b), suggestionOf(b), b.confidence]).toEqual(['REVIEW', null, null]);
    plain.close();
  });
});

describe('bulk decisions', () => {
  it('covers every open matching break with one decision that stores its filter', async () => {
    setSetting(store, ADA, 'review.bulkProposalThreshold', 10_000);
    const filter = { field: 'amount', reason: 'ROUNDING_DIFF' };
    const r = await decideBulk(store, source, ALICE, { runId, filter, kind: 'ACCEPT' });
    const ids = expected((id) => syntheticBreak(id).field === 'amount' && suggestionOf(syntheticBreak(id)) === 'ROUNDING_DIFF');
    expect(r).toMatchObject({ proposal: false, breakCount: ids.length, skipped: 0 });
    expect(r.breaks.map((b) => b.breakId)).toEqual(ids);
    const d = store.db.prepare('SELECT bulk_filter, break_count FROM decisions WHERE decision_id = ?').get(r.decisionId);
    expect(d).toEqual({ bulk_filter: '{"field":"amount","reason":"ROUNDING_DIFF"}', break_count: ids.length });
    expect(listTrainingLabels(store)).toHaveLength(ids.length);
  });

  it('over the workspace limit is a proposal that an approver settles', async () => {
    setSetting(store, ADA, 'review.bulkProposalThreshold', 5);
    const r = await decideBulk(store, source, ALICE, { runId, filter: { field: 'trade_date', diffType: 'MISSING_IN_B' }, kind: 'REJECT', comment: 'missing at custodian' });
    expect(r.proposal).toBe(true);
    expect(r.breakCount).toBeGreaterThan(5);
    expect(new Set(r.breaks.map((b) => b.to))).toEqual(new Set(['PROPOSED']));
    approveProposal(store, BOB, r.decisionId);
    const statuses = store.db.prepare('SELECT DISTINCT status FROM break_status').all();
    expect(statuses).toEqual([{ status: 'REJECTED' }]);
  });

  it('skips breaks that are not open, and filters by delta', async () => {
    await decide(store, source, ALICE, { runId, breakId: 3, kind: 'ACCEPT' }); // field amount, delta 0.03
    const r = await decideBulk(store, source, ALICE, { runId, filter: { delta: '0.03' }, kind: 'ACCEPT', comment: 'all three cents' });
    const ids = expected((id) => syntheticBreak(id).delta === '0.03');
    const withSuggestion = ids.filter((id) => suggestionOf(syntheticBreak(id)) !== null);
    expect(r.breakCount).toBe(withSuggestion.length - 1);
    expect(r.skipped).toBe(ids.length - r.breakCount);
    const small = await decideBulk(store, source, ALICE, { runId, filter: { field: 'amount', maxAbsDelta: '0.01' }, kind: 'REJECT', comment: 'tiny but real' });
    expect(small.breaks.every((b) => ['0.00', '0.01'].includes(syntheticBreak(b.breakId).delta!))).toBe(true);
  });

  it('refuses an empty filter, no matches and override without comment', async () => {
    const code = (p: Promise<unknown>): Promise<unknown> => p.then(() => 'ok', (e: { code?: string }) => e.code);
    expect(await code(decideBulk(store, source, ALICE, { runId, filter: {}, kind: 'ACCEPT' }))).toBe('INVALID_ARGUMENT');
    expect(await code(decideBulk(store, source, ALICE, { runId, filter: { field: 'nope' }, kind: 'ACCEPT' }))).toBe('NOT_FOUND');
    expect(await code(decideBulk(store, source, ALICE, { runId, filter: { field: 'amount' }, kind: 'OVERRIDE', reason: 'FX_DIFF' }))).toBe('COMMENT_REQUIRED');
    expect(await code(decideBulk(store, source, ALICE, { runId, filter: { maxAbsDelta: '1; DROP TABLE breaks' }, kind: 'ACCEPT' }))).toBe('INVALID_ARGUMENT');
    // Over the workspace's limit (50 by default) a bulk decision needs a comment, accept included.
    expect(await code(decideBulk(store, source, ALICE, { runId, filter: { field: 'amount' }, kind: 'REJECT', comment: ' ' }))).toBe('COMMENT_REQUIRED');
    expect(await code(decideBulk(store, source, ALICE, { runId, filter: { field: 'amount', reason: 'ROUNDING_DIFF' }, kind: 'ACCEPT' }))).toBe('COMMENT_REQUIRED');
    expect(store.db.prepare('SELECT count(*) AS n FROM decisions').get()).toEqual({ n: 0 });
  });
});

describe('review list', () => {
  it('shows the current status, paging past decided breaks', async () => {
    setSetting(store, ADA, 'review.bulkProposalThreshold', 10_000);
    await decideBulk(store, source, ALICE, { runId, filter: { baseStatus: 'REVIEW', reason: 'FX_DIFF' }, kind: 'ACCEPT' });
    const review = await listBreaks(store, source, { runId, status: 'REVIEW', limit: 20 });
    expect(review).toHaveLength(20);
    expect(review.every((b) => b.status === 'REVIEW' && suggestionOf(b) !== 'FX_DIFF')).toBe(true);
    const accepted = await listBreaks(store, source, { runId, status: 'ACCEPTED', limit: 1000 });
    expect(accepted.every((b) => b.reason === 'FX_DIFF')).toBe(true);
    expect(accepted.length).toBeGreaterThan(0);
    const page2 = await listBreaks(store, source, { runId, limit: 5, afterId: 10, filter: { field: 'counterparty' } });
    expect(page2.map((b) => b.breakId)).toEqual(expected((id) => id > 10 && syntheticBreak(id).field === 'counterparty').slice(0, 5));
  });
});
