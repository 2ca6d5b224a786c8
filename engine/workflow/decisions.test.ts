import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { suggestionOf } from '../run-file/break.ts';
import { verifyChain } from '../store/audit-verify.ts';
import { openStore } from '../store/open.ts';
import type { Store } from '../store/store.ts';
import { approveProposal } from './approvals.ts';
import type { BreakSource } from './breaks.ts';
import { decide } from './decisions.ts';
import { listTrainingExamples, listTrainingLabels } from './labels.ts';
import { retireReasonCode } from './reason-codes.ts';
import { recordRunStarted } from './runs.ts';
import { ADA, ALICE, BOB, MALLORY, memoryBreakSource, seedRun, seedUsers, syntheticBreak, tempDir } from './testing/fixtures.ts';

let tmp: ReturnType<typeof tempDir>;
let store: Store;
let source: BreakSource;
const runId = 'run-1';
beforeEach(() => {
  tmp = tempDir();
  store = openStore(tmp.dir);
  seedUsers(store);
  seedRun(store, runId, '/nowhere/run-1.duckdb');
  source = memoryBreakSource(500);
});
afterEach(() => {
  store.close();
  tmp.cleanup();
});

const status = (breakId: number): unknown => store.db.prepare('SELECT status, reason FROM break_status WHERE run_id = ? AND break_id = ?').get(runId, breakId);
const code = (p: Promise<unknown>): Promise<unknown> => p.then(() => 'no error', (e: { code?: string }) => e.code);

describe('decisions on one break', () => {
  it('accept takes the suggested reason and becomes a label', async () => {
    const r = await decide(store, source, ALICE, { runId, breakId: 1, kind: 'ACCEPT' });
    expect(r).toMatchObject({ proposal: false, breakCount: 1, breaks: [{ breakId: 1, from: 'AUTO', to: 'ACCEPTED' }] });
    expect(status(1)).toEqual({ status: 'ACCEPTED', reason: suggestionOf(syntheticBreak(1)) });
    expect(listTrainingLabels(store)).toMatchObject([{ runId, breakId: 1, reason: suggestionOf(syntheticBreak(1)), source: { decisionId: r.decisionId, kind: 'ACCEPT', decidedBy: 'alice' } }]);
  });

  it('override is a proposal: PROPOSED until approved, then OVERRIDDEN and a label', async () => {
    const p = await decide(store, source, ALICE, { runId, breakId: 2, kind: 'OVERRIDE', reason: 'FX_DIFF', comment: 'EUR vs USD' });
    expect(p.proposal).toBe(true);
    expect(status(2)).toEqual({ status: 'PROPOSED', reason: null });
    expect(listTrainingLabels(store)).toEqual([]);
    approveProposal(store, BOB, p.decisionId);
    expect(status(2)).toEqual({ status: 'OVERRIDDEN', reason: 'FX_DIFF' });
    expect(listTrainingLabels(store)).toMatchObject([{ breakId: 2, reason: 'FX_DIFF', status: 'OVERRIDDEN', source: { approvedBy: 'bob' } }]);
    expect(listTrainingExamples(store)).toEqual([{ runDb: '/nowhere/run-1.duckdb', breakId: 2, reason: 'FX_DIFF' }]);
  });

  it('reject needs a comment; reopen puts a decided break back in review and drops its label', async () => {
    expect(await code(decide(store, source, ALICE, { runId, breakId: 3, kind: 'REJECT' }))).toBe('COMMENT_REQUIRED');
    await decide(store, source, ALICE, { runId, breakId: 3, kind: 'REJECT', comment: 'booking error: chase the desk' });
    expect(status(3)).toEqual({ status: 'REJECTED', reason: null });
    await decide(store, source, ALICE, { runId, breakId: 1, kind: 'ACCEPT' });
    await decide(store, source, ALICE, { runId, breakId: 1, kind: 'REOPEN' });
    expect(status(1)).toEqual({ status: 'REVIEW', reason: null });
    expect(listTrainingLabels(store)).toEqual([]);
  });

  it('refuses illegal transitions with ILLEGAL_TRANSITION', async () => {
    await decide(store, source, ALICE, { runId, breakId: 1, kind: 'ACCEPT' });
    expect(await code(decide(store, source, ALICE, { runId, breakId: 1, kind: 'ACCEPT' }))).toBe('ILLEGAL_TRANSITION');
    expect(await code(decide(store, source, ALICE, { runId, breakId: 2, kind: 'REOPEN' }))).toBe('ILLEGAL_TRANSITION');
    await decide(store, source, ALICE, { runId, breakId: 2, kind: 'OVERRIDE', reason: 'FX_DIFF', comment: 'why' });
    for (const kind of ['ACCEPT', 'REOPEN'] as const) expect(await code(decide(store, source, ALICE, { runId, breakId: 2, kind }))).toBe('ILLEGAL_TRANSITION');
    expect(await code(decide(store, source, ALICE, { runId, breakId: 2, kind: 'REJECT', comment: 'x' }))).toBe('ILLEGAL_TRANSITION');
  });

  it('checks reasons: override needs an active code; accept needs a suggestion and takes no code', async () => {
    expect(await code(decide(store, source, ALICE, { runId, breakId: 2, kind: 'OVERRIDE', comment: 'why' }))).toBe('REASON_REQUIRED');
    expect(await code(decide(store, source, ALICE, { runId, breakId: 2, kind: 'OVERRIDE', reason: 'NOPE', comment: 'why' }))).toBe('REASON_UNKNOWN');
    retireReasonCode(store, ADA, 'SIGN_FLIP');
    expect(await code(decide(store, source, ALICE, { runId, breakId: 2, kind: 'OVERRIDE', reason: 'SIGN_FLIP', comment: 'why' }))).toBe('REASON_UNKNOWN');
    expect(await code(decide(store, source, ALICE, { runId, breakId: 11, kind: 'ACCEPT' }))).toBe('REASON_REQUIRED'); // no suggestion
    expect(await code(decide(store, source, ALICE, { runId, breakId: 1, kind: 'ACCEPT', reason: 'FX_DIFF' }))).toBe('INVALID_ARGUMENT');
  });

  it('needs the analyst role, a known break and a completed run', async () => {
    expect(await code(decide(store, source, MALLORY, { runId, breakId: 1, kind: 'ACCEPT' }))).toBe('FORBIDDEN_ROLE');
    expect(await code(decide(store, source, BOB, { runId, breakId: 1, kind: 'ACCEPT' }))).toBe('FORBIDDEN_ROLE');
    expect(await code(decide(store, source, ALICE, { runId, breakId: 9999, kind: 'ACCEPT' }))).toBe('NOT_FOUND');
    expect(await code(decide(store, source, ALICE, { runId: 'nope', breakId: 1, kind: 'ACCEPT' }))).toBe('RUN_NOT_FOUND');
    recordRunStarted(store, ADA, { runId: 'running', definition: { name: 'd' }, duckdbPath: '/x', inputs: { a: { path: 'a', sha256: 'x' }, b: { path: 'b', sha256: 'y' } } });
    expect(await code(decide(store, source, ALICE, { runId: 'running', breakId: 1, kind: 'ACCEPT' }))).toBe('ILLEGAL_TRANSITION');
  });

  it('writes one audit event per decision and keeps the chain valid', async () => {
    const count = (): number => (store.db.prepare('SELECT count(*) AS n FROM audit_events').get() as { n: number }).n;
    const before = count();
    await decide(store, source, ALICE, { runId, breakId: 1, kind: 'ACCEPT' });
    await decide(store, source, ALICE, { runId, breakId: 2, kind: 'OVERRIDE', reason: 'FX_DIFF', comment: 'why' });
    expect(count() - before).toBe(2);
    const last = store.db.prepare('SELECT action, comment, after FROM audit_events ORDER BY seq DESC LIMIT 1').get() as { action: string; comment: string; after: string };
    expect(last.action).toBe('decision.proposed');
    expect(last.comment).toBe('why');
    expect(JSON.parse(last.after)).toMatchObject({ decision: { kind: 'OVERRIDE', reason: 'FX_DIFF', is_proposal: true }, rows: [[2, 'PROPOSED', 'OVERRIDDEN', 'FX_DIFF']] });
    expect(verifyChain(store).ok).toBe(true);
  });
});
