import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyChain } from '../store/audit-verify.ts';
import { openStore } from '../store/open.ts';
import type { Store } from '../store/store.ts';
import { approveProposal } from './approvals.ts';
import { decide } from './decisions.ts';
import { grantRole } from './roles.ts';
import { ADA, ALICE, BOB, memoryBreakSource, seedRun, seedUsers, tempDir } from './testing/fixtures.ts';

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

/** Row counts of every table a decision touches. */
const snapshot = (): Record<string, number> =>
  Object.fromEntries(
    ['decisions', 'decision_breaks', 'break_status', 'approvals', 'audit_events', 'audit_heads', 'outbox', 'user_roles'].map((t) => [
      t,
      (store.db.prepare(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n,
    ]),
  );

/** A failure injected at a point inside the write transaction (a connection-local TEMP trigger). */
function failOn(table: string): () => void {
  store.db.exec(`CREATE TEMP TRIGGER inject_failure BEFORE INSERT ON main.${table} BEGIN SELECT RAISE(ABORT, 'injected failure'); END`);
  return () => store.db.exec('DROP TRIGGER temp.inject_failure');
}

describe('a change and its audit event are one transaction', () => {
  for (const table of ['decision_breaks', 'break_status', 'audit_events', 'audit_heads', 'outbox']) {
    it(`a decision failing at ${table} leaves neither the decision nor its event`, async () => {
      const before = snapshot();
      const head = store.db.prepare('SELECT * FROM audit_heads').get();
      const heal = failOn(table);
      await expect(decide(store, source, ALICE, { runId, breakId: 1, kind: 'ACCEPT' })).rejects.toThrow(/injected failure/);
      heal();
      expect(snapshot()).toEqual(before);
      expect(store.db.prepare('SELECT * FROM audit_heads').get()).toEqual(head);
      // The same decision then succeeds and the chain has no gap.
      await decide(store, source, ALICE, { runId, breakId: 1, kind: 'ACCEPT' });
      expect(verifyChain(store).ok).toBe(true);
    });
  }

  it('an approval failing at its audit event changes no break', async () => {
    const p = await decide(store, source, ALICE, { runId, breakId: 2, kind: 'OVERRIDE', reason: 'FX_DIFF', comment: 'why' });
    const before = snapshot();
    const statuses = store.db.prepare('SELECT * FROM break_status').all();
    const heal = failOn('outbox');
    expect(() => approveProposal(store, BOB, p.decisionId)).toThrow(/injected failure/);
    heal();
    expect(snapshot()).toEqual(before);
    expect(store.db.prepare('SELECT * FROM break_status').all()).toEqual(statuses);
  });

  it('a role change failing at its audit event is not applied', () => {
    const before = snapshot();
    const heal = failOn('audit_events');
    expect(() => grantRole(store, ADA, 'alice', 'approver')).toThrow(/injected failure/);
    heal();
    expect(snapshot()).toEqual(before);
  });
});
