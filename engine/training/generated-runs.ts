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
