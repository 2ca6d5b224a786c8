import type { Definition } from '../definition/schema.ts';
import { evaluateRunDatabase, type EvaluationResult } from '../attribution/evaluate.ts';
import type { FxTable } from '../attribution/fx-rates.ts';
import { fieldTolerances } from '../attribution/rules.ts';
import { RUN_TABLES } from '../run-file/schema.ts';
import type { ReasonModel } from '../attribution/model.ts';
import { openDuckDB } from '../duckdb/open.ts';
import { runRecon } from '../run/run-recon.ts';

export interface EvaluateInput {
  aPath: string;
  bPath: string;
  definition: Definition;
  truthPath: string;
  model: ReasonModel;
  threshold: number;
  fx?: FxTable;
  workspace: string;
}

/** Runs the recon, attributes its breaks and scores them against truth.csv. */
export async function evaluateOnTruth(input: EvaluateInput): Promise<EvaluationResult> {
  const t0 = performance.now();
  const summary = await runRecon({ aPath: input.aPath, bPath: input.bPath, definition: input.definition, workspace: input.workspace });
  const reconMs = performance.now() - t0;
  const db = await openDuckDB({ path: summary.database });
  try {
    // As the run attributes: with the fields' tolerances and A's records (rules.ts).
    const r = await evaluateRunDatabase(db.connection, { ...input, tolerances: fieldTolerances(input.definition.fields), recordsA: RUN_TABLES.a });
    return { ...r, timings: { reconMs: Math.round(reconMs), attributionMs: r.timings.attributionMs } };
  } finally {
    db.close();
  }
}
