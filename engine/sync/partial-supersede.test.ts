/**
 * Conflicts lose intent per break (issue 17, item 13; server migration 011),
 * against a real PostgreSQL: a bulk decision or proposal of 84 breaks that
 * meets ONE break another device decided first loses that break only. The
 * other 83 keep the decision (or stay proposed, and an approval by a second
 * person settles exactly them); the lost break is recorded per break with its
 * winner, on the server and in the maker's workspace after the pull, whose
 * statuses equal the server's break by break; the maker is told in
 * `recon review proposals` and `recon sync status`.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { reviewCommand } from '../cli/commands/review.ts';
import { syncCommand } from '../cli/commands/sync.ts';
import { openBreakSource } from '../run-file/break-source.ts';
import type { Store } from '../store/store.ts';
import { approveProposal, listProposals } from '../workflow/approvals.ts';
import { verifyTrail } from '../workflow/chain-state.ts';
import { decide, decideBulk } from '../workflow/decisions.ts';
import { setSetting } from '../workflow/settings.ts';
import { ADA, ALICE, BOB, CAROL, seedRun, seedUsers, tempDir } from '../workflow/testing/fixtures.ts';
import { writeRunFile } from '../workflow/testing/run-file.ts';
import type { Keychain } from './credentials.ts';
import type { CycleOptions } from './cycle.ts';
import { decisionHistory } from './history.ts';
import { saveConnection } from './local-state.ts';
import { acknowledgeConflict, conflictLine, listConflicts } from './lost-breaks.ts';
import { remoteBreakSource } from './remote-breaks.ts';
import { openDevice, type Device } from './testing/devices.ts';
import { grantServerRoles, startTestPg, type TestPg } from './testing/pg-server.ts';

let server: TestPg;
let tmp: ReturnType<typeof tempDir>;
let maker: Device;
let other: Device;
let checker: Device;
const RUN = 'run-1';
const range = (from: number, n: number): number[] => Array.from({ length: n }, (_, i) => from + i);

// Events are signed with a device key kept in a keychain (event signatures): one in memory per device here.
const keychains = new Map<Device, Keychain>();
function keychainOf(d: Device): Keychain {
  let k = keychains.get(d);
  if (!k) {
    const entries = new Map<string, string>();
    k = { set: (a, v) => void entries.set(a, v), get: (a) => entries.get(a) ?? null, delete: (a) => entries.delete(a) };
    keychains.set(d, k);
  }
  return k;
}
const sync = (d: Device, opts: CycleOptions = {}) => d.sync({ keychain: keychainOf(d), ...opts });

beforeAll(async () => {
  tmp = tempDir('recon-sync-partial-');
  server = await startTestPg();
  await grantServerRoles(server, { ada: ['admin'], alice: ['analyst'], bob: ['approver'], carol: ['analyst', 'approver'] });
  // Direct bulk decisions of 84 breaks: the team's bulk limit (server migration 013) must allow them, as this workspace's does.
  {
    const c = await server.admin();
    try {
      await c.query(`INSERT INTO recon.team_settings (name, value) VALUES ('review.bulkProposalThreshold', '1000')`);
    } finally {
      await c.end();
    }
  }
  maker = openDevice(tmp.dir, 'maker', server, { login: 'alice' });
  other = openDevice(tmp.dir, 'carol', server, { login: 'carol' });
  checker = openDevice(tmp.dir, 'checker', server, { login: 'bob' });
  const runFile = join(tmp.dir, 'run-1.duckdb');
  await writeRunFile(runFile, 200);
  seedUsers(maker.store);
  seedRun(maker.store, RUN, runFile);
  // 84 breaks in one direct decision: under the bulk limit, so it applies without an approver.
  setSetting(maker.store, ADA, 'review.bulkProposalThreshold', 1000);
  // `recon sync status` reads the connection from the workspace.
  saveConnection(maker.store, ADA, maker.settings);
  await sync(maker, { evidence: openBreakSource });
  await sync(other);
}, 180_000);

afterAll(async () => {
  await maker?.close();
  await other?.close();
  await checker?.close();
  await server?.destroy();
  tmp?.cleanup();
});

type Row = { break_id: number; status: string; reason: string | null; decision_id: string };

async function serverStatuses(ids: number[]): Promise<Row[]> {
  const c = await server.admin();
  try {
    return (
      await c.query<Row>('SELECT break_id::int AS break_id, status, reason, decision_id FROM recon.break_status WHERE run_id = $1 AND break_id = ANY($2::bigint[]) ORDER BY break_id', [RUN, ids])
    ).rows;
  } finally {
    await c.end();
  }
}

function localStatuses(store: Store, ids: number[]): Row[] {
  return store.read((tx) =>
    tx.all<Row>({ text: `SELECT break_id, status, reason, decision_id FROM break_status WHERE run_id = ? AND break_id IN (${ids.map(() => '?').join(',')}) ORDER BY break_id`, params: [RUN, ...ids] }),
  );
}

/** Runs a CLI command in-process as `user` on a device's workspace, capturing stdout. */
async function cli(device: Device, user: string, cmd: (argv: string[]) => Promise<number>, argv: string[]): Promise<string> {
  const prev = process.env['RECON_USER'];
  process.env['RECON_USER'] = user;
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  try {
    expect(await cmd([...argv, '--workspace', device.dir])).toBe(0);
    return out;
  } finally {
    spy.mockRestore();
    if (prev === undefined) delete process.env['RECON_USER'];
    else process.env['RECON_USER'] = prev;
  }
}

describe('a bulk decision that lost one break to another device', () => {
  const ids = range(1, 84);
  let winner = '';
  let loser = '';

  it('keeps the decision APPLIED for the other 83 breaks and records the lost one with its winner, on the server', async () => {
    // Carol accepts break 4 first (a break under review: its evidence is on the server) (server order), while the maker is offline.
    winner = (await decide(other.store, remoteBreakSource(other.store, RUN), CAROL, { runId: RUN, breakId: 4, kind: 'ACCEPT' })).decisionId;
    await sync(other);
    const source = await openBreakSource(join(tmp.dir, 'run-1.duckdb'));
    try {
      const d = await decideBulk(maker.store, source, ALICE, { runId: RUN, filter: { breakIds: ids }, kind: 'REJECT', comment: 'stale trades, chase the desk' });
      expect(d).toMatchObject({ proposal: false, breakCount: 84 });
      loser = d.decisionId;
    } finally {
      source.close();
    }
    await sync(maker);
    const c = await server.admin();
    try {
      expect((await c.query('SELECT state, superseded_by FROM recon.decisions WHERE decision_id = $1', [loser])).rows).toEqual([{ state: 'APPLIED', superseded_by: null }]);
      const outcome = (await c.query('SELECT o.outcome, o.code, o.message FROM recon.event_outcomes o JOIN recon.decisions d USING (device_id, seq) WHERE d.decision_id = $1', [loser])).rows[0];
      expect(outcome).toMatchObject({ outcome: 'APPLIED', code: 'PARTLY_SUPERSEDED' });
      expect(outcome.message).toMatch(/^1 of 84 breaks were decided first/);
      expect((await c.query('SELECT break_id::int, superseded_by, status FROM recon.superseded_breaks WHERE decision_id = $1', [loser])).rows).toEqual([
        { break_id: 4, superseded_by: winner, status: 'ACCEPTED' },
      ]);
    } finally {
      await c.end();
    }
    const held = await serverStatuses(ids);
    expect(held).toHaveLength(84);
    expect(held.filter((r) => r.decision_id === loser).map((r) => r.break_id)).toEqual(ids.filter((i) => i !== 4));
    expect(held.find((r) => r.break_id === 4)).toMatchObject({ status: 'ACCEPTED', decision_id: winner });
  });

  it("the maker's workspace equals the server per break after the pull, and says what was lost to whom", async () => {
    await sync(maker);
    expect(localStatuses(maker.store, ids)).toEqual(await serverStatuses(ids));
    expect(decisionHistory(maker.store, RUN, 5).map((h) => [h.decisionId, h.sync])).toEqual([[loser, 'APPLIED']]);
    const [item] = listConflicts(maker.store);
    expect(item).toMatchObject({ decisionId: loser, isProposal: false, lostBreakIds: [4], remaining: 83, remainder: 'APPLIED', winners: [{ decisionId: winner, actor: 'carol', status: 'ACCEPTED' }] });
    expect(conflictLine(item!)).toBe(`decision ${loser} lost 1 of 84 breaks to decision ${winner} by carol (ACCEPTED STATIC_DATA): 83 still applied`);
    expect(verifyTrail(maker.store)).toMatchObject({ ok: true });
    // Carol's workspace agrees too.
    await sync(other);
    expect(localStatuses(other.store, ids)).toEqual(await serverStatuses(ids));
    expect(listConflicts(other.store)).toEqual([]);
  });
});

describe('a bulk proposal that lost one break, then approved by a second person', () => {
  const ids = range(101, 84);
  let winner = '';
  let proposal = '';

  it('stays pending for the 83 breaks it still holds; the maker is told in review proposals and sync status', async () => {
    winner = (await decide(other.store, remoteBreakSource(other.store, RUN), CAROL, { runId: RUN, breakId: 120, kind: 'REJECT', comment: 'wrong book' })).decisionId;
    await sync(other);
    const source = await openBreakSource(join(tmp.dir, 'run-1.duckdb'));
    try {
      const p = await decideBulk(maker.store, source, ALICE, { runId: RUN, filter: { breakIds: ids }, kind: 'OVERRIDE', reason: 'FX_DIFF', comment: 'EUR book' });
      expect(p).toMatchObject({ proposal: true, breakCount: 84 });
      proposal = p.decisionId;
    } finally {
      source.close();
    }
    await sync(maker);
    await sync(maker);
    const held = await serverStatuses(ids);
    expect(held.filter((r) => r.status === 'PROPOSED' && r.decision_id === proposal)).toHaveLength(83);
    expect(held.find((r) => r.break_id === 120)).toMatchObject({ status: 'REJECTED', decision_id: winner });
    expect(localStatuses(maker.store, ids)).toEqual(held);
    expect(listProposals(maker.store).find((p) => p.decisionId === proposal)).toMatchObject({ state: 'PENDING' });
    const line = `proposal ${proposal} lost 1 of 84 breaks to decision ${winner} by carol (REJECTED): 83 still pending`;
    expect(await cli(maker, 'alice', reviewCommand, ['proposals'])).toContain(`${proposal}  PENDING`);
    expect(await cli(maker, 'alice', reviewCommand, ['proposals'])).toContain(`⚠ ${line}`);
    const status = await cli(maker, 'alice', syncCommand, ['status']);
    expect(status).toContain('lost to other devices: 2');
    expect(status).toContain(`  ${line}`);
  });

  it('an approval by a second person settles only the remaining 83 breaks, on the server and on every workspace', async () => {
    await sync(checker);
    // The approver's queue shows what an approval would settle: the 83 breaks the proposal still holds.
    expect(listProposals(checker.store, { pendingOnly: true }).find((p) => p.decisionId === proposal)).toMatchObject({ breakCount: 84, lostBreaks: 1, state: 'PENDING' });
    const r = approveProposal(checker.store, BOB, proposal, 'rates checked');
    expect(r.breakCount).toBe(83);
    expect(localStatuses(checker.store, [120])).toMatchObject([{ status: 'REJECTED', decision_id: winner }]);
    await sync(checker);
    const held = await serverStatuses(ids);
    expect(held.filter((x) => x.status === 'OVERRIDDEN' && x.reason === 'FX_DIFF' && x.decision_id === proposal)).toHaveLength(83);
    expect(held.find((x) => x.break_id === 120)).toMatchObject({ status: 'REJECTED', decision_id: winner });
    const c = await server.admin();
    try {
      expect((await c.query('SELECT state FROM recon.approvals WHERE decision_id = $1', [proposal])).rows).toEqual([{ state: 'APPLIED' }]);
    } finally {
      await c.end();
    }
    for (const d of [maker, other, checker]) {
      await sync(d);
      expect(localStatuses(d.store, ids)).toEqual(held);
      expect(verifyTrail(d.store)).toMatchObject({ ok: true });
    }
    expect(listConflicts(maker.store).find((i) => i.decisionId === proposal)).toMatchObject({ remainder: 'APPROVED', remaining: 83 });
    expect(await cli(maker, 'alice', reviewCommand, ['proposals', '--all'])).toContain(`proposal ${proposal} lost 1 of 84 breaks to decision ${winner} by carol (REJECTED): 83 approved`);
  });

  it('a dismissed item leaves sync status but stays in review proposals', async () => {
    expect(acknowledgeConflict(maker.store, 'alice', proposal)).toBe(true);
    expect(acknowledgeConflict(other.store, 'carol', proposal)).toBe(false);
    const status = await cli(maker, 'alice', syncCommand, ['status']);
    expect(status).toContain('lost to other devices: 1');
    expect(status).not.toContain(proposal);
    expect(await cli(maker, 'alice', reviewCommand, ['proposals', '--all'])).toContain(`proposal ${proposal} lost 1 of 84`);
  });
});
