import type { DuckDBConnection } from '@duckdb/node-api';
import type { z } from 'zod';
import type { runAttributionSchema } from '../contract/index.ts';
import { queryRows } from '../duckdb/open.ts';
import { ident } from '../sql/quote.ts';
import { SQL_ATTRIBUTED_DIFF_TYPES, STRUCTURAL_REASONS, UNKNOWN_REASON } from './catalogue.ts';
import { explainRow } from './explain.ts';
import { computeBreakFeatures } from './feature-sql.ts';
import { FEATURES, featureIndex } from './features.ts';
import type { FxTable } from './fx-rates.ts';
import type { ReasonModel } from './model.ts';
import { BATCH_ROWS, readNumericBatches, type NumericBatch } from './numeric-batches.ts';
import { RUN_TABLES } from '../run-file/schema.ts';
import { fxRatios } from './fx-rates.ts';
import { BREAK_RULES, computeBreakRules, GUARD_CAP, type FieldTolerance, type FxProposal } from './rules.ts';
import { describeGuard, RULE_FEATURE } from './words.ts';
import { applyReasonRules, type RunReasonRule } from '../rules/apply-run.ts';

export interface AttributeOptions {
  model: ReasonModel;
  /** The definition's attribution.threshold (default 0.9). */
  threshold: number;
  fx?: FxTable;
  /** The previous run's breaks, as the run read them (series/link.ts PREVIOUS_BREAKS), for the "broke last time" features. */
  previousBreaks?: string;
  /** The breaks' history in their series (a relation, series/link.ts BREAK_HISTORY), for the history features. */
  history?: string;
  /** Runs once every break is attributed, before the counts are read: a carried break keeps its reason (series/link.ts). */
  afterAttribute?: () => Promise<void>;
  onProgress?: (p: { done: number; total: number }) => void;
  /** Most REVIEW breaks to explain per run (time budget); the rest can be explained on demand. */
  explainLimit?: number;
  batchRows?: number;
  /** Tolerance per field (the definition's fields), for "A = −B within the tolerance". */
  tolerances?: Readonly<Record<string, FieldTolerance>>;
  /** Side A's records with `__rid` (the run's `a` view), to find the groups (a currency column) an inferred FX rate holds in. */
  recordsA?: string;
  /** false: the model alone, without the rules and guards of rules.ts (to measure what they add). */
  rules?: boolean;
  /** The team's reason rules in force for the run, in order (engine/rules; not the built-in rules.ts): they win over the model. */
  reasonRules?: readonly RunReasonRule[];
  /**
   * DuckDB work to run while the forest predicts in JavaScript, which leaves a
   * core idle (a run's integrity checks): `work` starts once the features are
   * computed and is awaited before the breaks that need no model are written.
   * The rules and the predictions then use `connection`, a second connection to
   * the same database, so `work` has the caller's connection (and its TEMP
   * tables) to itself. They read persistent tables only (breaks, the
   * features, `recordsA`); the rules' TEMP tables live on `connection`.
   */
  alongside?: { connection: DuckDBConnection; work: () => Promise<void> };
}

/** What attribution adds to summary.json (declared with the run summary, engine/contract/runs.ts). */
export type AttributionSummary = z.infer<typeof runAttributionSchema>;

export const ATTRIBUTIONS_DDL = `CREATE OR REPLACE TABLE ${RUN_TABLES.attributions} (
  break_id BIGINT NOT NULL, reason VARCHAR NOT NULL, confidence DOUBLE NOT NULL,
  status VARCHAR NOT NULL CHECK (status IN ('AUTO', 'REVIEW')), suggested_reason VARCHAR, top_features JSON)`;

/** A decision for one break, before it is written. */
export interface Decision {
  reason: string;
  confidence: number;
  status: 'AUTO' | 'REVIEW';
  suggested: string | null;
}

/**
 * The threshold rule: a model guess at or above the threshold is AUTO; below
 * it the reason is UNKNOWN, the guess is kept as the suggestion and the break
 * goes to REVIEW. A guess of UNKNOWN itself ("matches no known pattern") is
 * always REVIEW, whatever its confidence.
 */
export function decide(guess: string, confidence: number, threshold: number): Decision {
  if (guess === UNKNOWN_REASON) return { reason: UNKNOWN_REASON, confidence, status: 'REVIEW', suggested: null };
  if (confidence >= threshold) return { reason: guess, confidence, status: 'AUTO', suggested: null };
  return { reason: UNKNOWN_REASON, confidence, status: 'REVIEW', suggested: guess };
}

/** Breaks predicted between two turns of the event loop (~10 ms of the forest). */
const YIELD_ROWS = 1024;

/** Reasons a rule decides (rules.ts), by the code the rules table's numeric column carries. */
const RULE_REASONS = ['', 'SIGN_FLIP', 'FX_DIFF', 'ROUNDING_DIFF'] as const;
/** The rules' columns read next to the features: rule, its confidence, the four violated properties, then A, B and the last digit's unit. */
const RULE_COLUMNS = [
  `CASE r.reason WHEN 'SIGN_FLIP' THEN 1 WHEN 'FX_DIFF' THEN 2 WHEN 'ROUNDING_DIFF' THEN 3 ELSE 0 END`,
  'coalesce(r.confidence, 0)',
  'coalesce(r.violates_rounding, false)::DOUBLE',
  'coalesce(r.violates_sign, false)::DOUBLE',
  'coalesce(r.violates_scale, false)::DOUBLE',
  'coalesce(r.violates_fx, false)::DOUBLE',
  'coalesce(r.na, 0)',
  'coalesce(r.nb, 0)',
  'coalesce(r.unit, 0)',
];
/** The property each guarded reason must have, by its column in RULE_COLUMNS. */
const GUARDS: Readonly<Record<string, number>> = { ROUNDING_DIFF: 2, SIGN_FLIP: 3, SCALE_DIFF: 4, FX_DIFF: 5 };

const STRUCTURAL = STRUCTURAL_REASONS.map((r) => ({ reason: r, col: featureIndex(`diff_${r.toLowerCase()}`) }));

/**
 * Attributes every break of the run: features in SQL (`break_features`), the
 * forest in JS over numeric batches, results appended to `attributions`.
 * MISSING_IN_A / MISSING_IN_B / DUPLICATE_KEY follow from the diff type
 * itself (confidence 1); the model decides MISMATCH breaks.
 */
export async function attributeBreaks(conn: DuckDBConnection, opts: AttributeOptions): Promise<AttributionSummary> {
  const { model, threshold } = opts;
  const explainLimit = opts.explainLimit ?? 10_000;
  const t0 = performance.now();
  // On the caller's connection: the history features read its TEMP tables (series/link.ts).
  await computeBreakFeatures(conn, {
    ...(opts.fx ? { fx: opts.fx } : {}),
    ...(opts.previousBreaks ? { previousBreaks: opts.previousBreaks } : {}),
    ...(opts.history ? { history: opts.history } : {}),
  });
  await conn.run(ATTRIBUTIONS_DDL);
  const alongside = opts.alongside;
  let predicted: Predicted;
  if (alongside) {
    const work = alongside.work();
    // Both are awaited before either's failure is passed on: the caller closes the database next.
    const [p, w] = await Promise.allSettled([predictBreaks(alongside.connection, opts, explainLimit), work]);
    if (p.status === 'rejected') throw p.reason;
    if (w.status === 'rejected') throw w.reason;
    predicted = p.value;
  } else predicted = await predictBreaks(conn, opts, explainLimit);
  const { fxProposals, explained, t1 } = predicted;
  // A record whose counterpart was rejected is explained by the reject itself; a matching tie by the tie.
  await conn.run(
    `INSERT INTO ${RUN_TABLES.attributions}
     SELECT break_id, diff_type, 1, 'AUTO', NULL, json_array(json_object('feature', 'diff_' || lower(diff_type), 'value', 1, 'contribution', 1, 'pathShare', 0))
       FROM ${RUN_TABLES.breaks} WHERE diff_type IN (${SQL_ATTRIBUTED_DIFF_TYPES.map((t) => `'${t}'`).join(', ')})`,
  );
  await opts.afterAttribute?.();
  // Reason rules last: a matched break takes the rule's reason, the model's kept beside it.
  await applyReasonRules(conn, opts.reasonRules ?? [], opts.history ? { history: opts.history } : {});
  const timings = { featuresMs: Math.round(t1 - t0), predictMs: Math.round(performance.now() - t1) };
  return { ...(await summarize(conn, model.version, threshold, explained)), timings, ...(fxProposals.length > 0 ? { fxProposals } : {}) };
}

interface Predicted {
  fxProposals: FxProposal[];
  /** REVIEW breaks explained by the model. */
  explained: number;
  /** When the predictions started (after the rules), for the timings. */
  t1: number;
}

/**
 * The built-in rules (rules.ts) and the forest over `break_features`, appended to
 * `attributions`, all on `conn` (the rules' TEMP tables are made there).
 */
async function predictBreaks(conn: DuckDBConnection, opts: AttributeOptions, explainLimit: number): Promise<Predicted> {
  const { model, threshold } = opts;
  const fxProposals = await computeBreakRules(conn, {
    fxRatios: fxRatios(opts.fx),
    ...(opts.tolerances ? { tolerances: opts.tolerances } : {}),
    ...(opts.recordsA ? { recordsA: opts.recordsA } : {}),
    off: opts.rules === false,
  });
  const t1 = performance.now();
  const [{ n }] = (await queryRows<{ n: string }>(conn, 'SELECT count(*) AS n FROM break_features')) as [{ n: string }];
  const total = Number(n);
  const width = FEATURES.length;
  const probs = new Float64Array(model.classes.length);
  let done = 0;
  let explained = 0;
  const app = await conn.createAppender('attributions');
  try {
    const query = { id: 'break_id', columns: FEATURES.map((f) => ident(f.name)), from: 'break_features' };
    const rw = RULE_COLUMNS.length;
    const r = new Float64Array(rw);
    for await (const batch of readNumericBatches(conn, query, opts.batchRows ?? BATCH_ROWS)) {
      // The rules of this batch's id range: a range scan of the id-ordered rules table, merged by id
      // (a join per batch would hash the whole rules table every time).
      const lo = batch.ids[0]!;
      const hi = batch.ids[batch.rows - 1]!;
      const rules = await readRuleRange(conn, lo, hi, batch.rows);
      let k = 0;
      for (let i = 0; i < batch.rows; i++) {
        // Now and then the event loop takes its turn: work running alongside (the run's checks)
        // sends its next statement only when its previous one's completion is handled.
        if (i % YIELD_ROWS === YIELD_ROWS - 1) await new Promise((next) => setImmediate(next));
        const at = i * width;
        const id = batch.ids[i]!;
        while (k < rules.rows && rules.ids[k]! < id) k++;
        if (k < rules.rows && rules.ids[k] === id) r.set(rules.x.subarray(k * rw, (k + 1) * rw));
        else r.fill(0);
        const structural = STRUCTURAL.find((s) => batch.x[at + s.col] === 1);
        app.appendBigInt(id);
        if (structural) {
          app.appendVarchar(structural.reason);
          app.appendDouble(1);
          app.appendVarchar('AUTO');
          app.appendNull();
          app.appendVarchar(JSON.stringify([{ feature: `diff_${structural.reason.toLowerCase()}`, value: 1, contribution: 1, pathShare: 0 }]));
          app.endRow();
          continue;
        }
        const cls = model.predictRow(batch.x, i, probs);
        const rule = RULE_REASONS[r[0]!] ?? '';
        let guess = model.classes[cls]!;
        let confidence = probs[cls]!;
        let guarded = false;
        if (rule !== '') {
          // The rule's property holds: its confidence, or the model's when the trees agree more.
          const c = model.classes.indexOf(rule);
          confidence = Math.max(r[1]!, c >= 0 ? probs[c]! : 0);
          guess = rule;
        } else if (GUARDS[guess] !== undefined && r[GUARDS[guess]!] === 1) {
          confidence = Math.min(confidence, GUARD_CAP);
          guarded = true;
        }
        const d = decide(guess, confidence, threshold);
        app.appendVarchar(d.reason);
        app.appendDouble(d.confidence);
        app.appendVarchar(d.status);
        if (d.suggested === null) app.appendNull();
        else app.appendVarchar(d.suggested);
        if (rule !== '') app.appendNull(); // the rule's words, written below in one UPDATE (cheaper than per-batch reads)
        else {
          // A capped guess always says why in words (cheap); the model's explanation within the time budget.
          const why = d.status === 'REVIEW' && explained < explainLimit ? (explained++, explainRow(model, batch.x, i, cls)) : [];
          if (guarded) why.unshift({ ...RULE_FEATURE[guess]!, value: 0, contribution: 0, pathShare: 0, text: describeGuard(guess, r[6]!, r[7]!, r[8]!) });
          if (why.length > 0) app.appendVarchar(JSON.stringify(why));
          else app.appendNull();
        }
        app.endRow();
      }
      app.flushSync();
      done += batch.rows;
      opts.onProgress?.({ done, total });
    }
  } finally {
    app.closeSync();
  }
  // A rule's decision is explained by the rule, in words.
  await conn.run(
    `UPDATE ${RUN_TABLES.attributions} a
        SET top_features = json_array(json_object('feature', CASE r.reason WHEN 'SIGN_FLIP' THEN 'neg1_distance' WHEN 'FX_DIFF' THEN 'pattern_share' ELSE 'delta_ulps_log' END,
                                                  'value', 1, 'contribution', 1, 'pathShare', 0, 'text', r.text))
       FROM ${BREAK_RULES} r
      WHERE a.break_id = r.break_id AND r.reason IS NOT NULL`,
  );
  return { fxProposals, explained, t1 };
}

/** The rules' numeric columns (RULE_COLUMNS) of the breaks with ids in [lo, hi], ordered by id. */
async function readRuleRange(conn: DuckDBConnection, lo: bigint, hi: bigint, most: number): Promise<NumericBatch> {
  const q = { id: 'r.break_id', columns: RULE_COLUMNS, from: `${BREAK_RULES} r`, where: `r.break_id BETWEEN ${lo} AND ${hi}` };
  for await (const b of readNumericBatches(conn, q, most + 1)) return b;
  return { ids: [], x: new Float64Array(0), rows: 0, width: RULE_COLUMNS.length };
}

/** Counts by reason and status, read back from `attributions`. */
async function summarize(conn: DuckDBConnection, modelVersion: string, threshold: number, explained: number): Promise<Omit<AttributionSummary, 'timings' | 'fxProposals'>> {
  const rows = await queryRows<{ reason: string; status: 'AUTO' | 'REVIEW'; n: string }>(
    conn,
    `SELECT reason, status, count(*) AS n FROM ${RUN_TABLES.attributions} GROUP BY ALL ORDER BY reason, status`,
  );
  const byReason: Record<string, number> = {};
  const byStatus = { AUTO: 0, REVIEW: 0 };
  let total = 0;
  for (const r of rows) {
    const k = Number(r.n);
    byReason[r.reason] = (byReason[r.reason] ?? 0) + k;
    byStatus[r.status] += k;
    total += k;
  }
  const unknown = byReason[UNKNOWN_REASON] ?? 0;
  return { total, byReason, byStatus, unknownRate: total === 0 ? 0 : unknown / total, modelVersion, threshold, explained };
}
