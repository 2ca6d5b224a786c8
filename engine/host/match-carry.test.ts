/**
 * Break memory for matching runs: a manual match in force on a series'
 * previous run carries to the next run when its rows are there again and the
 * rules left them unmatched (the same open items seen the next day); it is in
 * force at once, settles the rows' breaks, and names its origin in the audit
 * trail. A pending match, or one whose rows are gone, does not carry.
 */
import './testing/fail-on-unhandled.ts';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunSummary } from '../contract/index.ts';
import { definitionSchema, type Definition } from '../definition/schema.ts';
import { openDuckDB, queryRows } from '../duckdb/open.ts';
import { generateCash } from '../generate/cash/generate-cash.ts';
import { runRecon } from '../run/run-recon.ts';
import { verifyChain } from '../store/audit-verify.ts';
import { sql } from '../store/sql.ts';
import { openStore, type Store } from '../store/open.ts';
import { listMatchActions, manualMatch } from '../workflow/manual-matches.ts';
import { addUser, grantRole } from '../workflow/roles.ts';
import { setSetting } from '../workflow/settings.ts';
import { carryManualMatches } from './match-carry.ts';
import { registerCompletedRun } from './testing/register-run.ts';

const ADA = { userId: 'ada', displayName: 'Ada' };

interface Open {
  side: 'a' | 'b';
  rid: number;
  id: string;
  breakId: number;
  amount: string;
}

let dir: string;
let workspace: string;
let store: Store;
let definition: Definition;
let paths: { a: string; b: string };

/** A run of the same files (the same open items on the next day), registered. */
async function run(): Promise<RunSummary> {
  const summary = await runRecon({ aPath: paths.a, bPath: paths.b, definition, workspace, previousRunId: null });
  registerCompletedRun(store, workspace, summary);
  return summary;
}

/** The unmatched rows of a run with their MISSING break, by side. */
async function openRows(summary: RunSummary, side: 'a' | 'b'): Promise<Open[]> {
  const db = await openDuckDB({ path: summary.database, readOnly: true });
  try {
    const rows = await queryRows<{ rid: string; id: string; break_id: string; amount: string }>(
      db.connection,
      `SELECT r.__rid AS rid, k.key AS id, k.break_id, CAST(r.amount AS VARCHAR) AS amount FROM breaks k JOIN ${side} r ON r.__rid = k.rid_${side}
        WHERE k.diff_type = '${side === 'a' ? 'MISSING_IN_B' : 'MISSING_IN_A'}' ORDER BY k.break_id`,
    );
    return rows.map((r) => ({ side, rid: Number(r.rid), id: r.id, breakId: Number(r.break_id), amount: r.amount }));
  } finally {
    db.close();
  }
}

const matchByHand = (runId: string, rows: Open[], comment: string) =>
  manualMatch(store, ADA, {
    runId,
    rows: rows.map((r) => ({ side: r.side, rid: r.rid, id: r.id, amount: r.amount })),
    comment,
    breaks: rows.map((r) => ({ breakId: r.breakId, baseStatus: 'AUTO' })),
    ruleMatchOfRow: new Map(),
  });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'recon-match-carry-'));
  workspace = join(dir, 'workspace');
  const gen = await generateCash({ rows: 300, outDir: join(dir, 'data'), seed: 3 });
  definition = definitionSchema.parse(JSON.parse(await readFile(gen.definitionPath, 'utf8')));
  paths = { a: gen.ledgerPath, b: gen.bankPath };
  store = openStore(workspace);
  grantRole(store, ADA, ADA.userId, 'analyst');
  addUser(store, ADA, { userId: 'bob', displayName: 'Bob', roles: ['approver'] });
}, 60_000);

afterAll(async () => {
  store?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('manual matches carry to the next run of the series', () => {
  it('carries a match in force to the same rows of the next run, in force at once, with its breaks settled and its origin audited', async () => {
    const day1 = await run();
    const [a1, a2] = await openRows(day1, 'a');
    const [b1, b2] = await openRows(day1, 'b');
    expect(a2 && b2).toBeTruthy();
    const kept = matchByHand(day1.runId, [a1!, b1!], 'same payment, bank shows it net');
    // A second match waits for an approver (threshold 0): it is not in force, so it must not carry.
    setSetting(store, ADA, 'matching.approvalAbove', 0);
    const pending = matchByHand(day1.runId, [a2!, b2!], 'needs a second pair of eyes');
    expect(pending.state).toBe('PENDING');
    setSetting(store, ADA, 'matching.approvalAbove', 10000);

    const day2 = await run();
    const result = await carryManualMatches(store, ADA, { runId: day2.runId, previousRunId: day1.runId, runFilePath: day2.database });
    expect(result.carried).toHaveLength(1);
    const carried = result.carried[0]!;
    expect(carried).toMatchObject({ runId: day2.runId, kind: 'MATCH', state: 'EFFECTIVE', maker: 'ada' });
    expect(carried.matchId).not.toBe(kept.matchId);
    expect(carried.rows.map((r) => `${r.side}:${r.id}`).sort()).toEqual([`a:${a1!.id}`, `b:${b1!.id}`]);
    expect(carried.comment).toContain(`carried from run ${day1.runId} (${kept.matchId}, matched by ada)`);

    // The new run's breaks of those rows are settled as MANUAL_MATCH.
    const day2Rows = [...(await openRows(day2, 'a')), ...(await openRows(day2, 'b'))].filter((r) => r.id === a1!.id || r.id === b1!.id);
    const statuses = store.read((tx) =>
      tx.all<{ status: string; reason: string }>(sql`SELECT status, reason FROM break_status WHERE run_id = ${day2.runId} AND break_id IN (${day2Rows[0]!.breakId}, ${day2Rows[1]!.breakId})`),
    );
    expect(statuses).toEqual([
      { status: 'ACCEPTED', reason: 'MANUAL_MATCH' },
      { status: 'ACCEPTED', reason: 'MANUAL_MATCH' },
    ]);
    const event = store.read((tx) => tx.get<{ after: string }>(sql`SELECT after FROM audit_events WHERE action = 'match.manual' ORDER BY seq DESC LIMIT 1`));
    expect(JSON.parse(event!.after).action.carried_from).toEqual({ run_id: day1.runId, match_id: kept.matchId });
    expect(verifyChain(store).ok).toBe(true);

    // Carried again to a third run: the chain goes on from the carried match.
    const day3 = await run();
    const again = await carryManualMatches(store, ADA, { runId: day3.runId, previousRunId: day2.runId, runFilePath: day3.database });
    expect(again.carried.map((a) => a.comment)).toEqual([expect.stringContaining(`carried from run ${day2.runId} (${carried.matchId}, matched by ada)`)]);
    expect(listMatchActions(store, { runId: day3.runId })).toHaveLength(1);
  }, 60_000);

  it('skips a match whose rows are not in the new run', async () => {
    const prev = await run();
    const [a] = await openRows(prev, 'a');
    const [b] = await openRows(prev, 'b');
    matchByHand(prev.runId, [a!, { ...b!, id: 'NOT-IN-ANY-FILE' }], 'a row that will be gone');
    const next = await run();
    const result = await carryManualMatches(store, ADA, { runId: next.runId, previousRunId: prev.runId, runFilePath: next.database });
    expect(result.carried).toEqual([]);
    expect(result.skipped).toEqual([{ matchId: expect.stringMatching(/^U/), why: expect.stringContaining('B NOT-IN-ANY-FILE not in the new run') }]);
  }, 60_000);
});
