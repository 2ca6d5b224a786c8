/**
 * A realistic trail for audit tests: users, a run, single and bulk
 * decisions, proposals approved and rejected, reopenings, a role change.
 * Uses the in-memory break source, so it needs no DuckDB.
 */
import type { Store } from '../../store/store.ts';
import { approveProposal, rejectProposal } from '../approvals.ts';
import { decide, decideBulk } from '../decisions.ts';
import { grantRole } from '../roles.ts';
import { ADA, ALICE, BOB, CAROL, memoryBreakSource, seedRun, seedUsers } from './fixtures.ts';

/** Appends roughly `3 * rounds + 10` audit events. */
export async function buildTrail(store: Store, rounds = 40, runId = 'run-1', breaks = 2000): Promise<void> {
  const source = memoryBreakSource(breaks);
  seedUsers(store);
  seedRun(store, runId, `/nowhere/${runId}.duckdb`);
  let id = 1;
  for (let i = 0; i < rounds; i++) {
    // Breaks with id % 11 == 0 have no suggestion; skip them for accepts.
    while (id % 11 === 0) id++;
    await decide(store, source, ALICE, { runId, breakId: id, kind: 'ACCEPT' });
    const p = await decide(store, source, CAROL, { runId, breakId: id + 1, kind: 'OVERRIDE', reason: 'FX_DIFF', comment: `round ${i}: amounts in EUR` });
    if (i % 3 === 2) rejectProposal(store, BOB, p.decisionId, 'not FX: check the booking');
    else approveProposal(store, BOB, p.decisionId, i % 2 ? 'ok' : null);
    if (i % 5 === 0) await decide(store, source, ALICE, { runId, breakId: id, kind: 'REOPEN', comment: 'second look' });
    id += 3;
  }
  await decideBulk(store, source, ALICE, { runId, filter: { field: 'counterparty', reason: 'STATIC_DATA' }, kind: 'REJECT', comment: 'chase static data team' });
  grantRole(store, ADA, ALICE.userId, 'approver');
}
