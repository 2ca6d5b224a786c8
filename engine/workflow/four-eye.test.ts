import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../store/open.ts';
import type { Store } from '../store/store.ts';
import { approveProposal, listProposals, rejectProposal } from './approvals.ts';
import { decide } from './decisions.ts';
import { grantRole } from './roles.ts';
import { ADA, ALICE, BOB, CAROL, MALLORY, memoryBreakSource, seedRun, seedUsers, tempDir } from './testing/fixtures.ts';

let tmp: ReturnType<typeof tempDir>;
let store: Store;
const runId = 'run-1';
const source = memoryBreakSource(100);
beforeEach(() => {
  tmp = tempDir();
  store = openStore(tmp.dir);
  seedUsers(store);
  seedRun(store, runId, '/nowhere/run-1.duckdb');
});
afterEach(() => {
  store.close();
  tmp.cleanup();
});

const propose = async (by = CAROL, breakId = 2): Promise<string> =>
  (await decide(store, source, by, { runId, breakId, kind: 'OVERRIDE', reason: 'TIMING_DIFF', comment: 'T+2 settlement' })).decisionId;
const status = (breakId: number): unknown => (store.db.prepare('SELECT status FROM break_status WHERE run_id = ? AND break_id = ?').get(runId, breakId) as { status: string }).status;

describe('4-eye approval', () => {
  it('refuses self-approval even when the maker holds the approver role', async () => {
    const id = await propose(CAROL);
    expect(() => approveProposal(store, CAROL, id)).toThrow(expect.objectContaining({ code: 'FORBIDDEN_SELF_APPROVAL' }));
    expect(() => rejectProposal(store, CAROL, id, 'withdraw')).toThrow(expect.objectContaining({ code: 'FORBIDDEN_SELF_APPROVAL' }));
    expect(status(2)).toBe('PROPOSED');
  });

  it('refuses a checker without the approver role', async () => {
    const id = await propose(CAROL);
    for (const who of [ALICE, MALLORY, ADA]) expect(() => approveProposal(store, who, id)).toThrow(expect.objectContaining({ code: 'FORBIDDEN_ROLE' }));
  });

  it('lets another approver approve, once', async () => {
    const id = await propose(CAROL);
    expect(listProposals(store, { pendingOnly: true }).map((p) => p.decisionId)).toEqual([id]);
    expect(approveProposal(store, BOB, id, 'agreed')).toMatchObject({ verdict: 'APPROVED', breakCount: 1 });
    expect(status(2)).toBe('OVERRIDDEN');
    expect(listProposals(store, { pendingOnly: true })).toEqual([]);
    expect(listProposals(store)).toMatchObject([{ decisionId: id, state: 'APPROVED', approver: 'bob', approvalComment: 'agreed' }]);
    grantRole(store, ADA, 'alice', 'approver');
    expect(() => approveProposal(store, ALICE, id)).toThrow(expect.objectContaining({ code: 'ILLEGAL_TRANSITION' }));
  });

  it('a rejected proposal needs a comment and returns its break to where it was', async () => {
    const id = await propose(ALICE, 4); // break 4 is REVIEW (id % 4 == 0)
    expect(() => rejectProposal(store, BOB, id, ' ')).toThrow(expect.objectContaining({ code: 'COMMENT_REQUIRED' }));
    rejectProposal(store, BOB, id, 'it is a real break');
    expect(status(4)).toBe('REVIEW');
    // The break is open again: a new decision is allowed.
    await decide(store, source, ALICE, { runId, breakId: 4, kind: 'REJECT', comment: 'chase it' });
    expect(status(4)).toBe('REJECTED');
  });

  it('refuses an unknown proposal and a plain decision as a proposal', async () => {
    expect(() => approveProposal(store, BOB, 'nope')).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
    const d = await decide(store, source, ALICE, { runId, breakId: 1, kind: 'ACCEPT' });
    expect(() => approveProposal(store, BOB, d.decisionId)).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
  });
});
