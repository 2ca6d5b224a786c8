import type { ModelMetrics } from '../attribution/metrics.ts';
import { MetricsAccumulator } from '../attribution/metrics.ts';
import type { ReasonModel, TrainingSet, TrainOptions } from '../attribution/model.ts';
import { openDuckDB } from '../duckdb/open.ts';
import { attributeBreaks } from '../attribution/attribute.ts';
import { addSyntheticExamples, evaluateSynthetic } from '../attribution/baseline-data.ts';
import { addGeneratedExamples, addGeneratedSeriesExamples, generateAndRun, type GeneratedSeriesSpec, type GeneratedSpec } from './generated-runs.ts';
import { scoreAttributions } from '../attribution/evaluate.ts';
import { labelBreaksFromTruth } from '../attribution/labels.ts';
import { TrainingSetBuilder } from '../attribution/training-data.ts';
import { rm } from 'node:fs/promises';

/**
 * The recipe of the shipped baseline model, all seeds fixed: generated runs
 * of several sizes and break rates (field types of a trades file: dates,
 * decimals at 2 and 4 dp, integers, names, codes, a direction), plus synthetic
 * runs of generic shapes (random field types, magnitudes, FX tables or none).
 * Held-out data uses seeds never used for training.
 */
export const TRAIN_GENERATED: readonly GeneratedSpec[] = [
  { seed: 11, rows: 20_000, breakRate: 0.1 },
  { seed: 12, rows: 30_000, breakRate: 0.08 },
  { seed: 13, rows: 5_000, breakRate: 0.05 },
  { seed: 14, rows: 2_000, breakRate: 0.03 },
  { seed: 15, rows: 3_000, breakRate: 0.02 },
  { seed: 16, rows: 10_000, breakRate: 0.02 },
  { seed: 17, rows: 1_000, breakRate: 0.05 },
  { seed: 18, rows: 8_000, breakRate: 0.04 },
];
export const TRAIN_SYNTHETIC = { seed: 7, runs: 60 } as const;
/** Daily series, so the model learns what a break's history (break memory) says about its reason. */
export const TRAIN_SERIES: readonly GeneratedSeriesSpec[] = [
  { seed: 21, rows: 8_000, days: 4, breakRate: 0.06 },
  { seed: 22, rows: 5_000, days: 3, breakRate: 0.05 },
];

export const HOLDOUT_GENERATED: readonly GeneratedSpec[] = [
  { seed: 96, rows: 5_000, breakRate: 0.02 },
  { seed: 97, rows: 2_000, breakRate: 0.02 },
  { seed: 98, rows: 20_000, breakRate: 0.1 },
  { seed: 99, rows: 50_000, breakRate: 0.02 },
];
export const HOLDOUT_SYNTHETIC = { seed: 8, runs: 40 } as const;

export const BASELINE_TRAIN_OPTIONS: TrainOptions = { nEstimators: 60, maxFeatures: 0.9, maxDepth: 14, minNumSamples: 3, seed: 42, label: 'baseline' };

/** The baseline's labelled MISMATCH rows (generated runs are made and removed under workDir). */
export async function buildBaselineTrainingSet(workDir: string, log: (s: string) => void = () => {}, signal?: AbortSignal): Promise<TrainingSet> {
  const b = new TrainingSetBuilder();
  const g = await addGeneratedExamples(TRAIN_GENERATED, workDir, b);
  log(`  generated runs: ${g} labelled mismatches`);
  signal?.throwIfAborted();
  const s = await addSyntheticExamples(TRAIN_SYNTHETIC.seed, TRAIN_SYNTHETIC.runs, b);
  log(`  synthetic runs: ${s} labelled mismatches`);
  signal?.throwIfAborted();
  const h = await addGeneratedSeriesExamples(TRAIN_SERIES, workDir, b);
  log(`  daily series (days 2 on, with history): ${h} labelled mismatches`);
  return b.build();
}

/** Labelled MISMATCH rows from the held-out seeds: data no baseline-derived model has trained on. */
export async function buildBaselineHoldoutSet(workDir: string): Promise<TrainingSet> {
  const b = new TrainingSetBuilder();
  await addGeneratedExamples(HOLDOUT_GENERATED, workDir, b);
  await addSyntheticExamples(HOLDOUT_SYNTHETIC.seed, HOLDOUT_SYNTHETIC.runs, b);
  return b.build();
}

/** Held-out figures at `threshold`: generated runs (all breaks, and MISMATCH only) and synthetic shapes. */
export async function evaluateBaselineHoldout(
  model: ReasonModel,
  workDir: string,
  threshold: number,
): Promise<{ generated: ModelMetrics; generatedMismatches: ModelMetrics; synthetic: ModelMetrics }> {
  const all = new MetricsAccumulator(threshold);
  const mismatches = new MetricsAccumulator(threshold);
  for (const spec of HOLDOUT_GENERATED) {
    const run = await generateAndRun(spec, workDir);
    const db = await openDuckDB({ path: run.database });
    try {
      await attributeBreaks(db.connection, { model, threshold, fx: run.fx });
      await labelBreaksFromTruth(db.connection, run.truthPath);
      await scoreAttributions(db.connection, all, mismatches);
    } finally {
      db.close();
    }
    await rm(run.dir, { recursive: true, force: true });
  }
  const synthetic = await evaluateSynthetic(model, HOLDOUT_SYNTHETIC.seed, HOLDOUT_SYNTHETIC.runs, threshold);
  return { generated: all.result(), generatedMismatches: mismatches.result(), synthetic };
}
