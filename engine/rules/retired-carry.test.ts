/**
 * A carried break does not keep a retired rule's reason (real runs of one
 * series, the same extracts, so every break of run 2 is CARRIED). Break
 * memory copies a carried break's reason forward before rules apply; a reason
 * a rule gave is the rule's, not a reviewer's, so it is not carried: the
 * model (and the rules now in force) attribute the break again. A reviewer's
 * decision still carries (series/link.ts keepCarriedReasons).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRun, ruleWorkspace, runRule, type RuleWorkspace } from './testing/rule-runs.ts';

interface Row {
  break_id: bigint;
  field: string;
  reason: string | null;
  status: string;
  rule_id: string | null;
  model_reason: string | null;
  features: string | null;
}

const rowsOf = (database: string) =>
  readRun<Row>(database, `SELECT b.break_id, b.field, t.reason, t.status, t.rule_id, t.model_reason, t.top_features::VARCHAR AS features FROM breaks b JOIN attributions t USING (break_id) ORDER BY b.break_id`);

let ws: RuleWorkspace;
beforeAll(async () => {
  ws = await ruleWorkspace();
}, 60_000);
afterAll(async () => ws?.dispose());

describe('a carried break after its rule is retired', () => {
  it('is attributed by the model again, not by the retired rule; a rule still in force applies again', async () => {
    const rule = runRule('r-retired', { name: 'Notional is static data', reason: 'STATIC_DATA', conditions: { field: 'Notional', diffType: 'MISMATCH' } });
    const r1 = await rowsOf((await ws.run([rule])).database);
    const taken = r1.filter((r) => r.rule_id === 'r-retired');
    expect(taken.length).toBeGreaterThan(0);
    // What the model itself said of them in run 1 (kept beside the rule's reason).
    const modelSaid = new Map(taken.map((r) => [Number(r.break_id), r.model_reason]));

    // The rule is retired: run 2 has no rule in force.
    const r2 = await rowsOf((await ws.run([])).database);
    const again = r2.filter((r) => modelSaid.has(Number(r.break_id)));
    expect(again.length).toBe(taken.length);
    for (const r of again) {
      expect(r.rule_id).toBeNull();
      expect(r.features ?? '').not.toContain('reason_rule');
      // STATIC_DATA only where the model says so itself.
      if (r.reason === 'STATIC_DATA') expect(modelSaid.get(Number(r.break_id))).toBe('STATIC_DATA');
    }
    expect(again.filter((r) => r.reason === 'STATIC_DATA').length).toBeLessThan(taken.length);

    // Back in force (run 3): the rule names itself on the carried breaks again.
    const r3 = await rowsOf((await ws.run([rule])).database);
    expect(r3.filter((r) => r.rule_id === 'r-retired').map((r) => Number(r.break_id))).toEqual(taken.map((r) => Number(r.break_id)));
  }, 120_000);
});
