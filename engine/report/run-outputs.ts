import type { DuckDBConnection } from '@duckdb/node-api';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { RunSummary } from '../run/run-recon.ts';
import { literal } from '../sql/quote.ts';

/** `recon run --out DIR`: summary.json and breaks.csv (written by DuckDB's COPY, never a JS loop over rows); `elapsed` times the write itself. */
export async function writeRunOutputs(conn: DuckDBConnection, outDir: string, summary: RunSummary, elapsed: () => number): Promise<void> {
  await mkdir(outDir, { recursive: true });
  const csvPath = join(resolve(outDir), 'breaks.csv');
  await conn.run(
    `COPY (SELECT b.key, b.field, b.value_a, b.value_b, b.diff_type, a.reason, a.confidence, a.status, a.suggested_reason
             FROM breaks b LEFT JOIN attributions a USING (break_id) ORDER BY b.break_id)
       TO ${literal(csvPath)} (FORMAT csv, HEADER true, DELIMITER ',', QUOTE '"')`,
  );
  summary.timings['write'] = elapsed();
  await writeFile(join(outDir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
}
