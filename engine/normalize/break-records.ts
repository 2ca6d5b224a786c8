import type { DuckDBConnection } from '@duckdb/node-api';
import { RUN_TABLES } from '../run-file/schema.ts';

/**
 * Where a keyed run stages its rows: an in-memory database attached to the run's
 * file for the run's length. Writing every staged row into the run file (its
 * compression chosen and applied column by column) was a third of a run's time:
 * ~1 s a side at 1M narrow rows, ~3.5 s for 60 columns. The diff, break memory,
 * the checks and attribution read every row while the run lasts; what the file
 * keeps afterwards (keepBreakRecords) is only what its readers ask for. Under the
 * run's memory limit DuckDB spills the attached database to the run's spill folder.
 */
export const STAGE_CATALOG = 'recon_stage';

/**
 * Whether a keyed run's staged rows fit in memory: their estimated size (~24 bytes a value
 * as DuckDB holds it uncompressed) within a quarter of DuckDB's memory limit and 1 GiB. Above
 * that they are staged into the file as before: under a limit, an in-memory stage spills
 * uncompressed and was far slower (10M rows a side under 2 GB: 81 s against 48 s), and 60
 * columns of 1M rows took 3.2 GB of memory against 1.5 GB.
 */
export function stageFitsInMemory(records: number, fields: number, memoryLimitBytes: number): boolean {
  return records * (fields + 4) * 24 <= Math.min(2 ** 30, memoryLimitBytes / 4);
}

export async function attachStage(conn: DuckDBConnection): Promise<void> {
  await conn.run(`ATTACH ':memory:' AS ${STAGE_CATALOG}`);
}

/**
 * Writes into the run file the staged records its readers can reach, and detaches
 * the staged ones. Readers reach a record through a break's `rid_a`/`rid_b` (the
 * record view, its related breaks, the grid's record-context columns, the largest
 * differences, reason rules, reports, the FX grouping): so every record a break
 * names is kept, with every rejected one (`__bad`, for its raw text and reasons).
 * Each keeps its `__rid`, so `line_map` and `rejects` still locate it, and `a`/`b`
 * keep their columns: the views become views over the kept rows.
 */
export async function keepBreakRecords(conn: DuckDBConnection): Promise<void> {
  for (const side of ['a', 'b'] as const) {
    const view = side === 'a' ? RUN_TABLES.a : RUN_TABLES.b;
    const rows = side === 'a' ? RUN_TABLES.aRows : RUN_TABLES.bRows;
    const rid = side === 'a' ? 'rid_a' : 'rid_b';
    await conn.run(
      `CREATE TABLE ${rows} AS
       SELECT * FROM ${view}
        WHERE __bad OR __rid IN (SELECT ${rid} FROM ${RUN_TABLES.breaks} WHERE ${rid} IS NOT NULL)
        ORDER BY __rid`,
    );
    await conn.run(`CREATE OR REPLACE VIEW ${view} AS SELECT * FROM ${rows}`);
  }
  await conn.run(`DETACH ${STAGE_CATALOG}`);
}
