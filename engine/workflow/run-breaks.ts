/**
 * The DuckDB-backed BreakSource: reads `breaks` (and `attributions`, when the
 * run has it) from a run's file, read-only, so several reviewers' processes
 * can read the same run at once. Filters are bound parameters.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { existsSync } from 'node:fs';
import { queryRows } from '../duckdb/open.ts';
import { ReconError } from '../errors/recon-error.ts';
import type { BreakFilter, BreakSource, BreakView } from './breaks.ts';

interface Row {
  break_id: string | number;
  key: string;
  field: string;
  diff_type: string;
  side: string | null;
  value_a: string | null;
  value_b: string | null;
  delta: string | null;
  field_type: string | null;
  base_status: string | null;
  suggestion: string | null;
  confidence: number | string | null;
}

/** Opens a run's DuckDB file read-only as a BreakSource. */
export async function openRunBreaks(duckdbPath: string): Promise<BreakSource> {
  if (!existsSync(duckdbPath)) throw new ReconError('RUN_NOT_FOUND', `${duckdbPath}: the run's database file is missing`, { file: duckdbPath });
  const instance = await DuckDBInstance.create(duckdbPath, {
    access_mode: 'READ_ONLY',
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
  });
  const conn = await instance.connect();
  const hasAttr = (await queryRows(conn, `SELECT 1 FROM duckdb_tables() WHERE table_name = 'attributions'`)).length > 0;
  // Without attributions every break waits for review and nothing is suggested.
  const select = hasAttr
    ? `SELECT b.break_id, b.key, b.field, b.diff_type, b.side, b.value_a, b.value_b, b.delta, b.field_type,
              coalesce(t.status, 'REVIEW') AS base_status,
              CASE WHEN t.status = 'AUTO' THEN t.reason ELSE t.suggested_reason END AS suggestion,
              t.confidence
         FROM breaks b LEFT JOIN attributions t ON t.break_id = b.break_id`
    : `SELECT b.break_id, b.key, b.field, b.diff_type, b.side, b.value_a, b.value_b, b.delta, b.field_type,
              'REVIEW' AS base_status, NULL::VARCHAR AS suggestion, NULL::DOUBLE AS confidence
         FROM breaks b`;
  const sel = `SELECT * FROM (${select}) s`;
  return {
    async get(ids) {
      if (ids.length === 0) return new Map();
      // The ids travel as one text parameter: "1,5,9".
      const rows = await queryRows<Row>(conn, `${sel} WHERE break_id IN (SELECT CAST(unnest(string_split($1, ',')) AS BIGINT))`, [ids.join(',')]);
      return new Map(rows.map((r) => [Number(r.break_id), toView(r)]));
    },
    async page(filter, afterId, limit) {
      const { where, params } = filterSql(filter, afterId);
      params.push(limit);
      const rows = await queryRows<Row>(conn, `${sel} WHERE ${where} ORDER BY break_id LIMIT $${params.length}`, params);
      return rows.map(toView);
    },
    close() {
      conn.closeSync();
      instance.closeSync();
    },
  };
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

function toView(r: Row): BreakView {
  return {
    breakId: Number(r.break_id),
    key: r.key,
    field: r.field,
    diffType: r.diff_type,
    side: r.side,
    valueA: r.value_a,
    valueB: r.value_b,
    delta: r.delta,
    fieldType: r.field_type,
    baseStatus: r.base_status === 'AUTO' ? 'AUTO' : 'REVIEW',
    suggestion: r.suggestion,
    confidence: r.confidence === null ? null : Number(r.confidence),
  };
}
