import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { definitionSchema, type DefinitionInput } from '../../definition/schema.ts';
import { openDuckDB, queryRows } from '../../duckdb/open.ts';
import { runRecon } from '../../run/run-recon.ts';
import type { RunSummary } from '../../contract/index.ts';

/** One break as compared across runs: decimals without trailing zeros, so scale 2 and 3 agree. */
export interface BreakKey {
  key: string;
  field: string;
  diff_type: string;
  side: string | null;
  value_a: string | null;
  value_b: string | null;
}

const trimZeros = (v: string | null, type: string | null): string | null =>
  v === null || type !== 'decimal' || !v.includes('.') ? v : v.replace(/0+$/, '').replace(/\.$/, '');

/** Runs A against B under a definition in a fresh workspace and reads back every break. */
export async function runAndReadBreaks(aPath: string, bPath: string, def: DefinitionInput, workspace?: string): Promise<{ summary: RunSummary; breaks: BreakKey[] }> {
  const ws = workspace ?? mkdtempSync(join(tmpdir(), 'recon-infer-run-'));
  const summary = await runRecon({ aPath, bPath, definition: definitionSchema.parse(def), workspace: ws });
  const db = await openDuckDB({ path: summary.database, readOnly: true });
  try {
    const rows = await queryRows<BreakKey & { field_type: string | null }>(
      db.connection,
      'SELECT key, field, diff_type, side, value_a, value_b, field_type FROM breaks ORDER BY key, field, diff_type, side, value_a, value_b',
    );
    return { summary, breaks: rows.map(({ field_type, ...r }) => ({ ...r, value_a: trimZeros(r.value_a, field_type), value_b: trimZeros(r.value_b, field_type) })) };
  } finally {
    db.close();
  }
}
