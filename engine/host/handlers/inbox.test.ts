/**
 * The inbox through the service: a decision of this workstation that lost a
 * break to another device's earlier decision (as a pull records it: the
 * server verdict, the winner, the lost break) is listed with the breaks it
 * lost, who won and with what, and is dismissed; another workstation's
 * decision is no item here, and a dismissal of it is NOT_FOUND. The real
 * server round trip is engine/sync/partial-supersede.test.ts.
 */
import '../testing/fail-on-unhandled.ts';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContractEvent } from '../../contract/index.ts';
import { openBreakSource } from '../../run-file/break-source.ts';
import { openStore, type Store } from '../../store/open.ts';
import { applyWindow, type RemoteDecision } from '../../sync/apply-remote.ts';
import { decideBulk } from '../../workflow/decisions.ts';
import { ALICE, seedRun, seedUsers, tempDir } from '../../workflow/testing/fixtures.ts';
import { writeRunFile } from '../../workflow/testing/run-file.ts';
import { createService, type Service } from '../service.ts';

const RUN = 'run-1';
const WINNER = '00000000-0000-4000-8000-0000000000aa';
let tmp: ReturnType<typeof tempDir>;
let store: Store;
let service: Service;
let mine = '';
const events: ContractEvent[] = [];

const remote = (d: Partial<RemoteDecision> & Pick<RemoteDecision, 'decision_id' | 'device_id' | 'server_order' | 'breaks'>): RemoteDecision => ({
  run_id: RUN,
  kind: 'ACCEPT',
  reason: null,
  comment: null,
  actor: 'carol',
  decided_at: '2026-12-07T08:00:00.000Z',
  is_proposal: false,
  bulk_filter: null,
  break_count: d.breaks?.length ?? 1,
  state: 'APPLIED',
  detail: null,
  ...d,
});

beforeAll(async () => {
  tmp = tempDir('recon-inbox-');
  const ws = join(tmp.dir, 'ws');
  store = openStore(ws);
  await writeRunFile(join(tmp.dir, 'run-1.duckdb'), 40);
  seedUsers(store);
  seedRun(store, RUN, join(tmp.dir, 'run-1.duckdb'));
  const source = await openBreakSource(join(tmp.dir, 'run-1.duckdb'));
  try {
    mine = (await decideBulk(store, source, ALICE, { runId: RUN, filter: { breakIds: [1, 2, 3, 4, 5] }, kind: 'REJECT', comment: 'stale' })).decisionId;
  } finally {
    source.close();
  }
  // The pull: carol's decision on break 4 came first on the server; this one lost break 4 and keeps 1, 2, 3 and 5.
  const breaks = store.read((tx) => tx.all<{ break_id: number; from_status: string }>({ text: 'SELECT break_id, from_status FROM decision_breaks WHERE decision_id = ? ORDER BY break_id', params: [mine] }));
  applyWindow(
    store,
    {
      runs: [],
      decisions: [
        remote({ decision_id: WINNER, device_id: 'carol-device', server_order: 1, breaks: [[4, 'REVIEW', 'ACCEPTED', 'STATIC_DATA']] }),
        remote({
          decision_id: mine,
          device_id: store.deviceId,
          actor: 'alice',
          kind: 'REJECT',
          server_order: 2,
          breaks: breaks.map((b) => [b.break_id, b.from_status, 'REJECTED', null]),
          lost: [[4, WINNER, 'ACCEPTED', 'STATIC_DATA']],
        }),
      ],
      approvals: [],
      statuses: [
        { run_id: RUN, break_id: 4, status: 'ACCEPTED', reason: 'STATIC_DATA', decision_id: WINNER, approval_id: null },
        ...[1, 2, 3, 5].map((id) => ({ run_id: RUN, break_id: id, status: 'REJECTED', reason: null, decision_id: mine, approval_id: null })),
      ],
      definitions: [],
    },
    2,
  );
  service = createService({ workspace: ws, host: 'test', version: '0', store, user: ALICE, emit: (e) => events.push(e) });
});

afterAll(async () => {
  await service?.close();
  store?.close();
  tmp?.cleanup();
});

describe('inbox.list and inbox.acknowledge', () => {
  it('lists the decision with the break it lost, the winner and what still holds', async () => {
    const { items } = await service.invoke('inbox.list', {});
    expect(items).toEqual([
      expect.objectContaining({
        decisionId: mine,
        runId: RUN,
        isProposal: false,
        kind: 'REJECT',
        breakCount: 5,
        lostBreakIds: [4],
        remaining: 4,
        remainder: 'APPLIED',
        winners: [{ decisionId: WINNER, actor: 'carol', kind: 'ACCEPT', isProposal: false, status: 'ACCEPTED', reason: 'STATIC_DATA', breakIds: [4] }],
        line: `decision ${mine} lost 1 of 5 breaks to decision ${WINNER} by carol (ACCEPTED STATIC_DATA): 4 still applied`,
        acknowledgedAt: null,
      }),
    ]);
    // The workspace holds what the server holds, per break.
    const held = store.read((tx) => tx.all<{ break_id: number; decision_id: string }>({ text: 'SELECT break_id, decision_id FROM break_status WHERE run_id = ? ORDER BY break_id', params: [RUN] }));
    expect(held).toEqual([1, 2, 3, 4, 5].map((id) => ({ break_id: id, decision_id: id === 4 ? WINNER : mine })));
  });

  it('dismisses it: gone from the list, kept with includeAcknowledged, and other windows are told', async () => {
    const r = await service.invoke('inbox.acknowledge', { decisionId: mine });
    expect(r).toEqual({ acknowledged: true, items: [] });
    expect(events).toContainEqual({ type: 'workflow.changed', runId: null, what: 'decision' });
    expect((await service.invoke('inbox.list', { includeAcknowledged: true })).items).toMatchObject([{ decisionId: mine, acknowledgedBy: 'alice' }]);
  });

  it("refuses to dismiss another workstation's decision, or one that lost nothing", async () => {
    expect(await service.call('inbox.acknowledge', { decisionId: WINNER })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await service.call('inbox.acknowledge', { decisionId: 'not-a-uuid' })).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
  });
});
