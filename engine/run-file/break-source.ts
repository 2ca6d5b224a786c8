/**
 * The workflow's BreakSource over a run file: reads `breaks` (and
 * `attributions`, when the run has it) read-only, so several reviewers'
 * processes can read the same run at once. Filters are bound parameters.
 */
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { queryRows } from '../duckdb/open.ts';
import { ReconError } from '../errors/recon-error.ts';
import type { BreakFilter, BreakSource } from '../workflow/breaks.ts';
import { breakColumns, toBreak } from './break.ts';
import type { RunFileCache } from './cache.ts';
import { RunFile } from './run-file.ts';
import { breaksWithAttributions } from './schema.ts';

/** A break with the two columns the workflow's filters compare: the model's status (REVIEW without one) and the reason accepting would record. */
function filterable(hasAttributions: boolean): string {
  const extra = hasAttributions
    ? `coalesce(t.status, 'REVIEW') AS base_status, CASE WHEN t.status = 'AUTO' THEN t.reason ELSE t.suggested_reason END AS suggestion`
    : `'REVIEW' AS base_status, NULL::VARCHAR AS suggestion`;
  return `SELECT * FROM (SELECT ${breakColumns(hasAttributions)}, ${extra} FROM ${breaksWithAttributions(hasAttributions)}) s`;
}

/** A BreakSource reading the file `file()` resolves to at each call (a cache may have reopened it since). */
function sourceOver(file: () => Promise<RunFile>, close: () => void): BreakSource {
  return {
    async get(ids) {
      if (ids.length === 0) return new Map();
      const db = await file();
      // The ids travel as one text parameter: "1,5,9".
      const sql = `${filterable(db.hasAttributions)} WHERE break_id IN (SELECT CAST(unnest(string_split($1, ',')) AS BIGINT))`;
      const rows = await db.run((c) => queryRows<Record<string, unknown>>(c, sql, [ids.join(',')]));
      return new Map(rows.map((r) => [Number(r['break_id']), toBreak(r)]));
    },
    async page(filter, afterId, limit) {
      const db = await file();
      const { where, params } = filterSql(filter, afterId);
      params.push(limit);
      const sql = `${filterable(db.hasAttributions)} WHERE ${where} ORDER BY break_id LIMIT $${params.length}`;
      const rows = await db.run((c) => queryRows<Record<string, unknown>>(c, sql, params));
      return rows.map(toBreak);
    },
    close,
  };
}

/** Opens a run's file read-only as a BreakSource of its own (the CLI); close() closes the file. */
export async function openBreakSource(path: string): Promise<BreakSource> {
  if (!existsSync(path)) throw new ReconError('RUN_NOT_FOUND', `${path}: the run's database file is missing`, { file: path });
  const file = await RunFile.open(path, { runId: basename(path, '.duckdb'), memoryLimit: '1GB' });
  return sourceOver(() => Promise.resolve(file), () => file.closeNow());
}

/**
 * A run's BreakSource on a host's cache of open run files: a reviewer
 * pressing `a` break after break does not reopen the file each time. It
 * fails now when the run has no file; close() leaves the file to the cache.
 */
export async function cachedBreakSource(cache: RunFileCache, runId: string): Promise<BreakSource> {
  await cache.get(runId);
  return sourceOver(() => cache.get(runId), () => undefined);
}

function filterSql(f: BreakFilter, afterId: number): { where: string; params: (string | number)[] } {
  const params: (string | number)[] = [afterId];
  const parts = ['break_id > $1'];
  if (f.breakIds !== undefined) {
    // A selection's ids travel as one text parameter: "1,5,9".
    params.push(f.breakIds.join(','));
    parts.push(`break_id IN (SELECT CAST(unnest(string_split($${params.length}, ',')) AS BIGINT))`);
  }
  const eq = (col: string, v: string | undefined): void => {
    if (v === undefined) return;
    params.push(v);
    parts.push(`${col} = $${params.length}`);
  };
  eq('field', f.field);
  eq('diff_type', f.diffType);
  eq('suggestion', f.reason);
  eq('base_status', f.baseStatus);
  eq('delta', f.delta);
  if (f.maxAbsDelta !== undefined) {
    params.push(f.maxAbsDelta);
    parts.push(`abs(TRY_CAST(delta AS DECIMAL(38, 10))) <= CAST($${params.length} AS DECIMAL(38, 10))`);
  }
  return { where: parts.join(' AND '), params };
}
