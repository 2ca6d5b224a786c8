/**
 * What series tests share: a generated daily series run day by day into one
 * workspace, a run file's break ids by (key, field), and a generated day's
 * truth by lifecycle.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunSummary } from '../../contract/index.ts';
import { loadDefinitionFile } from '../../definition/load.ts';
import type { Definition } from '../../definition/schema.ts';
import { openDuckDB, queryRows } from '../../duckdb/open.ts';
import { generateSeries, type SeriesDay, type SeriesOptions } from '../../generate/series.ts';
import { runRecon } from '../../run/run-recon.ts';

/** `recon generate --days` into `dir/data`, each day run with its as-of date into `dir/ws` (so linked to the day before). */
export async function runGeneratedSeries(
  dir: string,
  opts: Omit<SeriesOptions, 'outDir'> & { name?: string },
): Promise<{ days: SeriesDay[]; definition: Definition; workspace: string; runs: RunSummary[] }> {
  const { name, ...series } = opts;
  const { days, definitionPath } = await generateSeries({ ...series, outDir: join(dir, 'data') });
  const loaded = await loadDefinitionFile(definitionPath);
  const definition = name ? { ...loaded, name } : loaded;
  const workspace = join(dir, 'ws');
  const runs: RunSummary[] = [];
  for (const day of days) runs.push(await runRecon({ aPath: day.aPath, bPath: day.bPath, definition, workspace, asOf: day.asOf }));
  return { days, definition, workspace, runs };
}

/** `key/field` → break id, read from a run file. */
export async function breakIdsByKeyField(database: string): Promise<Map<string, number>> {
  const db = await openDuckDB({ path: database, readOnly: true });
  try {
    const rows = await queryRows<{ id: number; key: string; field: string }>(db.connection, 'SELECT CAST(break_id AS INTEGER) AS id, key, field FROM breaks');
    return new Map(rows.map((r) => [`${r.key}/${r.field}`, r.id]));
  } finally {
    db.close();
  }
}

/** The field breaks (not whole-record ones) of a generated day with this lifecycle label, as `key/field` (generate/series.ts's lifecycle.csv). */
export function fieldBreaksWithLifecycle(day: SeriesDay, label: 'NEW' | 'CARRIED' | 'CHANGED'): string[] {
  return readFileSync(join(day.dir, 'lifecycle.csv'), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split(','))
    .filter((c) => c[4] === label && c[1] !== '*')
    .map((c) => `${c[0]}/${c[1]}`);
}
