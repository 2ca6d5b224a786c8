import type { DuckDBConnection } from '@duckdb/node-api';
import { queryRows } from '../duckdb/open.ts';
import { attributeBreaks, type AttributionSummary } from './attribute.ts';
import type { FxTable } from './fx-rates.ts';
import { labelBreaksFromTruth } from './labels.ts';
import { MetricsAccumulator, type ModelMetrics } from './metrics.ts';
import type { ReasonModel } from './model.ts';
import type { FieldTolerance } from './rules.ts';

/** Honest figures for one labelled run: all breaks, and the MISMATCH breaks the model decides. */
export interface EvaluationResult {
  all: ModelMetrics;
  mismatches: ModelMetrics;
  /** Breaks with no truth row (should be 0 on generated data). */
  unlabelled: number;
  attribution: AttributionSummary;
  timings: { reconMs: number; attributionMs: number };
}

/** Attributes the breaks of an open run database and scores them against truth.csv. */
export async function evaluateRunDatabase(
  conn: DuckDBConnection,
  input: { truthPath: string; model: ReasonModel; threshold: number; fx?: FxTable | undefined; tolerances?: Record<string, FieldTolerance>; recordsA?: string },
): Promise<EvaluationResult> {
  const t0 = performance.now();
  const attribution = await attributeBreaks(conn, {
    model: input.model,
    threshold: input.threshold,
    ...(input.fx ? { fx: input.fx } : {}),
    ...(input.tolerances ? { tolerances: input.tolerances } : {}),
    ...(input.recordsA ? { recordsA: input.recordsA } : {}),
  });
  const attributionMs = Math.round(performance.now() - t0);
  await labelBreaksFromTruth(conn, input.truthPath);
  const all = new MetricsAccumulator(input.threshold);
  const mismatches = new MetricsAccumulator(input.threshold);
  const unlabelled = await scoreAttributions(conn, all, mismatches);
  return { all: all.result(), mismatches: mismatches.result(), unlabelled, attribution, timings: { reconMs: 0, attributionMs } };
}

/** Adds `attributions` scored against `break_labels` to the accumulators; returns the count of unlabelled breaks. */
export async function scoreAttributions(conn: DuckDBConnection, all: MetricsAccumulator, mismatches: MetricsAccumulator): Promise<number> {
  const rows = await queryRows<{ truth: string | null; guess: string; auto: boolean; mismatch: boolean; n: string }>(
    conn,
    `SELECT l.reason AS truth, coalesce(a.suggested_reason, a.reason) AS guess, a.status = 'AUTO' AS auto,
            b.diff_type = 'MISMATCH' AS mismatch, count(*) AS n
       FROM breaks b JOIN attributions a USING (break_id) LEFT JOIN break_labels l USING (break_id)
      GROUP BY ALL`,
  );
  let unlabelled = 0;
  for (const r of rows) {
    const n = Number(r.n);
    if (r.truth === null) {
      unlabelled += n;
      continue;
    }
    all.add(r.truth, r.guess, r.auto, n);
    if (r.mismatch) mismatches.add(r.truth, r.guess, r.auto, n);
  }
  return unlabelled;
}
