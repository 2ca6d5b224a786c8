/**
 * Reason rules through the service (issue 20), on a real run and store: the
 * calls validate their arguments, the engine's roles and 4-eye rule come back
 * as replies, every change is a `workflow.changed` of `rules`, a rule drafted
 * from breaks and approved by a second person applies on the next run (the
 * grid's rule and explanation columns), and the agreement report counts it.
 */
import './testing/fail-on-unhandled.ts';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContractEvent, RuleDraftDto } from '../contract/index.ts';
import { definitionSchema } from '../definition/schema.ts';
import { openDuckDB } from '../duckdb/open.ts';
import { reasonRulesInForce } from '../rules/governance.ts';
import { runRecon } from '../run/run-recon.ts';
import { openStore, type Store } from '../store/open.ts';
import { createService, type Service } from './service.ts';
import { registerCompletedRun } from './testing/register-run.ts';
import { createRunFixture, type RunFixture } from './testing/run-fixture.ts';

let fx: RunFixture;
let ada: Service;
let bobStore: Store;
let bob: Service;
let cyStore: Store;
let cy: Service;
const events: ContractEvent[] = [];
const rulesEvents = (): number => events.filter((e) => e.type === 'workflow.changed' && e.what === 'rules').length;

beforeAll(async () => {
  fx = await createRunFixture(800, 7);
  const service = (store: Store, userId: string, emit: (e: ContractEvent) => void = () => undefined): Service =>
    createService({ workspace: fx.workspace, host: 'test', version: '0', store, user: { userId, displayName: userId }, emit });
  ada = service(fx.store, 'ada', (e) => events.push(e));
  bobStore = openStore(fx.workspace);
  bob = service(bobStore, 'bob');
  cyStore = openStore(fx.workspace);
  cy = service(cyStore, 'cy');
  // Ada claims admin as the first user and makes rules; Bob approves; Cy holds no role.
  await ada.invoke('users.grant', { userId: 'ada', role: 'admin' });
  await ada.invoke('users.grant', { userId: 'ada', role: 'analyst' });
  await ada.invoke('users.add', { userId: 'bob', displayName: 'Bob', roles: ['approver'] });
  await ada.invoke('users.add', { userId: 'cy', displayName: 'Cy', roles: [] });
});

afterAll(async () => {
  await ada?.close();
  await bob?.close();
  await cy?.close();
  bobStore?.close();
  cyStore?.close();
  await fx?.dispose();
});

const runId = (): string => fx.summary.runId;
const validRule = { name: 'Small notional deltas', reason: 'ROUNDING_DIFF', conditions: { diffType: 'MISMATCH' as const, delta: { absMax: 0.01 } } };

describe('reason rules through the service', () => {
  it('refuses arguments the contract does not allow, before any handler runs', async () => {
    const bad = [
      ['rules.propose', { rule: { name: '', reason: 'not a code', conditions: {} } }],
      ['rules.propose', { rule: { ...validRule, extra: 1 } }],
      ['rules.preview', { runId: runId() }],
      ['rules.preview', { rule: validRule, proposalId: '6f1c1c8e-8f1a-4c52-9a7e-3f6f1d2b7c11' }],
      ['rules.draftFromBreaks', { runId: runId(), breakIds: [1] }],
      ['rules.approve', { proposalId: 'not-a-uuid' }],
      ['rules.reject', { proposalId: '6f1c1c8e-8f1a-4c52-9a7e-3f6f1d2b7c11' }],
      ['rules.agreement', { runId: '../etc' }],
    ] as const;
    for (const [name, args] of bad) expect(await ada.call(name, args), name).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
    // A reason the catalogue does not have is the engine's refusal.
    expect(await ada.call('rules.propose', { rule: { ...validRule, reason: 'NO_SUCH_CODE' } })).toMatchObject({ ok: false, error: { code: 'REASON_UNKNOWN' } });
    expect(rulesEvents()).toBe(0);
  });

  it('refuses a user without the roles, and the maker approving their own proposal', async () => {
    expect(await cy.call('rules.propose', { rule: validRule })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN_ROLE' } });
    const p = await ada.invoke('rules.propose', { rule: validRule, comment: 'tiny deltas are rounding' });
    expect(p).toMatchObject({ kind: 'CREATE', state: 'PENDING', maker: 'ada', rule: { name: validRule.name, order: 100, definition: null, owner: 'ada' } });
    expect(await ada.call('rules.approve', { proposalId: p.proposalId })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN_SELF_APPROVAL' } });
    expect(await cy.call('rules.approve', { proposalId: p.proposalId })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN_ROLE' } });
    expect(await bob.call('rules.withdraw', { proposalId: p.proposalId })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN_ROLE' } });
    expect(await bob.call('rules.reject', { proposalId: p.proposalId, comment: '' })).toMatchObject({ ok: false, error: { code: 'COMMENT_REQUIRED' } });
    expect(await ada.invoke('rules.withdraw', { proposalId: p.proposalId })).toMatchObject({ verdict: 'WITHDRAWN', version: null });
    expect((await ada.invoke('rules.proposals', { pendingOnly: true })).proposals).toEqual([]);
    expect((await ada.invoke('rules.list', {})).rules).toEqual([]);
  });

  it('announces every change as workflow.changed of rules, and nothing for a refusal', async () => {
    const before = rulesEvents();
    const p = await ada.invoke('rules.propose', { rule: { ...validRule, name: 'To be rejected' } });
    expect(rulesEvents()).toBe(before + 1);
    await bob.call('rules.approve', { proposalId: '6f1c1c8e-8f1a-4c52-9a7e-3f6f1d2b7c11' });
    expect(rulesEvents()).toBe(before + 1);
    // Bob's service emits its own; Ada's host hears of Bob's change through the store (workflow-watch), as rules.
    await bob.invoke('rules.reject', { proposalId: p.proposalId, comment: 'too broad' });
    await expect.poll(() => rulesEvents(), { timeout: 5000 }).toBe(before + 2);
    expect((await ada.invoke('rules.proposals', {})).proposals[0]).toMatchObject({ proposalId: p.proposalId, state: 'REJECTED', verdictBy: 'bob', verdictComment: 'too broad' });
  });

  let draft: RuleDraftDto;
  let ruleName: string;

  it('drafts a rule from breaks decided together, previews it, and a second person approves it', async () => {
    const page = await ada.invoke('breaks.page', { runId: runId(), startRow: 0, endRow: 200, filterModel: { diffType: { filterType: 'text', type: 'equals', filter: 'MISMATCH' } } });
    const field = page.rows[0]!.field;
    const picked = page.rows.filter((r) => r.field === field).slice(0, 4);
    expect(picked.length).toBeGreaterThan(1);
    draft = await ada.invoke('rules.draftFromBreaks', { runId: runId(), breakIds: picked.map((r) => r.breakId), reason: 'STATIC_DATA', name: 'Drafted in a test' });
    expect(draft).toMatchObject({ runId: runId(), reason: 'STATIC_DATA', draft: { name: 'Drafted in a test', reason: 'STATIC_DATA', definition: fx.summary.definition } });
    expect(draft.shared).toContain(`field ${field}`);
    expect(draft.coverage[0]).toMatchObject({ runId: runId() });
    expect(draft.coverage[0]!.matched).toBeGreaterThanOrEqual(picked.length);

    const preview = await ada.invoke('rules.preview', { rule: draft.draft as never });
    // Without a run named, the latest completed run of the rule's definition.
    expect(preview.runId).toBe(runId());
    const ids = preview.runs[0]!.items.map((i) => i.breakId);
    for (const r of picked) expect(ids).toContain(r.breakId);

    ruleName = String(draft.draft['name']);
    const p = await ada.invoke('rules.propose', { rule: draft.draft as never, comment: 'these are static data' });
    // The approver's what-if of the proposal itself.
    const what = await bob.invoke('rules.preview', { proposalId: p.proposalId, runId: runId() });
    expect(what.totals.matched).toBe(preview.totals.matched);
    expect(await bob.invoke('rules.approve', { proposalId: p.proposalId })).toMatchObject({ verdict: 'APPROVED', version: 1, ruleId: p.ruleId });
    const rules = (await ada.invoke('rules.list', { definition: fx.summary.definition })).rules;
    expect(rules.map((r) => [r.name, r.version, r.approvedBy, r.active])).toEqual([[ruleName, 1, 'bob', true]]);
    expect((await ada.invoke('rules.versions', { ruleId: p.ruleId })).versions).toHaveLength(1);
  });

  it('applies on the next run: the grid shows the rule, its explanation and the model beside it; the agreement report counts it', async () => {
    const definition = definitionSchema.parse(JSON.parse(await readFile(fx.gen.definitionPath, 'utf8')));
    const reasonRules = fx.store.read((tx) => reasonRulesInForce(tx, definition.name));
    const next = await runRecon({ aPath: fx.gen.aPath, bPath: fx.gen.bPath, definition, workspace: fx.workspace, reasonRules });
    registerCompletedRun(fx.store, fx.workspace, next);

    const ruled = await ada.invoke('breaks.page', { runId: next.runId, startRow: 0, endRow: 500, filterModel: { rule: { filterType: 'text', type: 'equals', filter: ruleName } } });
    expect(ruled.rows.length).toBeGreaterThanOrEqual(draft.breakIds.length);
    for (const r of ruled.rows) {
      expect(r).toMatchObject({ ruleName, ruleVersion: 1, reason: 'STATIC_DATA', status: 'AUTO' });
      expect(r.explanation).toContain(`Reason rule "${ruleName}" (version 1)`);
      expect(r.ruleModelStatus).toMatch(/^(AUTO|REVIEW)$/);
    }
    // Elsewhere the model's reason stands, with its own words.
    const rest = await ada.invoke('breaks.page', { runId: next.runId, startRow: 0, endRow: 50, filterModel: { rule: { filterType: 'text', type: 'blank' } } });
    expect(rest.rows.every((r) => r.ruleName === null && r.ruleModelReason === null)).toBe(true);
    const detail = await ada.invoke('breaks.detail', { runId: next.runId, breakId: ruled.rows[0]!.breakId });
    expect(detail.break).toMatchObject({ ruleName, ruleVersion: 1 });

    const report = await ada.invoke('rules.agreement', { runId: next.runId });
    expect(report.beforeRules).toBe(false);
    expect(report.rulesInForce).toMatchObject([{ name: ruleName, version: 1, matched: ruled.rows.length }]);
    expect(report.counts.AGREE + report.counts.DISAGREE + report.counts.RULE_ONLY).toBe(ruled.rows.length);
    // The first run was made before the rule: no rule applied there, and its grid says so.
    expect((await ada.invoke('rules.agreement', { runId: runId() })).rulesInForce).toEqual([]);
  });

  it('retires a rule through a proposal too: the approver previews what it covers now, and it leaves the rules in force', async () => {
    const [rule] = (await ada.invoke('rules.list', {})).rules;
    expect(await ada.call('rules.retire', { ruleId: rule!.ruleId, comment: '  ' })).toMatchObject({ ok: false, error: { code: 'COMMENT_REQUIRED' } });
    const p = await ada.invoke('rules.retire', { ruleId: rule!.ruleId, comment: 'the desk fixed the static data' });
    expect(p).toMatchObject({ kind: 'RETIRE', baseVersion: 1, rule: null });
    // A retirement's what-if is the rule it retires, over the latest run of its definition.
    const what = await bob.invoke('rules.preview', { proposalId: p.proposalId });
    expect(what.rule.name).toBe(ruleName);
    expect(what.totals.matched).toBeGreaterThan(0);
    expect(await bob.invoke('rules.approve', { proposalId: p.proposalId, comment: 'ok' })).toMatchObject({ verdict: 'APPROVED', version: 2 });
    expect((await ada.invoke('rules.list', {})).rules).toEqual([]);
    expect((await ada.invoke('rules.list', { includeRetired: true })).rules).toMatchObject([{ name: ruleName, version: 2, retired: true }]);
  });

  it('reads a run file from before reason rules (version 1) as one where no rule applied', async () => {
    // Make the first run's file a version-1 file: no rule columns, no rules in force, no version table.
    await ada.releaseRun(runId());
    const db = await openDuckDB({ path: fx.summary.database });
    try {
      for (const col of ['rule_id', 'rule_name', 'rule_version', 'model_reason', 'model_confidence', 'model_status']) await db.connection.run(`ALTER TABLE attributions DROP COLUMN IF EXISTS ${col}`);
      await db.connection.run('DROP TABLE IF EXISTS reason_rules_in_force');
      await db.connection.run('DROP TABLE IF EXISTS run_file_version');
    } finally {
      db.close();
    }
    const page = await ada.invoke('breaks.page', { runId: runId(), startRow: 0, endRow: 100, sortModel: [{ colId: 'rule', sort: 'desc' }] });
    expect(page.rows.length).toBeGreaterThan(0);
    expect(page.rows.every((r) => r.ruleName === null && r.ruleVersion === null && r.ruleModelReason === null)).toBe(true);
    // The model's own words are still there.
    expect(page.rows.some((r) => r.explanation !== null)).toBe(true);
    const report = await ada.invoke('rules.agreement', { runId: runId() });
    expect(report).toMatchObject({ beforeRules: true, rulesInForce: [], counts: { AGREE: 0, DISAGREE: 0, RULE_ONLY: 0 } });
  });
  it('drafts a rule from an inference pattern (as well as an adjust), which proposes and previews like any other', async () => {
    const scale = await ada.invoke('rules.draftFromInference', { pattern: { kind: 'scale', field: 'Notional', value: 1000 }, definition: fx.summary.definition });
    expect(scale.draft).toMatchObject({ reason: 'SCALE_DIFF', definition: fx.summary.definition, conditions: { field: 'Notional', diffType: 'MISMATCH', ratio: { equals: 1000 } } });
    expect(scale.shared).toEqual(['field Notional', 'B/A = 1000']);
    const map = await ada.invoke('rules.draftFromInference', { pattern: { kind: 'value-map', field: 'Book', map: { 'RATES-LDN': 'Rates London' } } });
    expect(map.draft).toMatchObject({ reason: 'STATIC_DATA', definition: null, conditions: { field: 'Book', valueA: { in: ['RATES-LDN'] }, valueB: { in: ['Rates London'] } } });
    const preview = await ada.invoke('rules.preview', { rule: scale.draft as never, runId: runId(), recentRuns: 0, limit: 10 });
    expect(preview.rule).toMatchObject({ reason: 'SCALE_DIFF' });
    const proposed = await ada.invoke('rules.propose', { rule: map.draft as never, comment: 'from inference' });
    expect(proposed).toMatchObject({ kind: 'CREATE', state: 'PENDING', rule: { reason: 'STATIC_DATA' } });
    expect(await ada.invoke('rules.withdraw', { proposalId: proposed.proposalId })).toMatchObject({ verdict: 'WITHDRAWN' });
    // A pattern inference never proposes, an empty map: replies, not a dead host.
    expect(await ada.call('rules.draftFromInference', { pattern: { kind: 'rounding', field: 'Notional', value: 1 } } as never)).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
    expect(await ada.call('rules.draftFromInference', { pattern: { kind: 'value-map', field: 'Book', map: {} } })).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
  });
});
