/**
 * A withdrawn proposal settles on every workstation: the maker withdraws it
 * offline and syncs; the approver's device, which had pulled it as waiting,
 * pulls the withdrawal and no longer offers it; the break is back where it
 * was on the server and on both devices. The server takes a withdrawal only
 * from the maker, and a withdrawal racing an approval ends with one winner.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyTrail } from '../workflow/chain-state.ts';
import { appendAuditEvent } from '../store/audit-log.ts';
import { approveProposal, listProposals, withdrawProposal } from '../workflow/approvals.ts';
import { decide } from '../workflow/decisions.ts';
import { openBreakSource } from '../run-file/break-source.ts';
import { ALICE, BOB, seedRun, seedUsers, tempDir } from '../workflow/testing/fixtures.ts';
import { writeRunFile } from '../workflow/testing/run-file.ts';
import { listProposalsWithSync } from './history.ts';
import { openDevice, type Device } from './testing/devices.ts';
import { grantServerRoles, startTestPg, type TestPg } from './testing/pg-server.ts';
import { readSyncStatus } from './status.ts';

let server: TestPg;
let tmp: ReturnType<typeof tempDir>;
let maker: Device;
let checker: Device;
const RUN = 'run-w';

beforeAll(async () => {
  tmp = tempDir('recon-sync-withdraw-');
  server = await startTestPg();
  await grantServerRoles(server, { ada: ['admin'], alice: ['analyst'], bob: ['approver'] });
  maker = openDevice(tmp.dir, 'maker', server, { login: 'alice' });
  checker = openDevice(tmp.dir, 'checker', server, { login: 'bob' });
  const runFile = join(tmp.dir, 'run-w.duckdb');
  await writeRunFile(runFile, 100);
  seedUsers(maker.store);
  seedRun(maker.store, RUN, runFile);
}, 180_000);

afterAll(async () => {
  await maker?.close();
  await checker?.close();
  await server?.destroy();
  tmp?.cleanup();
});

const sync = (d: Device) => d.sync({ evidence: openBreakSource });
const statusOn = (d: Device, breakId: number) =>
  d.store.read((tx) => tx.get<{ status: string; approval_id: string | null }>({ text: 'SELECT status, approval_id FROM break_status WHERE run_id = ? AND break_id = ?', params: [RUN, breakId] }));

async function propose(breakId: number): Promise<string> {
  const source = await openBreakSource(join(tmp.dir, 'run-w.duckdb'));
  try {
    return (await decide(maker.store, source, ALICE, { runId: RUN, breakId, kind: 'OVERRIDE', reason: 'FX_DIFF', comment: 'EUR' })).decisionId;
  } finally {
    source.close();
  }
}

describe('a withdrawn proposal, across devices', () => {
  it('settles on the approver’s device too: no longer waiting, its break back where it was', async () => {
    const id = await propose(4); // break 4 is REVIEW in the synthetic run
    await sync(maker);
    await sync(checker);
    expect(listProposalsWithSync(checker.store, { pendingOnly: true }).map((p) => p.decisionId)).toEqual([id]);

    withdrawProposal(maker.store, ALICE, id, 'wrong break');
    await sync(maker);
    expect(readSyncStatus(maker.store)).toMatchObject({ queueLength: 0, parked: [] });
    const c = await server.admin();
    try {
      expect((await c.query('SELECT verdict, approver, state FROM recon.approvals WHERE decision_id = $1', [id])).rows).toEqual([{ verdict: 'WITHDRAWN', approver: 'alice', state: 'APPLIED' }]);
      expect((await c.query('SELECT status FROM recon.break_status WHERE run_id = $1 AND break_id = 4', [RUN])).rows).toEqual([{ status: 'REVIEW' }]);
    } finally {
      await c.end();
    }

    await sync(checker);
    expect(listProposalsWithSync(checker.store, { pendingOnly: true })).toEqual([]);
    expect(listProposals(checker.store)).toMatchObject([{ decisionId: id, state: 'WITHDRAWN', approver: 'alice', approvalComment: 'wrong break' }]);
    expect(statusOn(checker, 4)?.status).toBe('REVIEW');
    expect(() => approveProposal(checker.store, BOB, id)).toThrow(expect.objectContaining({ code: 'ILLEGAL_TRANSITION' }));
    for (const d of [maker, checker]) expect(verifyTrail(d.store)).toMatchObject({ ok: true });
  });

  it('a withdrawal that races an approval: the server orders them, the later one is SUPERSEDED, both devices agree', async () => {
    const id = await propose(8);
    await sync(maker);
    await sync(checker);
    // Offline on both: bob approves, alice withdraws. The approval reaches the server first.
    approveProposal(checker.store, BOB, id, 'fine');
    withdrawProposal(maker.store, ALICE, id);
    await sync(checker);
    await sync(maker);
    await sync(checker);
    const c = await server.admin();
    try {
      expect((await c.query('SELECT verdict, state FROM recon.approvals WHERE decision_id = $1 ORDER BY server_order', [id])).rows).toEqual([
        { verdict: 'APPROVED', state: 'APPLIED' },
        { verdict: 'WITHDRAWN', state: 'SUPERSEDED' },
      ]);
    } finally {
      await c.end();
    }
    for (const d of [maker, checker]) expect(statusOn(d, 8)?.status).toBe('OVERRIDDEN');
  });

  it('the server refuses a withdrawal by anyone but the maker, without blocking the queue', async () => {
    const id = await propose(12);
    await sync(maker);
    await sync(checker);
    // A forged client: bob records a withdrawal of alice's proposal (the local engine and triggers refuse it).
    expect(() => withdrawProposal(checker.store, BOB, id)).toThrow(expect.objectContaining({ code: 'FORBIDDEN_ROLE' }));
    checker.store.write((tx) =>
      appendAuditEvent(tx, {
        actor: 'bob',
        action: 'proposal.withdrawn',
        target: `decision:${id}`,
        before: { maker: 'alice', columns: ['break_id', 'status'], rows: [[12, 'PROPOSED']] },
        after: { approval_id: '5d9d6a0e-7d1e-4b54-9c7a-0a4e3f1f2b3c', verdict: 'WITHDRAWN', run_id: RUN, kind: 'OVERRIDE', columns: ['break_id', 'status', 'reason'], rows: [[12, 'AUTO', null]] },
        comment: null,
      }),
    );
    await sync(checker);
    expect(readSyncStatus(checker.store).parked.map((p) => [p.kind, p.code])).toContainEqual(['REFUSED', 'FORBIDDEN_ROLE']);
    expect(readSyncStatus(checker.store)).toMatchObject({ queueLength: 0, blockedFromSeq: null });
    await sync(maker);
    expect(listProposals(maker.store, { pendingOnly: true }).map((p) => p.decisionId)).toContain(id);
  });
});
