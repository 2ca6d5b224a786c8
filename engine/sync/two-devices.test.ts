/**
 * Two workstations, one real PostgreSQL: a maker proposes offline and syncs,
 * an approver pulls, approves and syncs, the maker pulls and sees the
 * approval. The 4-eye rule and server roles hold in the server transaction,
 * and two devices deciding one break end with one winner and one SUPERSEDED.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyTrail } from '../workflow/chain-state.ts';
import { approveProposal, listProposals } from '../workflow/approvals.ts';
import { decide } from '../workflow/decisions.ts';
import { addUser, grantRole, rolesOf } from '../workflow/roles.ts';
import { ADA, ALICE, BOB, CAROL, seedRun, seedUsers, tempDir } from '../workflow/testing/fixtures.ts';
import { writeRunFile } from '../workflow/testing/run-file.ts';
import { openBreakSource } from '../run-file/break-source.ts';
import { withClient } from './connection.ts';
import { decisionHistory, listProposalsWithSync } from './history.ts';
import { remoteBreakSource } from './remote-breaks.ts';
import { verifyRemoteChains } from './remote-verify.ts';
import { clearParked } from './local-state.ts';
import { readSyncStatus } from './status.ts';
import { forgeSelfApproval } from './testing/forge.ts';
import { openDevice, serverCounts, type Device } from './testing/devices.ts';
import { grantServerRoles, startTestPg, type TestPg } from './testing/pg-server.ts';

let server: TestPg;
let tmp: ReturnType<typeof tempDir>;
let maker: Device;
let checker: Device;
let carolDev: Device;
const RUN = 'run-1';

beforeAll(async () => {
  tmp = tempDir('recon-sync-2dev-');
  server = await startTestPg();
  await grantServerRoles(server, { ada: ['admin'], alice: ['analyst'], bob: ['approver'], carol: ['analyst', 'approver'] });
  // One login per person (server migration 009): each device is its person's.
  maker = openDevice(tmp.dir, 'maker', server, { login: 'alice' });
  checker = openDevice(tmp.dir, 'checker', server, { login: 'bob' });
  carolDev = openDevice(tmp.dir, 'carol', server, { login: 'carol' });
  const runFile = join(tmp.dir, 'run-1.duckdb');
  await writeRunFile(runFile, 200);
  seedUsers(maker.store);
  seedRun(maker.store, RUN, runFile);
}, 180_000);

afterAll(async () => {
  await maker?.close();
  await checker?.close();
  await carolDev?.close();
  await server?.destroy();
  tmp?.cleanup();
});

const sync = (d: Device) => d.sync({ evidence: openBreakSource });
let proposalId = '';

describe('two devices, one server', () => {
  it('a maker proposes offline, then syncs: events, run summary and evidence reach the server', async () => {
    const source = await openBreakSource(join(tmp.dir, 'run-1.duckdb'));
    try {
      const p = await decide(maker.store, source, ALICE, { runId: RUN, breakId: 4, kind: 'OVERRIDE', reason: 'FX_DIFF', comment: 'amounts in EUR' });
      expect(p.proposal).toBe(true);
      proposalId = p.decisionId;
    } finally {
      source.close();
    }
    const queued = readSyncStatus(maker.store).queueLength;
    expect(queued).toBeGreaterThan(5);
    const r = await sync(maker);
    expect(r.push.acknowledged).toBe(queued);
    expect(r.evidence).toBeGreaterThan(0);
    expect(readSyncStatus(maker.store)).toMatchObject({ queueLength: 0, serverSeq: queued, parked: [] });
    const c = await server.admin();
    try {
      const run = (await c.query('SELECT status, total_breaks, unknown_rate FROM recon.runs WHERE run_id = $1', [RUN])).rows[0];
      // NUMERIC comes back as a string: decimals never pass through a float.
      expect(run).toEqual({ status: 'COMPLETED', total_breaks: '1', unknown_rate: '0.031' });
      const ev = (await c.query('SELECT value_a, value_b, delta, confidence FROM recon.review_breaks WHERE run_id = $1 AND break_id = 12', [RUN])).rows[0];
      expect(ev).toEqual({ value_a: '100.00', value_b: '100.02', delta: '0.02', confidence: '0.5' });
      expect((await c.query('SELECT state FROM recon.decisions WHERE decision_id = $1', [proposalId])).rows).toEqual([{ state: 'APPLIED' }]);
    } finally {
      await c.end();
    }
  });

  it('the approver pulls the proposal, its run and evidence, and the team roles', async () => {
    const r = await sync(checker);
    expect(r.pulledEvents).toBeGreaterThan(5);
    const pending = listProposalsWithSync(checker.store, { pendingOnly: true });
    expect(pending).toMatchObject([{ decisionId: proposalId, maker: 'alice', state: 'PENDING', origin: 'remote', sync: 'APPLIED' }]);
    expect(checker.store.read((tx) => rolesOf(tx, 'bob'))).toEqual(['approver']);
    const evidence = await remoteBreakSource(checker.store, RUN).get([4]);
    expect(evidence.get(4)).toMatchObject({ key: 'T000004', field: 'trade_date', valueA: 'A', valueB: 'B', confidence: 0.5 });
    expect(verifyTrail(checker.store)).toMatchObject({ ok: true });
  });

  it('the approver approves on the other machine; the maker pulls and sees it', async () => {
    approveProposal(checker.store, BOB, proposalId, 'checked the FX rate');
    await sync(checker);
    await sync(maker);
    expect(listProposals(maker.store)).toMatchObject([{ decisionId: proposalId, state: 'APPROVED', approver: 'bob' }]);
    const status = maker.store.read((tx) => tx.get<{ status: string; reason: string }>({ text: 'SELECT status, reason FROM break_status WHERE run_id = ? AND break_id = 4', params: [RUN] }));
    expect(status).toEqual({ status: 'OVERRIDDEN', reason: 'FX_DIFF' });
    expect(verifyTrail(maker.store)).toMatchObject({ ok: true });
  });

  it('refuses a self-approval and an approver without the server role, in the server transaction, without blocking the queue', async () => {
    await sync(carolDev);
    const p = await decide(carolDev.store, remoteBreakSource(carolDev.store, RUN), CAROL, { runId: RUN, breakId: 8, kind: 'OVERRIDE', reason: 'TIMING_DIFF', comment: 'T+1' });
    const source = await openBreakSource(join(tmp.dir, 'run-1.duckdb'));
    const q = await decide(maker.store, source, ALICE, { runId: RUN, breakId: 16, kind: 'OVERRIDE', reason: 'FX_DIFF', comment: 'EUR' });
    source.close();
    await sync(carolDev);
    await sync(maker);
    // Locally the 4-eye rule refuses carol; a forged client writes the approval anyway.
    expect(() => approveProposal(carolDev.store, CAROL, p.decisionId)).toThrow(/FORBIDDEN_SELF_APPROVAL|made proposal/);
    forgeSelfApproval(carolDev.store, CAROL.userId, p.decisionId);
    // Alice is an approver only in her own workspace's roles.
    grantRole(maker.store, ADA, ALICE.userId, 'approver');
    approveProposal(maker.store, ALICE, p.decisionId);
    await sync(carolDev);
    await sync(maker);
    await sync(maker); // pushes the revocation of alice's local approver role its pull recorded (the server's roles win)
    expect(readSyncStatus(carolDev.store).parked.map((x) => [x.kind, x.code])).toEqual([['REFUSED', 'FORBIDDEN_SELF_APPROVAL']]);
    expect(readSyncStatus(maker.store).parked.map((x) => [x.kind, x.code])).toEqual([['REFUSED', 'FORBIDDEN_ROLE']]);
    for (const d of [carolDev, maker]) expect(readSyncStatus(d.store)).toMatchObject({ queueLength: 0, blockedFromSeq: null });
    const c = await server.admin();
    try {
      const held = await c.query('SELECT break_id::int, status FROM recon.break_status WHERE run_id = $1 AND break_id IN (8, 16) ORDER BY 1', [RUN]);
      expect(held.rows).toEqual([
        { break_id: 8, status: 'PROPOSED' },
        { break_id: 16, status: 'PROPOSED' },
      ]);
    } finally {
      await c.end();
    }
    // Both proposals stay pending for a real approver.
    await sync(checker);
    expect(listProposals(checker.store, { pendingOnly: true }).map((x) => x.decisionId).sort()).toEqual([p.decisionId, q.decisionId].sort());
    for (const d of [carolDev, maker]) clearParked(d.store);
  });

  it('orders two devices deciding one break: the loser is SUPERSEDED, kept in history on both', async () => {
    const local = await openBreakSource(join(tmp.dir, 'run-1.duckdb'));
    const first = await decide(maker.store, local, ALICE, { runId: RUN, breakId: 20, kind: 'ACCEPT' });
    local.close();
    const second = await decide(carolDev.store, remoteBreakSource(carolDev.store, RUN), CAROL, { runId: RUN, breakId: 20, kind: 'REJECT', comment: 'looks wrong' });
    await sync(maker);
    await sync(carolDev);
    await sync(maker);
    for (const d of [maker, carolDev]) {
      const history = decisionHistory(d.store, RUN, 20);
      expect(history.map((h) => [h.decisionId, h.sync])).toEqual([
        [first.decisionId, 'APPLIED'],
        [second.decisionId, 'SUPERSEDED'],
      ]);
      expect(history[1]!.syncDetail).toBe(first.decisionId);
      const s = d.store.read((tx) => tx.get<{ status: string }>({ text: 'SELECT status FROM break_status WHERE run_id = ? AND break_id = 20', params: [RUN] }));
      expect(s).toEqual({ status: 'ACCEPTED' });
      expect(verifyTrail(d.store)).toMatchObject({ ok: true });
    }
    const counts = await serverCounts(server);
    for (const row of counts) expect([row.n, row.distinct_ids]).toEqual([row.max, row.max]);
    const report = await withClient(maker.pool, (c) => verifyRemoteChains(c));
    expect(report).toMatchObject({ ok: true });
    expect(report.devices.map((d) => d.deviceId).sort()).toEqual([maker.store.deviceId, checker.store.deviceId, carolDev.store.deviceId].sort());
  });

  it('undoes a decision the server refused (not a server user): the break is back to its attribution status', async () => {
    addUser(maker.store, ADA, { userId: 'dave', roles: ['analyst'] }); // an analyst only in this workspace, bound to no login
    const source = await openBreakSource(join(tmp.dir, 'run-1.duckdb'));
    const d = await decide(maker.store, source, { userId: 'dave', displayName: 'Dave' }, { runId: RUN, breakId: 24, kind: 'ACCEPT' });
    source.close();
    const status = () => maker.store.read((tx) => tx.get<{ status: string }>({ text: 'SELECT status FROM break_status WHERE run_id = ? AND break_id = 24', params: [RUN] }));
    expect(status()).toEqual({ status: 'ACCEPTED' });
    await sync(maker);
    expect(status()).toBeUndefined();
    expect(decisionHistory(maker.store, RUN, 24)).toMatchObject([{ decisionId: d.decisionId, sync: 'REFUSED', syncDetail: 'LOGIN_MISMATCH' }]);
    expect(readSyncStatus(maker.store).parked).toMatchObject([{ kind: 'REFUSED', code: 'LOGIN_MISMATCH' }]);
    expect(verifyTrail(maker.store)).toMatchObject({ ok: true });
  });
});
