/**
 * Reason rules in real runs (generated extracts, real DuckDB run files, the
 * real workspace store): a rule wins over the model and the model's word is
 * kept beside it; the first rule in order wins; scope; record fields and
 * history; the rules in force recorded in the run file; the what-if preview;
 * drafts from a decision; the agreement report.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBreakSource } from '../run-file/break-source.ts';
import { decide } from '../workflow/decisions.ts';
import { ALICE, BOB } from '../workflow/testing/fixtures.ts';
import { agreementReport } from './agreement.ts';
import { draftRuleFromBreaks, draftRuleFromInference } from './draft.ts';
import { approveRuleProposal, proposeReasonRule, reasonRulesInForce } from './governance.ts';
import { previewReasonRule } from './preview.ts';
import { readRun, ruleWorkspace, runRule, type RuleWorkspace } from './testing/rule-runs.ts';

let ws: RuleWorkspace;
/** The run without rules: what the model alone said. */
let baseline: Map<number, { field: string; reason: string; status: string }>;
let baseRunId: string;

interface AttrRow {
  break_id: bigint;
  field: string;
  diff_type: string;
  reason: string;
  status: string;
  confidence: number;
  rule_id: string | null;
  rule_name: string | null;
  rule_version: number | null;
  model_reason: string | null;
  model_status: string | null;
  top_features: string | null;
}
const attributions = (database: string): Promise<AttrRow[]> =>
  readRun<AttrRow>(
    database,
    `SELECT b.break_id, b.field, b.diff_type, t.reason, t.status, t.confidence, t.rule_id, t.rule_name, t.rule_version, t.model_reason, t.model_status, CAST(t.top_features AS VARCHAR) AS top_features
       FROM breaks b JOIN attributions t USING (break_id) ORDER BY b.break_id`,
  );

beforeAll(async () => {
  ws = await ruleWorkspace(2000, 7);
  const s = await ws.run([], 'base');
  baseRunId = 'base';
  baseline = new Map((await attributions(s.database)).map((r) => [Number(r.break_id), { field: r.field, reason: r.reason, status: r.status }]));
}, 60_000);
afterAll(async () => ws?.dispose());

const notionals = (): number[] => [...baseline].filter(([, b]) => b.field === 'Notional').map(([id]) => id);

describe('rules win over the model, in order, in SQL', () => {
  it('a matched break takes the rule’s reason, AUTO, explained by the rule; the model’s reason is kept beside it', async () => {
    expect(notionals().length).toBeGreaterThan(5);
    const rule = runRule('r-notional', { name: 'Notional is timing', reason: 'TIMING_DIFF', conditions: { field: 'Notional', diffType: 'MISMATCH' } });
    const s = await ws.run([rule]);
    const rows = await attributions(s.database);
    for (const r of rows) {
      const before = baseline.get(Number(r.break_id))!;
      if (r.field === 'Notional') {
        expect(r).toMatchObject({ reason: 'TIMING_DIFF', status: 'AUTO', confidence: 1, rule_id: 'r-notional', rule_name: 'Notional is timing', rule_version: 1 });
        expect(r.model_reason).toBe(before.reason === 'UNKNOWN' ? r.model_reason : before.reason);
        expect(r.model_status).toBe(before.status);
        expect(JSON.parse(r.top_features!)).toEqual([expect.objectContaining({ feature: 'reason_rule', rule_id: 'r-notional', text: 'Reason rule "Notional is timing" (version 1) gives TIMING_DIFF' })]);
      } else {
        expect(r).toMatchObject({ reason: before.reason, status: before.status, rule_id: null, model_reason: null });
      }
    }
    const recorded = await readRun<{ rule_id: string; version: number; matched: string; conditions_sha256: string }>(s.database, 'SELECT rule_id, version, matched, conditions_sha256 FROM reason_rules_in_force');
    expect(recorded).toEqual([{ rule_id: 'r-notional', version: 1, matched: String(notionals().length), conditions_sha256: rule.conditionsSha256 }]);
    expect(await readRun<{ version: number }>(s.database, 'SELECT version FROM run_file_version')).toEqual([{ version: 2 }]);
    // The summary counts the rule's reasons.
    expect(s.attribution.byReason['TIMING_DIFF']).toBe(rows.filter((r) => r.reason === 'TIMING_DIFF').length);
  }, 60_000);

  it('the first rule in the order given wins; a rule naming a record field the run lacks matches nothing and says why', async () => {
    const rounding = runRule('r-a', { name: 'A', reason: 'ROUNDING_DIFF', order: 1, conditions: { field: ['Notional', 'Price'] } });
    const staticData = runRule('r-b', { name: 'B', reason: 'STATIC_DATA', order: 2, conditions: { field: 'Notional' } });
    const ghost = runRule('r-ghost', { name: 'ghost', reason: 'FX_DIFF', order: 0, conditions: { recordA: { NoSuchField: { equals: 'x' } } } });
    const s1 = await ws.run([ghost, rounding, staticData]);
    const r1 = await attributions(s1.database);
    expect(r1.filter((r) => r.field === 'Notional').every((r) => r.rule_id === 'r-a' && r.reason === 'ROUNDING_DIFF')).toBe(true);
    const inForce = await readRun<{ rule_id: string; matched: string; unusable: string | null }>(s1.database, 'SELECT rule_id, matched, unusable FROM reason_rules_in_force ORDER BY idx');
    expect(inForce).toEqual([
      { rule_id: 'r-ghost', matched: '0', unusable: `side A's records have no field "NoSuchField"` },
      { rule_id: 'r-a', matched: expect.stringMatching(/^[1-9]\d*$/), unusable: null },
      { rule_id: 'r-b', matched: '0', unusable: null },
    ]);
    const s2 = await ws.run([staticData, rounding]);
    const r2 = await attributions(s2.database);
    expect(r2.filter((r) => r.field === 'Notional').every((r) => r.rule_id === 'r-b' && r.reason === 'STATIC_DATA')).toBe(true);
    expect(r2.filter((r) => r.field === 'Price').every((r) => r.rule_id === 'r-a')).toBe(true);
  }, 60_000);

  it('conditions on the record (book), values, the ratio and the history select exactly their breaks', async () => {
    const rows = await readRun<{ break_id: bigint; book: string; value_b: string | null; value_a: string | null; field: string; diff_type: string }>(
      `${ws.workspace}/runs/base.duckdb`,
      `SELECT b.break_id, a."Book" AS book, b.value_a, b.value_b, b.field, b.diff_type FROM breaks b JOIN a ON a.__rid = b.rid_a ORDER BY b.break_id`,
    );
    const book = rows.find((r) => r.field !== '*')!.book;
    const wantBook = rows.filter((r) => r.book === book && r.field !== '*').map((r) => Number(r.break_id));
    const byBook = runRule('r-book', { name: 'book', reason: 'STATIC_DATA', conditions: { recordA: { Book: { equals: book } }, diffType: 'MISMATCH' } });
    // Every break of this run is CARRIED (the same extracts as the run before), in its second run or more.
    const carried = runRule('r-carried', { name: 'carried', reason: 'TIMING_DIFF', order: 200, conditions: { history: { lifecycle: 'CARRIED', minAgeRuns: 2 }, field: 'SettleDate' } });
    const s = await ws.run([byBook, carried]);
    const r = await attributions(s.database);
    expect(r.filter((x) => x.rule_id === 'r-book').map((x) => Number(x.break_id)).sort((x, y) => x - y)).toEqual(wantBook.filter((id) => baseline.get(id)!.field !== '*').sort((x, y) => x - y));
    expect(r.filter((x) => x.rule_id === 'r-carried').length).toBe(r.filter((x) => x.field === 'SettleDate' && x.rule_id !== 'r-book').length);
    const never = runRule('r-new', { name: 'new only', reason: 'TIMING_DIFF', conditions: { history: { lifecycle: 'NEW' } } });
    const s2 = await ws.run([never]);
    const r2 = await attributions(s2.database);
    expect(r2.filter((x) => x.rule_id !== null)).toEqual([]);
    // The previous run's reason: "the same reason as last time" holds for TIMING_DIFF (the model's, AUTO), not for another.
    const same = runRule('r-same', { name: 'same as before', reason: 'TIMING_DIFF', conditions: { field: 'SettleDate', history: { previousReason: 'SAME' } } });
    const other = runRule('r-other', { name: 'rounding as before', reason: 'ROUNDING_DIFF', conditions: { field: 'SettleDate', history: { previousReason: 'SAME' } } });
    const s3 = await ws.run([other, same]);
    const r3 = await attributions(s3.database);
    const settle = r2.filter((x) => x.field === 'SettleDate' && x.reason === 'TIMING_DIFF' && x.status === 'AUTO').map((x) => Number(x.break_id));
    expect(settle.length).toBeGreaterThan(0);
    expect(r3.filter((x) => x.rule_id === 'r-same').map((x) => Number(x.break_id))).toEqual(settle);
    expect(r3.filter((x) => x.rule_id === 'r-other')).toEqual([]);
    // A ratio: B/A a power of ten (a scale), within a tolerance.
    const scales = [10, 100, 1000, 0.1, 0.01, 0.001];
    const scale = runRule('r-scale', { name: 'scale', reason: 'SCALE_DIFF', conditions: { ratio: { oneOf: scales, tolerance: 1e-9 } } });
    const s4 = await ws.run([scale]);
    const want = rows.filter((x) => x.value_a !== null && x.value_b !== null && Number(x.value_a) !== 0 && scales.some((k) => Math.abs(Number(x.value_b) / Number(x.value_a) - k) <= 1e-9));
    expect(want.length).toBeGreaterThan(0);
    expect((await attributions(s4.database)).filter((x) => x.rule_id === 'r-scale').map((x) => Number(x.break_id))).toEqual(want.map((x) => Number(x.break_id)));
  }, 60_000);
});

describe('from the store to the run, and back', () => {
  it('only approved rules in scope are in force for a definition', () => {
    const p = proposeReasonRule(ws.store, ALICE, { rule: { name: 'other recon', reason: 'TIMING_DIFF', definition: 'another', conditions: { field: 'Notional' } } });
    approveRuleProposal(ws.store, BOB, p.proposalId);
    const q = proposeReasonRule(ws.store, ALICE, { rule: { name: 'pending', reason: 'TIMING_DIFF', conditions: { field: 'Notional' } } });
    expect(ws.store.read((tx) => reasonRulesInForce(tx, ws.definition.name))).toEqual([]);
    expect(ws.store.read((tx) => reasonRulesInForce(tx, 'another')).map((r) => r.name)).toEqual(['other recon']);
    expect(q.state).toBe('PENDING');
  });

  it('the what-if lists the breaks a rule would re-attribute in this run and the recent ones, and which reviewers decided otherwise', async () => {
    const s = await ws.run([], 'preview-now');
    const target = notionals()[0]!;
    const source = await openBreakSource(s.database);
    try {
      // A reviewer accepted the model's reason on one Notional break: the rule says otherwise.
      await decide(ws.store, source, ALICE, { runId: 'preview-now', breakId: target, kind: 'ACCEPT' });
    } finally {
      source.close();
    }
    const rule = { name: 'Notional is timing', reason: 'TIMING_DIFF', conditions: { field: 'Notional', diffType: 'MISMATCH' } };
    const preview = await previewReasonRule(ws.store, { rule, runId: 'preview-now', recentRuns: 2 });
    expect(preview.runs.map((r) => [r.runId, r.current])).toEqual([
      ['preview-now', true],
      [expect.any(String), false],
      [expect.any(String), false],
    ]);
    const now = preview.runs[0]!;
    expect(now.matched).toBe(notionals().length);
    expect(now.reattributed).toBe(notionals().filter((id) => baseline.get(id)!.reason !== 'TIMING_DIFF' || baseline.get(id)!.status !== 'AUTO').length);
    expect(now.decidedOtherwise).toBe(baseline.get(target)!.reason === 'TIMING_DIFF' ? 0 : 1);
    expect(now.items[0]).toMatchObject({ breakId: target, decidedOtherwise: true, decision: { status: 'ACCEPTED', decidedBy: 'alice' }, ruleReason: 'TIMING_DIFF' });
    expect(preview.totals.matched).toBe(preview.runs.reduce((n, r) => n + r.matched, 0));
    await expect(previewReasonRule(ws.store, { rule, runId: 'nope' })).rejects.toMatchObject({ code: 'RUN_NOT_FOUND' });
  }, 60_000);

  it('a draft from a bulk decision shares field, type and values, and covers at least the breaks it came from', async () => {
    const books = [...baseline].filter(([, b]) => b.field === 'Book').map(([id]) => id);
    expect(books.length).toBeGreaterThan(0);
    const d = await draftRuleFromBreaks(ws.store, { runId: baseRunId, breakIds: books, reason: 'STATIC_DATA', recentRuns: 1 });
    expect(d.draft).toMatchObject({ reason: 'STATIC_DATA', definition: ws.definition.name, conditions: { field: 'Book', diffType: 'MISMATCH' } });
    expect(d.coverage[0]).toMatchObject({ runId: baseRunId });
    expect(d.coverage[0]!.matched).toBeGreaterThanOrEqual(books.length);
    expect(d.shared[0]).toBe('field Book');
    await expect(draftRuleFromBreaks(ws.store, { runId: baseRunId, breakIds: [999_999], reason: 'STATIC_DATA' })).rejects.toThrow(/has no break 999999/);
    expect(draftRuleFromInference({ kind: 'scale', field: 'Quantity', value: 1000, adjust: {}, explains: 5, differing: 5, compared: 9 } as never).draft).toMatchObject({
      reason: 'SCALE_DIFF',
      conditions: { field: 'Quantity', ratio: { equals: 1000 } },
    });
    expect(draftRuleFromInference({ kind: 'value-map', field: 'Book', map: { 'RATES-LDN': 'Rates London' } }).draft.conditions).toMatchObject({ valueA: { in: ['RATES-LDN'] }, valueB: { in: ['Rates London'] } });
  }, 60_000);

  it('the agreement report sets rule and model side by side, with accuracy against reviewers', async () => {
    const rule = runRule('r-cmp', { name: 'Notional is timing', reason: 'TIMING_DIFF', conditions: { field: 'Notional', diffType: 'MISMATCH' } });
    const s = await ws.run([rule], 'compare');
    const rows = await attributions(s.database);
    const target = rows.find((r) => r.rule_id === 'r-cmp')!;
    const source = await openBreakSource(s.database);
    try {
      await decide(ws.store, source, ALICE, { runId: 'compare', breakId: Number(target.break_id), kind: 'ACCEPT' });
    } finally {
      source.close();
    }
    const report = await agreementReport(ws.store, 'compare');
    const ruled = rows.filter((r) => r.rule_id !== null);
    const sure = (r: AttrRow) => r.model_status === 'AUTO';
    expect(report.counts.AGREE).toBe(ruled.filter((r) => sure(r) && r.model_reason === 'TIMING_DIFF').length);
    expect(report.counts.DISAGREE).toBe(ruled.filter((r) => sure(r) && r.model_reason !== 'TIMING_DIFF').length);
    expect(report.counts.RULE_ONLY).toBe(ruled.filter((r) => !sure(r)).length);
    expect(report.counts.MODEL_ONLY).toBe(rows.filter((r) => r.rule_id === null && r.status === 'AUTO' && r.diff_type === 'MISMATCH').length);
    expect(report.counts.DISAGREE).toBeGreaterThan(0);
    expect(report.items[0]).toMatchObject({ kind: 'DISAGREE', ruleReason: 'TIMING_DIFF', ruleName: 'Notional is timing' });
    expect(report.rulesInForce).toEqual([expect.objectContaining({ ruleId: 'r-cmp', matched: ruled.length })]);
    // The reviewer accepted TIMING_DIFF (the rule's reason, now the break's): the rule was right on it.
    expect(report.accuracy.rules).toEqual([{ reason: 'TIMING_DIFF', labelled: 1, correct: 1, accuracy: 1 }]);
    expect(report.accuracy.byRule).toEqual([expect.objectContaining({ ruleId: 'r-cmp', labelled: 1, correct: 1 })]);
    const modelSaid = target.model_status === 'AUTO' ? [{ reason: target.model_reason, labelled: 1, correct: target.model_reason === 'TIMING_DIFF' ? 1 : 0, accuracy: target.model_reason === 'TIMING_DIFF' ? 1 : 0 }] : [];
    expect(report.accuracy.model).toEqual(modelSaid);
  }, 60_000);
});
