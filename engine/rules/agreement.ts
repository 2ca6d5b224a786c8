/**
 * Rules against the model, per run (issue 20; "Compare ML vs rule-based
 * predictions" in the customer's documents), made with the team's own labels:
 *   - agree: a rule gave the break its reason and the model was sure of the same;
 *   - disagree: a rule gave one reason, the model was sure of another (both shown);
 *   - rule only: a rule covers it, the model was not sure (its guess shown);
 *   - model only: no rule covers it and the model was sure (AUTO at the threshold).
 * Against reviewers' decisions (accepted or overridden reasons; a rejected
 * break counts as a real problem no reason explained), the accuracy per reason
 * of the rules and of the model: of the breaks each gave that reason to and a
 * reviewer labelled, the share the reviewer agreed with.
 */
import { openDuckDB, queryRows } from '../duckdb/open.ts';
import { RUN_TABLES } from '../run-file/schema.ts';
import type { Store } from '../store/store.ts';
import { readRulesInForce, relationColumns, type RecordedRule } from './apply-run.ts';
import { decisionsOf } from './preview.ts';
import { runFileOf } from './run-context.ts';

export type AgreementKind = 'AGREE' | 'DISAGREE' | 'RULE_ONLY' | 'MODEL_ONLY';

/** One break of the report. */
export interface AgreementItem {
  breakId: number;
  key: string;
  field: string;
  diffType: string;
  kind: AgreementKind;
  ruleReason: string | null;
  ruleId: string | null;
  ruleName: string | null;
  /** The model's reason (its guess when it was not sure) and confidence. */
  modelReason: string | null;
  modelConfidence: number | null;
  modelSure: boolean;
  /** The reviewer's label: the reason accepted or overridden, REJECTED, or null. */
  decided: string | null;
}

/** Accuracy of one reason, for rules or for the model. */
export interface ReasonAccuracy {
  reason: string;
  /** Breaks given this reason that a reviewer labelled. */
  labelled: number;
  /** Of those, the reviewer's label was this reason. */
  correct: number;
  accuracy: number | null;
}

export interface AgreementReport {
  runId: string;
  rulesInForce: RecordedRule[];
  counts: Record<AgreementKind, number> & { breaks: number };
  /** The breaks of each kind, DISAGREE first; at most `limit` in all. */
  items: AgreementItem[];
  accuracy: { rules: ReasonAccuracy[]; model: ReasonAccuracy[]; byRule: (ReasonAccuracy & { ruleId: string; name: string })[] };
  /** The run file is from before reason rules (run-file version 1): no rule applied to it. */
  beforeRules: boolean;
}

interface Row {
  break_id: bigint | number;
  key: string;
  field: string;
  diff_type: string;
  reason: string | null;
  status: string | null;
  confidence: number | null;
  suggested_reason: string | null;
  rule_id: string | null;
  rule_name: string | null;
  model_reason: string | null;
  model_confidence: number | null;
  model_status: string | null;
}

/** The agreement report of a run; `limit` items listed (default 1000), the counts always complete. */
export async function agreementReport(store: Store, runId: string, opts: { limit?: number } = {}): Promise<AgreementReport> {
  const run = runFileOf(store, runId);
  const db = await openDuckDB({ path: run.duckdbPath, readOnly: true });
  let rows: Row[];
  let rulesInForce: RecordedRule[];
  let beforeRules: boolean;
  try {
    const c = db.connection;
    const cols = await relationColumns(c, RUN_TABLES.attributions);
    beforeRules = !cols.has('rule_id');
    const ruleCols = beforeRules
      ? 'NULL::VARCHAR AS rule_id, NULL::VARCHAR AS rule_name, NULL::VARCHAR AS model_reason, NULL::DOUBLE AS model_confidence, NULL::VARCHAR AS model_status'
      : 't.rule_id, t.rule_name, t.model_reason, t.model_confidence, t.model_status';
    rows = cols.size === 0
      ? []
      : await queryRows<Row>(
          c,
          `SELECT b.break_id, b.key, b.field, b.diff_type, t.reason, t.status, t.confidence, t.suggested_reason, ${ruleCols}
             FROM ${RUN_TABLES.breaks} b JOIN ${RUN_TABLES.attributions} t ON t.break_id = b.break_id ORDER BY b.break_id`,
        );
    rulesInForce = await readRulesInForce(c);
  } finally {
    db.close();
  }
  const decisions = decisionsOf(store, runId);
  const label = (id: number): string | null => {
    const d = decisions.get(id);
    if (!d || d.status === 'PROPOSED') return null;
    return d.status === 'REJECTED' ? 'REJECTED' : d.reason;
  };
  const counts = { AGREE: 0, DISAGREE: 0, RULE_ONLY: 0, MODEL_ONLY: 0, breaks: rows.length };
  const items: AgreementItem[] = [];
  const ruleAcc = new Map<string, ReasonAccuracy>();
  const modelAcc = new Map<string, ReasonAccuracy>();
  const byRule = new Map<string, ReasonAccuracy & { ruleId: string; name: string }>();
  const tally = (m: Map<string, ReasonAccuracy>, reason: string, decided: string): void => {
    const a = m.get(reason) ?? { reason, labelled: 0, correct: 0, accuracy: null };
    a.labelled++;
    if (decided === reason) a.correct++;
    m.set(reason, a);
  };
  for (const r of rows) {
    const id = Number(r.break_id);
    const ruled = r.rule_id !== null;
    // The model's own word: kept beside a rule's reason, else the attribution itself (its guess when below the threshold).
    const modelReason = ruled ? r.model_reason : (r.suggested_reason ?? r.reason);
    const modelConfidence = ruled ? r.model_confidence : r.confidence;
    const modelSure = (ruled ? r.model_status : r.status) === 'AUTO' && r.diff_type === 'MISMATCH';
    const kind: AgreementKind | null = ruled ? (modelSure ? (modelReason === r.reason ? 'AGREE' : 'DISAGREE') : 'RULE_ONLY') : modelSure ? 'MODEL_ONLY' : null;
    const decided = label(id);
    if (decided !== null) {
      if (ruled && r.reason !== null) {
        tally(ruleAcc, r.reason, decided);
        const k = `${r.rule_id}`;
        const a = byRule.get(k) ?? { ruleId: r.rule_id!, name: r.rule_name ?? '', reason: r.reason, labelled: 0, correct: 0, accuracy: null };
        a.labelled++;
        if (decided === r.reason) a.correct++;
        byRule.set(k, a);
      }
      if (modelSure && modelReason !== null) tally(modelAcc, modelReason, decided);
    }
    if (kind === null) continue;
    counts[kind]++;
    items.push({
      breakId: id,
      key: r.key,
      field: r.field,
      diffType: r.diff_type,
      kind,
      ruleReason: ruled ? r.reason : null,
      ruleId: r.rule_id,
      ruleName: r.rule_name,
      modelReason,
      modelConfidence,
      modelSure,
      decided,
    });
  }
  const order: Record<AgreementKind, number> = { DISAGREE: 0, RULE_ONLY: 1, AGREE: 2, MODEL_ONLY: 3 };
  const finish = <T extends ReasonAccuracy>(m: Map<string, T>): T[] =>
    [...m.values()].map((a) => ({ ...a, accuracy: a.labelled === 0 ? null : a.correct / a.labelled })).sort((x, y) => (x.reason < y.reason ? -1 : x.reason > y.reason ? 1 : 0));
  return {
    runId,
    rulesInForce,
    counts,
    items: items.sort((x, y) => order[x.kind] - order[y.kind] || x.breakId - y.breakId).slice(0, opts.limit ?? 1000),
    accuracy: { rules: finish(ruleAcc), model: finish(modelAcc), byRule: finish(byRule) },
    beforeRules,
  };
}
