/**
 * The workflow tables bound to the audit chain (chain-state.ts): rows edited in
 * workspace.sqlite behind the app's back are refused when the app would act on
 * them, and `recon audit verify` (verifyTrail) reports every one.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../store/open.ts';
import type { Store } from '../store/store.ts';
import { approveProposal, rejectProposal } from './approvals.ts';
import { verifyTrail } from './chain-state.ts';
import { decide, decideBulk } from './decisions.ts';
import { grantRole } from './roles.ts';
import { setSetting } from './settings.ts';
import { ADA, ALICE, BOB, CAROL, MALLORY, memoryBreakSource, seedRun, seedUsers, tempDir } from './testing/fixtures.ts';

let tmp: ReturnType<typeof tempDir>;
let store: Store;
const runId = 'run-1';
const source = memoryBreakSource(400);

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
const status = (breakId: number): string | undefined =>
  (store.db.prepare('SELECT status FROM break_status WHERE run_id = ? AND break_id = ?').get(runId, breakId) as { status: string } | undefined)?.status;
const refused = expect.objectContaining({ code: 'AUDIT_CHAIN_BROKEN' });

/** A workspace with every kind of state row: accepted, approved, rejected, pending and bulk decisions, a granted role, a changed setting. */
async function populate(): Promise<void> {
  await decide(store, source, ALICE, { runId, breakId: 1, kind: 'ACCEPT' });
  approveProposal(store, BOB, await propose(CAROL, 2), 'agreed');
  rejectProposal(store, BOB, await propose(ALICE, 3), 'not a timing difference');
  await propose(ALICE, 6);
  await decideBulk(store, source, ALICE, { runId, filter: { field: 'trade_date', diffType: 'MISSING_IN_B' }, kind: 'REJECT', comment: 'missing at the custodian' });
  grantRole(store, ADA, 'alice', 'approver');
  setSetting(store, ADA, 'review.bulkProposalThreshold', 80);
}

describe('the app refuses to act on rows the audit trail does not explain', () => {
  it("a proposal whose maker was edited cannot then be approved by its real maker (the issue's attack)", async () => {
    const id = await propose(CAROL, 2);
    store.db.prepare('UPDATE decisions SET actor = ? WHERE decision_id = ?').run('alice', id);
    expect(() => approveProposal(store, CAROL, id)).toThrow(refused);
    expect(status(2)).toBe('PROPOSED');
    expect(verifyTrail(store)).toMatchObject({ ok: false, firstBreak: { problem: 'STATE_MISMATCH' }, stateProblems: [expect.objectContaining({ table: 'decisions', key: id })] });
  });

  it('a proposal whose breaks or reason were edited cannot be settled', async () => {
    const id = await propose(CAROL, 2);
    store.db.prepare("UPDATE decision_breaks SET reason = 'ROUNDING_DIFF' WHERE decision_id = ?").run(id);
    expect(() => approveProposal(store, BOB, id)).toThrow(refused);
    const other = await propose(CAROL, 5);
    store.db.prepare("UPDATE decisions SET kind = 'ACCEPT', comment = 'ok' WHERE decision_id = ?").run(other);
    expect(() => rejectProposal(store, BOB, other, 'no')).toThrow(refused);
  });

  it('a role granted in the file, not by an admin, gives nothing', async () => {
    const id = await propose(CAROL, 2);
    store.db.prepare("INSERT INTO user_roles (user_id, role, granted_by, granted_at) VALUES ('mallory', 'approver', 'ada', 'now')").run();
    expect(() => approveProposal(store, MALLORY, id)).toThrow(refused);
    expect(status(2)).toBe('PROPOSED');
  });

  it('a bulk limit raised in the file does not let a large bulk decision skip the approver', async () => {
    store.db.prepare(`INSERT INTO settings (key, value, updated_at) VALUES ('review.bulkProposalThreshold', '100000', 'now')`).run();
    await expect(decideBulk(store, source, ALICE, { runId, filter: { field: 'counterparty' }, kind: 'ACCEPT', comment: 'all counterparty breaks' })).rejects.toThrow(refused);
    expect(status(5)).toBeUndefined();
  });

  it('acts as before on an untouched workspace', async () => {
    await populate();
    expect(verifyTrail(store)).toMatchObject({ ok: true });
    approveProposal(store, CAROL, (store.db.prepare("SELECT decision_id FROM decisions WHERE actor = 'alice' AND is_proposal = 1 AND decision_id NOT IN (SELECT decision_id FROM approvals)").get() as { decision_id: string }).decision_id);
    expect(verifyTrail(store)).toMatchObject({ ok: true });
  });
});

describe('recon audit verify finds every edited, added or deleted state row', () => {
  /** One mutation of a state table, as an attacker with the file would make it (triggers dropped first). */
  const MUTATIONS: Record<string, string[]> = {
    decisions: [
      "UPDATE decisions SET actor = 'mallory' WHERE rowid = (SELECT min(rowid) FROM decisions)",
      "UPDATE decisions SET kind = 'REJECT', comment = 'x' WHERE kind = 'ACCEPT' AND rowid = (SELECT min(rowid) FROM decisions WHERE kind = 'ACCEPT')",
      "UPDATE decisions SET reason = 'ROUNDING_DIFF' WHERE reason = 'TIMING_DIFF' AND rowid = (SELECT min(rowid) FROM decisions WHERE reason = 'TIMING_DIFF')",
      "UPDATE decisions SET is_proposal = 1 WHERE kind = 'ACCEPT'",
      "UPDATE decisions SET comment = 'edited' WHERE rowid = (SELECT max(rowid) FROM decisions)",
      "UPDATE decisions SET break_count = break_count + 1 WHERE rowid = (SELECT max(rowid) FROM decisions)",
      "INSERT INTO decisions (decision_id, device_id, run_id, kind, reason, comment, actor, decided_at, is_proposal, bulk_filter, break_count) SELECT 'forged', device_id, run_id, 'ACCEPT', NULL, NULL, 'alice', 'now', 0, NULL, 1 FROM decisions LIMIT 1",
    ],
    decision_breaks: [
      "UPDATE decision_breaks SET to_status = 'ACCEPTED' WHERE to_status = 'OVERRIDDEN'",
      "UPDATE decision_breaks SET reason = 'FX_DIFF' WHERE break_id = (SELECT max(break_id) FROM decision_breaks)",
      'DELETE FROM decision_breaks WHERE break_id = (SELECT max(break_id) FROM decision_breaks)',
      "INSERT INTO decision_breaks (decision_id, break_id, from_status, to_status, reason) SELECT decision_id, 399, 'REVIEW', 'ACCEPTED', NULL FROM decisions WHERE kind = 'ACCEPT' LIMIT 1",
    ],
    approvals: [
      "UPDATE approvals SET verdict = 'APPROVED', comment = NULL WHERE verdict = 'REJECTED'",
      "UPDATE approvals SET approver = 'carol' WHERE verdict = 'APPROVED'",
      "DELETE FROM approvals WHERE verdict = 'REJECTED'",
    ],
    break_status: [
      "UPDATE break_status SET status = 'ACCEPTED' WHERE status = 'PROPOSED'",
      "UPDATE break_status SET reason = 'FX_DIFF' WHERE break_id = 1",
      'DELETE FROM break_status WHERE break_id = 6',
      "INSERT INTO break_status (run_id, break_id, status, reason, decision_id, approval_id, updated_at) SELECT run_id, 398, 'ACCEPTED', 'TIMING_DIFF', decision_id, NULL, 'now' FROM break_status WHERE break_id = 1",
      "UPDATE break_status SET approval_id = NULL WHERE approval_id IS NOT NULL AND status = 'OVERRIDDEN'",
    ],
    user_roles: [
      "INSERT INTO user_roles (user_id, role, granted_by, granted_at) VALUES ('mallory', 'admin', 'ada', 'now')",
      "DELETE FROM user_roles WHERE user_id = 'bob'",
      "UPDATE user_roles SET role = 'admin' WHERE user_id = 'alice' AND role = 'analyst'",
    ],
    settings: [
      "UPDATE settings SET value = '100000' WHERE key = 'review.bulkProposalThreshold'",
      "DELETE FROM settings WHERE key = 'review.bulkProposalThreshold'",
      `INSERT INTO settings (key, value, updated_at) VALUES ('matching.approvalAbove', '999999999', 'now')`,
    ],
  };

  for (const [table, statements] of Object.entries(MUTATIONS)) {
    for (const statement of statements) {
      it(`${table}: ${statement.slice(0, 90)}`, async () => {
        await populate();
        expect(verifyTrail(store)).toMatchObject({ ok: true });
        store.db.pragma('foreign_keys = OFF'); // the attacker's file, the attacker's rules
        const changed = store.db.prepare(statement).run().changes;
        expect(changed, 'the mutation must change a row').toBeGreaterThan(0);
        const report = verifyTrail(store);
        expect(report).toMatchObject({ ok: false, firstBreak: { problem: 'STATE_MISMATCH' } });
        expect(report.stateProblems!.length).toBeGreaterThan(0);
      });
    }
  }

  it('an outbox row deleted with its trigger (the event would never reach the team) is OUTBOX_MISSING', async () => {
    await populate();
    store.db.exec('DROP TRIGGER outbox_no_delete');
    store.db.prepare('DELETE FROM outbox WHERE seq = (SELECT max(seq) FROM outbox)').run();
    expect(verifyTrail(store)).toMatchObject({ ok: false, firstBreak: { problem: 'OUTBOX_MISSING' } });
  });
});
