import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../store/open.ts';
import type { Store } from '../store/store.ts';
import { approveProposal, listProposals, rejectProposal, withdrawProposal } from './approvals.ts';
import { decide, decideBulk } from './decisions.ts';
import { addUser, grantRole } from './roles.ts';
import { setSetting } from './settings.ts';
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

  it('the maker withdraws their own pending proposal (audited): its break returns to where it was', async () => {
    const id = await propose(ALICE, 4); // break 4 is REVIEW (id % 4 == 0)
    const before = store.db.prepare('SELECT count(*) AS n FROM audit_events').get() as { n: number };
    expect(withdrawProposal(store, ALICE, id, 'wrong break')).toMatchObject({ decisionId: id, verdict: 'WITHDRAWN', breakCount: 1 });
    expect(status(4)).toBe('REVIEW');
    expect(listProposals(store, { pendingOnly: true })).toEqual([]);
    expect(listProposals(store)).toMatchObject([{ decisionId: id, state: 'WITHDRAWN', approver: 'alice', approvalComment: 'wrong break' }]);
    const event = store.db.prepare('SELECT action, actor, target, comment, after FROM audit_events ORDER BY seq DESC LIMIT 1').get() as { action: string; actor: string; target: string; comment: string; after: string };
    expect(event).toMatchObject({ action: 'proposal.withdrawn', actor: 'alice', target: `decision:${id}`, comment: 'wrong break' });
    expect(JSON.parse(event.after)).toMatchObject({ verdict: 'WITHDRAWN', run_id: runId, rows: [[4, 'REVIEW', null]] });
    expect((store.db.prepare('SELECT count(*) AS n FROM audit_events').get() as { n: number }).n).toBe(before.n + 1);
    // Settled now: nobody can approve, reject or withdraw it again; the break is open for a new decision.
    expect(() => approveProposal(store, BOB, id)).toThrow(expect.objectContaining({ code: 'ILLEGAL_TRANSITION' }));
    expect(() => withdrawProposal(store, ALICE, id)).toThrow(expect.objectContaining({ code: 'ILLEGAL_TRANSITION' }));
    await decide(store, source, ALICE, { runId, breakId: 4, kind: 'REJECT', comment: 'chase it' });
    expect(status(4)).toBe('REJECTED');
  });

  it('only the maker can withdraw, and only while the proposal waits; no comment needed', async () => {
    const id = await propose(CAROL);
    for (const who of [BOB, ALICE, ADA, MALLORY]) expect(() => withdrawProposal(store, who, id)).toThrow(expect.objectContaining({ code: 'FORBIDDEN_ROLE' }));
    expect(status(2)).toBe('PROPOSED');
    const approved = await propose(CAROL, 5);
    approveProposal(store, BOB, approved);
    expect(() => withdrawProposal(store, CAROL, approved)).toThrow(expect.objectContaining({ code: 'ILLEGAL_TRANSITION' }));
    expect(() => withdrawProposal(store, CAROL, '00000000-0000-4000-8000-000000000000')).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
    expect(withdrawProposal(store, CAROL, id)).toMatchObject({ verdict: 'WITHDRAWN' });
    expect(status(2)).toBe('AUTO');
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

describe('the bulk limit counts what one person decided in bulk on a run lately (a split bulk decision still needs an approver)', () => {
  /** `n` breaks with a suggested reason to accept, from `from` on. */
  const acceptable = (from: number, n: number): number[] => {
    const ids: number[] = [];
    for (let id = from; ids.length < n; id++) if (id % 11 !== 0) ids.push(id);
    return ids;
  };
  const bulkAccept = (who: typeof ALICE, ids: number[], comment?: string) => decideBulk(store, source, who, { runId, filter: { breakIds: ids }, kind: 'ACCEPT', comment: comment ?? null });

  it("2 + 15 + 15 under a limit of 20: the third is a proposal that needs a comment (the probe's split attack)", async () => {
    setSetting(store, ADA, 'review.bulkProposalThreshold', 20);
    const [a, b, c] = [acceptable(1, 2), acceptable(3, 15), acceptable(30, 15)];
    expect((await bulkAccept(ALICE, a)).proposal).toBe(false);
    expect((await bulkAccept(ALICE, b)).proposal).toBe(false);
    await expect(bulkAccept(ALICE, c)).rejects.toThrow(expect.objectContaining({ code: 'COMMENT_REQUIRED', details: expect.objectContaining({ recentBulk: 17, breakCount: 15, limit: 20 }) }));
    const third = await bulkAccept(ALICE, c, 'the rest of the price breaks');
    expect(third).toMatchObject({ proposal: true, breakCount: 15 });
    expect(status(c[0]!)).toBe('PROPOSED');
    // Only decisions that took effect count: the pending proposal does not, nor does another person's work.
    expect((await bulkAccept(CAROL, acceptable(60, 15))).proposal).toBe(false);
  });

  it('bulk decisions older than the window, or on another run, do not count', async () => {
    setSetting(store, ADA, 'review.bulkProposalThreshold', 20);
    seedRun(store, 'run-2', '/nowhere/run-2.duckdb');
    await decideBulk(store, source, ALICE, { runId: 'run-2', filter: { breakIds: acceptable(1, 15) }, kind: 'ACCEPT' });
    expect((await bulkAccept(ALICE, acceptable(1, 15))).proposal).toBe(false);
    // A day and a minute ago: out of the window.
    store.db.prepare("UPDATE decisions SET decided_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-1441 minutes') WHERE actor = 'alice'").run();
    expect((await bulkAccept(ALICE, acceptable(30, 15))).proposal).toBe(false);
  });
});

describe('an approver minted by the maker is visible as such', () => {
  it('an admin who adds a second identity after proposing and approves with it: allowed, but the approval says where the approver came from', async () => {
    grantRole(store, ADA, 'ada', 'analyst');
    const id = (await decide(store, source, ADA, { runId, breakId: 2, kind: 'OVERRIDE', reason: 'TIMING_DIFF', comment: 'mine' })).decisionId;
    addUser(store, ADA, { userId: 'ada2', displayName: 'Ada (second)', roles: ['approver'] });
    approveProposal(store, { userId: 'ada2', displayName: 'Ada (second)' }, id);
    const [listed] = listProposals(store);
    expect(listed).toMatchObject({ decisionId: id, state: 'APPROVED', approver: 'ada2' });
    expect(listed!.approverNote).toMatch(/^ada2 was added by ada, the maker, after the proposal/);
    const event = store.db.prepare("SELECT after FROM audit_events WHERE action = 'proposal.approved'").get() as { after: string };
    expect(JSON.parse(event.after)).toMatchObject({ approver_vetting: { added_by: 'ada' } });
  });

  it('an approver the admin added before, approving an analyst\'s proposal, carries no note', async () => {
    const id = await propose(ALICE, 4);
    approveProposal(store, BOB, id);
    expect(listProposals(store)[0]).toMatchObject({ approver: 'bob', approverNote: null });
  });
});
