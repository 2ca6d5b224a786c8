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
import { BATCH_ROWS, readNumericBatches } from './numeric-batches.ts';
import { RUN_TABLES } from '../run-file/schema.ts';

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
  await computeBreakFeatures(conn, {
    ...(opts.fx ? { fx: opts.fx } : {}),
    ...(opts.previousBreaks ? { previousBreaks: opts.previousBreaks } : {}),
    ...(opts.history ? { history: opts.history } : {}),
  });
  await conn.run(ATTRIBUTIONS_DDL);
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
    for await (const batch of readNumericBatches(conn, query, opts.batchRows ?? BATCH_ROWS)) {
      for (let i = 0; i < batch.rows; i++) {
        const structural = STRUCTURAL.find((s) => batch.x[i * width + s.col] === 1);
        app.appendBigInt(batch.ids[i]!);
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
        const d = decide(model.classes[cls]!, probs[cls]!, threshold);
        app.appendVarchar(d.reason);
        app.appendDouble(d.confidence);
        app.appendVarchar(d.status);
        if (d.suggested === null) app.appendNull();
        else app.appendVarchar(d.suggested);
        if (d.status === 'REVIEW' && explained < explainLimit) {
          app.appendVarchar(JSON.stringify(explainRow(model, batch.x, i, cls)));
          explained++;
        } else app.appendNull();
        app.endRow();
      }
      app.flushSync();
      done += batch.rows;
      opts.onProgress?.({ done, total });
    }
  } finally {
    app.closeSync();
  }
  // A record whose counterpart was rejected is explained by the reject itself; a matching tie by the tie.
  await conn.run(
    `INSERT INTO ${RUN_TABLES.attributions}
     SELECT break_id, diff_type, 1, 'AUTO', NULL, json_array(json_object('feature', 'diff_' || lower(diff_type), 'value', 1, 'contribution', 1, 'pathShare', 0))
       FROM ${RUN_TABLES.breaks} WHERE diff_type IN (${SQL_ATTRIBUTED_DIFF_TYPES.map((t) => `'${t}'`).join(', ')})`,
  );
  await opts.afterAttribute?.();
  const timings = { featuresMs: Math.round(t1 - t0), predictMs: Math.round(performance.now() - t1) };
  return { ...(await summarize(conn, model.version, threshold, explained)), timings };
}

/** Counts by reason and status, read back from `attributions`. */
async function summarize(conn: DuckDBConnection, modelVersion: string, threshold: number, explained: number): Promise<Omit<AttributionSummary, 'timings'>> {
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
