/**
 * Server migration 015: the team server checks reason-rule governance itself,
 * as it does for break decisions. A maker's own approval written past the
 * local 4-eye check (the low-level append), an approval by a login whose
 * approver role was revoked on the server, a verdict on a proposal already
 * settled and an approval of a change whose base version moved on are each
 * refused, parked on the pushing workstation as REFUSED with their code, and
 * not applied by the other workstations; a normal approval travels.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approveRuleProposal, listRuleProposals, proposeReasonRule, reasonRulesInForce, rejectRuleProposal } from '../rules/governance.ts';
import { hasPendingRuleEvents } from '../rules/sync-apply.ts';
import { forgeRuleApproval } from '../rules/testing/forge-rule.ts';
import type { Identity } from '../workflow/identity.ts';
import { verifyTrail } from '../workflow/chain-state.ts';
import { ALICE, BOB, CAROL, seedUsers, tempDir } from '../workflow/testing/fixtures.ts';
import { readSyncStatus } from './status.ts';
import { openDevice, type Device } from './testing/devices.ts';
import { grantServerRoles, startTestPg, type TestPg } from './testing/pg-server.ts';

const DAVE: Identity = { userId: 'dave', displayName: 'Dave' };
const DEFINITION = 'trades';
const rule = (name: string) => ({ name, reason: 'TIMING_DIFF', definition: DEFINITION, order: 1, conditions: { field: 'Notional', diffType: 'MISMATCH' } });

let server: TestPg;
let tmp: ReturnType<typeof tempDir>;
let north: Device; // alice, the maker
let south: Device; // bob, an approver
let west: Device; // carol, an approver
let east: Device; // dave, whose approver role the server revokes

beforeAll(async () => {
  tmp = tempDir('recon-sync-rule-gov-');
  server = await startTestPg();
  await grantServerRoles(server, { ada: ['admin'], alice: ['analyst'], bob: ['approver'], carol: ['approver'], dave: ['approver'] });
  north = openDevice(tmp.dir, 'north', server, { login: 'alice' });
  south = openDevice(tmp.dir, 'south', server, { login: 'bob' });
  west = openDevice(tmp.dir, 'west', server, { login: 'carol' });
  east = openDevice(tmp.dir, 'east', server, { login: 'dave' });
  for (const d of [north, south, west, east]) seedUsers(d.store);
}, 180_000);

afterAll(async () => {
  for (const d of [north, south, west, east]) await d?.close();
  await server?.destroy();
  tmp?.cleanup();
});

const inForce = (d: Device) => d.store.read((tx) => reasonRulesInForce(tx, DEFINITION)).map((r) => [r.ruleId, r.version]);
const parkedCodes = (d: Device) => readSyncStatus(d.store).parked.map((p) => [p.kind, p.code]);

async function serverRows(sqlText: string, params: unknown[] = []): Promise<unknown[]> {
  const c = await server.admin();
  try {
    return (await c.query(sqlText, params)).rows;
  } finally {
    await c.end();
  }
}

describe('reason-rule governance on the team server', () => {
  it("a maker's own approval, written past the local 4-eye check, is refused by the server and applies nowhere", async () => {
    const p = proposeReasonRule(north.store, ALICE, { rule: rule('self-approved') });
    forgeRuleApproval(north.store, 'alice', p.proposalId);
    expect(inForce(north)).toEqual([[p.ruleId, 1]]); // the forged client believes it

    await north.sync();
    expect(parkedCodes(north)).toEqual([['REFUSED', 'FORBIDDEN_SELF_APPROVAL']]);
    expect(readSyncStatus(north.store).blockedFromSeq ?? null).toBeNull(); // the chain is not blocked
    expect(await serverRows('SELECT verdict, state, refusal_code FROM recon.rule_verdicts WHERE proposal_id = $1', [p.proposalId])).toEqual([
      { verdict: 'APPROVED', state: 'REFUSED', refusal_code: 'FORBIDDEN_SELF_APPROVAL' },
    ]);
    expect(await serverRows('SELECT * FROM recon.reason_rules WHERE rule_id = $1', [p.ruleId])).toEqual([]);

    // Another workstation neither applies the approval nor the rule; the proposal still waits there.
    await south.sync();
    expect(inForce(south)).toEqual([]);
    expect(listRuleProposals(south.store).find((x) => x.proposalId === p.proposalId)?.state).toBe('PENDING');
    expect(verifyTrail(south.store)).toMatchObject({ ok: true });
    // Examined once and set aside with why: later cycles neither look at it again nor ask the server about it.
    expect(south.store.db.prepare('SELECT device_id, why FROM reason_rule_events_not_applied').all()).toEqual([{ device_id: north.store.deviceId, why: 'REFUSED_BY_SERVER' }]);
    expect(hasPendingRuleEvents(south.store)).toBe(false);
  }, 120_000);

  it('a normal approval by another login with the approver role travels', async () => {
    const p = proposeReasonRule(north.store, ALICE, { rule: rule('normal') });
    await north.sync();
    await south.sync();
    approveRuleProposal(south.store, BOB, p.proposalId);
    await south.sync();
    expect(parkedCodes(south)).toEqual([]);
    expect(await serverRows('SELECT rule_id, version, retired, approved_by FROM recon.reason_rules WHERE rule_id = $1', [p.ruleId])).toEqual([
      { rule_id: p.ruleId, version: 1, retired: false, approved_by: 'bob' },
    ]);
    await north.sync();
    expect(inForce(north)).toContainEqual([p.ruleId, 1]);
    expect(listRuleProposals(north.store).find((x) => x.proposalId === p.proposalId)).toMatchObject({ state: 'APPROVED', verdictBy: 'bob' });
  }, 120_000);

  it('an approval by a login whose approver role the server revoked is refused, and not applied elsewhere', async () => {
    const p = proposeReasonRule(north.store, ALICE, { rule: rule('revoked approver') });
    await north.sync();
    await east.sync(); // dave holds approver locally, mirrored from the server
    await serverRows("DELETE FROM recon.user_roles WHERE user_id = 'dave' AND role = 'approver'");
    approveRuleProposal(east.store, DAVE, p.proposalId); // offline since: the local mirror still says approver
    await east.sync();
    expect(parkedCodes(east)).toEqual([['REFUSED', 'FORBIDDEN_ROLE']]);
    await south.sync();
    expect(inForce(south).map(([id]) => id)).not.toContain(p.ruleId);
    expect(listRuleProposals(south.store).find((x) => x.proposalId === p.proposalId)?.state).toBe('PENDING');
  }, 120_000);

  it('a verdict on a settled proposal and an approval on a moved base version are refused', async () => {
    const ruleId = listRuleProposals(north.store).find((x) => x.rule?.name === 'normal')!.ruleId;
    const first = proposeReasonRule(north.store, ALICE, { rule: { ...rule('normal'), order: 2 }, ruleId });
    const second = proposeReasonRule(north.store, ALICE, { rule: { ...rule('normal'), order: 3 }, ruleId });
    expect([first.baseVersion, second.baseVersion]).toEqual([1, 1]);
    await north.sync();
    await south.sync();
    await west.sync();
    // Two approvers apart: bob approves the first; carol, not having pulled that, approves the second and rejects the first.
    approveRuleProposal(south.store, BOB, first.proposalId);
    await south.sync();
    approveRuleProposal(west.store, CAROL, second.proposalId);
    rejectRuleProposal(west.store, CAROL, first.proposalId, 'one change at a time');
    await west.sync();
    expect(parkedCodes(west)).toEqual([
      ['REFUSED', 'RULE_VERSION_STALE'],
      ['REFUSED', 'PROPOSAL_NOT_PENDING'],
    ]);
    expect(await serverRows('SELECT version, proposal_id FROM recon.reason_rules WHERE rule_id = $1 ORDER BY version', [ruleId])).toEqual([
      { version: 1, proposal_id: expect.any(String) },
      { version: 2, proposal_id: first.proposalId },
    ]);
    // A change proposed on a base the server has moved past (north has not pulled version 2) is refused too.
    const stale = proposeReasonRule(north.store, ALICE, { rule: { ...rule('normal'), order: 4 }, ruleId });
    expect(stale.baseVersion).toBe(1);
    await north.sync();
    expect(parkedCodes(north)).toEqual([
      ['REFUSED', 'FORBIDDEN_SELF_APPROVAL'],
      ['REFUSED', 'RULE_VERSION_STALE'],
    ]);
    expect(await serverRows('SELECT state, refusal_code FROM recon.rule_proposals WHERE proposal_id = $1', [stale.proposalId])).toEqual([
      { state: 'REFUSED', refusal_code: 'RULE_VERSION_STALE' },
    ]);
  }, 120_000);
});
