import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyChain } from '../store/audit-verify.ts';
import { openStore } from '../store/open.ts';
import type { Store } from '../store/store.ts';
import { currentUser, osAccount } from './identity.ts';
import { addUser, grantRole, listUsers, revokeRole } from './roles.ts';
import { setSetting } from './settings.ts';
import { ADA, ALICE, BOB, MALLORY, seedUsers, tempDir } from './testing/fixtures.ts';

let tmp: ReturnType<typeof tempDir>;
let store: Store;
beforeEach(() => {
  tmp = tempDir();
  store = openStore(tmp.dir);
});
afterEach(() => {
  store.close();
  tmp.cleanup();
});

const actions = (): string[] => (store.db.prepare('SELECT action FROM audit_events ORDER BY seq').all() as { action: string }[]).map((r) => r.action);

describe('identity', () => {
  it('is the OS account unless RECON_USER says otherwise', () => {
    expect(currentUser({ RECON_USER: 'svc-batch', RECON_USER_NAME: 'Nightly batch' })).toEqual({ userId: 'svc-batch', displayName: 'Nightly batch' });
    expect(currentUser({}).userId.length).toBeGreaterThan(0);
  });

  it('in the desktop app is the OS account, whatever RECON_USER says', () => {
    const os = currentUser({});
    expect(osAccount({ RECON_USER: 'dave', RECON_USER_NAME: 'Dave' })).toEqual(os);
    expect(osAccount({})).toEqual(os);
  });
});

describe('roles', () => {
  it('makes the first user of a new workspace its admin', () => {
    addUser(store, ADA, { userId: 'alice', roles: ['analyst'] });
    expect(listUsers(store).map((u) => [u.userId, u.roles])).toEqual([
      ['ada', ['admin']],
      ['alice', ['analyst']],
    ]);
    expect(actions()).toEqual(['role.granted', 'user.added']);
  });

  it('lets only admins add users, grant and revoke roles', () => {
    seedUsers(store);
    for (const attempt of [
      () => addUser(store, ALICE, { userId: 'eve' }),
      () => grantRole(store, BOB, 'bob', 'admin'),
      () => revokeRole(store, MALLORY, 'ada', 'admin'),
      () => setSetting(store, ALICE, 'review.bulkProposalThreshold', 1000),
    ]) {
      expect(attempt).toThrow(expect.objectContaining({ code: 'FORBIDDEN_ROLE' }));
    }
  });

  it('records each role change once, with before and after', () => {
    seedUsers(store);
    const before = actions().length;
    expect(grantRole(store, ADA, 'alice', 'approver')).toBe(true);
    expect(grantRole(store, ADA, 'alice', 'approver')).toBe(false);
    expect(revokeRole(store, ADA, 'alice', 'analyst')).toBe(true);
    expect(actions().slice(before)).toEqual(['role.granted', 'role.revoked']);
    const last = store.db.prepare("SELECT before, after FROM audit_events WHERE action = 'role.revoked'").get();
    expect(last).toEqual({ before: '{"roles":["analyst","approver"]}', after: '{"roles":["approver"]}' });
    expect(verifyChain(store).ok).toBe(true);
  });

  it('never leaves a workspace without an admin', () => {
    seedUsers(store);
    expect(() => revokeRole(store, ADA, 'ada', 'admin')).toThrow(expect.objectContaining({ code: 'LAST_ADMIN' }));
    grantRole(store, ADA, 'bob', 'admin');
    expect(revokeRole(store, BOB, 'ada', 'admin')).toBe(true);
  });

  it('refuses unknown users and duplicate adds', () => {
    seedUsers(store);
    expect(() => grantRole(store, ADA, 'nobody', 'analyst')).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
    expect(() => addUser(store, ADA, { userId: 'alice' })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});
