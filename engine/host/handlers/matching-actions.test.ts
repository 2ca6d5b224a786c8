/**
 * Manual match and unmatch through the service, on a real matching run (a
 * generated cash ledger against its bank statement): matches below the
 * workspace's amount take effect at once and settle their rows' breaks with
 * MANUAL_MATCH; above it they wait for another approver; conflicts, the
 * 4-eye rule, withdrawals and unmatches (a rule's match and a manual one,
 * whose breaks reopen) as the workflow states them; the audit chain holds.
 */
import '../testing/fail-on-unhandled.ts';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MatchAction } from '../../contract/index.ts';
import { definitionSchema } from '../../definition/schema.ts';
import { openDuckDB, queryRows } from '../../duckdb/open.ts';
import { generateCash } from '../../generate/cash/generate-cash.ts';
import { runRecon } from '../../run/run-recon.ts';
import { verifyChain } from '../../store/audit-verify.ts';
import { openStore, type Store } from '../../store/open.ts';
import { createService, type Service } from '../service.ts';
import { registerCompletedRun } from '../testing/register-run.ts';

interface Unmatched {
  side: 'a' | 'b';
  rid: number;
  id: string;
  breakId: number;
  amount: string;
}

let dir: string;
let workspace: string;
let runId: string;
const stores: Store[] = [];
let ada: Service;
let alice: Service;
let bob: Service;
let carol: Service;
let unmatchedA: Unmatched[];
let unmatchedB: Unmatched[];
let ruleMatch: { matchId: string; rows: { side: 'a' | 'b'; rid: number }[] };

const serviceAs = (userId: string): Service => {
  const store = openStore(workspace);
  stores.push(store);
  return createService({ workspace, host: 'test', version: '0', store, user: { userId, displayName: userId }, emit: () => undefined });
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'recon-manual-match-'));
  workspace = join(dir, 'workspace');
  const gen = await generateCash({ rows: 300, outDir: join(dir, 'data'), seed: 3 });
  const definition = definitionSchema.parse(JSON.parse(await readFile(gen.definitionPath, 'utf8')));
  const summary = await runRecon({ aPath: gen.ledgerPath, bPath: gen.bankPath, definition, workspace });
  runId = summary.runId;
  // What the test picks its rows from, read before any host opens the file.
  const db = await openDuckDB({ path: summary.database, readOnly: true });
  try {
    const missing = (side: 'a' | 'b') =>
      queryRows<{ rid: string; id: string; break_id: string; amount: string }>(
        db.connection,
        `SELECT r.__rid AS rid, k.key AS id, k.break_id, CAST(r.amount AS VARCHAR) AS amount FROM breaks k JOIN ${side} r ON r.__rid = k.rid_${side}
          WHERE k.diff_type = '${side === 'a' ? 'MISSING_IN_B' : 'MISSING_IN_A'}' AND r.amount <> 0 ORDER BY k.break_id`,
      );
    const toRows = (side: 'a' | 'b', rows: { rid: string; id: string; break_id: string; amount: string }[]): Unmatched[] =>
      rows.map((r) => ({ side, rid: Number(r.rid), id: r.id, breakId: Number(r.break_id), amount: r.amount }));
    unmatchedA = toRows('a', await missing('a'));
    unmatchedB = toRows('b', await missing('b'));
    const [g] = await queryRows<{ match_id: string }>(db.connection, "SELECT match_id FROM match_groups WHERE match_type = '1:1' ORDER BY match_id LIMIT 1");
    const rows = await queryRows<{ side: 'a' | 'b'; rid: string }>(db.connection, `SELECT side, rid FROM matches WHERE match_id = '${g!.match_id}' ORDER BY side`);
    ruleMatch = { matchId: g!.match_id, rows: rows.map((r) => ({ side: r.side, rid: Number(r.rid) })) };
  } finally {
    db.close();
  }
  const store = openStore(workspace);
  stores.push(store);
  registerCompletedRun(store, workspace, summary);
  ada = createService({ workspace, host: 'test', version: '0', store, user: { userId: 'ada', displayName: 'Ada' }, emit: () => undefined });
  await ada.invoke('users.grant', { userId: 'ada', role: 'analyst' });
  await ada.invoke('users.add', { userId: 'alice', roles: ['analyst'] });
  await ada.invoke('users.add', { userId: 'bob', roles: ['approver'] });
  await ada.invoke('users.add', { userId: 'carol', roles: ['analyst', 'approver'] });
  alice = serviceAs('alice');
  bob = serviceAs('bob');
  carol = serviceAs('carol');
}, 120_000);

afterAll(async () => {
  for (const s of [alice, bob, carol, ada]) await s?.close();
  for (const s of stores) s.close();
  await rm(dir, { recursive: true, force: true });
});

const status = (breakId: number) =>
  stores[0]!.read((tx) => tx.get<{ status: string; reason: string | null }>({ text: 'SELECT status, reason FROM break_status WHERE run_id = ? AND break_id = ?', params: [runId, breakId] }));
const pair = (i: number) => [unmatchedA[i]!, unmatchedB[i]!];
const refs = (rows: Unmatched[]) => rows.map((r) => ({ side: r.side, rid: r.rid }));
const threshold = (n: number) => ada.invoke('settings.set', { bulkProposalThreshold: 50, matchApprovalAbove: n });
const code = async (p: Promise<{ ok: boolean; error?: { code: string } }>) => ((await p) as { error?: { code: string } }).error?.code;

let first: MatchAction;

describe('manual match', () => {
  it('reads the threshold from the workspace settings (10,000 by default) and lets the admin change it', async () => {
    expect(await ada.invoke('settings.get', {})).toEqual({ bulkProposalThreshold: 50, matchApprovalAbove: 10000 });
    expect(await code(alice.call('settings.set', { bulkProposalThreshold: 50, matchApprovalAbove: 1 }))).toBe('FORBIDDEN_ROLE');
    expect(await threshold(1_000_000_000)).toEqual({ bulkProposalThreshold: 50, matchApprovalAbove: 1_000_000_000 });
  });

  it('takes effect at once below the threshold, and settles the rows\' breaks as ACCEPTED with MANUAL_MATCH', async () => {
    expect(unmatchedA.length).toBeGreaterThanOrEqual(4);
    expect(unmatchedB.length).toBeGreaterThanOrEqual(4);
    first = await alice.invoke('matching.match', { runId, rows: refs(pair(0)), comment: 'same payment, reference typed wrong' });
    expect(first).toMatchObject({ kind: 'MATCH', state: 'EFFECTIVE', maker: 'alice', sumA: unmatchedA[0]!.amount, sumB: unmatchedB[0]!.amount });
    expect(first.matchId).toMatch(/^U[0-9A-F]{16}$/);
    expect(first.rows).toEqual([
      { side: 'a', rid: unmatchedA[0]!.rid, id: unmatchedA[0]!.id },
      { side: 'b', rid: unmatchedB[0]!.rid, id: unmatchedB[0]!.id },
    ]);
    for (const r of pair(0)) expect(status(r.breakId)).toEqual({ status: 'ACCEPTED', reason: 'MANUAL_MATCH' });
    // The grid shows them settled too (the overlay follows the store).
    expect((await alice.invoke('breaks.detail', { runId, breakId: unmatchedA[0]!.breakId })).break).toMatchObject({ status: 'ACCEPTED', reason: 'MANUAL_MATCH' });
  });

  it('refuses rows matched now, by hand or by a rule, rows of one side only, and users without the analyst role', async () => {
    expect(await code(alice.call('matching.match', { runId, rows: refs([unmatchedA[0]!, unmatchedB[1]!]), comment: 'again' }))).toBe('MATCH_CONFLICT');
    expect(await code(alice.call('matching.match', { runId, rows: [ruleMatch.rows[0]!, refs([unmatchedB[1]!])[0]!], comment: 'rule row' }))).toBe('MATCH_CONFLICT');
    expect(await code(alice.call('matching.match', { runId, rows: refs([unmatchedA[1]!, unmatchedA[2]!]), comment: 'one side' }))).toBe('INVALID_ARGUMENT');
    expect(await code(bob.call('matching.match', { runId, rows: refs(pair(1)), comment: 'not an analyst' }))).toBe('FORBIDDEN_ROLE');
    expect(await code(alice.call('matching.match', { runId, rows: [{ side: 'a', rid: 999_999 }, refs([unmatchedB[1]!])[0]!], comment: 'no such row' }))).toBe('NOT_FOUND');
    expect(await code(alice.call('matching.match', { runId, rows: refs(pair(1)), comment: '  ' }))).toBeDefined();
  });

  it('waits for another approver above the threshold; the maker cannot approve it, a rejection needs a comment', async () => {
    await threshold(0);
    const pending = await alice.invoke('matching.match', { runId, rows: refs(pair(1)), comment: 'large one' });
    expect(pending.state).toBe('PENDING');
    for (const r of pair(1)) expect(status(r.breakId)).toBeUndefined();
    // Its rows are held: nobody else can match them meanwhile.
    expect(await code(carol.call('matching.match', { runId, rows: refs([unmatchedA[1]!, unmatchedB[2]!]), comment: 'mine' }))).toBe('MATCH_CONFLICT');
    const queue = await bob.invoke('matching.actions', { pendingOnly: true });
    expect(queue).toMatchObject({ canApprove: true, actions: [{ actionId: pending.actionId, state: 'PENDING' }] });
    expect((await alice.invoke('matching.actions', { runId })).canApprove).toBe(false);
    expect(await code(alice.call('matching.decide', { actionId: pending.actionId, verdict: 'APPROVED' }))).toBe('FORBIDDEN_SELF_APPROVAL');
    expect(await code(bob.call('matching.decide', { actionId: pending.actionId, verdict: 'REJECTED' }))).toBe('COMMENT_REQUIRED');
    const approved = await bob.invoke('matching.decide', { actionId: pending.actionId, verdict: 'APPROVED', comment: 'checked the statement' });
    expect(approved).toMatchObject({ state: 'APPROVED', approver: 'bob', approvalComment: 'checked the statement' });
    for (const r of pair(1)) expect(status(r.breakId)).toEqual({ status: 'ACCEPTED', reason: 'MANUAL_MATCH' });
    expect(await code(carol.call('matching.decide', { actionId: pending.actionId, verdict: 'APPROVED' }))).toBe('ILLEGAL_TRANSITION');
  });

  it('lets only the maker withdraw a pending action; its rows are free again, and a rejection leaves the breaks alone', async () => {
    const pending = await alice.invoke('matching.match', { runId, rows: refs(pair(2)), comment: 'maybe' });
    expect(await code(bob.call('matching.withdraw', { actionId: pending.actionId }))).toBe('FORBIDDEN_ROLE');
    expect(await alice.invoke('matching.withdraw', { actionId: pending.actionId })).toMatchObject({ state: 'WITHDRAWN', approver: 'alice' });
    expect(await code(bob.call('matching.decide', { actionId: pending.actionId, verdict: 'APPROVED' }))).toBe('ILLEGAL_TRANSITION');
    const again = await carol.invoke('matching.match', { runId, rows: refs(pair(2)), comment: 'second try' });
    expect(await bob.invoke('matching.decide', { actionId: again.actionId, verdict: 'REJECTED', comment: 'different counterparty' })).toMatchObject({ state: 'REJECTED' });
    for (const r of pair(2)) expect(status(r.breakId)).toBeUndefined();
    expect((await bob.invoke('matching.actions', { pendingOnly: true })).actions).toEqual([]);
  });
});

describe('unmatch', () => {
  it("undoes a rule's match; its rows can then be matched by hand, and it cannot be undone twice", async () => {
    await threshold(1_000_000_000);
    const undone = await alice.invoke('matching.unmatch', { runId, matchId: ruleMatch.matchId, comment: 'wrong counterpart' });
    expect(undone).toMatchObject({ kind: 'UNMATCH', matchId: ruleMatch.matchId, state: 'EFFECTIVE' });
    expect(undone.rows.map((r) => ({ side: r.side, rid: r.rid }))).toEqual(ruleMatch.rows);
    expect(await code(alice.call('matching.unmatch', { runId, matchId: ruleMatch.matchId, comment: 'again' }))).toBe('MATCH_CONFLICT');
    expect(await code(alice.call('matching.unmatch', { runId, matchId: 'M999999', comment: 'none' }))).toBe('NOT_FOUND');
    const rematched = await alice.invoke('matching.match', { runId, rows: ruleMatch.rows, comment: 'it was right after all' });
    expect(rematched.state).toBe('EFFECTIVE');
  });

  it("undoes a manual match after approval, and its rows' breaks reopen for review", async () => {
    await threshold(0);
    const pending = await carol.invoke('matching.unmatch', { runId, matchId: first.matchId, comment: 'matched by mistake' });
    expect(pending.state).toBe('PENDING');
    expect(await code(alice.call('matching.unmatch', { runId, matchId: first.matchId, comment: 'me too' }))).toBe('MATCH_CONFLICT');
    for (const r of pair(0)) expect(status(r.breakId)).toEqual({ status: 'ACCEPTED', reason: 'MANUAL_MATCH' });
    await bob.invoke('matching.decide', { actionId: pending.actionId, verdict: 'APPROVED' });
    for (const r of pair(0)) expect(status(r.breakId)).toEqual({ status: 'REVIEW', reason: null });
    // Free again.
    await threshold(1_000_000_000);
    expect((await alice.invoke('matching.match', { runId, rows: refs(pair(0)), comment: 'matched again' })).state).toBe('EFFECTIVE');
    for (const r of pair(0)) expect(status(r.breakId)).toEqual({ status: 'ACCEPTED', reason: 'MANUAL_MATCH' });
  });

  it('lists a run\'s actions newest first, and the audit chain verifies after all of it', async () => {
    const { actions } = await ada.invoke('matching.actions', { runId });
    expect(actions.length).toBe(8);
    expect(actions.map((a) => a.decidedAt)).toEqual([...actions.map((a) => a.decidedAt)].sort().reverse());
    const kinds = stores[0]!.read((tx) => tx.all<{ action: string; n: number }>({ text: "SELECT action, count(*) AS n FROM audit_events WHERE action LIKE 'match.%' GROUP BY action ORDER BY action", params: [] }));
    expect(kinds).toEqual([
      { action: 'match.approved', n: 2 },
      { action: 'match.manual', n: 6 },
      { action: 'match.rejected', n: 1 },
      { action: 'match.unmatched', n: 2 },
      { action: 'match.withdrawn', n: 1 },
    ]);
    expect(verifyChain(stores[0]!)).toMatchObject({ ok: true });
  });
});
