/**
 * The matching view's read side (matching-view.ts over
 * run-file/matching/) on a real matching run: a generated cash ledger against
 * its bank statement, reconciled by the generated definition's rules, then
 * changed by hand through the service (manual match, unmatch, a pending match
 * approved by another user).
 */
import '../testing/fail-on-unhandled.ts';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunSummary, UnmatchedRow } from '../../contract/index.ts';
import { definitionSchema } from '../../definition/schema.ts';
import { generateCash } from '../../generate/cash/generate-cash.ts';
import { generateExtracts } from '../../generate/generate-extracts.ts';
import { createService, type Service } from '../service.ts';
import { registerCompletedRun } from '../testing/register-run.ts';
import { runRecon } from '../../run/run-recon.ts';
import { openStore, type Store } from '../../store/open.ts';
import { decideMatchAction } from '../../workflow/manual-matches.ts';
import { addUser, grantRole } from '../../workflow/roles.ts';
import { setSetting } from '../../workflow/settings.ts';

const ADA = { userId: 'ada', displayName: 'Ada' };
const BOB = { userId: 'bob', displayName: 'Bob' };

let dir: string;
let store: Store;
let service: Service;
let summary: RunSummary;
let keyed: RunSummary;
let runId: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'recon-matching-view-'));
  const workspace = join(dir, 'workspace');
  // Seed 8 at 400 rows has rows of every kind: matched by each group type, unmatched and AMBIGUOUS on both sides
  // (the first test checks that it still does, so a change of the generator or the matcher cannot empty a test).
  const gen = await generateCash({ rows: 400, outDir: join(dir, 'cash'), seed: 8 });
  const definition = definitionSchema.parse(JSON.parse(await readFile(gen.definitionPath, 'utf8')));
  summary = await runRecon({ aPath: gen.ledgerPath, bPath: gen.bankPath, definition, workspace });
  runId = summary.runId;
  const trades = await generateExtracts({ rows: 200, outDir: join(dir, 'trades'), seed: 3 });
  keyed = await runRecon({ aPath: trades.aPath, bPath: trades.bPath, definition: definitionSchema.parse(JSON.parse(await readFile(trades.definitionPath, 'utf8'))), workspace });
  store = openStore(workspace);
  registerCompletedRun(store, workspace, summary);
  registerCompletedRun(store, workspace, keyed);
  // Ada, the first user, becomes admin; she takes the analyst role and adds Bob as approver.
  addUser(store, ADA, { userId: BOB.userId, displayName: BOB.displayName, roles: ['approver'] });
  grantRole(store, ADA, ADA.userId, 'analyst');
  service = createService({ workspace, host: 'test', version: '9.9.9', store, user: ADA, emit: () => undefined });
}, 120_000);

afterAll(async () => {
  await service?.close();
  store?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const m = () => summary.matching!;
const unmatched = async (side: 'a' | 'b', filter = {}) => service.invoke('matching.unmatched', { runId, side, filter, limit: 1000 });

describe('matching view: the run as the rules left it', () => {
  it('works on data with every kind of row (the fixture still has them)', () => {
    const mm = m();
    for (const t of ['1:1', '1:N', 'N:1', 'N:M'] as const) expect(mm.byType[t], t).toBeGreaterThan(0);
    expect(mm.ambiguous.a).toBeGreaterThan(0);
    expect(mm.ambiguous.b).toBeGreaterThan(0);
    expect(mm.unmatched.a + mm.unmatched.b).toBeGreaterThan(0);
  });

  it('lists every group the rules made, with exact sums, and pages them', async () => {
    const all = await service.invoke('matching.groups', { runId, limit: 1000 });
    const byType = m().byType;
    expect(all.total).toBe(byType['1:1'] + byType['1:N'] + byType['N:1'] + byType['N:M']);
    expect(all.groups.every((g) => g.state === 'RULE' && g.rule !== null)).toBe(true);
    const g = all.groups[0]!;
    expect(g.sumA).toMatch(/^-?\d+\.\d{2}$/);
    expect(g.label).not.toBeNull();
    expect(g.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const page = await service.invoke('matching.groups', { runId, offset: 10, limit: 5 });
    expect(page.groups.map((x) => x.matchId)).toEqual(all.groups.slice(10, 15).map((x) => x.matchId));
  });

  it('filters groups by rule, match type, amount, date and text', async () => {
    const rule = m().byRule.find((r) => r.type === '1:N' && r.groups > 0)!;
    const byRule = await service.invoke('matching.groups', { runId, filter: { rule: rule.rule }, limit: 1000 });
    expect(byRule.total).toBe(rule.groups);
    expect(byRule.groups.every((g) => g.rowsA === 1 && g.rowsB > 1)).toBe(true);
    const nm = await service.invoke('matching.groups', { runId, filter: { matchType: 'N:M' }, limit: 1000 });
    expect(nm.total).toBe(m().byType['N:M']);
    const big = await service.invoke('matching.groups', { runId, filter: { amountMin: '5000' }, limit: 1000 });
    expect(big.total).toBeGreaterThan(0);
    for (const x of big.groups) expect(Math.max(Math.abs(Number(x.sumA)), Math.abs(Number(x.sumB)))).toBeGreaterThanOrEqual(5000);
    const g = byRule.groups[0]!;
    const sameDay = await service.invoke('matching.groups', { runId, filter: { dateFrom: g.date!, dateTo: g.date! }, limit: 1000 });
    expect(sameDay.groups.every((x) => x.date === g.date)).toBe(true);
    const text = await service.invoke('matching.groups', { runId, filter: { text: g.label!.slice(0, 12).toLowerCase() }, limit: 1000 });
    expect(text.groups.map((x) => x.matchId)).toContain(g.matchId);
  });

  it("reads a group's rows of both sides, every field as text", async () => {
    const [g] = (await service.invoke('matching.groups', { runId, filter: { matchType: '1:N' }, limit: 1 })).groups;
    const { group, rows } = await service.invoke('matching.groupRows', { runId, matchId: g!.matchId });
    expect(group).toEqual(g);
    expect(rows.filter((r) => r.side === 'a')).toHaveLength(group.rowsA);
    expect(rows.filter((r) => r.side === 'b')).toHaveLength(group.rowsB);
    expect(rows[0]!.fields['currency']).toMatch(/^[A-Z]{3}$/);
    await expect(service.invoke('matching.groupRows', { runId, matchId: 'M999999' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('lists the unmatched rows of each side: unmatched and AMBIGUOUS, with their breaks', async () => {
    for (const side of ['a', 'b'] as const) {
      const u = await unmatched(side);
      expect(u.total).toBe(m().unmatched[side] + m().ambiguous[side]);
      expect(u.rows.filter((r) => r.status === 'AMBIGUOUS')).toHaveLength(m().ambiguous[side]);
      expect(u.rows.every((r) => r.side === side && r.breakId !== null && (r.status === 'UNMATCHED' || r.status === 'AMBIGUOUS'))).toBe(true);
    }
  });

  it("gives an AMBIGUOUS row its recorded candidates first, with the rule they tied under and why", async () => {
    const row = (await unmatched('a')).rows.find((r) => r.status === 'AMBIGUOUS')!;
    const { candidates } = await service.invoke('matching.candidates', { runId, side: 'a', rid: row.rid, limit: 10 });
    expect(candidates.length).toBeGreaterThanOrEqual(2);
    expect(candidates[0]!.rule).not.toBeNull();
    expect(candidates[0]!.side).toBe('b');
    expect(candidates[0]!.why).not.toBe('');
  });

  it('suggests looser candidates for an unmatched row, scored and explained, best first', async () => {
    const rows = [...(await unmatched('a')).rows, ...(await unmatched('b')).rows].filter((r) => r.status === 'UNMATCHED');
    let found = false;
    for (const row of rows) {
      const { candidates } = await service.invoke('matching.candidates', { runId, side: row.side, rid: row.rid, limit: 5 });
      if (candidates.length === 0) continue;
      found = true;
      const scores = candidates.map((c) => c.score);
      expect(scores).toEqual([...scores].sort((x, y) => y - x));
      for (const c of candidates) {
        expect(c.rule).toBeNull();
        expect(c.why).toMatch(/amount (equal|[+-]?\d)/);
        expect(c.why).toMatch(/(same date|date [+-]\d+ days?)/);
        expect(c.why).toMatch(/counterparty \d\.\d\d/);
        expect(c.fields['currency']).toBe(row.fields['currency']);
        expect(Math.abs(Number(c.amount) - Number(row.amount))).toBeLessThanOrEqual(0.1 * Math.max(Math.abs(Number(c.amount)), Math.abs(Number(row.amount))) + 1e-9);
      }
      break;
    }
    expect(found).toBe(true);
  });

  it('previews a selection: exact sums per side, B − A, and whether it needs an approver', async () => {
    const a = (await unmatched('a')).rows[0]!;
    const b = (await unmatched('b')).rows[0]!;
    const p = await service.invoke('matching.preview', { runId, rows: [{ side: 'a', rid: a.rid }, { side: 'b', rid: b.rid }] });
    expect(p).toMatchObject({ sumA: a.amount, sumB: b.amount, rowsA: 1, rowsB: 1, threshold: '10000' });
    expect(Number(p.difference)).toBeCloseTo(Number(b.amount) - Number(a.amount), 2);
    expect(p.needsApproval).toBe(Math.max(Math.abs(Number(a.amount)), Math.abs(Number(b.amount))) > 10000);
  });

  it('refuses a run that is not a matching run', async () => {
    await expect(service.invoke('matching.groups', { runId: keyed.runId })).rejects.toMatchObject({ code: 'NOT_A_MATCHING_RUN' });
    await expect(service.invoke('matching.unmatched', { runId: keyed.runId, side: 'a' })).rejects.toMatchObject({ code: 'NOT_A_MATCHING_RUN' });
  });
});

describe('matching view: what is matched now, after manual matches and unmatches', () => {
  let small: { a: UnmatchedRow; b: UnmatchedRow };

  it('shows a manual match as a MANUAL group, listed first, and takes its rows out of the unmatched', async () => {
    const a = (await unmatched('a')).rows.find((r) => r.status === 'UNMATCHED' && Math.abs(Number(r.amount)) < 5000)!;
    const b = (await unmatched('b')).rows.find((r) => r.status === 'UNMATCHED' && Math.abs(Number(r.amount)) < 5000)!;
    small = { a, b };
    const action = await service.invoke('matching.match', { runId, rows: [{ side: 'a', rid: a.rid }, { side: 'b', rid: b.rid }], comment: 'same payment, booked late' });
    expect(action.state).toBe('EFFECTIVE');
    const [first] = (await service.invoke('matching.groups', { runId, limit: 1 })).groups;
    expect(first).toMatchObject({ matchId: action.matchId, state: 'MANUAL', rule: null, matchType: '1:1', rowsA: 1, rowsB: 1, sumA: a.amount, sumB: b.amount });
    expect((await unmatched('a')).total).toBe(m().unmatched.a + m().ambiguous.a - 1);
    expect((await unmatched('b')).rows.some((r) => r.rid === b.rid)).toBe(false);
  });

  it('unmatches a rule match: the group is gone and its rows are UNDONE; unmatching the manual one returns its rows', async () => {
    const [g] = (await service.invoke('matching.groups', { runId, filter: { matchType: '1:1', amountMax: '5000' }, offset: 1, limit: 1 })).groups;
    expect(g!.state).toBe('RULE');
    const { rows } = await service.invoke('matching.groupRows', { runId, matchId: g!.matchId });
    await service.invoke('matching.unmatch', { runId, matchId: g!.matchId, comment: 'wrong invoice' });
    await expect(service.invoke('matching.groupRows', { runId, matchId: g!.matchId })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const undone = (await unmatched('a', { rule: g!.rule! })).rows.filter((r) => r.status === 'UNDONE');
    expect(undone.map((r) => r.rid)).toEqual(rows.filter((r) => r.side === 'a').map((r) => r.rid));

    const manual = (await service.invoke('matching.groups', { runId, limit: 1 })).groups[0]!;
    await service.invoke('matching.unmatch', { runId, matchId: manual.matchId, comment: 'not the same payment after all' });
    const back = (await unmatched('a')).rows.find((r) => r.rid === small.a.rid)!;
    expect(back.status).toBe('UNDONE');
  });

  it('marks a match above the threshold PENDING_MATCH, on its group and its rows, until another user approves it', async () => {
    setSetting(store, ADA, 'matching.approvalAbove', 100);
    const a = (await unmatched('a')).rows.find((r) => r.status === 'UNMATCHED' && Math.abs(Number(r.amount)) > 100)!;
    const b = (await unmatched('b')).rows.find((r) => r.status === 'UNMATCHED' && Math.abs(Number(r.amount)) > 100)!;
    const preview = await service.invoke('matching.preview', { runId, rows: [{ side: 'a', rid: a.rid }, { side: 'b', rid: b.rid }] });
    expect(preview).toMatchObject({ needsApproval: true, threshold: '100' });
    const action = await service.invoke('matching.match', { runId, rows: [{ side: 'a', rid: a.rid }, { side: 'b', rid: b.rid }], comment: 'large one' });
    expect(action.state).toBe('PENDING');
    const pending = (await service.invoke('matching.groups', { runId, limit: 5 })).groups.find((g) => g.matchId === action.matchId);
    expect(pending?.state).toBe('PENDING_MATCH');
    expect((await unmatched('a')).rows.find((r) => r.rid === a.rid)?.status).toBe('PENDING_MATCH');

    decideMatchAction(store, BOB, action.actionId, 'APPROVED', 'checked');
    const approved = (await service.invoke('matching.groups', { runId, limit: 5 })).groups.find((g) => g.matchId === action.matchId);
    expect(approved?.state).toBe('MANUAL');
    expect((await unmatched('a')).rows.some((r) => r.rid === a.rid)).toBe(false);
  });

  it('marks a group PENDING_UNMATCH while an unmatch above the threshold waits', async () => {
    const [g] = (await service.invoke('matching.groups', { runId, filter: { amountMin: '1000', matchType: '1:1' }, offset: 3, limit: 1 })).groups;
    const action = await service.invoke('matching.unmatch', { runId, matchId: g!.matchId, comment: 'looks wrong' });
    expect(action.state).toBe('PENDING');
    const [first] = (await service.invoke('matching.groups', { runId, filter: { text: g!.matchId.toLowerCase() }, limit: 1 })).groups;
    expect(first).toMatchObject({ matchId: g!.matchId, state: 'PENDING_UNMATCH' });
  });
});
