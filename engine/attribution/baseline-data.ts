import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { loadDefinitionFile } from '../definition/load.ts';
import { openDuckDB } from '../duckdb/open.ts';
import { generateExtracts } from '../generate/generate-extracts.ts';
import { runRecon } from '../run/run-recon.ts';
import { writeBreakRows } from './break-rows.ts';
import { DEFAULT_REASON_CODES } from './catalogue.ts';
import { computeBreakFeatures } from './feature-sql.ts';
import type { FxTable } from './fx-rates.ts';
import { BREAK_LABELS_DDL, labelBreaksFromTruth } from './labels.ts';
import { attributeBreaks } from './attribute.ts';
import { scoreAttributions } from './evaluate.ts';
import { MetricsAccumulator, type ModelMetrics } from './metrics.ts';
import type { ReasonModel } from './model.ts';
import { syntheticRun } from './synthetic-breaks.ts';
import { readLabelledMismatches, type TrainingSetBuilder } from './training-data.ts';

/**
 * The baseline's labelled data, reproducible from seeds alone: generated
 * extracts run through the real engine (labels from truth.csv), plus
 * synthetic break tables of generic shapes (labels from the synthesizer).
 */
export interface GeneratedSpec {
  seed: number;
  rows: number;
  breakRate: number;
}

const CODES = DEFAULT_REASON_CODES.map((r) => r.code);

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
      n += await readLabelledMismatches(db.connection, into, { codes: CODES });
    } finally {
      db.close();
    }
    await rm(run.dir, { recursive: true, force: true });
  }
  return n;
}

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
      n += await readLabelledMismatches(db.connection, into, { codes: CODES });
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
