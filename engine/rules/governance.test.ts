/**
 * Reason rules under the 4-eye rule, on a real workspace store: proposals,
 * verdicts and versions, each audited, and every row bound to the chain
 * (`recon audit verify` finds a rule edited behind the trail's back).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../store/open.ts';
import type { Store } from '../store/store.ts';
import { verifyTrail } from '../workflow/chain-state.ts';
import { ADA, ALICE, BOB, CAROL, MALLORY, seedUsers, tempDir } from '../workflow/testing/fixtures.ts';
import {
  approveRuleProposal,
  listReasonRules,
  listRuleProposals,
  proposeReasonRule,
  proposeRuleRetirement,
  reasonRulesInForce,
  reasonRuleVersions,
  rejectRuleProposal,
  withdrawRuleProposal,
} from './governance.ts';

let tmp: ReturnType<typeof tempDir>;
let store: Store;

beforeEach(() => {
  tmp = tempDir();
  store = openStore(tmp.dir);
  seedUsers(store);
});
afterEach(() => {
  store.close();
  tmp.cleanup();
});

const TIMING = { name: 'PV under 1,000 booked today', reason: 'TIMING_DIFF', definition: 'trades', order: 10, conditions: { field: 'PV', delta: { absMax: 1000 }, history: { lifecycle: 'NEW' } } };
const events = (action: string): { actor: string; target: string }[] =>
  store.db.prepare('SELECT actor, target FROM audit_events WHERE action = ? ORDER BY seq').all(action) as { actor: string; target: string }[];
const inForce = (definition = 'trades') => store.read((tx) => reasonRulesInForce(tx, definition));

describe('proposing a reason rule', () => {
  it('records a proposal and its event; nothing is in force until approved', () => {
    const p = proposeReasonRule(store, ALICE, { rule: TIMING, comment: 'agreed with the desk' });
    expect(p).toMatchObject({ kind: 'CREATE', state: 'PENDING', maker: 'alice', baseVersion: null, rule: { name: TIMING.name, owner: 'alice', active: true } });
    expect(events('rule.proposed')).toEqual([{ actor: 'alice', target: `rule:${p.ruleId}` }]);
    expect(inForce()).toEqual([]);
    expect(listRuleProposals(store, { pendingOnly: true }).map((x) => x.proposalId)).toEqual([p.proposalId]);
  });

  it('refuses a rule that is not one, naming the field and what was expected', () => {
    const bad = { ...TIMING, reason: 'timing', conditions: { delta: { min: 'x' } } };
    expect(() => proposeReasonRule(store, ALICE, { rule: bad })).toThrow(/reason: expected a reason code in UPPER_SNAKE_CASE.*conditions\.delta\.min/);
    expect(() => proposeReasonRule(store, ALICE, { rule: { ...TIMING, conditions: {} } })).toThrow(/conditions: expected at least one condition/);
    expect(() => proposeReasonRule(store, ALICE, { rule: { ...TIMING, conditions: { valueA: { pattern: '(?=x)' } } } })).toThrow(/conditions\.valueA\.pattern: expected an RE2/);
    expect(() => proposeReasonRule(store, ALICE, { rule: { ...TIMING, reason: 'NOT_A_CODE' } })).toThrow(expect.objectContaining({ code: 'REASON_UNKNOWN' }));
    expect(events('rule.proposed')).toEqual([]);
  });

  it('needs the analyst or admin role', () => {
    expect(() => proposeReasonRule(store, MALLORY, { rule: TIMING })).toThrow(expect.objectContaining({ code: 'FORBIDDEN_ROLE' }));
    expect(() => proposeReasonRule(store, BOB, { rule: TIMING })).toThrow(expect.objectContaining({ code: 'FORBIDDEN_ROLE' }));
  });
});

describe('the 4-eye rule on reason rules', () => {
  it('refuses self-approval even with the approver role, and approval without the role', () => {
    const p = proposeReasonRule(store, CAROL, { rule: TIMING });
    expect(() => approveRuleProposal(store, CAROL, p.proposalId)).toThrow(expect.objectContaining({ code: 'FORBIDDEN_SELF_APPROVAL' }));
    expect(() => approveRuleProposal(store, ALICE, p.proposalId)).toThrow(expect.objectContaining({ code: 'FORBIDDEN_ROLE' }));
    expect(inForce()).toEqual([]);
  });

  it('an approver makes it version 1, in force for its definition only, audited as rule.approved', () => {
    const p = proposeReasonRule(store, ALICE, { rule: TIMING });
    const v = approveRuleProposal(store, BOB, p.proposalId, 'fine');
    expect(v).toMatchObject({ verdict: 'APPROVED', version: 1, ruleId: p.ruleId });
    expect(events('rule.approved')).toEqual([{ actor: 'bob', target: `rule:${p.ruleId}` }]);
    expect(inForce('trades')).toEqual([expect.objectContaining({ ruleId: p.ruleId, version: 1, reason: 'TIMING_DIFF', order: 10, conditionsSha256: expect.stringMatching(/^[0-9a-f]{64}$/) })]);
    expect(inForce('other')).toEqual([]);
    expect(() => approveRuleProposal(store, CAROL, p.proposalId)).toThrow(expect.objectContaining({ code: 'ILLEGAL_TRANSITION' }));
    expect(verifyTrail(store).ok).toBe(true);
  });

  it('applies workspace rules to every definition, in order', () => {
    const a = proposeReasonRule(store, ALICE, { rule: { ...TIMING, name: 'late', order: 50, definition: null } });
    const b = proposeReasonRule(store, ALICE, { rule: { ...TIMING, name: 'early', order: 5 } });
    approveRuleProposal(store, BOB, a.proposalId);
    approveRuleProposal(store, BOB, b.proposalId);
    expect(inForce('trades').map((r) => r.name)).toEqual(['early', 'late']);
    expect(inForce('other').map((r) => r.name)).toEqual(['late']);
  });

  it('a change makes version 2; a stale change and an inactive rule are refused or skipped', () => {
    const p = proposeReasonRule(store, ALICE, { rule: TIMING });
    approveRuleProposal(store, BOB, p.proposalId);
    const c1 = proposeReasonRule(store, ALICE, { rule: { ...TIMING, reason: 'ROUNDING_DIFF' }, ruleId: p.ruleId });
    const c2 = proposeReasonRule(store, CAROL, { rule: { ...TIMING, active: false }, ruleId: p.ruleId });
    expect(c1).toMatchObject({ kind: 'CHANGE', baseVersion: 1 });
    approveRuleProposal(store, BOB, c1.proposalId);
    expect(inForce()).toEqual([expect.objectContaining({ version: 2, reason: 'ROUNDING_DIFF' })]);
    expect(() => approveRuleProposal(store, BOB, c2.proposalId)).toThrow(/made on version 1 .* now version 2/);
    rejectRuleProposal(store, BOB, c2.proposalId, 'stale');
    const off = proposeReasonRule(store, CAROL, { rule: { ...TIMING, active: false }, ruleId: p.ruleId });
    approveRuleProposal(store, BOB, off.proposalId);
    expect(inForce()).toEqual([]);
    expect(reasonRuleVersions(store, p.ruleId).map((r) => [r.version, r.active])).toEqual([[1, true], [2, true], [3, false]]);
  });

  it('reject needs a comment; withdraw is the maker’s only; retirement is a proposal too', () => {
    const p = proposeReasonRule(store, ALICE, { rule: TIMING });
    expect(() => rejectRuleProposal(store, BOB, p.proposalId, ' ')).toThrow(expect.objectContaining({ code: 'COMMENT_REQUIRED' }));
    expect(() => withdrawRuleProposal(store, CAROL, p.proposalId)).toThrow(expect.objectContaining({ code: 'FORBIDDEN_ROLE' }));
    expect(withdrawRuleProposal(store, ALICE, p.proposalId)).toMatchObject({ verdict: 'WITHDRAWN', version: null });
    expect(events('rule.withdrawn')).toHaveLength(1);

    const q = proposeReasonRule(store, ALICE, { rule: TIMING });
    approveRuleProposal(store, BOB, q.proposalId);
    expect(() => proposeRuleRetirement(store, ALICE, q.ruleId, '')).toThrow(expect.objectContaining({ code: 'COMMENT_REQUIRED' }));
    const r = proposeRuleRetirement(store, ALICE, q.ruleId, 'the desk fixed its feed');
    expect(inForce()).toHaveLength(1);
    expect(() => approveRuleProposal(store, ALICE, r.proposalId)).toThrow(expect.objectContaining({ code: 'FORBIDDEN_SELF_APPROVAL' }));
    approveRuleProposal(store, CAROL, r.proposalId);
    expect(events('rule.retired')).toEqual([{ actor: 'carol', target: `rule:${q.ruleId}` }]);
    expect(inForce()).toEqual([]);
    expect(listReasonRules(store)).toEqual([]);
    expect(listReasonRules(store, { includeRetired: true })).toEqual([expect.objectContaining({ ruleId: q.ruleId, retired: true, version: 2 })]);
    expect(() => proposeReasonRule(store, ALICE, { rule: TIMING, ruleId: q.ruleId })).toThrow(/was retired/);
    expect(verifyTrail(store).ok).toBe(true);
  });
});

describe('reason-rule rows are bound to the audit chain', () => {
  const approved = (): string => {
    const p = proposeReasonRule(store, ALICE, { rule: TIMING });
    approveRuleProposal(store, BOB, p.proposalId);
    return p.ruleId;
  };

  it('recon audit verify catches a rule row edited behind the trail’s back, and no run applies it', () => {
    const ruleId = approved();
    expect(verifyTrail(store).ok).toBe(true);
    // An editor of the file can drop the append-only trigger; the chain still tells.
    store.db.exec('DROP TRIGGER reason_rules_append_only');
    store.db.prepare("UPDATE reason_rules SET reason = 'FX_DIFF' WHERE rule_id = ?").run(ruleId);
    expect(verifyTrail(store)).toMatchObject({
      ok: false,
      firstBreak: { problem: 'STATE_MISMATCH' },
      stateProblems: [expect.objectContaining({ table: 'reason_rules', key: `${ruleId}@1` })],
    });
    expect(() => inForce()).toThrow(expect.objectContaining({ code: 'AUDIT_CHAIN_BROKEN' }));
  });

  it('catches a rule row added without an approval, a deleted one, and an edited proposal maker', () => {
    const ruleId = approved();
    const row = store.db.prepare('SELECT * FROM reason_rules WHERE rule_id = ?').get(ruleId) as Record<string, unknown>;
    store.db.prepare(`INSERT INTO reason_rules SELECT 'forged', 'forged-v', device_id, 'forged-rule', 1, name, owner, NULL, 0, 1, 0, 'FX_DIFF', body, conditions_sha256, 'bob', approved_at FROM reason_rules WHERE rule_id = ?`).run(ruleId);
    expect(verifyTrail(store).stateProblems).toEqual([expect.objectContaining({ table: 'reason_rules', key: 'forged-rule@1', message: expect.stringMatching(/no approval event/) })]);
    store.db.exec('DROP TRIGGER reason_rules_no_delete');
    store.db.prepare("DELETE FROM reason_rules WHERE rule_id IN ('forged-rule', ?)").run(ruleId);
    expect(verifyTrail(store).stateProblems).toEqual([expect.objectContaining({ table: 'reason_rules', message: expect.stringMatching(/has no row: deleted/) })]);
    expect(row['reason']).toBe('TIMING_DIFF');

    const p = proposeReasonRule(store, CAROL, { rule: TIMING });
    store.db.exec('DROP TRIGGER reason_rule_proposals_append_only');
    store.db.prepare("UPDATE reason_rule_proposals SET maker = 'alice' WHERE proposal_id = ?").run(p.proposalId);
    // Carol would now pass the maker check: the proposal's event says she made it.
    expect(() => approveRuleProposal(store, CAROL, p.proposalId)).toThrow(expect.objectContaining({ code: 'AUDIT_CHAIN_BROKEN' }));
  });

  it('the app never updates or deletes a rule row (append-only triggers)', () => {
    const ruleId = approved();
    expect(() => store.db.prepare("UPDATE reason_rules SET reason = 'FX_DIFF' WHERE rule_id = ?").run(ruleId)).toThrow(/written once/);
    expect(() => store.db.prepare('DELETE FROM reason_rule_verdicts').run()).toThrow(/written once/);
    expect(ADA.userId).toBe('ada');
  });
});
