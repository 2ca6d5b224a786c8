import type { DuckDBConnection } from '@duckdb/node-api';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { RunSummary } from '../contract/index.ts';
import { literal } from '../sql/quote.ts';
import { RUN_TABLES } from '../run-file/schema.ts';

/**
 * `recon run --out DIR`: summary.json, breaks.csv, resolved.csv and, for a
 * matching run, matches.csv (written by
 * DuckDB's COPY, never a JS loop over rows); `elapsed` times the write itself.
 * breaks.csv ends with each break's memory: lifecycle, the run it was first
 * seen in, its age in runs and days, and the decision carried to it; then the
 * side its row is on (A or B; empty for a MISMATCH, which has both).
 */
export async function writeRunOutputs(conn: DuckDBConnection, outDir: string, summary: RunSummary, elapsed: () => number): Promise<void> {
  await mkdir(outDir, { recursive: true });
  const csvPath = join(resolve(outDir), 'breaks.csv');
  await conn.run(
    `COPY (SELECT b.key, b.field, b.value_a, b.value_b, b.diff_type, a.reason, a.confidence, a.status, a.suggested_reason,
                  m.lifecycle, m.first_seen_run AS first_seen, m.age_runs, m.age_days, d.status AS decision,
                  -- The side the break's row is on, where it has one: a duplicate's or an ambiguous row's own, a missing record's.
                  upper(coalesce(b.side, CASE b.diff_type WHEN 'MISSING_IN_B' THEN 'a' WHEN 'MISSING_IN_A' THEN 'b' END)) AS side
             FROM ${RUN_TABLES.breaks} b LEFT JOIN ${RUN_TABLES.attributions} a USING (break_id)
             LEFT JOIN break_memory m USING (break_id)
             LEFT JOIN (SELECT break_id, status FROM carried_decisions WHERE kept) d USING (break_id)
            ORDER BY b.break_id)
       TO ${literal(csvPath)} (FORMAT csv, HEADER true, DELIMITER ',', QUOTE '"')`,
  );
  await conn.run(
    `COPY (SELECT key, field, first_seen_run AS first_seen, last_seen_run AS last_seen, resolution FROM resolved_breaks ORDER BY key, field)
       TO ${literal(join(resolve(outDir), 'resolved.csv'))} (FORMAT csv, HEADER true, DELIMITER ',', QUOTE '"')`,
  );
  if (summary.matching) {
    // A matching run (engine/match): one row per matched source row, in match order.
    await conn.run(
      `COPY (SELECT match_id, upper(side) AS side, id, rule, match_type, score FROM ${RUN_TABLES.matches} ORDER BY match_id, side, rid)
         TO ${literal(join(resolve(outDir), 'matches.csv'))} (FORMAT csv, HEADER true, DELIMITER ',', QUOTE '"')`,
    );
  }
  summary.timings['write'] = elapsed();
  await writeFile(join(outDir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
}
