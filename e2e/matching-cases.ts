/**
 * The matching e2e test's setup on a workspace before any host serves it:
 * alice (admin, analyst) and bob (approver), a low manual-match approval
 * threshold, and the rows each step works on, found through the engine's own
 * matching calls so the test names real ids.
 */
import { createService } from '../engine/host/service.ts';
import { openStore } from '../engine/store/open.ts';
import { addUser, grantRole } from '../engine/workflow/roles.ts';
import { setSetting } from '../engine/workflow/settings.ts';

const ALICE = { userId: 'alice', displayName: 'Alice Analyst' };

export interface MatchingCases {
  /** An AMBIGUOUS A row and one of its recorded candidates. */
  ambiguous: { id: string; candidate: string };
  /** An unmatched A row and a suggested B candidate, both below the threshold. */
  small: { a: string; b: string; amountA: string };
  /** Unmatched rows of both sides above the threshold. */
  large: { a: string; b: string };
  /** A 1:1 rule match below the threshold, and its A row. */
  rule: { matchId: string; a: string };
}

const abs = (x: string | null): number => Math.abs(Number(x ?? 0));

export async function findMatchingCases(workspace: string, runId: string, threshold: number): Promise<MatchingCases> {
  const store = openStore(workspace);
  const service = createService({ workspace, host: 'test', version: 'e2e', store, user: ALICE, emit: () => undefined });
  try {
    // The first user to act becomes admin (alice); she takes analyst and adds bob as approver.
    addUser(store, ALICE, { userId: 'bob', roles: ['approver'] });
    grantRole(store, ALICE, ALICE.userId, 'analyst');
    setSetting(store, ALICE, 'matching.approvalAbove', threshold);

    const rowsOf = async (side: 'a' | 'b') => (await service.invoke('matching.unmatched', { runId, side, limit: 1000 })).rows;
    const a = await rowsOf('a');
    const b = await rowsOf('b');
    const amb = a.find((r) => r.status === 'AMBIGUOUS');
    if (!amb) throw new Error('the generated run has no AMBIGUOUS A row');
    const ambCandidates = (await service.invoke('matching.candidates', { runId, side: 'a', rid: amb.rid, limit: 10 })).candidates;

    let small: MatchingCases['small'] | undefined;
    for (const row of a.filter((r) => r.status === 'UNMATCHED' && abs(r.amount) < threshold)) {
      const { candidates } = await service.invoke('matching.candidates', { runId, side: 'a', rid: row.rid, limit: 10 });
      const c = candidates.find((x) => x.rule === null && abs(x.amount) < threshold);
      if (c) {
        small = { a: row.id, b: c.id, amountA: row.amount ?? '' };
        break;
      }
    }
    if (!small) throw new Error('no unmatched A row below the threshold has a suggested candidate');
    const largeA = a.find((r) => r.status === 'UNMATCHED' && abs(r.amount) > threshold && r.id !== small.a);
    const largeB = b.find((r) => r.status === 'UNMATCHED' && abs(r.amount) > threshold && r.id !== small.b);
    if (!largeA || !largeB) throw new Error('no unmatched rows above the threshold on both sides');

    const [group] = (await service.invoke('matching.groups', { runId, filter: { matchType: '1:1', amountMax: String(threshold - 1) }, offset: 2, limit: 1 })).groups;
    if (!group) throw new Error('no 1:1 rule match below the threshold');
    const { rows } = await service.invoke('matching.groupRows', { runId, matchId: group.matchId });
    return {
      ambiguous: { id: amb.id, candidate: ambCandidates[0]!.id },
      small,
      large: { a: largeA.id, b: largeB.id },
      rule: { matchId: group.matchId, a: rows.find((r) => r.side === 'a')!.id },
    };
  } finally {
    await service.close();
    store.close();
  }
}
