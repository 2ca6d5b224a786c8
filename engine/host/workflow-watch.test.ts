/**
 * Issue 13 item 10: a host's open screens follow workflow changes another
 * process commits to the same workspace (here a second service on its own
 * store connection, as a second `recon serve` is, and a bare connection as
 * the CLI's `recon review` is): the host pushes workflow.changed for them,
 * not for its own writes, and stops looking once closed.
 */
import './testing/fail-on-unhandled.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContractEvent } from '../contract/index.ts';
import { openStore, type Store } from '../store/open.ts';
import { addReasonCode } from '../workflow/reason-codes.ts';
import { createService, type Service } from './service.ts';
import { createRunFixture, type RunFixture } from './testing/run-fixture.ts';
import { changeOf } from './workflow-watch.ts';

let fx: RunFixture;
let alice: Service;
let bobStore: Store;
let bob: Service;
let runId: string;
let events: ContractEvent[] = [];
const changes = (): ContractEvent[] => events.filter((e) => e.type === 'workflow.changed');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  fx = await createRunFixture(1000, 5);
  runId = fx.summary.runId;
  alice = createService({ workspace: fx.workspace, host: 'test', version: '0', store: fx.store, user: { userId: 'alice', displayName: 'Alice' }, emit: (e) => events.push(e), watchIntervalMs: 40 });
  bobStore = openStore(fx.workspace);
  bob = createService({ workspace: fx.workspace, host: 'test', version: '0', store: bobStore, user: { userId: 'bob', displayName: 'Bob' }, emit: () => undefined, watchIntervalMs: 40 });
  await alice.invoke('users.grant', { userId: 'alice', role: 'analyst' });
  await alice.invoke('users.add', { userId: 'bob', roles: ['approver', 'analyst'] });
});

afterAll(async () => {
  await alice?.close();
  await bob?.close();
  bobStore?.close();
  await fx?.dispose();
});

describe("another process's workflow changes reach this host's screens", () => {
  it("pushes workflow.changed (approval) when bob, on his own connection, settles alice's proposals", async () => {
    const rows = (await alice.invoke('breaks.page', { runId, startRow: 0, endRow: 200 })).rows.filter((r) => r.status === 'AUTO' && r.diffType === 'MISMATCH');
    for (const r of rows.slice(0, 2)) await alice.invoke('review.decide', { runId, breakId: r.breakId, kind: 'OVERRIDE', reason: 'STATIC_DATA', comment: 'spelling' });
    expect((await alice.invoke('approvals.list', {})).mine).toHaveLength(2);
    await sleep(150);
    events = [];
    const waiting = (await bob.invoke('approvals.list', {})).waiting;
    expect(waiting).toHaveLength(2);
    await bob.invoke('approvals.decide', { decisionId: waiting[0]!.decisionId, verdict: 'APPROVE', comment: 'ok' });
    await bob.invoke('approvals.decide', { decisionId: waiting[1]!.decisionId, verdict: 'REJECT', comment: 'no' });
    await expect.poll(changes, { timeout: 3000 }).toContainEqual({ type: 'workflow.changed', runId: null, what: 'approval' });
    // Nothing else changed: one event for the kind, however many rows it covered.
    await sleep(150);
    expect(changes()).toEqual([{ type: 'workflow.changed', runId: null, what: 'approval' }]);
    expect((await alice.invoke('approvals.list', {})).mine).toHaveLength(0);
  });

  it("names the run of bob's decision, so that run's grid and overview refresh", async () => {
    events = [];
    const auto = (await bob.invoke('breaks.page', { runId, startRow: 0, endRow: 200 })).rows.find((r) => r.status === 'AUTO')!;
    await bob.invoke('review.decide', { runId, breakId: auto.breakId, kind: 'ACCEPT' });
    await expect.poll(changes, { timeout: 3000 }).toContainEqual({ type: 'workflow.changed', runId, what: 'decision' });
  });

  it('follows a bare connection too, as the CLI writes (a reason code added)', async () => {
    events = [];
    const cli = openStore(fx.workspace);
    try {
      addReasonCode(cli, { userId: 'alice', displayName: 'Alice' }, { code: 'CLI_CODE', description: 'From the CLI', category: 'ACTION' });
    } finally {
      cli.close();
    }
    await expect.poll(changes, { timeout: 3000 }).toContainEqual({ type: 'workflow.changed', runId: null, what: 'reasons' });
  });

  it("does not echo this host's own changes (its handlers announced them)", async () => {
    await sleep(150);
    events = [];
    await alice.invoke('settings.set', { bulkProposalThreshold: 77 });
    await sleep(300);
    expect(changes()).toEqual([{ type: 'workflow.changed', runId: null, what: 'settings' }]);
  });

  it('stops watching once the service is closed', async () => {
    const store = openStore(fx.workspace);
    const seen: ContractEvent[] = [];
    const carol = createService({ workspace: fx.workspace, host: 'test', version: '0', store, user: { userId: 'carol', displayName: 'Carol' }, emit: (e) => seen.push(e), watchIntervalMs: 20 });
    await carol.close();
    store.close();
    await bob.invoke('settings.set', { bulkProposalThreshold: 78 }).catch(() => undefined);
    await alice.invoke('settings.set', { bulkProposalThreshold: 79 });
    await sleep(200);
    expect(seen.filter((e) => e.type === 'workflow.changed')).toEqual([]);
  });
});

describe('changeOf: which screens an audit event concerns', () => {
  it('maps each audited action to its kind of change, with the run when the target names one', () => {
    expect(changeOf('decision.proposed', 'run:R1')).toEqual({ what: 'decision', runId: 'R1' });
    expect(changeOf('proposal.withdrawn', 'decision:d')).toEqual({ what: 'approval', runId: null });
    expect(changeOf('role.granted', 'user:bob')).toEqual({ what: 'users', runId: null });
    expect(changeOf('connection.saved', 'connection:ledger')).toEqual({ what: 'settings', runId: null });
    expect(changeOf('user.added', 'user:bob')).toEqual({ what: 'users', runId: null });
    expect(changeOf('reason.retired', 'reason:X')).toEqual({ what: 'reasons', runId: null });
    expect(changeOf('setting.changed', 'setting:x')).toEqual({ what: 'settings', runId: null });
    expect(changeOf('model.promoted', 'model:2')).toEqual({ what: 'model', runId: null });
    expect(changeOf('run.completed', 'run:R2')).toEqual({ what: 'runs', runId: 'R2' });
    expect(changeOf('export.written', 'run:R2')).toEqual({ what: 'audit', runId: null });
  });
});
