import type { DuckDBConnection } from '@duckdb/node-api';
import { openDuckDB } from '../duckdb/open.ts';
import { writeBreakRows } from './break-rows.ts';
import { DEFAULT_REASON_CODES } from './catalogue.ts';
import { computeBreakFeatures } from './feature-sql.ts';
import { BREAK_LABELS_DDL } from './labels.ts';
import { attributeBreaks } from './attribute.ts';
import { scoreAttributions } from './evaluate.ts';
import { MetricsAccumulator, type ModelMetrics } from './metrics.ts';
import type { ReasonModel } from './model.ts';
import { syntheticRun } from './synthetic-breaks.ts';
import { readLabelledMismatches, type TrainingSetBuilder } from './training-data.ts';

// The synthetic half of the baseline's labelled data, reproducible from seeds
// alone: break tables of generic shapes, labelled by the synthesizer. The
// other half, generated extracts run through the whole engine, is
// engine/training/generated-runs.ts: it runs recons, and run/ sits above attribution/.

/** The reason codes the baseline knows. */
export const BASELINE_CODES = DEFAULT_REASON_CODES.map((r) => r.code);

/** Adds `runs` synthetic runs (seeded) of 5–1,500 breaks each to `into`. */
export async function addSyntheticExamples(seed: number, runs: number, into: TrainingSetBuilder): Promise<number> {
  const db = await openDuckDB({ path: ':memory:' });
  let n = 0;
  try {
    for (let i = 0; i < runs; i++) {
      const run = syntheticRun(seed, i, syntheticSize(i));
      await writeBreakRows(db.connection, 'syn_breaks', run.breaks);
      await writeLabels(db.connection, run.breaks.map((b) => b.breakId), run.labels);
      await computeBreakFeatures(db.connection, { breaksTable: 'syn_breaks', ...(run.fx ? { fx: run.fx } : {}) });
      n += await readLabelledMismatches(db.connection, into, { codes: BASELINE_CODES });
    }
  } finally {
    db.close();
  }
  return n;
}

/** Attributes held-out synthetic runs (a seed not used in training) and scores the MISMATCH breaks. */
export async function evaluateSynthetic(model: ReasonModel, seed: number, runs: number, threshold: number): Promise<ModelMetrics> {
  const all = new MetricsAccumulator(threshold);
  const mismatches = new MetricsAccumulator(threshold);
  for (let i = 0; i < runs; i++) {
    const run = syntheticRun(seed, i, syntheticSize(i));
    const db = await openDuckDB({ path: ':memory:' });
    try {
      await writeBreakRows(db.connection, 'breaks', run.breaks);
      await writeLabels(db.connection, run.breaks.map((b) => b.breakId), run.labels);
      await attributeBreaks(db.connection, { model, threshold, ...(run.fx ? { fx: run.fx } : {}) });
      await scoreAttributions(db.connection, all, mismatches);
    } finally {
      db.close();
    }
  }
  return mismatches.result();
}

/** Breaks in synthetic run i: log-uniform 5..1,500, so small runs keep the pattern-count features honest. */
function syntheticSize(i: number): number {
  return Math.round(5 * 300 ** (((i * 2654435761) >>> 0) / 2 ** 32));
}

async function writeLabels(conn: DuckDBConnection, ids: readonly number[], labels: readonly string[]): Promise<void> {
  await conn.run(BREAK_LABELS_DDL);
  const app = await conn.createAppender('break_labels');
  try {
    ids.forEach((id, i) => {
      app.appendBigInt(BigInt(id));
      app.appendVarchar(labels[i]!);
      app.endRow();
    });
    app.flushSync();
  } finally {
    app.closeSync();
  }
}
