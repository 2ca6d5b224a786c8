/**
 * $RECON_USER is for scripts and tests (CLI, `recon serve`); the trail records
 * that it was used. Before, a maker could run `RECON_USER=dave recon review
 * approve` on their own machine and the trail showed only "dave approved".
 */
import { userInfo } from 'node:os';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { noteIdentityOverride } from '../store/audit-log.ts';
import { openStore } from '../store/open.ts';
import type { Store } from '../store/store.ts';
import { approveProposal, listProposals } from './approvals.ts';
import { verifyTrail } from './chain-state.ts';
import { decide } from './decisions.ts';
import { currentUser, osAccount } from './identity.ts';
import { addUser } from './roles.ts';
import { ADA, memoryBreakSource, seedRun, seedUsers, tempDir } from './testing/fixtures.ts';

let tmp: ReturnType<typeof tempDir>;
let store: Store;
const source = memoryBreakSource(50);
const os = userInfo().username;

beforeEach(() => {
  tmp = tempDir();
  store = openStore(tmp.dir);
  seedUsers(store);
  seedRun(store, 'run-1', '/nowhere/run-1.duckdb');
});
afterEach(() => {
  noteIdentityOverride(null);
  store.close();
  tmp.cleanup();
});

const events = (action: string) =>
  store.db.prepare('SELECT actor, target, after FROM audit_events WHERE action = ? ORDER BY seq').all(action) as { actor: string; target: string; after: string }[];

describe('acting as $RECON_USER', () => {
  it('notes the override once per process before that user’s first act, naming the OS account', async () => {
    const dave = currentUser({ RECON_USER: 'dave' });
    expect(dave.userId).toBe('dave');
    addUser(store, ADA, { userId: 'dave', roles: ['analyst'] }); // ada's act: no note
    expect(events('identity.override')).toEqual([]);
    await decide(store, source, dave, { runId: 'run-1', breakId: 3, kind: 'ACCEPT' });
    await decide(store, source, dave, { runId: 'run-1', breakId: 5, kind: 'ACCEPT' });
    const notes = events('identity.override');
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatchObject({ actor: 'dave', target: 'user:dave' });
    expect(JSON.parse(notes[0]!.after)).toMatchObject({ recon_user: 'dave', os_account: os, pid: process.pid });
    // The note comes right before the act it explains.
    const seqs = store.db.prepare(`SELECT action FROM audit_events WHERE actor = 'dave' ORDER BY seq`).all() as { action: string }[];
    expect(seqs.map((r) => r.action)).toEqual(['identity.override', 'decision.applied', 'decision.applied']);
    expect(verifyTrail(store)).toMatchObject({ ok: true });
  });

  it('no note when $RECON_USER is the OS account, and never for the desktop’s OS identity', async () => {
    currentUser({ RECON_USER: os });
    expect(osAccount({ RECON_USER: 'dave' }).userId).toBe(os);
    addUser(store, ADA, { userId: os, roles: ['analyst'] });
    await decide(store, source, { userId: os, displayName: os }, { runId: 'run-1', breakId: 3, kind: 'ACCEPT' });
    expect(events('identity.override')).toEqual([]);
  });

  it('an approval made as $RECON_USER from the maker’s own OS account shows as such to everyone reading the proposal', async () => {
    // The maker is the OS account this test runs as; "dave" is a second identity.
    addUser(store, ADA, { userId: os, roles: ['analyst'] });
    addUser(store, ADA, { userId: 'dave', roles: ['approver'] });
    const p = await decide(store, source, { userId: os, displayName: os }, { runId: 'run-1', breakId: 2, kind: 'OVERRIDE', reason: 'TIMING_DIFF', comment: 'T+2' });
    approveProposal(store, currentUser({ RECON_USER: 'dave' }), p.decisionId, 'ok');
    const [listed] = listProposals(store);
    expect(listed).toMatchObject({ decisionId: p.decisionId, state: 'APPROVED', approver: 'dave' });
    expect(listed!.approverNote).toContain(`dave approved as $RECON_USER from the OS account of ${os}, the maker`);
  });
});
