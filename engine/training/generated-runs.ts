import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { BASELINE_CODES } from '../attribution/baseline-data.ts';
import { computeBreakFeatures } from '../attribution/feature-sql.ts';
import type { FxTable } from '../attribution/fx-rates.ts';
import { labelBreaksFromTruth } from '../attribution/labels.ts';
import { readLabelledMismatches, type TrainingSetBuilder } from '../attribution/training-data.ts';
import { loadDefinitionFile } from '../definition/load.ts';
import { openDuckDB } from '../duckdb/open.ts';
import { generateExtracts } from '../generate/generate-extracts.ts';
import { runRecon } from '../run/run-recon.ts';
import { generateSeries } from '../generate/series.ts';
import { HISTORY_REASONS } from '../attribution/features.ts';
import type { DuckDBConnection } from '@duckdb/node-api';

/**
 * The baseline's labelled data, reproducible from seeds alone: generated
 * extracts run through the whole engine (labels from truth.csv). The
 * synthetic half (labels from the synthesizer) is attribution/baseline-data.ts.
 */
export interface GeneratedSpec {
  seed: number;
  rows: number;
  breakRate: number;
}

/** A generated data set, reconciled by the engine: where its files and run database are. */
export interface GeneratedRun {
  dir: string;
  aPath: string;
  bPath: string;
  truthPath: string;
  definitionPath: string;
  fx: FxTable;
  database: string;
}

/** Generates extracts for `spec` under `workDir` and runs the recon on them. */
export async function generateAndRun(spec: GeneratedSpec, workDir: string): Promise<GeneratedRun> {
  const dir = join(workDir, `gen-${spec.seed}-${spec.rows}`);
  await rm(dir, { recursive: true, force: true });
  const g = await generateExtracts({ rows: spec.rows, outDir: dir, seed: spec.seed, breakRate: spec.breakRate });
  const definition = await loadDefinitionFile(g.definitionPath);
  const summary = await runRecon({ aPath: g.aPath, bPath: g.bPath, definition, workspace: join(dir, 'ws'), runId: `seed-${spec.seed}` });
  const fx = JSON.parse(await readFile(g.fxPath, 'utf8')) as FxTable;
  return { dir, aPath: g.aPath, bPath: g.bPath, truthPath: g.truthPath, definitionPath: g.definitionPath, fx, database: summary.database };
}

/** Adds the labelled MISMATCH breaks of generated runs to `into`. */
export async function addGeneratedExamples(specs: readonly GeneratedSpec[], workDir: string, into: TrainingSetBuilder): Promise<number> {
  let n = 0;
  for (const spec of specs) {
    const run = await generateAndRun(spec, workDir);
    const db = await openDuckDB({ path: run.database });
    try {
      await computeBreakFeatures(db.connection, { fx: run.fx });
      await labelBreaksFromTruth(db.connection, run.truthPath);
      n += await readLabelledMismatches(db.connection, into, { codes: BASELINE_CODES });
    } finally {
      db.close();
    }
    await rm(run.dir, { recursive: true, force: true });
  }
  return n;
}

/** A generated daily series (generate/series.ts), run day by day into one workspace so each run is linked to the day before. */
export interface GeneratedSeriesSpec {
  seed: number;
  rows: number;
  days: number;
  breakRate: number;
}

/**
 * Share of linked breaks whose "previous reason" is moved to another reason
 * in training: a previous run's reason is the model's or a person's, and can
 * be wrong, so the model must not learn to copy it blindly.
 */
const HISTORY_NOISE = 0.15;

/**
 * Adds the labelled MISMATCH breaks of generated series (days 2 and on, the
 * ones with a history) to `into`, with the history features their runs
 * computed (break memory: linked, changed, age, decided, previous reason).
 */
export async function addGeneratedSeriesExamples(specs: readonly GeneratedSeriesSpec[], workDir: string, into: TrainingSetBuilder): Promise<number> {
  let n = 0;
  for (const spec of specs) {
    const dir = join(workDir, `series-${spec.seed}-${spec.rows}`);
    await rm(dir, { recursive: true, force: true });
    const series = await generateSeries({ rows: spec.rows, days: spec.days, outDir: join(dir, 'data'), seed: spec.seed, breakRate: spec.breakRate });
    const definition = await loadDefinitionFile(series.definitionPath);
    for (const day of series.days) {
      const summary = await runRecon({ aPath: day.aPath, bPath: day.bPath, definition, workspace: join(dir, 'ws'), asOf: day.asOf, runId: `series-${spec.seed}-day-${day.day}` });
      const db = await openDuckDB({ path: summary.database });
      try {
        await labelBreaksFromTruth(db.connection, join(day.dir, 'truth.csv'));
        if (day.day > 1) {
          await addHistoryNoise(db.connection, spec.seed + day.day);
          n += await readLabelledMismatches(db.connection, into, { codes: BASELINE_CODES });
        }
        // The next day's "previous reason" is the reason the team settled on (the truth), not
        // whatever model ran here: so the training set, and the baseline, depend on seeds alone.
        await db.connection.run(`UPDATE attributions a SET reason = l.reason, status = 'AUTO' FROM break_labels l WHERE l.break_id = a.break_id`);
      } finally {
        db.close();
      }
    }
    await rm(dir, { recursive: true, force: true });
  }
  return n;
}

/** Moves the previous reason of a seeded share of linked breaks to the next history reason (deterministic per seed). */
async function addHistoryNoise(conn: DuckDBConnection, seed: number): Promise<void> {
  const cols = HISTORY_REASONS.map((r) => `hist_reason_${r.toLowerCase()}`);
  const rotated = cols.map((c, i) => `${c} = ${cols[(i + cols.length - 1) % cols.length]}`);
  await conn.run(
    `UPDATE break_features SET ${rotated.join(', ')}
      WHERE hist_linked = 1 AND (hash(break_id, ${seed}) % 1000) < ${Math.round(HISTORY_NOISE * 1000)}`,
  );
}
