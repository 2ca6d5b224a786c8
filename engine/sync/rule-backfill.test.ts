/**
 * Server migration 015 on a server that already holds rule events (synced
 * before it): they are replayed into the projection once, so the rule's
 * version on the server is the one the workstations hold, and a later change
 * on that version is approved and applied, not refused as stale.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approveRuleProposal, proposeReasonRule } from '../rules/governance.ts';
import { ALICE, BOB, seedUsers, tempDir } from '../workflow/testing/fixtures.ts';
import { loadServerMigrations, migrateServer } from './server-migrate.ts';
import { readSyncStatus } from './status.ts';
import { openDevice, type Device } from './testing/devices.ts';
import { grantServerRoles, startTestPg, type TestPg } from './testing/pg-server.ts';

const RULE = { name: 'Notional is timing', reason: 'TIMING_DIFF', conditions: { field: 'Notional' } };
let server: TestPg;
let tmp: ReturnType<typeof tempDir>;
let north: Device;
let south: Device;

async function admin<T>(fn: (c: Awaited<ReturnType<TestPg['admin']>>) => Promise<T>): Promise<T> {
  const c = await server.admin();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

beforeAll(async () => {
  tmp = tempDir('recon-sync-rule-backfill-');
  server = await startTestPg({ migrate: false });
  await admin((c) => migrateServer(c, loadServerMigrations(), 14));
  await grantServerRoles(server, { ada: ['admin'], alice: ['analyst'], bob: ['approver'] });
  north = openDevice(tmp.dir, 'north', server, { login: 'alice' });
  south = openDevice(tmp.dir, 'south', server, { login: 'bob' });
  seedUsers(north.store);
  seedUsers(south.store);
}, 180_000);

afterAll(async () => {
  await north?.close();
  await south?.close();
  await server?.destroy();
  tmp?.cleanup();
});

describe('server migration 015 over rule events already synced', () => {
  it('replays them, and a later change on the current version applies', async () => {
    const p = proposeReasonRule(north.store, ALICE, { rule: RULE });
    await north.sync();
    await south.sync();
    approveRuleProposal(south.store, BOB, p.proposalId);
    await south.sync();
    await north.sync();

    await admin((c) => migrateServer(c));
    expect(await admin(async (c) => (await c.query('SELECT rule_id, version, approved_by FROM recon.reason_rules')).rows)).toEqual([
      { rule_id: p.ruleId, version: 1, approved_by: 'bob' },
    ]);

    const change = proposeReasonRule(north.store, ALICE, { rule: { ...RULE, order: 5 }, ruleId: p.ruleId });
    await north.sync();
    await south.sync();
    approveRuleProposal(south.store, BOB, change.proposalId);
    await south.sync();
    expect(readSyncStatus(north.store).parked).toEqual([]);
    expect(readSyncStatus(south.store).parked).toEqual([]);
    expect(await admin(async (c) => (await c.query('SELECT version, proposal_id FROM recon.reason_rules ORDER BY version')).rows)).toEqual([
      { version: 1, proposal_id: p.proposalId },
      { version: 2, proposal_id: change.proposalId },
    ]);
  }, 120_000);
});
