/**
 * Manual match actions across two workstations: the maker's device matches
 * rows of a matching run (one at once, one waiting for an approver) and
 * syncs; the server projects the actions and the decisions that settled
 * their breaks, and the sync role cannot change them; the approver's device
 * pulls the pending one into its queue and approves it there; the maker's
 * device pulls the verdict. Two devices matching the same rows offline: the
 * later one is SUPERSEDED on the server and on its own device.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MatchAction } from '../contract/index.ts';
import { definitionSchema } from '../definition/schema.ts';
import { generateCash } from '../generate/cash/generate-cash.ts';
import { startRegisteredRun } from '../host/registered-run.ts';
import { matchingLayout } from '../run-file/matching/layout.ts';
import { readRowBreaks } from '../run-file/matching/row-breaks.ts';
import { readRowsByRid, type RowRef } from '../run-file/matching/rows-by-rid.ts';
import { readRuleMatchOfRows } from '../run-file/matching/rule-matches.ts';
import { RunFile } from '../run-file/run-file.ts';
import { queryRows } from '../duckdb/open.ts';
import { verifyTrail } from '../workflow/chain-state.ts';
import { decideMatchAction, listMatchActions, manualMatch, type ManualMatchInput } from '../workflow/manual-matches.ts';
import { setSetting } from '../workflow/settings.ts';
import { ADA, ALICE, BOB, CAROL, seedUsers, tempDir } from '../workflow/testing/fixtures.ts';
import { openDevice, type Device } from './testing/devices.ts';
import { grantServerRoles, startTestPg, type TestPg } from './testing/pg-server.ts';

let server: TestPg;
let tmp: ReturnType<typeof tempDir>;
let maker: Device;
let checker: Device;
let carolDev: Device;
let runId: string;
let db: RunFile;
/** Unmatched rows (a MISSING_IN_B on A, a MISSING_IN_A on B), in break order. */
let freeA: RowRef[];
let freeB: RowRef[];
let effective: MatchAction;
let pending: MatchAction;

/** What the host handler gives the workflow: the rows, their breaks and rule matches read from the run file. */
async function matchInput(rows: RowRef[], comment: string): Promise<ManualMatchInput> {
  const facts = await readRowsByRid(db, await matchingLayout(db), rows);
  return {
    runId,
    rows: rows.map((r) => facts.get(`${r.side}:${r.rid}`)!).map((f) => ({ side: f.side, rid: f.rid, id: f.id, amount: f.amount })),
    comment,
    breaks: (await readRowBreaks(db, rows)).map((b) => ({ breakId: b.breakId, baseStatus: b.baseStatus })),
    ruleMatchOfRow: await readRuleMatchOfRows(db, rows),
  };
}

const statusOn = (d: Device, breakId: number) =>
  d.store.read((tx) => tx.get<{ status: string; reason: string | null }>({ text: 'SELECT status, reason FROM break_status WHERE run_id = ? AND break_id = ?', params: [runId, breakId] }));

async function asAdmin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = await server.admin();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

beforeAll(async () => {
  tmp = tempDir('recon-sync-match-');
  server = await startTestPg();
  await grantServerRoles(server, { ada: ['admin'], alice: ['analyst'], bob: ['approver'], carol: ['analyst', 'approver'] });
  // One login per person (server migration 009): each device is its person's.
  maker = openDevice(tmp.dir, 'maker', server, { login: 'alice' });
  checker = openDevice(tmp.dir, 'checker', server, { login: 'bob' });
  carolDev = openDevice(tmp.dir, 'carol', server, { login: 'carol' });
  seedUsers(maker.store);
  seedUsers(checker.store);
  seedUsers(carolDev.store);
  const gen = await generateCash({ rows: 300, outDir: join(tmp.dir, 'data'), seed: 5 });
  const definition = definitionSchema.parse(JSON.parse(readFileSync(gen.definitionPath, 'utf8')));
  const summary = await startRegisteredRun(maker.store, ALICE, { aPath: gen.ledgerPath, bPath: gen.bankPath, definition, workspace: maker.dir }).result;
  runId = summary.runId;
  db = await RunFile.open(summary.database, { runId, memoryLimit: '256MB' });
  const free = (side: 'a' | 'b') =>
    db.run((c) =>
      queryRows<{ rid: string }>(
        c,
        `SELECT rid_${side} AS rid FROM breaks WHERE diff_type = '${side === 'a' ? 'MISSING_IN_B' : 'MISSING_IN_A'}' ORDER BY break_id`,
      ),
    );
  freeA = (await free('a')).map((r) => ({ side: 'a', rid: Number(r.rid) }));
  freeB = (await free('b')).map((r) => ({ side: 'b', rid: Number(r.rid) }));
}, 240_000);

afterAll(async () => {
  await db?.close();
  await maker?.close();
  await checker?.close();
  await carolDev?.close();
  await server?.destroy();
  tmp?.cleanup();
});

describe('manual match actions across devices', () => {
  it('are projected on the server with the decisions that settled their breaks', async () => {
    setSetting(maker.store, ADA, 'matching.approvalAbove', 1_000_000_000);
    effective = manualMatch(maker.store, ALICE, await matchInput([freeA[0]!, freeB[0]!], 'same payment'));
    setSetting(maker.store, ADA, 'matching.approvalAbove', 0);
    pending = manualMatch(maker.store, ALICE, await matchInput([freeA[1]!, freeB[1]!], 'large payment'));
    expect([effective.state, pending.state]).toEqual(['EFFECTIVE', 'PENDING']);
    await maker.sync();

    const actions = await asAdmin((c) => c.query('SELECT action_id, kind, match_id, needs_approval, state FROM recon.match_actions ORDER BY server_order'));
    expect(actions.rows).toEqual([
      { action_id: effective.actionId, kind: 'MATCH', match_id: effective.matchId, needs_approval: false, state: 'APPLIED' },
      { action_id: pending.actionId, kind: 'MATCH', match_id: pending.matchId, needs_approval: true, state: 'APPLIED' },
    ]);
    const settled = await asAdmin((c) =>
      c.query(`SELECT d.kind, d.reason, d.state, s.status FROM recon.decisions d JOIN recon.break_status s ON s.decision_id = d.decision_id WHERE d.run_id = $1 ORDER BY s.break_id`, [runId]),
    );
    expect(settled.rows).toEqual([
      { kind: 'ACCEPT', reason: 'MANUAL_MATCH', state: 'APPLIED', status: 'ACCEPTED' },
      { kind: 'ACCEPT', reason: 'MANUAL_MATCH', state: 'APPLIED', status: 'ACCEPTED' },
    ]);
  });

  it('cannot be changed by the sync role, nor by the schema owner', async () => {
    const sync = new pg.Client({ ...server.settings(), password: server.info.sync.password, ssl: false });
    await sync.connect();
    try {
      await expect(sync.query("UPDATE recon.match_actions SET state = 'REFUSED'")).rejects.toThrow(/permission denied/);
      await expect(sync.query('DELETE FROM recon.match_action_verdicts')).rejects.toThrow(/permission denied/);
    } finally {
      await sync.end();
    }
    await asAdmin(async (c) => {
      await expect(c.query("UPDATE recon.match_actions SET comment = 'edited'")).rejects.toThrow();
      await expect(c.query('DELETE FROM recon.match_actions')).rejects.toThrow();
    });
  });

  it("reach the approver's device: the pending one in its queue, the settled breaks with their statuses; approving there settles the rest everywhere", async () => {
    await checker.sync();
    const queue = listMatchActions(checker.store, { pendingOnly: true });
    expect(queue.map((a) => [a.actionId, a.state, a.maker])).toEqual([[pending.actionId, 'PENDING', 'alice']]);
    expect(listMatchActions(checker.store, { runId }).map((a) => a.state)).toEqual(['EFFECTIVE', 'PENDING']);
    const breaksOf = (a: MatchAction) =>
      maker.store.read((tx) => JSON.parse(tx.get<{ b: string }>({ text: 'SELECT breaks_json AS b FROM match_actions WHERE action_id = ?', params: [a.actionId] })!.b) as [number, string][]);
    for (const [breakId] of breaksOf(effective)) expect(statusOn(checker, breakId)).toEqual({ status: 'ACCEPTED', reason: 'MANUAL_MATCH' });

    // The approver decides without the run file: rows and breaks came with the action.
    expect(decideMatchAction(checker.store, BOB, pending.actionId, 'APPROVED', 'checked').state).toBe('APPROVED');
    for (const [breakId] of breaksOf(pending)) expect(statusOn(checker, breakId)).toEqual({ status: 'ACCEPTED', reason: 'MANUAL_MATCH' });
    await checker.sync();
    const verdicts = await asAdmin((c) => c.query('SELECT action_id, verdict, approver, state FROM recon.match_action_verdicts'));
    expect(verdicts.rows).toEqual([{ action_id: pending.actionId, verdict: 'APPROVED', approver: 'bob', state: 'APPLIED' }]);

    await maker.sync();
    expect(listMatchActions(maker.store, { runId }).find((a) => a.actionId === pending.actionId)).toMatchObject({ state: 'APPROVED', approver: 'bob' });
    for (const [breakId] of breaksOf(pending)) expect(statusOn(maker, breakId)).toEqual({ status: 'ACCEPTED', reason: 'MANUAL_MATCH' });
  });

  it('supersedes the later of two devices matching the same rows offline, on the server and on that device', async () => {
    setSetting(maker.store, ADA, 'matching.approvalAbove', 1_000_000_000);
    await carolDev.sync();
    setSetting(carolDev.store, ADA, 'matching.approvalAbove', 1_000_000_000);
    const input = await matchInput([freeA[2]!, freeB[2]!], 'mine');
    const first = manualMatch(maker.store, ALICE, input);
    const second = manualMatch(carolDev.store, CAROL, { ...input, comment: 'no, mine' });
    await maker.sync();
    await carolDev.sync();
    const states = await asAdmin((c) => c.query('SELECT action_id, state FROM recon.match_actions WHERE action_id = ANY($1) ORDER BY server_order', [[first.actionId, second.actionId]]));
    expect(states.rows).toEqual([
      { action_id: first.actionId, state: 'APPLIED' },
      { action_id: second.actionId, state: 'SUPERSEDED' },
    ]);
    await carolDev.sync();
    const onChecker = listMatchActions(carolDev.store, { runId });
    expect(onChecker.find((a) => a.actionId === second.actionId)?.state).toBe('SUPERSEDED');
    expect(onChecker.find((a) => a.actionId === first.actionId)?.state).toBe('EFFECTIVE');
    for (const b of input.breaks) expect(statusOn(carolDev, b.breakId)).toEqual({ status: 'ACCEPTED', reason: 'MANUAL_MATCH' });
    expect(verifyTrail(maker.store)).toMatchObject({ ok: true });
    expect(verifyTrail(carolDev.store)).toMatchObject({ ok: true });
  });

  it('refuses a verdict pushed over the login that pushed the action, whatever the actor name', async () => {
    setSetting(maker.store, ADA, 'matching.approvalAbove', 0);
    const action = manualMatch(maker.store, ALICE, await matchInput([freeA[3]!, freeB[3]!], 'one more'));
    expect(action.state).toBe('PENDING');
    await maker.sync();
    // An admin binds bob to alice's login (a mistake, or one person with two names).
    await grantServerRoles(server, { bob: ['approver'] }, { bob: 'alice' });
    try {
      await maker.sync();
      decideMatchAction(maker.store, BOB, action.actionId, 'APPROVED', 'looks fine'); // bob is not the maker locally
      await maker.sync();
      const verdicts = await asAdmin((c) => c.query('SELECT approver, state, refusal_code FROM recon.match_action_verdicts WHERE action_id = $1', [action.actionId]));
      expect(verdicts.rows).toEqual([{ approver: 'bob', state: 'REFUSED', refusal_code: 'FORBIDDEN_SELF_APPROVAL' }]);
    } finally {
      await grantServerRoles(server, { bob: ['approver'] });
    }
  });
});
