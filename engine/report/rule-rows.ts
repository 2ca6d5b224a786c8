/**
 * Which reason rule gave a break its reason (run-file version 2,
 * engine/rules/apply-run.ts), for the detailed exports: the rule's id, name
 * and version, and what the model itself said of the break. A version-1 run
 * file has no rule columns: no break names a rule.
 */
import { queryRows } from '../duckdb/open.ts';
import type { FinishedRun } from '../run-file/finished-run.ts';
import { RUN_TABLES } from '../run-file/schema.ts';
import { relationColumns } from '../rules/apply-run.ts';

/** The rule a break took its reason from, and the model's own reason beside it. */
export interface BreakRule {
  ruleId: string;
  name: string;
  version: number;
  modelReason: string | null;
}

/** Whether the run's attributions record reason rules (read once per export). */
export async function hasRuleColumns(run: FinishedRun): Promise<boolean> {
  return run.hasAttributions && (await relationColumns(run.conn, RUN_TABLES.attributions)).has('rule_id');
}

/** The rule-matched breaks with ids in [lo, hi]. */
export async function breakRuleRange(run: FinishedRun, lo: number, hi: number): Promise<Map<number, BreakRule>> {
  const rows = await queryRows<{ break_id: string; rule_id: string; rule_name: string; rule_version: number; model_reason: string | null }>(
    run.conn,
    `SELECT break_id, rule_id, rule_name, rule_version, model_reason FROM ${RUN_TABLES.attributions} WHERE rule_id IS NOT NULL AND break_id BETWEEN $1 AND $2`,
    [lo, hi],
  );
  return new Map(rows.map((r) => [Number(r.break_id), { ruleId: r.rule_id, name: r.rule_name, version: Number(r.rule_version), modelReason: r.model_reason }]));
}
