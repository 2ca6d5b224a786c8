import type { DuckDBConnection } from '@duckdb/node-api';
import { openDuckDB } from '../duckdb/open.ts';
import { ident, literal, literalList } from '../sql/quote.ts';
import { FEATURES } from './features.ts';
import type { TrainingSet } from './model.ts';
import { readNumericBatches } from './numeric-batches.ts';

/**
 * A reviewer's decision as a training label: which break (a run database and
 * its break_id) and the reason the team settled on. The workflow store turns
 * every accepted, overridden or approved decision into one of these; `recon
 * model train --labels FILE.csv` reads the same fields (run_db, break_id, reason).
 */
export interface TrainingExample {
  runDb: string;
  breakId: number;
  reason: string;
}

/** Grows a training set batch by batch (rows × FEATURES.length). */
export class TrainingSetBuilder {
  private x: number[] = [];
  readonly y: string[] = [];

  get size(): number {
    return this.y.length;
  }

  push(row: ArrayLike<number>, reason: string): void {
    for (let j = 0; j < row.length; j++) this.x.push(row[j]!);
    this.y.push(reason);
  }

  /** Appends another set. */
  addSet(s: TrainingSet): void {
    const width = FEATURES.length;
    s.y.forEach((r, i) => this.push(s.x.subarray(i * width, (i + 1) * width), r));
  }

  build(): TrainingSet {
    return { x: Float64Array.from(this.x), y: [...this.y] };
  }
}

/**
 * Reads MISMATCH breaks that have a label: features from `featuresTable`,
 * reason from `labelsTable(break_id, reason)`. Structural breaks (missing,
 * duplicate) are attributed by rule and never train the model.
 */
export async function readLabelledMismatches(
  conn: DuckDBConnection,
  into: TrainingSetBuilder,
  opts: { featuresTable?: string; labelsTable?: string; codes: readonly string[] },
): Promise<number> {
  const f = ident(opts.featuresTable ?? 'break_features');
  const l = ident(opts.labelsTable ?? 'break_labels');
  const codes = literalList(opts.codes);
  const query = {
    id: 'f.break_id',
    columns: [...FEATURES.map((x) => `f.${ident(x.name)}`), `CAST(list_position(${codes}, l.reason) - 1 AS DOUBLE)`],
    from: `${f} f JOIN ${l} l ON l.break_id = f.break_id`,
    where: `f.diff_mismatch = 1 AND list_position(${codes}, l.reason) IS NOT NULL`,
  };
  const width = FEATURES.length;
  let n = 0;
  for await (const b of readNumericBatches(conn, query)) {
    for (let i = 0; i < b.rows; i++) {
      into.push(b.x.subarray(i * b.width, i * b.width + width), opts.codes[b.x[i * b.width + width]!]!);
      n++;
    }
  }
  return n;
}

/**
 * Features of reviewed breaks, grouped by run database. Each run keeps the
 * `break_features` its attribution computed, so labels made weeks later still
 * train on exactly what the model saw.
 */
export async function readExamples(examples: readonly TrainingExample[], into: TrainingSetBuilder, codes: readonly string[]): Promise<number> {
  const byRun = new Map<string, TrainingExample[]>();
  for (const e of examples) byRun.set(e.runDb, [...(byRun.get(e.runDb) ?? []), e]);
  let n = 0;
  for (const [runDb, list] of byRun) {
    const db = await openDuckDB({ path: ':memory:' });
    try {
      await db.connection.run(`ATTACH ${literal(runDb)} AS run (READ_ONLY)`);
      await db.connection.run('CREATE TABLE labels (break_id BIGINT, reason VARCHAR)');
      const app = await db.connection.createAppender('labels');
      for (const e of list) {
        app.appendBigInt(BigInt(e.breakId));
        app.appendVarchar(e.reason);
        app.endRow();
      }
      app.closeSync();
      await db.connection.run('CREATE TABLE feats AS SELECT * FROM run.break_features');
      n += await readLabelledMismatches(db.connection, into, { featuresTable: 'feats', labelsTable: 'labels', codes });
    } finally {
      db.close();
    }
  }
  return n;
}
